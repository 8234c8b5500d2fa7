/* review.c: everything as it will be sent, each item with a Change button, and Submit, which
 * commits the request before the done screen appears. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "screens/screen_int.h"
#include "sync/sync.h"

/* A readable tap id for a field: its attribute code, or the name of the fixed field. */
static void field_id(const struct ck_field *f, char *out, size_t n)
{
    static const char *const NAMES[] = {
        [FIELD_ADDRESS] = "address",       [FIELD_DESCRIPTION] = "description",
        [FIELD_UPDATES] = "updates",       [FIELD_FIRST_NAME] = "first-name",
        [FIELD_LAST_NAME] = "last-name",   [FIELD_EMAIL] = "email",
        [FIELD_PHONE] = "phone",
    };
    snprintf(out, n, "change:%s", f->kind == FIELD_ATTR ? f->attr->code : NAMES[f->kind]);
}

/* The value as the resident should read it back. */
static void field_value(struct ck_screens *sc, const struct ck_field *f, char *out, size_t n)
{
    const char *v = ck_buf_str(&f->value);
    out[0] = '\0';
    if (f->kind == FIELD_UPDATES) {
        snprintf(out, n, "%s", strcmp(v, "yes") == 0 ? T(N_("Yes")) : T(N_("No")));
        return;
    }
    if (f->kind != FIELD_ATTR) {
        snprintf(out, n, "%s", v);
        return;
    }
    switch (f->attr->datatype) {
    case CK_DT_SINGLEVALUELIST:
        for (size_t i = 0; i < f->attr->nvalues; i++)
            if (strcmp(f->attr->values[i].key, v) == 0)
                snprintf(out, n, "%s", T(f->attr->values[i].name));
        return;
    case CK_DT_MULTIVALUELIST: {
        size_t used = 0;
        for (size_t i = 0; i < f->attr->nvalues && i < CK_VALUES_MAX; i++) {
            if (!f->chosen[i])
                continue;
            int w = snprintf(out + used, n - used, "%s%s", used ? ", " : "",
                             T(f->attr->values[i].name));
            if (w < 0 || (size_t)w >= n - used)
                break;
            used += (size_t)w;
        }
        return;
    }
    case CK_DT_DATETIME:
        if (*v)
            ck_format_datetime(sc, v, out, n);
        return;
    default:
        snprintf(out, n, "%s", v);
    }
}

/* "No", or "Yes:" and the contact details given, on one line. */
static void contact_value(struct ck_screens *sc, char *out, size_t n)
{
    const struct ck_session *s = &sc->session;
    size_t used = 0;
    for (size_t i = 0; i < s->nfields; i++) {
        const struct ck_field *f = &s->fields[i];
        const char *v = ck_buf_str(&f->value);
        int w = 0;
        if (f->kind == FIELD_UPDATES)
            w = snprintf(out, n, "%s", strcmp(v, "yes") == 0 ? T(N_("Yes")) : T(N_("No")));
        else if (f->kind > FIELD_UPDATES && *v && ck_session_step_active(s, i))
            w = snprintf(out + used, n - used, "%s%s",
                         f->kind == FIELD_LAST_NAME || out[used - 1] == ':' ? " " : ", ", v);
        else
            continue;
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
        if (f->kind == FIELD_UPDATES && used < n - 1 && strcmp(v, "yes") == 0)
            used += (size_t)snprintf(out + used, n - used, ":");
    }
}

static void enter(struct ck_screens *sc)
{
    sc->session.from_review = false;
}

static void submit(struct ck_screens *sc)
{
    struct ck_session *s = &sc->session;
    for (size_t i = 0; i < s->nfields; i++) { /* nothing invalid reaches the store */
        if (!ck_session_step_active(s, i))
            continue;
        const char *err = ck_field_validate(sc, &s->fields[i]);
        if (err) {
            s->error = err;
            return;
        }
    }
    struct ck_request req;
    ck_request_init(&req);
    char err[CK_ERR_LEN];
    enum ck_err rc = ck_session_to_request(sc, &req);
    if (!rc)
        rc = ck_store_submit(sc->store, sc->cfg->kiosk_id, &req, err, sizeof err);
    if (rc) {
        ck_error("review", "request not saved: %s", rc == CK_ERR_NOMEM ? "out of memory" : err);
        s->error = N_("Your request could not be saved. Nothing was sent. Please try again, or ask staff for help.");
        ck_request_deinit(&req);
        return;
    }
    ck_info("review", "request %s saved for service %s", req.receipt, req.service_code);
    ck_sync_kick(sc->sync); /* deliver it now if the city can be reached */
    ck_screens_cx_end(sc, true);
    /* The done screen needs only the code and the service: the answers leave memory now. */
    char receipt[CK_RECEIPT_LEN + 1], name[128], address[256], when[32];
    snprintf(receipt, sizeof receipt, "%s", req.receipt);
    snprintf(name, sizeof name, "%s", s->svc->name);
    snprintf(address, sizeof address, "%s", req.address_string ? req.address_string : "");
    snprintf(when, sizeof when, "%s", req.requested_at);
    ck_request_deinit(&req);
    char lang[sizeof s->lang];
    memcpy(lang, s->lang, sizeof lang);
    ck_session_wipe(s, lang);
    memcpy(s->receipt, receipt, sizeof receipt);
    snprintf(s->service_name, sizeof s->service_name, "%s", name);
    snprintf(s->done_address, sizeof s->done_address, "%s", address);
    snprintf(s->done_when, sizeof s->done_when, "%s", when);
    explicit_bzero(address, sizeof address);
    ck_nav_go(sc, SCR_DONE);
}

