/* form_text.c: the typing steps: the field, the keyboard's place, the count of characters,
 * and on the address step the suggestions from the city's address list and the chosen-address
 * panel. UI thread only; part of the form screen (form_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "screens/form_int.h"

/* ---- the address step: suggestions from the city's address list ---- */

void ck_screens_set_gazetteer(struct ck_screens *sc, struct ck_gazetteer *g)
{
    sc->gazetteer = g;
    sc->session.suggest_fresh = false;
}

/* Searches again when the typed text changed since the last search. Runs per keystroke on this
 * thread: the gazetteer answers in a few milliseconds (tests/bench/bench_gazetteer.c). */
void ck_form_suggest_refresh(struct ck_screens *sc, const struct ck_field *f)
{
    struct ck_session *s = &sc->session;
    const char *v = ck_buf_str(&f->value);
    if (!sc->gazetteer || (s->suggest_fresh && strcmp(v, s->suggest_for) == 0))
        return;
    s->nsuggest = 0;
    s->page = 0; /* new suggestions (large text pages them) start on their first page */
    s->suggest_fresh = strlen(v) < sizeof s->suggest_for;
    if (!s->suggest_fresh)
        return; /* longer than any address: nothing to suggest */
    snprintf(s->suggest_for, sizeof s->suggest_for, "%s", v);
    if (ck_utf8_count(v) >= 2 && !ck_session_address_chosen(s) &&
        ck_gazetteer_search(sc->gazetteer, v, s->suggest, CK_SUGGEST_MAX, &s->nsuggest)) {
        /* A broken index (logged by the gazetteer) must not lock residents out: from here on
         * the address is free text, as in a city without a list. */
        ck_warn("form", "address suggestions are off until the kiosk restarts");
        sc->gazetteer = NULL;
    }
}

/* A tapped suggestion fills the field ("120 Main Street, 08071") and keeps its coordinates. */
void ck_form_suggest_choose(struct ck_screens *sc, struct ck_field *f, const char *n)
{
    struct ck_session *s = &sc->session;
    char *end;
    unsigned long i = strtoul(n, &end, 10);
    if (*end || i < 1 || i > s->nsuggest)
        return;
    const struct ck_address *a = &s->suggest[i - 1];
    snprintf(s->chosen, sizeof s->chosen, "%s%s%s", a->address, a->zip[0] ? ", " : "", a->zip);
    ck_buf_set(&f->value, s->chosen);
    s->has_latlon = true;
    s->lat = a->lat;
    s->lon = a->lon;
    s->error = NULL;
    s->shift = false;
    ck_form_suggest_refresh(sc, f);
}

/* A check mark drawn with squares (the UI font has no such glyph), filling r. */
static void draw_check(struct ck_ui *ui, struct ck_rect r, enum ck_color c)
{
    const int pts[3][2] = {{15, 52}, {40, 76}, {86, 24}}; /* percent of the box */
    int t = r.w / 8 > 2 ? r.w / 8 : 2;
    for (int seg = 0; seg < 2; seg++) {
        int x0 = r.x + r.w * pts[seg][0] / 100, y0 = r.y + r.h * pts[seg][1] / 100;
        int x1 = r.x + r.w * pts[seg + 1][0] / 100, y1 = r.y + r.h * pts[seg + 1][1] / 100;
        int steps = abs(x1 - x0) > abs(y1 - y0) ? abs(x1 - x0) : abs(y1 - y0);
        for (int i = 0; i <= steps; i++) {
            int x = x0 + (x1 - x0) * i / (steps ? steps : 1);
            int y = y0 + (y1 - y0) * i / (steps ? steps : 1);
            ck_ui_fill(ui, (struct ck_rect){x - t / 2, y - t / 2, t, t}, c);
        }
    }
}

/* The chosen address: a panel in the chosen colours with a check mark, its heading in the
 * small font and the address in the buttons' one. Fitted into max_h (large text, short of
 * room) the address is set small too, then the heading gives way. */
