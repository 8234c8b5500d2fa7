/* form.c: one question a page: each attribute of the service by its datatype, then the
 * location (with suggestions from the city's address list, when it has one), a description,
 * and contact details only if the resident wants updates. UI thread only.
 *
 * This file is the step machine: entering a step, Next and Back, the dispatch of input and of
 * drawing to the step's kind of input, the step counter, and the title, hint and error above
 * the input. The inputs themselves are in form_choices.c, form_datetime.c and form_text.c,
 * behind form_int.h; the measures they share (for large text) are here. */
#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "screens/form_int.h"

static struct ck_field *cur(struct ck_screens *sc)
{
    return &sc->session.fields[sc->session.step];
}

/* ---- what kind of input a field takes ---- */

enum form_input ck_form_input_of(const struct ck_field *f)
{
    switch (f->kind) {
    case FIELD_ATTR:
        switch (f->attr->datatype) {
        case CK_DT_STRING: return IN_TEXT;
        case CK_DT_TEXT: return IN_MULTILINE;
        case CK_DT_NUMBER: return IN_NUMBER;
        case CK_DT_SINGLEVALUELIST: return IN_SINGLE;
        case CK_DT_MULTIVALUELIST: return IN_MULTI;
        case CK_DT_DATETIME: return IN_DATETIME;
        }
        return IN_TEXT;
    case FIELD_DESCRIPTION: return IN_MULTILINE;
    case FIELD_UPDATES: return IN_SINGLE;
    case FIELD_PHONE: return IN_PHONE;
    default: return IN_TEXT;
    }
}

size_t ck_form_max_chars(const struct ck_field *f)
{
    if (f->kind == FIELD_DESCRIPTION)
        return CK_DESCRIPTION_MAX;
    if (f->kind == FIELD_ATTR && f->attr->datatype == CK_DT_TEXT)
        return CK_TEXT_MAX;
    if (f->kind == FIELD_ATTR && f->attr->datatype == CK_DT_NUMBER)
        return CK_NUMBER_MAX;
    if (f->kind == FIELD_PHONE)
        return 20;
    return CK_STRING_MAX;
}

enum kb_kind ck_form_kb_of(enum form_input in)
{
    return in == IN_NUMBER || in == IN_PHONE ? KB_NUMBER : KB_TEXT;
}

static bool required(const struct ck_screens *sc, const struct ck_field *f)
{
    switch (f->kind) {
    case FIELD_ATTR: return f->attr->required;
    case FIELD_ADDRESS: return sc->cfg->require_address;
    case FIELD_UPDATES: return true;
    default: return false;
    }
}

/* ---- measuring, for large text ---- */

/* At 150 % and 200 % the page has less room than it was designed for: the form's parts measure
 * before they place, and reflow or page what does not fit. At 100 % the same rules give the
 * layout the screens were designed with. */
bool ck_form_large(struct ck_ui *ui)
{
    return ck_ui_text_size(ui) > 100;
}

/* The least height of a row of buttons: a touch target, with its label whole in the small font
 * (ck_ui_button sets it so when the button's own font does not fit). */
int ck_form_row_h_min(struct ck_ui *ui)
{
    int label = ck_ui_line_height(ui, CK_FONT_SMALL) + 2 * ck_ui_px(ui, 3);
    return label > 48 ? label : 48;
}

/* True when label shows whole on a button of w x h as ck_ui_button sets it: in the small font
 * at worst, with no word broken across lines (as keyboard.c's keys). */
bool ck_form_button_fits(struct ck_ui *ui, enum ck_button_style style, const char *label, int w,
                         int h)
{
    int inner = w - 2 * ck_ui_px(ui, style == CK_BTN_KEY ? 4 : 24);
    if (ck_ui_text_height(ui, CK_FONT_SMALL, inner, label) > h - 2 * ck_ui_px(ui, 3))
        return false;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", label);
    char *save = NULL;
    for (char *word = strtok_r(buf, " ", &save); word; word = strtok_r(NULL, " ", &save))
        if (ck_ui_text_width(ui, CK_FONT_SMALL, word) > inner)
            return false;
    return true;
}

