/* session.c: one resident's answers: which fields a service asks, their validation, the wipe
 * when the resident leaves, and the request that is stored on submit. UI thread only. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "screens/screen_int.h"

void ck_session_init(struct ck_session *s, const char *lang)
{
    memset(s, 0, sizeof *s);
    snprintf(s->lang, sizeof s->lang, "%s", lang);
    for (size_t i = 0; i < CK_FIELDS_MAX; i++)
        ck_buf_init(&s->fields[i].value);
    ck_buf_init(&s->check_code);
}

void ck_session_wipe(struct ck_session *s, const char *lang)
{
    ck_keyboard_wipe(s); /* the input method's composition and what it learnt */
    for (size_t i = 0; i < CK_FIELDS_MAX; i++)
        ck_buf_deinit(&s->fields[i].value);
    ck_buf_deinit(&s->check_code);
    /* Everything else (receipt, check results, chosen service) is cleared with the struct. */
    explicit_bzero(s, sizeof *s);
    ck_session_init(s, lang);
}

static void add_field(struct ck_session *s, enum ck_field_kind kind, const struct ck_attribute *a)
{
    if (s->nfields == CK_FIELDS_MAX)
        return;
    struct ck_field *f = &s->fields[s->nfields++];
    ck_buf_clear(&f->value);
    memset(f->chosen, 0, sizeof f->chosen);
    f->kind = kind;
    f->attr = a;
    f->visited = false;
}

void ck_session_start_service(struct ck_session *s, const struct ck_service *svc)
{
    for (size_t i = 0; i < s->nfields; i++)
        ck_buf_clear(&s->fields[i].value);
    s->nfields = 0;
    s->svc = svc;
    s->step = 0;
    s->from_review = false;
    s->has_latlon = false;
    s->nsuggest = 0;
    s->suggest_fresh = false;
    /* The seven fixed steps below always fit; a catalog with more questions than the rest of the
     * room is cut short (and logged by the catalog loader's bounds). */
    for (size_t i = 0; i < svc->nattrs && s->nfields < CK_FIELDS_MAX - 7; i++)
        if (svc->attrs[i].variable)
            add_field(s, FIELD_ATTR, &svc->attrs[i]);
    add_field(s, FIELD_ADDRESS, NULL);
    add_field(s, FIELD_DESCRIPTION, NULL);
    add_field(s, FIELD_UPDATES, NULL);
    add_field(s, FIELD_FIRST_NAME, NULL);
    add_field(s, FIELD_LAST_NAME, NULL);
    add_field(s, FIELD_EMAIL, NULL);
    add_field(s, FIELD_PHONE, NULL);
}

bool ck_session_has_input(const struct ck_session *s)
{
    if (s->check_code.len)
        return true;
    for (size_t i = 0; i < s->nfields; i++) {
        if (s->fields[i].value.len)
            return true;
        for (size_t j = 0; j < CK_VALUES_MAX; j++)
            if (s->fields[i].chosen[j])
                return true;
    }
    return false;
}

static bool wants_updates(const struct ck_session *s)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (s->fields[i].kind == FIELD_UPDATES)
            return strcmp(ck_buf_str(&s->fields[i].value), "yes") == 0;
    return false;
}

bool ck_session_step_active(const struct ck_session *s, size_t i)
{
    switch (s->fields[i].kind) {
    case FIELD_FIRST_NAME:
    case FIELD_LAST_NAME:
    case FIELD_EMAIL:
    case FIELD_PHONE:
        return wants_updates(s);
    default:
        return true;
    }
}

const char *ck_field_label(const struct ck_field *f)
{
    switch (f->kind) {
    case FIELD_ATTR: return f->attr->description;
    case FIELD_ADDRESS: return N_("Where is the problem?");
    case FIELD_DESCRIPTION: return N_("Tell us more about the problem");
    case FIELD_UPDATES: return N_("Do you want updates about this request?");
    case FIELD_FIRST_NAME: return N_("Your first name");
    case FIELD_LAST_NAME: return N_("Your last name");
    case FIELD_EMAIL: return N_("Your email address");
    case FIELD_PHONE: return N_("Your phone number");
    }
    return "";
}

static bool any_chosen(const struct ck_field *f)
{
    for (size_t j = 0; j < CK_VALUES_MAX; j++)
        if (f->chosen[j])
            return true;
    return false;
}