struct chosen_panel {
    enum ck_font font;
    bool heading;
    int h1, h2, h; /* the heading's, the address's and the panel's height */
};

static struct chosen_panel chosen_panel(struct ck_screens *sc, struct ck_ui *ui, int w, int max_h)
{
    int pad = ck_ui_px(ui, 20), mark = ck_ui_px(ui, 56);
    int tw = w - 3 * pad - mark;
    const char *head = T(N_("Chosen from the city's address list"));
    struct chosen_panel c = {CK_FONT_BUTTON, true, 0, 0, 0};
    for (int tries = 0; tries < 3; tries++) {
        c.h1 = c.heading ? ck_ui_text_height(ui, CK_FONT_SMALL, tw, head) + ck_ui_px(ui, 4) : 0;
        c.h2 = ck_ui_text_height(ui, c.font, tw, sc->session.chosen);
        c.h = c.h1 + c.h2 + 2 * pad;
        c.h = c.h < mark + 2 * pad ? mark + 2 * pad : c.h;
        if (!ck_form_large(ui) || c.h <= max_h)
            break;
        if (c.font == CK_FONT_BUTTON)
            c.font = CK_FONT_SMALL;
        else
            c.heading = false;
    }
    return c;
}

static int draw_chosen(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r)
{
    int pad = ck_ui_px(ui, 20), mark = ck_ui_px(ui, 56);
    int tw = r.w - 3 * pad - mark;
    struct chosen_panel c = chosen_panel(sc, ui, r.w, r.h);
    ck_ui_fill(ui, (struct ck_rect){r.x, r.y, r.w, c.h}, CK_COL_SELECTED);
    draw_check(ui, (struct ck_rect){r.x + pad, r.y + (c.h - mark) / 2, mark, mark},
               CK_COL_SELECTED_TEXT);
    int x = r.x + 2 * pad + mark, y = r.y + (c.h - c.h1 - c.h2) / 2;
    if (c.heading)
        ck_ui_text(ui, (struct ck_rect){x, y, tw, c.h1 - ck_ui_px(ui, 4)}, CK_FONT_SMALL,
                   CK_COL_SELECTED_TEXT, CK_ALIGN_START,
                   T(N_("Chosen from the city's address list")));
    ck_ui_text(ui, (struct ck_rect){x, y + c.h1, tw, c.h2}, c.font, CK_COL_SELECTED_TEXT,
               CK_ALIGN_START, sc->session.chosen);
    return c.h;
}

/* One suggestion: the address at the start, its ZIP at the end when there is room. */
static void draw_suggestion(struct ck_ui *ui, const char *id, struct ck_rect r,
                            const struct ck_address *a)
{
    ck_ui_button(ui, id, r, CK_BTN_OPTION, "");
    int pad = ck_ui_px(ui, 24);
    int inner = r.w - 2 * pad;
    int zw = a->zip[0] ? ck_ui_text_width(ui, CK_FONT_SMALL, a->zip) + 2 : 0;
    int room = zw ? inner - zw - pad : inner;
    enum ck_font font = CK_FONT_BODY;
    if (ck_ui_text_height(ui, font, room, a->address) > ck_ui_line_height(ui, font) ||
        ck_ui_line_height(ui, font) > r.h - 2 * ck_ui_px(ui, 3)) /* a tall script, large text */
        font = CK_FONT_SMALL;
    if (zw && ck_ui_text_height(ui, font, room, a->address) > ck_ui_line_height(ui, font))
        zw = 0, room = inner; /* the whole address matters more than its ZIP */
    int lh = ck_ui_text_height(ui, font, room, a->address);
    ck_ui_text(ui, (struct ck_rect){r.x + pad, r.y + (r.h - lh) / 2, room, lh}, font,
               CK_COL_SURFACE_TEXT, CK_ALIGN_START, a->address);
    if (zw) {
        int zh = ck_ui_line_height(ui, CK_FONT_SMALL);
        ck_ui_text(ui, (struct ck_rect){r.x + r.w - pad - zw, r.y + (r.h - zh) / 2, zw, zh},
                   CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_END, a->zip);
    }
}