/* The width of a (non-key) button with label on one line in the small font. */
int ck_form_button_w_one_line(struct ck_ui *ui, const char *label)
{
    return ck_ui_text_width(ui, CK_FONT_SMALL, label) + 2 * ck_ui_px(ui, 24) +
           2 * ck_ui_px(ui, 3) + 2;
}

/* The width of a paging arrow ("<", ">"): a touch size and a half, or its button's margins. */
int ck_form_arrow_width(struct ck_ui *ui)
{
    int w = ck_form_row_h_min(ui) * 3 / 2;
    return ck_form_button_w_one_line(ui, "<") > w ? ck_form_button_w_one_line(ui, "<") : w;
}

/* Paging arrows at the sides of a list, h tall, where no pager fits under it (large text on a
 * short screen); speech says what the pager's buttons say. */
void ck_form_side_arrows(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect area, int arrow_w,
                         int h, int page, int pages)
{
    char where[64];
    snprintf(where, sizeof where, T(N_("Page %d of %d")), page + 1, pages);
    ck_ui_button(ui, "page-prev", (struct ck_rect){area.x, area.y, arrow_w, h},
                 page > 0 ? CK_BTN_SECONDARY : CK_BTN_DISABLED, "<");
    if (page > 0)
        ck_ui_label(ui, T(N_("Previous")), where);
    ck_ui_button(ui, "page-next", (struct ck_rect){area.x + area.w - arrow_w, area.y, arrow_w, h},
                 page + 1 < pages ? CK_BTN_SECONDARY : CK_BTN_DISABLED, ">");
    if (page + 1 < pages)
        ck_ui_label(ui, T(N_("More")), where);
}

/* ---- navigation ---- */

static void go_step(struct ck_screens *sc, size_t step)
{
    ck_keyboard_leave(sc); /* a composition stays in the field it was typed in */
    sc->session.step = step;
    sc->session.error = NULL;
    sc->session.page = 0;
    sc->session.kb = KB_LETTERS;
    sc->session.shift = false;
    struct ck_field *f = cur(sc);
    if (ck_form_input_of(f) == IN_DATETIME)
        ck_form_picker_from_value(sc, f);
    if (f->kind == FIELD_FIRST_NAME || f->kind == FIELD_LAST_NAME)
        sc->session.shift = f->value.len == 0 && ck_keyboard_cased(sc); /* a capital */
    if (f->kind == FIELD_ADDRESS)
        ck_form_suggest_refresh(sc, f);
}

static void next(struct ck_screens *sc)
{
    struct ck_session *s = &sc->session;
    struct ck_field *f = cur(sc);
    const char *err = ck_field_validate(sc, f);
    if (err) {
        s->error = err;
        return;
    }
    f->visited = true;
    if (s->from_review) {
        /* A change from review returns there, unless the resident just asked for updates and
         * has not given contact details yet: then the contact steps follow, then review. */
        const struct ck_field *email = ck_session_field(s, FIELD_EMAIL);
        const struct ck_field *phone = ck_session_field(s, FIELD_PHONE);
        bool start_contact = f->kind == FIELD_UPDATES && ck_session_step_active(s, s->step + 1) &&
                             !email->value.len && !phone->value.len;
        if (!start_contact) {
            ck_nav_go(sc, SCR_REVIEW);
            return;
        }
        s->from_review = false;
    }
    for (size_t i = s->step + 1; i < s->nfields; i++) {
        if (ck_session_step_active(s, i)) {
            go_step(sc, i);
            return;
        }
    }
    ck_nav_go(sc, SCR_REVIEW);
}

static void back(struct ck_screens *sc)
{
    struct ck_session *s = &sc->session;
    if (s->from_review) {
        ck_nav_go(sc, SCR_REVIEW);
        return;
    }
    for (size_t i = s->step; i-- > 0;) {
        if (ck_session_step_active(s, i)) {
            go_step(sc, i);
            return;
        }
    }
    ck_nav_go(sc, SCR_SERVICES);
}