static void event(struct ck_screens *sc, const struct ck_input *in)
{
    struct ck_session *s = &sc->session;
    if ((in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE) ||
        (in->kind == CK_IN_TAP && strcmp(in->id, "back") == 0)) {
        for (size_t i = s->nfields; i-- > 0;) {
            if (ck_session_step_active(s, i)) {
                s->step = i;
                break;
            }
        }
        ck_nav_go(sc, SCR_FORM);
        return;
    }
    if (in->kind != CK_IN_TAP)
        return;
    if (strcmp(in->id, "submit") == 0) {
        submit(sc);
    } else if (strcmp(in->id, "change:contact") == 0) {
        /* Through the updates question and, if wanted, each contact step, then back here. */
        for (size_t i = 0; i < s->nfields; i++)
            if (s->fields[i].kind == FIELD_UPDATES)
                s->step = i;
        ck_nav_go(sc, SCR_FORM);
    } else if (strcmp(in->id, "change:service") == 0) {
        ck_nav_go(sc, SCR_SERVICES);
    } else if (strcmp(in->id, "page-next") == 0) {
        s->page++;
    } else if (strcmp(in->id, "page-prev") == 0 && s->page > 0) {
        s->page--;
    } else if (strncmp(in->id, "change:", 7) == 0) {
        for (size_t i = 0; i < s->nfields; i++) {
            char id[128];
            field_id(&s->fields[i], id, sizeof id);
            if (strcmp(id, in->id) == 0 && ck_session_step_active(s, i)) {
                s->step = i;
                ck_nav_go(sc, SCR_FORM);
                s->from_review = true;
                return;
            }
        }
    }
}