/* The height a suggestion keeps, whatever the screen: a comfortable touch target; at a large
 * text size, as tight as its words in the small font allow, so that more fit a page. */
static int suggest_row_min(struct ck_ui *ui)
{
    if (ck_form_large(ui))
        return ck_form_row_h_min(ui) + ck_ui_px(ui, 8);
    return ck_ui_px(ui, 64) > 48 ? ck_ui_px(ui, 64) : 48;
}

/* What the list says while it has no suggestions. */
static const char *list_words(struct ck_screens *sc, const struct ck_field *f)
{
    const char *say = ck_utf8_count(ck_buf_str(&f->value)) < 2
                          ? N_("Start typing: addresses from the city's list that match will "
                               "show here.")
                      : sc->cfg->require_coordinates
                          ? N_("No address in the city's list matches. Check the house number "
                               "and street, or ask staff for help.")
                          : N_("No address in the city's list matches. You can go on with the "
                               "address or corner as you typed it.");
    return T(say);
}

/* The height of a row of suggestions in width w: suggest_row_min, or at a large text size what
 * the longest address needs, in the small font on two lines if need be. */
static int suggest_row_h(struct ck_screens *sc, struct ck_ui *ui, int w)
{
    int h = suggest_row_min(ui);
    for (size_t i = 0; ck_form_large(ui) && i < sc->session.nsuggest; i++) {
        int need = ck_ui_text_height(ui, CK_FONT_SMALL, w - 2 * ck_ui_px(ui, 24),
                                     sc->session.suggest[i].address) +
                   2 * ck_ui_px(ui, 3) + ck_ui_px(ui, 8);
        h = need > h ? need : h;
    }
    return h;
}

/* How the suggestions are shown: under their heading or not; all of them (paging 0), paged
 * with the pager under them (1) or arrows beside them (2), or as many as fit (3); so many a
 * page (slots) in rows. */
struct suggest_plan {
    int hh, pager_h, arrow_w, slots, pages, row_h;
    struct ck_rect rows;
};

static bool plan_suggest(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r, int hh,
                         int paging, struct suggest_plan *p)
{
    int gap = ck_ui_px(ui, 12), n = (int)sc->session.nsuggest;
    *p = (struct suggest_plan){.hh = hh, .pages = 1, .rows = {r.x, r.y + hh, r.w, r.h - hh}};
    if (paging == 1)
        p->pager_h = ck_pager_height(sc, ui, r.w);
    if (paging == 2) {
        p->arrow_w = ck_form_arrow_width(ui);
        p->rows.x += p->arrow_w + gap;
        p->rows.w -= 2 * (p->arrow_w + gap);
    }
    p->rows.h -= p->pager_h ? p->pager_h + gap : 0;
    p->row_h = suggest_row_h(sc, ui, p->rows.w);
    p->slots = (p->rows.h + gap) / (p->row_h + gap);
    if (p->slots > CK_SUGGEST_MAX)
        p->slots = CK_SUGGEST_MAX;
    if (p->slots < 1 || (paging == 0 && p->slots < n && ck_form_large(ui)))
        return false;
    p->pages = paging == 1 || paging == 2 ? (n + p->slots - 1) / p->slots : 1;
    return true;
}

/* The suggestions in r under their heading, as many as fit. At a large text size they page
 * (the pager under them, else arrows beside them), and short of room the heading gives way. */