static void enter(struct ck_screens *sc)
{
    go_step(sc, sc->session.step);
}

static void event(struct ck_screens *sc, const struct ck_input *in)
{
    struct ck_session *s = &sc->session;
    struct ck_field *f = cur(sc);
    enum form_input kind = ck_form_input_of(f);
    if (in->kind == CK_IN_TAP && strcmp(in->id, "next") == 0) {
        next(sc);
        return;
    }
    if ((in->kind == CK_IN_TAP && strcmp(in->id, "back") == 0) ||
        (in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE)) {
        back(sc);
        return;
    }
    if (kind == IN_TEXT || kind == IN_MULTILINE || kind == IN_NUMBER || kind == IN_PHONE) {
        bool enter = false;
        if (ck_keyboard_input(sc, in, &f->value, ck_form_kb_of(kind), kind == IN_MULTILINE,
                              ck_form_max_chars(f), &enter)) {
            if (f->kind == FIELD_ADDRESS) {
                /* An edited address is no longer the one chosen: its coordinates go. */
                if (s->has_latlon && strcmp(ck_buf_str(&f->value), s->chosen) != 0)
                    s->has_latlon = false;
                ck_form_suggest_refresh(sc, f);
            }
            if (enter)
                next(sc);
            return;
        }
    }
    if (in->kind == CK_IN_KEY && in->key == CK_KEY_ENTER) {
        next(sc);
        return;
    }
    if (in->kind != CK_IN_TAP)
        return;
    if (strcmp(in->id, "page-next") == 0) {
        s->page++;
    } else if (strcmp(in->id, "page-prev") == 0 && s->page > 0) {
        s->page--;
    } else if (kind == IN_SINGLE && strncmp(in->id, "option:", 7) == 0) {
        ck_buf_set(&f->value, in->id + 7);
        s->error = NULL;
    } else if (kind == IN_MULTI && strncmp(in->id, "toggle:", 7) == 0) {
        for (size_t i = 0; i < f->attr->nvalues && i < CK_VALUES_MAX; i++)
            if (strcmp(f->attr->values[i].key, in->id + 7) == 0)
                f->chosen[i] = !f->chosen[i];
        s->error = NULL;
    } else if (f->kind == FIELD_ADDRESS && strncmp(in->id, "suggest:", 8) == 0) {
        ck_form_suggest_choose(sc, f, in->id + 8);
    } else if (kind == IN_DATETIME) {
        ck_form_picker_event(sc, f, in->id);
    }
}

/* ---- the words above the input ---- */

static int count_steps(const struct ck_session *s, size_t upto)
{
    int n = 0;
    for (size_t i = 0; i < s->nfields && i <= upto; i++)
        n += ck_session_step_active(s, i);
    return n;
}

const char *ck_form_hint(struct ck_screens *sc, const struct ck_field *f)
{
    const char *hint = f->kind == FIELD_ATTR ? f->attr->datatype_description : NULL;
    if (f->kind == FIELD_ADDRESS)
        hint = sc->gazetteer && sc->cfg->require_coordinates
                   ? N_("Type the house number and street, then tap your address in the list.")
                   : N_("For example: 120 Main Street, or Main Street and 3rd Avenue");
    if (f->kind == FIELD_UPDATES)
        hint = N_("Your name, email and phone are used only to send you updates about this "
                  "request.");
    return hint && *hint ? T(hint) : NULL;
}

/* The error banner: ck_chrome_error's, or, compact (large text, short of room), the same in the
 * small font with narrower margins. Draws at the top of r (measures only, when draw is false);
 * returns its height with the gap under it, 0 with no error. */