struct row {
    char id[128];
    const char *label;
    char value[1024];
    int h;
};

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_session *s = &sc->session;
    struct ck_layout l = ck_chrome_page(sc, ui, T(N_("Check your request before you send it")),
                                        T(N_("Back")), true, T(N_("Send request")));
    ck_chrome_footer(sc, ui, &l, T(N_("Back")), true, "submit", T(N_("Send request")));
    struct ck_rect b = l.body;
    int eh = ck_chrome_error(sc, ui, b);
    b.y += eh, b.h -= eh;
    static struct row rows[CK_FIELDS_MAX + 1];
    size_t n = 0;
    snprintf(rows[n].id, sizeof rows[n].id, "change:service");
    rows[n].label = T(N_("Problem"));
    snprintf(rows[n].value, sizeof rows[n].value, "%s", T(s->svc->name));
    n++;
    for (size_t i = 0; i < s->nfields; i++) {
        const struct ck_field *f = &s->fields[i];
        if (!ck_session_step_active(s, i) || f->kind > FIELD_UPDATES)
            continue;
        if (f->kind == FIELD_UPDATES) { /* the contact steps read back as one row */
            snprintf(rows[n].id, sizeof rows[n].id, "change:contact");
            rows[n].label = T(N_("Updates about this request"));
            contact_value(sc, rows[n].value, sizeof rows[n].value);
            n++;
            continue;
        }
        field_id(f, rows[n].id, sizeof rows[n].id);
        rows[n].label = T(ck_field_label(f));
        field_value(sc, f, rows[n].value, sizeof rows[n].value);
        n++;
    }
    /* Two columns on a landscape screen, so a whole request usually fits on one page (one
     * when large text leaves the columns narrow). */
    int gap = ck_ui_px(ui, 12), pad = ck_ui_px(ui, 12), cgap = ck_ui_px(ui, 24);
    int cols = ck_ui_width(ui) > ck_ui_height(ui) && (b.w - cgap) / 2 >= ck_ui_px(ui, 700) ? 2 : 1;
    int col_w = (b.w - (cols - 1) * cgap) / cols;
    const char *change = T(N_("Change"));
    int btn_w = ck_ui_text_width(ui, CK_FONT_BUTTON, change) + ck_ui_px(ui, 72);
    if (btn_w < ck_ui_px(ui, 190))
        btn_w = ck_ui_px(ui, 190);
    if (btn_w > col_w - 2 * pad)
        btn_w = col_w - 2 * pad;
    int btn_h = ck_ui_button_height(ui, btn_w, CK_BTN_SECONDARY, change, NULL);
    if (btn_h < ck_ui_px(ui, 72))
        btn_h = ck_ui_px(ui, 72);
    int pager_h = ck_pager_height(sc, ui, b.w);
    /* The button under the answer when beside it would leave the answer narrow; answers show
     * their start in three lines (two beside the button). When a row is taller than the page
     * (large text, tall scripts) the answers get fewer lines, and then the button goes beside. */
    struct {
        bool stacked;
        int lines;
    } tries[] = {{true, 3}, {true, 2}, {true, 1}, {false, 2}, {false, 1}};
    size_t first = col_w - btn_w - 3 * pad < col_w / 2 ? 0 : 3;
    bool stacked = false;
    int text_w = 0, value_max = 0, pages = 1;
    int page_of[CK_FIELDS_MAX + 1], col_of[CK_FIELDS_MAX + 1], y_of[CK_FIELDS_MAX + 1];
    for (size_t t = first; t < sizeof tries / sizeof tries[0]; t++) {
        stacked = tries[t].stacked;
        text_w = stacked ? col_w - 2 * pad : col_w - btn_w - 3 * pad;
        value_max = ck_ui_line_height(ui, CK_FONT_BODY) * tries[t].lines;
        int tallest = 0;
        /* Rows column by column, page by page; with more than one page, again leaving room
         * for the pager. */
        for (int avail = b.h, pass = 0; pass < 2; pass++, avail = b.h - pager_h - gap) {
            int page = 0, col = 0, y = 0;
            tallest = 0;
            for (size_t i = 0; i < n; i++) {
                int vh = ck_ui_text_height(ui, CK_FONT_BODY, text_w,
                                           *rows[i].value ? rows[i].value : "-");
                int lh = ck_ui_text_height(ui, CK_FONT_SMALL, text_w, rows[i].label);
                rows[i].h = lh + (vh > value_max ? value_max : vh) + 2 * pad;
                if (stacked)
                    rows[i].h += btn_h + pad;
                else if (rows[i].h < btn_h + 2 * pad)
                    rows[i].h = btn_h + 2 * pad;
                if (y && y + rows[i].h > avail) {
                    y = 0;
                    if (++col == cols)
                        col = 0, page++;
                }
                page_of[i] = page, col_of[i] = col, y_of[i] = y;
                y += rows[i].h + gap;
                tallest = rows[i].h > tallest ? rows[i].h : tallest;
            }
            pages = page + 1;
            if (pages == 1)
                break;
        }
        if (tallest <= (pages > 1 ? b.h - pager_h - gap : b.h))
            break;
    }
    if (s->page >= pages)
        s->page = pages - 1;
    for (size_t i = 0; i < n; i++) {
        if (page_of[i] != s->page)
            continue;
        struct row *r = &rows[i];
        int x = b.x + col_of[i] * (col_w + cgap), y = b.y + y_of[i];
        ck_ui_fill(ui, (struct ck_rect){x, y, col_w, r->h}, CK_COL_SURFACE);
        int ty = y + pad;
        ty += ck_ui_text(ui, (struct ck_rect){x + pad, ty, text_w, 0}, CK_FONT_SMALL,
                         CK_COL_MUTED, CK_ALIGN_START, r->label);
        char shown[1024];
        snprintf(shown, sizeof shown, "%s", *r->value ? r->value : T(N_("(not given)")));
        if (ck_ui_text_height(ui, CK_FONT_BODY, text_w, shown) > value_max) {
            /* Cut at a character boundary and mark it: the full text is one tap away. */
            size_t keep = strlen(shown);
            while (keep > 0 && ck_ui_text_height(ui, CK_FONT_BODY, text_w, shown) > value_max) {
                keep = keep > 24 ? keep - 24 : 0;
                while (keep > 0 && ((unsigned char)shown[keep] & 0xC0) == 0x80)
                    keep--;
                snprintf(shown + keep, sizeof shown - keep, "…");
            }
        }
        ck_ui_text(ui, (struct ck_rect){x + pad, ty, text_w, 0}, CK_FONT_BODY,
                   *r->value ? CK_COL_TEXT : CK_COL_MUTED, CK_ALIGN_START, shown);
        int by = stacked ? y + r->h - pad - btn_h : y + (r->h - btn_h) / 2;
        ck_ui_button(ui, r->id, (struct ck_rect){x + col_w - pad - btn_w, by, btn_w, btn_h},
                     CK_BTN_SECONDARY, change);
    }
    ck_pager(sc, ui, (struct ck_rect){b.x, b.y + b.h - pager_h, b.w, pager_h}, s->page, pages);
}

const struct ck_screen ck_scr_review = {"review", enter, event, draw, NULL};