static void draw_suggest_rows(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r,
                              int text_w)
{
    struct ck_session *s = &sc->session;
    int gap = ck_ui_px(ui, 12);
    const char *head = T(N_("Tap your address if it is here:"));
    int hh = ck_ui_text_height(ui, CK_FONT_SMALL, text_w, head) + ck_ui_px(ui, 8);
    struct suggest_plan p;
    bool ok = false;
    for (int heading = 1; heading >= 0 && !ok && (heading || ck_form_large(ui)); heading--)
        for (int paging = 0; paging < (ck_form_large(ui) ? 3 : 1) && !ok; paging++)
            ok = plan_suggest(sc, ui, r, heading ? hh : 0, paging, &p);
    if (!ok && ck_form_large(ui)) /* no room to page: as many as fit, the rest by typing more */
        ok = plan_suggest(sc, ui, r, 0, 3, &p);
    if (!ok)
        return;
    if (s->page >= p.pages)
        s->page = p.pages - 1;
    if (p.hh)
        ck_ui_text(ui, (struct ck_rect){r.x, r.y, text_w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
                   CK_ALIGN_START, head);
    int row_h = (p.rows.h - (p.slots - 1) * gap) / p.slots;
    if (row_h > ck_ui_px(ui, 100))
        row_h = ck_ui_px(ui, 100) > p.row_h ? ck_ui_px(ui, 100) : p.row_h;
    size_t first = (size_t)(s->page * p.slots), shown = 0;
    for (size_t i = first; i < s->nsuggest && i < first + (size_t)p.slots; i++, shown++) {
        char id[32];
        snprintf(id, sizeof id, "suggest:%zu", i + 1);
        draw_suggestion(ui, id,
                        (struct ck_rect){p.rows.x, p.rows.y + (int)shown * (row_h + gap),
                                         p.rows.w, row_h},
                        &s->suggest[i]);
    }
    if (p.arrow_w)
        ck_form_side_arrows(sc, ui, (struct ck_rect){r.x, p.rows.y, r.w, p.rows.h}, p.arrow_w,
                            (int)shown * (row_h + gap) - gap, s->page, p.pages);
    else if (p.pages > 1)
        ck_pager(sc, ui, (struct ck_rect){r.x, r.y + r.h - p.pager_h, r.w, p.pager_h}, s->page,
                 p.pages);
}

/* The list in r: the chosen address, or up to CK_SUGGEST_MAX suggestions, or a word on what
 * will show here. Rows keep one height whatever their number, so nothing jumps as one types. */
static void draw_suggestions(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f,
                             struct ck_rect r)
{
    struct ck_session *s = &sc->session;
    int gap = ck_ui_px(ui, 12);
    /* Lines are measured word by word; a little slack keeps the drawn line inside r. */
    int text_w = r.w - ck_ui_px(ui, 12);
    if (ck_session_address_chosen(s)) {
        int h = draw_chosen(sc, ui, r) + gap;
        const char *how = T(N_("To choose another address, delete this one and type."));
        /* at a large text size, only where it has room: the panel says what matters */
        if (!ck_form_large(ui) || ck_ui_text_height(ui, CK_FONT_SMALL, text_w, how) <= r.h - h)
            ck_ui_text(ui, (struct ck_rect){r.x, r.y + h, text_w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
                       CK_ALIGN_START, how);
        return;
    }
    if (!s->nsuggest) {
        ck_ui_text(ui, (struct ck_rect){r.x, r.y, text_w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
                   CK_ALIGN_START, list_words(sc, f));
        return;
    }
    draw_suggest_rows(sc, ui, r, text_w);
}

/* Where the list goes, decided before the field is drawn: beside the keyboard kb on wide
 * screens where the keys keep a good size; else between the field and the keyboard, with room
 * for two rows taken from the keyboard (down to kb_min), then from the field. */
static struct ck_rect address_layout(struct ck_ui *ui, struct ck_rect b, int *field_h,
                                     int field_min, struct ck_rect *kb, int kb_min)
{
    int gap = ck_ui_px(ui, 16);
    int top = b.y + *field_h + gap;
    int kb_w = b.w * 58 / 100, side_gap = ck_ui_px(ui, 24);
    int key_w = (kb_w - 10 * ck_ui_px(ui, 10)) / 12;
    if (ck_ui_width(ui) > ck_ui_height(ui) && key_w >= 48 &&
        b.w - kb_w - side_gap >= ck_ui_px(ui, 360)) {
        kb->w = kb_w;
        return (struct ck_rect){b.x + kb_w + side_gap, top, b.w - kb_w - side_gap,
                                b.y + b.h - top};
    }
    int want = ck_ui_line_height(ui, CK_FONT_SMALL) + ck_ui_px(ui, 8) + 2 * suggest_row_min(ui) +
               ck_ui_px(ui, 12);
    int room = kb->y - gap - top;
    if (room < want && kb->h > kb_min) {
        int give = want - room < kb->h - kb_min ? want - room : kb->h - kb_min;
        kb->y += give, kb->h -= give, room += give;
    }
    if (room < want && *field_h > field_min) {
        int give = want - room < *field_h - field_min ? want - room : *field_h - field_min;
        *field_h -= give, top -= give, room += give;
    }
    return (struct ck_rect){b.x, top, b.w, room};
}

/* ---- typing: a field and a keyboard ---- */

/* Where the parts of a typing step go. */
struct typing {
    struct ck_rect head, field, kb;
    struct ck_rect list; /* the address suggestions (w 0: none) */
    int count_y;         /* the count of characters under a field of several lines */
    bool show_count;
    struct ck_rect where; /* the step counter over the column and the keyboard (w 0: none) */
    const char *where_text;
    struct form_head h;
    bool ok; /* every part has the least room it needs */
};

/* The height a field gives up height to the keys down to (the designed layout's rule). */
static int field_min_h(struct ck_ui *ui)
{
    return ck_ui_line_height(ui, CK_FONT_BODY) + ck_ui_px(ui, 40);
}

/* The height a field needs to show a line of text: ck_ui_field centres one line, and starts
 * the lines of a field of several under its margin. */
static int field_fit_h(struct ck_ui *ui, bool multiline)
{
    return ck_ui_line_height(ui, CK_FONT_BODY) + 2 * ck_ui_px(ui, multiline ? 18 : 6);
}

/* The least room the list needs as it stands: the address chosen, the heading and one
 * suggestion, or the words it says while there are none. */
static int list_min_h(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f, int w)
{
    int text_w = w - ck_ui_px(ui, 12); /* as draw_suggestions sets its words */
    if (ck_session_address_chosen(&sc->session))
        return chosen_panel(sc, ui, w, 0).h;
    if (!sc->session.nsuggest)
        return ck_ui_text_height(ui, CK_FONT_SMALL, text_w, list_words(sc, f));
    return ck_ui_text_height(ui, CK_FONT_SMALL, text_w, T(N_("Tap your address if it is here:"))) +
           ck_ui_px(ui, 8) + suggest_row_min(ui);
}

/* The field over the keyboard, the head over both, as designed. */
static struct typing stacked(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                             struct ck_rect body, struct form_head h)
{
    enum form_input kind = ck_form_input_of(f);
    struct typing t = {.head = body, .h = h, .show_count = ck_form_input_of(f) == IN_MULTILINE};
    int hh = ck_form_head(sc, ui, f, body, h, false);
    struct ck_rect b = {body.x, body.y + hh, body.w, body.h - hh};
    bool multiline = kind == IN_MULTILINE;
    bool numeric = kind == IN_NUMBER || kind == IN_PHONE;
    int gap = ck_ui_px(ui, 16);
    int field_h = multiline ? ck_ui_px(ui, 200) : ck_ui_px(ui, 100);
    int count_h = multiline ? ck_ui_line_height(ui, CK_FONT_SMALL) + gap : 0;
    int kb_h = b.h - field_h - count_h - 2 * gap;
    /* Portrait screens have height to spare: bigger keys are easier to hit. */
    int kb_max = ck_ui_px(ui, (numeric ? 430 : 520) * (b.h > b.w ? 5 : 4) / 4);
    /* Short screens with an error showing: the field gives up height before the keys drop
     * below a comfortable touch size (52 px a row, whatever the scale) or their labels' size. */
    int rows = numeric ? 4 : 5;
    int kb_need =
        ck_keyboard_min_height(sc, ui, ck_form_kb_of(kind), b.w + (ck_form_large(ui) ? b.x : 0));
    int kb_min = rows * 52 + (rows - 1) * ck_ui_px(ui, 10);
    if (kb_min < kb_need)
        kb_min = kb_need;
    int field_min = field_min_h(ui);
    if (kb_h < kb_min && field_h > field_min) {
        int give = kb_min - kb_h < field_h - field_min ? kb_min - kb_h : field_h - field_min;
        field_h -= give;
        kb_h += give;
    }
    if (kb_h > kb_max) { /* tall screens: give the field the extra room */
        if (multiline)
            field_h += kb_h - kb_max;
        kb_h = kb_max;
    }
    t.kb = (struct ck_rect){b.x, b.y + b.h - kb_h, b.w, kb_h};
    if (f->kind == FIELD_ADDRESS && sc->gazetteer)
        t.list = address_layout(ui, b, &field_h, field_min, &t.kb, kb_min);
    /* keys as wide as can be: into half the page's margins, as on a phone */
    if (ck_form_large(ui)) {
        bool full = t.kb.x + t.kb.w >= b.x + b.w; /* not beside the suggestions */
        t.kb.x -= b.x / 2;
        t.kb.w += full ? b.x : b.x / 2;
    }
    t.field = (struct ck_rect){b.x, b.y, b.w, field_h};
    t.count_y = b.y + field_h + gap;
    t.ok = t.kb.h >= kb_need && field_h >= field_fit_h(ui, multiline) &&
           (!t.list.w || t.list.h >= list_min_h(sc, ui, f, t.list.w)) &&
           t.count_y + count_h <= t.kb.y;
    return t;
}

/* Large text on a wide screen: the keyboard at the end of the page, as tall as the page, and
 * the head, the field, the count and the suggestions in a column beside it. Short of room the
 * hint of the address step gives way to the suggestions, whose own words say what to type. */
static struct typing beside(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                            struct ck_rect b, const char *counter)
{
    enum form_input kind = ck_form_input_of(f);
    bool multiline = kind == IN_MULTILINE;
    bool numeric = kind == IN_NUMBER || kind == IN_PHONE;
    bool suggest = f->kind == FIELD_ADDRESS && sc->gazetteer;
    int gap = ck_ui_px(ui, 16), side_gap = ck_ui_px(ui, 24);
    int kb_w = numeric ? b.w / 2 : b.w * 3 / 5;
    int kb_min_w = ck_keyboard_min_width(sc, ui, ck_form_kb_of(kind), multiline) - b.x / 2;
    if (kb_w < kb_min_w) /* the keys' words first; the column keeps 30 % at least */
        kb_w = kb_min_w < b.w * 7 / 10 ? kb_min_w : b.w * 7 / 10;
    int kb_min_h = ck_keyboard_min_height(sc, ui, ck_form_kb_of(kind), kb_w + b.x / 2);
    struct typing t = {.show_count = multiline};
    /* the step counter over both where the keys keep their height under it, else atop the
     * column */
    int where_h = counter ? ck_ui_text_height(ui, CK_FONT_SMALL, b.w, counter) : 0;
    if (counter && b.h - where_h - ck_ui_px(ui, 8) >= kb_min_h) {
        t.where = (struct ck_rect){b.x, b.y, b.w, where_h};
        t.where_text = counter;
        counter = NULL;
        b.y += where_h + ck_ui_px(ui, 8);
        b.h -= where_h + ck_ui_px(ui, 8);
    }
    struct ck_rect col = {b.x, b.y, b.w - kb_w - side_gap, b.h};
    t.head = col;
    /* the keyboard at the page's end, into half its margin, as wide as can be */
    t.kb = (struct ck_rect){b.x + b.w - kb_w, b.y, kb_w + b.x / 2, b.h};
    int field_min = field_fit_h(ui, multiline);
    int count_h = multiline ? ck_ui_line_height(ui, CK_FONT_SMALL) + gap : 0;
    int list_min = suggest ? list_min_h(sc, ui, f, col.w) + gap : 0;
    int need = field_min + count_h + list_min;
    t.h = ck_form_head_for(sc, ui, f, col, need, counter);
    if (suggest && ck_form_head(sc, ui, f, col, t.h, false) + need > col.h)
        t.h.no_hint = true;
    if (multiline && ck_form_head(sc, ui, f, col, t.h, false) + need > col.h) {
        /* the count of characters gives way (an error says when the field is full) */
        t.show_count = false;
        count_h = 0;
    }
    int y = col.y + ck_form_head(sc, ui, f, col, t.h, false);
    int room = col.y + col.h - y - count_h - list_min;
    int field_h = multiline ? room : ck_ui_px(ui, 100) < room ? ck_ui_px(ui, 100) : room;
    if (field_h < field_min) /* the field first: the list shows what room is left */
        field_h = field_min < col.y + col.h - y ? field_min : col.y + col.h - y;
    t.field = (struct ck_rect){col.x, y, col.w, field_h};
    t.count_y = y + field_h + gap;
    if (suggest) {
        int top = y + field_h + gap;
        t.list = (struct ck_rect){col.x, top, col.w, col.y + col.h - top};
    }
    t.ok = field_h >= field_min && t.kb.h >= kb_min_h;
    return t;
}

/* Chooses the layout of a typing step: as designed while it fits, with the head in the small
 * font if that makes it fit; at a large text size on a wide screen, the column beside the
 * keyboard; else (a tall screen) the address hint gives way to the suggestions. */
static struct typing typing_layout(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                                   struct ck_rect b, const char *counter)
{
    struct typing t = stacked(sc, ui, f, b, (struct form_head){CK_FONT_BODY, false, counter});
    if (!t.ok)
        t = stacked(sc, ui, f, b, (struct form_head){CK_FONT_SMALL, false, counter});
    if (!t.ok && ck_form_large(ui) && ck_ui_width(ui) > ck_ui_height(ui))
        return beside(sc, ui, f, b, counter);
    if (!t.ok && f->kind == FIELD_ADDRESS && ck_form_hint(sc, f)) {
        struct typing u = stacked(sc, ui, f, b, (struct form_head){CK_FONT_SMALL, true, counter});
        if (u.ok)
            return u;
    }
    return t;
}

void ck_form_typing_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                         struct ck_rect b, const char *counter)
{
    struct ck_session *s = &sc->session;
    enum form_input kind = ck_form_input_of(f);
    bool multiline = kind == IN_MULTILINE;
    struct typing t = typing_layout(sc, ui, f, b, counter);
    if (t.where.w)
        ck_ui_text(ui, t.where, CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_END, t.where_text);
    ck_form_head(sc, ui, f, t.head, t.h, true);
    char id[128];
    snprintf(id, sizeof id, "field:%s", f->kind == FIELD_ATTR ? f->attr->code : "text");
    ck_ui_field(ui, id, t.field, ck_buf_str(&f->value), NULL, multiline, s->error != NULL);
    if (t.show_count) {
        char count[96];
        snprintf(count, sizeof count, T(N_("%zu of %zu characters")),
                 ck_utf8_count(ck_buf_str(&f->value)), ck_form_max_chars(f));
        ck_ui_text(ui, (struct ck_rect){t.field.x, t.count_y, t.field.w, 0}, CK_FONT_SMALL,
                   CK_COL_MUTED, CK_ALIGN_END, count);
    }
    if (t.list.w)
        draw_suggestions(sc, ui, f, t.list);
    ck_keyboard_draw(sc, ui, t.kb, ck_form_kb_of(kind), multiline);
}