static int error_banner(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r, bool compact,
                        bool draw)
{
    if (!sc->session.error)
        return 0;
    if (!compact && draw)
        return ck_chrome_error(sc, ui, r);
    char msg[512];
    snprintf(msg, sizeof msg, T(sc->session.error), sc->session.error_arg);
    /* as ck_chrome_error lays it out: a bar at the start, the message padded beside it */
    enum ck_font font = compact ? CK_FONT_SMALL : CK_FONT_BODY;
    int pad = ck_ui_px(ui, compact ? 8 : 18), bar = ck_ui_px(ui, compact ? 6 : 10);
    int tw = r.w - 2 * pad - bar;
    int th = ck_ui_text_height(ui, font, tw, msg);
    if (draw) {
        ck_ui_fill(ui, (struct ck_rect){r.x, r.y, r.w, th + 2 * pad}, CK_COL_ERROR_BG);
        ck_ui_fill(ui, (struct ck_rect){r.x, r.y, bar, th + 2 * pad}, CK_COL_ERROR);
        ck_ui_text(ui, (struct ck_rect){r.x + pad + bar, r.y + pad, tw, th}, font,
                   CK_COL_ERROR_BG_TEXT, CK_ALIGN_START, msg);
    }
    return th + 2 * pad + ck_ui_px(ui, compact ? 8 : 16);
}

/* Draws the head at the top of r (measures only, when draw is false); returns its height. */
int ck_form_head(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f,
                 struct ck_rect r, struct form_head h, bool draw)
{
    struct ck_session *s = &sc->session;
    int gap = ck_ui_px(ui, 16), pad = ck_ui_px(ui, 16), y = r.y;
    if (h.counter) {
        int th = ck_ui_text_height(ui, CK_FONT_SMALL, r.w, h.counter);
        if (draw)
            ck_ui_text(ui, (struct ck_rect){r.x, y, r.w, th}, CK_FONT_SMALL, CK_COL_MUTED,
                       CK_ALIGN_END, h.counter);
        y += th + ck_ui_px(ui, 8);
    }
    /* Information the city attaches to the service (Open311 variable=false), on the first page. */
    for (size_t i = 0; s->step == 0 && i < s->svc->nattrs; i++) {
        if (s->svc->attrs[i].variable)
            continue;
        const char *info = T(s->svc->attrs[i].description);
        int th = ck_ui_text_height(ui, h.font, r.w - 2 * pad, info);
        if (draw) {
            ck_ui_fill(ui, (struct ck_rect){r.x, y, r.w, th + 2 * pad}, CK_COL_NOTICE_BG);
            ck_ui_text(ui, (struct ck_rect){r.x + pad, y + pad, r.w - 2 * pad, th}, h.font,
                       CK_COL_NOTICE_TEXT, CK_ALIGN_START, info);
        }
        y += th + 2 * pad + gap;
    }
    const char *hint = h.no_hint ? NULL : ck_form_hint(sc, f);
    if (hint) {
        int th = draw ? ck_ui_text(ui, (struct ck_rect){r.x, y, r.w, 0}, h.font, CK_COL_MUTED,
                                   CK_ALIGN_START, hint)
                      : ck_ui_text_height(ui, h.font, r.w, hint);
        y += th + gap;
    }
    bool compact = h.font == CK_FONT_SMALL && ck_form_large(ui);
    y += error_banner(sc, ui, (struct ck_rect){r.x, y, r.w, r.h - (y - r.y)}, compact, draw);
    return y - r.y;
}

/* The body font when the input gets need px under it, else the small one, else (large text)
 * no hint. */
struct form_head ck_form_head_for(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f,
                                  struct ck_rect r, int need, const char *counter)
{
    struct form_head h = {CK_FONT_BODY, false, counter};
    if (ck_form_head(sc, ui, f, r, h, false) + need > r.h)
        h.font = CK_FONT_SMALL;
    /* at a large text size on a short page, the hint gives way to the answers */
    if (ck_form_large(ui) && ck_form_head(sc, ui, f, r, h, false) + need > r.h)
        h.no_hint = true;
    return h;
}

/* The width of the last line of text wrapped to w, or -1 when it cannot be told (a script
 * that wraps between letters, not at spaces). ck_ui_text wraps greedily: the last line starts
 * at the last space before which the text takes one line fewer. */