const char *ck_field_validate(const struct ck_screens *sc, const struct ck_field *f)
{
    const char *v = ck_buf_str(&f->value);
    switch (f->kind) {
    case FIELD_ATTR:
        switch (f->attr->datatype) {
        case CK_DT_MULTIVALUELIST:
            return f->attr->required && !any_chosen(f) ? N_("Please choose at least one.") : NULL;
        case CK_DT_SINGLEVALUELIST:
            return f->attr->required && !*v ? N_("Please choose one.") : NULL;
        case CK_DT_DATETIME:
            if (!*v)
                return f->attr->required ? N_("Please choose a date.") : NULL;
            return ck_validate_datetime(v);
        case CK_DT_NUMBER:
            if (!*v)
                return f->attr->required ? N_("Please enter a number to continue.") : NULL;
            return ck_validate_number(v);
        case CK_DT_TEXT:
            if (!*v)
                return f->attr->required ? N_("Please answer this question to continue.") : NULL;
            return ck_validate_text(v, CK_TEXT_MAX, 1);
        case CK_DT_STRING:
            if (!*v)
                return f->attr->required ? N_("Please answer this question to continue.") : NULL;
            return ck_validate_text(v, CK_STRING_MAX, 0);
        }
        return NULL;
    case FIELD_ADDRESS:
        if (!*v)
            return sc->cfg->require_address ? N_("Please type the address or nearest corner.")
                                            : NULL;
        /* Without a working address list a typed address is all there can be. */
        if (sc->cfg->require_coordinates && sc->gazetteer &&
            !ck_session_address_chosen(&sc->session))
            return N_("Choose your address from the city's list, so the crew can find it. If it "
                      "is not in the list, ask staff for help.");
        return ck_validate_text(v, CK_STRING_MAX, 0);
    case FIELD_DESCRIPTION:
        return *v ? ck_validate_text(v, CK_DESCRIPTION_MAX, 1) : NULL;
    case FIELD_UPDATES:
        return *v ? NULL : N_("Please choose one.");
    case FIELD_FIRST_NAME:
    case FIELD_LAST_NAME:
        return *v ? ck_validate_text(v, CK_STRING_MAX, 0) : NULL;
    case FIELD_EMAIL:
        if (*v)
            return ck_validate_email(v);
        for (size_t i = 0; i < sc->session.nfields; i++) /* an email or a phone, at least */
            if (sc->session.fields[i].kind == FIELD_PHONE && sc->session.fields[i].value.len)
                return NULL;
        return NULL; /* checked on the phone step, which comes after */
    case FIELD_PHONE:
        if (*v)
            return ck_validate_phone(v);
        for (size_t i = 0; i < sc->session.nfields; i++)
            if (sc->session.fields[i].kind == FIELD_EMAIL && sc->session.fields[i].value.len)
                return NULL;
        return N_("To get updates, give an email address or a phone number.");
    }
    return NULL;
}

enum ck_err ck_session_to_request(const struct ck_screens *sc, struct ck_request *req)
{
    const struct ck_session *s = &sc->session;
    enum ck_err rc = ck_request_set(&req->service_code, s->svc->code);
    if (!rc)
        rc = ck_request_set(&req->service_name, s->svc->name);
    snprintf(req->lang, sizeof req->lang, "%s", s->lang);
    ck_clock_iso8601(ck_clock_wall(), req->requested_at, sizeof req->requested_at);
    bool updates = false;
    for (size_t i = 0; !rc && i < s->nfields; i++) {
        const struct ck_field *f = &s->fields[i];
        const char *v = ck_buf_str(&f->value);
        switch (f->kind) {
        case FIELD_ATTR:
            if (f->attr->datatype == CK_DT_MULTIVALUELIST) {
                for (size_t j = 0; !rc && j < f->attr->nvalues && j < CK_VALUES_MAX; j++)
                    if (f->chosen[j])
                        if (!(rc = ck_request_add_attr(req, f->attr->code, f->attr->values[j].key)))
                            req->attrs[req->nattrs - 1].multi = true;
            } else if (*v) {
                rc = ck_request_add_attr(req, f->attr->code, v);
            }
            break;
        case FIELD_ADDRESS:
            rc = ck_request_set(&req->address_string, v);
            if (ck_session_address_chosen(s)) {
                req->has_latlon = true;
                req->lat = s->lat;
                req->lon = s->lon;
            }
            break;
        case FIELD_DESCRIPTION: rc = ck_request_set(&req->description, v); break;
        case FIELD_UPDATES: updates = strcmp(v, "yes") == 0; break;
        case FIELD_FIRST_NAME: if (updates) rc = ck_request_set(&req->first_name, v); break;
        case FIELD_LAST_NAME: if (updates) rc = ck_request_set(&req->last_name, v); break;
        case FIELD_EMAIL: if (updates) rc = ck_request_set(&req->email, v); break;
        case FIELD_PHONE: if (updates) rc = ck_request_set(&req->phone, v); break;
        }
    }
    return rc;
}

bool ck_session_address_chosen(const struct ck_session *s)
{
    const struct ck_field *f = ck_session_field(s, FIELD_ADDRESS);
    return s->has_latlon && f && strcmp(ck_buf_str(&f->value), s->chosen) == 0;
}

const struct ck_field *ck_session_field(const struct ck_session *s, enum ck_field_kind kind)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (s->fields[i].kind == kind)
            return &s->fields[i];
    return NULL;
}