static int last_line_width(struct ck_ui *ui, enum ck_font f, int w, const char *text)
{
    int lh = ck_ui_line_height(ui, f);
    int lines = ck_ui_text_height(ui, f, w, text) / lh;
    if (lines <= 1)
        return ck_ui_text_width(ui, f, text);
    char head[512];
    for (size_t i = strlen(text); i-- > 0;) {
        if (text[i] != ' ' || i >= sizeof head)
            continue;
        snprintf(head, i + 1, "%s", text);
        if (ck_ui_text_height(ui, f, w, head) < lines * lh)
            return ck_ui_text_width(ui, f, text + i + 1) <= w
                       ? ck_ui_text_width(ui, f, text + i + 1)
                       : -1;
    }
    return -1;
}

/* Where we are: the service and the step (into where), at the end of the line under the header,
 * over the title's end. At a large text size that line is too low for it: it goes at the end of
 * the title's last line when both fit. Returns false, with nothing drawn, when it needs a line
 * of its own at the top of the page (struct form_head's counter). */
static bool draw_counter(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l,
                         const char *title, char *where, size_t n)
{
    struct ck_session *s = &sc->session;
    snprintf(where, n, T(N_("%s: step %d of %d")), T(s->svc->name), count_steps(s, s->step),
             count_steps(s, s->nfields));
    int lh = ck_ui_line_height(ui, CK_FONT_SMALL);
    struct ck_rect b = l->body;
    if (!ck_form_large(ui)) {
        ck_ui_text(ui, (struct ck_rect){l->pad, ck_ui_px(ui, 104) + ck_ui_px(ui, 2), b.w, lh},
                   CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_END, where);
        return true;
    }
    int tl = ck_ui_line_height(ui, CK_FONT_TITLE);
    int last = last_line_width(ui, CK_FONT_TITLE, b.w, title);
    if (last < 0 || last + ck_ui_px(ui, 24) + ck_ui_text_width(ui, CK_FONT_SMALL, where) > b.w)
        return false;
    /* the last line's top (chrome puts the body 16 px under the title), near its baseline */
    int top = b.y - ck_ui_px(ui, 16) - tl;
    ck_ui_text(ui, (struct ck_rect){b.x, top + (tl - lh) * 4 / 5, b.w, lh}, CK_FONT_SMALL,
               CK_COL_MUTED, CK_ALIGN_END, where);
    return true;
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_session *s = &sc->session;
    struct ck_field *f = cur(sc);
    enum form_input kind = ck_form_input_of(f);
    char title[512];
    snprintf(title, sizeof title, "%s%s", T(ck_field_label(f)),
             required(sc, f) ? "" : T(N_(" (optional)")));
    bool last = true;
    for (size_t i = s->step + 1; i < s->nfields; i++)
        last = last && !ck_session_step_active(s, i);
    const char *back = T(N_("Back"));
    const char *forward = last || s->from_review ? T(N_("Review")) : T(N_("Next"));
    struct ck_layout l = ck_chrome_page(sc, ui, title, back, true, forward);
    ck_chrome_footer(sc, ui, &l, back, true, "next", forward);
    char where[256];
    const char *counter = draw_counter(sc, ui, &l, title, where, sizeof where) ? NULL : where;
    struct ck_rect b = l.body;
    if (kind != IN_SINGLE && kind != IN_MULTI && kind != IN_DATETIME) {
        ck_form_typing_draw(sc, ui, f, b, counter);
        return;
    }
    int need = kind == IN_DATETIME ? ck_form_picker_min_h(sc, ui, f, b.w)
                                   : ck_form_choices_min_h(sc, ui, f, b.w);
    int hh = ck_form_head(sc, ui, f, b, ck_form_head_for(sc, ui, f, b, need, counter), true);
    b.y += hh;
    b.h -= hh;
    if (kind == IN_DATETIME)
        ck_form_picker_draw(sc, ui, f, b);
    else
        ck_form_choices_draw(sc, ui, f, b, kind == IN_MULTI);
}

const struct ck_screen ck_scr_form = {"form", enter, event, draw, NULL};
