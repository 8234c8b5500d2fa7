/* form.c: one question a page: each attribute of the service by its datatype, then the
 * location (with suggestions from the city's address list, when it has one), a description,
 * and contact details only if the resident wants updates. UI thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "screens/screen_int.h"

static struct ck_field *cur(struct ck_screens *sc)
{
    return &sc->session.fields[sc->session.step];
}

/* ---- what kind of input a field takes ---- */

enum input { IN_TEXT, IN_MULTILINE, IN_NUMBER, IN_PHONE, IN_SINGLE, IN_MULTI, IN_DATETIME };

static enum input input_of(const struct ck_field *f)
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

static size_t max_chars(const struct ck_field *f)
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

static bool required(const struct ck_screens *sc, const struct ck_field *f)
{
    switch (f->kind) {
    case FIELD_ATTR: return f->attr->required;
    case FIELD_ADDRESS: return sc->cfg->require_address;
    case FIELD_UPDATES: return true;
    default: return false;
    }
}

/* Choices of a single/multi list: the attribute's values, or Yes/No for updates. */
static size_t choices(struct ck_screens *sc, const struct ck_field *f, const char **keys,
                      const char **names)
{
    if (f->kind == FIELD_UPDATES) {
        keys[0] = "yes", names[0] = T(N_("Yes, by email or text message"));
        keys[1] = "no", names[1] = T(N_("No, thank you"));
        return 2;
    }
    size_t n = f->attr->nvalues < CK_VALUES_MAX ? f->attr->nvalues : CK_VALUES_MAX;
    for (size_t i = 0; i < n; i++) {
        keys[i] = f->attr->values[i].key;
        names[i] = T(f->attr->values[i].name);
    }
    return n;
}

/* ---- the date and time picker ---- */

static void picker_from_value(struct ck_screens *sc, const struct ck_field *f)
{
    int y, mo, d, h, mi;
    if (sscanf(ck_buf_str(&f->value), "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) == 5) {
        sc->session.cal_year = y, sc->session.cal_month = mo - 1;
        sc->session.hour = h, sc->session.minute = mi;
        return;
    }
    time_t now = ck_clock_wall();
    struct tm tm;
    localtime_r(&now, &tm);
    sc->session.cal_year = tm.tm_year + 1900, sc->session.cal_month = tm.tm_mon;
    sc->session.hour = tm.tm_hour, sc->session.minute = tm.tm_min / 5 * 5;
}

static int days_in(int y, int m0)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return md[m0] + (m0 == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* Rewrites the value's time part after the steppers moved, keeping its date. */
static void set_datetime(struct ck_screens *sc, struct ck_field *f, int y, int m, int d)
{
    char iso[48];
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d", y, m, d, sc->session.hour,
             sc->session.minute);
    ck_buf_set(&f->value, iso);
}

static bool value_date(const struct ck_field *f, int *y, int *m, int *d)
{
    return sscanf(ck_buf_str(&f->value), "%4d-%2d-%2d", y, m, d) == 3;
}

static void today(int *y, int *m, int *d)
{
    time_t now = ck_clock_wall();
    struct tm tm;
    localtime_r(&now, &tm);
    *y = tm.tm_year + 1900, *m = tm.tm_mon + 1, *d = tm.tm_mday;
}

static bool picker_event(struct ck_screens *sc, struct ck_field *f, const char *id)
{
    struct ck_session *s = &sc->session;
    int y, m, d;
    if (strcmp(id, "month-prev") == 0) {
        if (--s->cal_month < 0)
            s->cal_month = 11, s->cal_year--;
    } else if (strcmp(id, "month-next") == 0) {
        int ty, tm, td;
        today(&ty, &tm, &td);
        if (s->cal_year * 12 + s->cal_month < ty * 12 + tm - 1 && ++s->cal_month > 11)
            s->cal_month = 0, s->cal_year++;
    } else if (strncmp(id, "day:", 4) == 0 && sscanf(id + 4, "%4d-%2d-%2d", &y, &m, &d) == 3) {
        set_datetime(sc, f, y, m, d);
    } else if (strcmp(id, "now") == 0) {
        picker_from_value(sc, &(struct ck_field){0}); /* resets to the current month and time */
        time_t now = ck_clock_wall();
        struct tm tm;
        localtime_r(&now, &tm);
        s->minute = tm.tm_min;
        today(&y, &m, &d);
        set_datetime(sc, f, y, m, d);
    } else if (strcmp(id, "hour-") == 0 || strcmp(id, "hour+") == 0) {
        s->hour = (s->hour + (id[4] == '+' ? 1 : 23)) % 24;
        if (value_date(f, &y, &m, &d))
            set_datetime(sc, f, y, m, d);
    } else if (strcmp(id, "minute-") == 0 || strcmp(id, "minute+") == 0) {
        s->minute = (s->minute / 5 * 5 + (id[6] == '+' ? 5 : 55)) % 60;
        if (value_date(f, &y, &m, &d))
            set_datetime(sc, f, y, m, d);
    } else {
        return false;
    }
    s->error = NULL;
    return true;
}

static const char *const WEEKDAYS[7] = {N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"),
                                        N_("Thu"), N_("Fri"), N_("Sat")};

static void format_time(struct ck_screens *sc, int h, int mi, char *out, size_t n)
{
    if (strcmp(sc->session.lang, "en") == 0)
        snprintf(out, n, "%d:%02d %s", h % 12 ? h % 12 : 12, mi, h < 12 ? "AM" : "PM");
    else
        snprintf(out, n, "%02d:%02d", h, mi);
}

static void draw_picker(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                        struct ck_rect area)
{
    struct ck_session *s = &sc->session;
    bool portrait = ck_ui_height(ui) > ck_ui_width(ui);
    int gap = ck_ui_px(ui, 10);
    struct ck_rect cal = area, clock = area;
    if (portrait) {
        cal.h = area.h * 62 / 100;
        clock.y = cal.y + cal.h + ck_ui_px(ui, 30);
        clock.h = area.h - cal.h - ck_ui_px(ui, 30);
    } else {
        cal.w = area.w * 58 / 100;
        clock.x = cal.x + cal.w + ck_ui_px(ui, 60);
        clock.w = area.w - cal.w - ck_ui_px(ui, 60);
    }
    /* month header */
    int hh = ck_ui_px(ui, 84);
    char month[64];
    /* TRANSLATORS: the calendar heading: a month name, then the year. */
    snprintf(month, sizeof month, T(N_("%s %d")), ck_month_name(sc, s->cal_month), s->cal_year);
    int lh = ck_ui_line_height(ui, CK_FONT_BUTTON);
    ck_ui_text(ui, (struct ck_rect){cal.x, cal.y + (hh - lh) / 2, cal.w, lh}, CK_FONT_BUTTON,
               CK_COL_TEXT, CK_ALIGN_CENTER, month);
    int ty, tm, td;
    today(&ty, &tm, &td);
    bool can_next = s->cal_year * 12 + s->cal_month < ty * 12 + tm - 1;
    ck_ui_button(ui, "month-prev", (struct ck_rect){cal.x, cal.y, hh * 2, hh}, CK_BTN_SECONDARY,
                 "<");
    ck_ui_button(ui, "month-next", (struct ck_rect){cal.x + cal.w - hh * 2, cal.y, hh * 2, hh},
                 can_next ? CK_BTN_SECONDARY : CK_BTN_DISABLED, ">");
    /* weekday names and the days */
    int cw = (cal.w - 6 * gap) / 7;
    int top = cal.y + hh + gap;
    int wl = ck_ui_line_height(ui, CK_FONT_SMALL);
    for (int i = 0; i < 7; i++)
        ck_ui_text(ui, (struct ck_rect){cal.x + i * (cw + gap), top, cw, wl}, CK_FONT_SMALL,
                   CK_COL_MUTED, CK_ALIGN_CENTER, T(WEEKDAYS[i]));
    top += wl + gap;
    int ch = (cal.y + cal.h - top - 5 * gap) / 6;
    struct tm first = {.tm_year = s->cal_year - 1900, .tm_mon = s->cal_month, .tm_mday = 1,
                       .tm_hour = 12};
    mktime(&first);
    int vy = 0, vm = 0, vd = 0;
    value_date(f, &vy, &vm, &vd);
    int nd = days_in(s->cal_year, s->cal_month);
    for (int d = 1; d <= nd; d++) {
        int slot = first.tm_wday + d - 1;
        struct ck_rect r = {cal.x + (slot % 7) * (cw + gap), top + (slot / 7) * (ch + gap), cw, ch};
        char id[48], label[16];
        snprintf(id, sizeof id, "day:%04d-%02d-%02d", s->cal_year, s->cal_month + 1, d);
        snprintf(label, sizeof label, "%d", d);
        bool future = (s->cal_year * 12 + s->cal_month) * 31 + d > ((ty * 12 + tm - 1) * 31 + td);
        bool chosen = vy == s->cal_year && vm == s->cal_month + 1 && vd == d;
        ck_ui_button(ui, id, r, future ? CK_BTN_DISABLED : chosen ? CK_BTN_CHOSEN : CK_BTN_KEY,
                     label);
    }
    /* the time */
    int bh = ck_ui_px(ui, 96), bw = (clock.w - 2 * gap) * 3 / 10;
    int y = clock.y;
    ck_ui_text(ui, (struct ck_rect){clock.x, y, clock.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
               CK_ALIGN_START, T(N_("Time")));
    y += ck_ui_line_height(ui, CK_FONT_BODY) + gap;
    char t[32];
    format_time(sc, s->hour, s->minute, t, sizeof t);
    int tw = clock.w - 2 * bw - 2 * gap;
    ck_ui_button(ui, "hour-", (struct ck_rect){clock.x, y, bw, bh}, CK_BTN_SECONDARY,
                 T(N_("- hour")));
    ck_ui_text(ui, (struct ck_rect){clock.x + bw + gap, y + (bh - ck_ui_line_height(ui, CK_FONT_TITLE)) / 2, tw, 0},
               CK_FONT_TITLE, CK_COL_TEXT, CK_ALIGN_CENTER, t);
    ck_ui_button(ui, "hour+", (struct ck_rect){clock.x + clock.w - bw, y, bw, bh},
                 CK_BTN_SECONDARY, T(N_("+ hour")));
    y += bh + gap;
    ck_ui_button(ui, "minute-", (struct ck_rect){clock.x, y, bw, bh}, CK_BTN_SECONDARY,
                 T(N_("- 5 min")));
    ck_ui_button(ui, "minute+", (struct ck_rect){clock.x + clock.w - bw, y, bw, bh},
                 CK_BTN_SECONDARY, T(N_("+ 5 min")));
    y += bh + ck_ui_px(ui, 30);
    ck_ui_button(ui, "now", (struct ck_rect){clock.x, y, clock.w, bh}, CK_BTN_SECONDARY,
                 T(N_("Right now")));
    y += bh + ck_ui_px(ui, 24);
    if (f->value.len) {
        char shown[96], line[160];
        ck_format_datetime(sc, ck_buf_str(&f->value), shown, sizeof shown);
        snprintf(line, sizeof line, T(N_("Chosen: %s")), shown);
        ck_ui_text(ui, (struct ck_rect){clock.x, y, clock.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
                   CK_ALIGN_START, line);
    }
}

/* ---- the address step: suggestions from the city's address list ---- */

void ck_screens_set_gazetteer(struct ck_screens *sc, struct ck_gazetteer *g)
{
    sc->gazetteer = g;
    sc->session.suggest_fresh = false;
}

/* Searches again when the typed text changed since the last search. Runs per keystroke on this
 * thread: the gazetteer answers in a few milliseconds (tests/bench/bench_gazetteer.c). */
static void refresh_suggestions(struct ck_screens *sc, const struct ck_field *f)
{
    struct ck_session *s = &sc->session;
    const char *v = ck_buf_str(&f->value);
    if (!sc->gazetteer || (s->suggest_fresh && strcmp(v, s->suggest_for) == 0))
        return;
    s->nsuggest = 0;
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
static void choose_suggestion(struct ck_screens *sc, struct ck_field *f, const char *n)
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
    refresh_suggestions(sc, f);
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

/* The chosen address: a panel in the chosen colours with a check mark. Returns its height. */
static int draw_chosen(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r)
{
    int pad = ck_ui_px(ui, 20), mark = ck_ui_px(ui, 56);
    int tw = r.w - 3 * pad - mark;
    const char *head = T(N_("Chosen from the city's address list"));
    int h1 = ck_ui_text_height(ui, CK_FONT_SMALL, tw, head);
    int h2 = ck_ui_text_height(ui, CK_FONT_BUTTON, tw, sc->session.chosen);
    int h = h1 + ck_ui_px(ui, 4) + h2 + 2 * pad;
    if (h < mark + 2 * pad)
        h = mark + 2 * pad;
    ck_ui_fill(ui, (struct ck_rect){r.x, r.y, r.w, h}, CK_COL_SELECTED);
    draw_check(ui, (struct ck_rect){r.x + pad, r.y + (h - mark) / 2, mark, mark},
               CK_COL_SELECTED_TEXT);
    int x = r.x + 2 * pad + mark, y = r.y + (h - h1 - ck_ui_px(ui, 4) - h2) / 2;
    ck_ui_text(ui, (struct ck_rect){x, y, tw, h1}, CK_FONT_SMALL, CK_COL_SELECTED_TEXT,
               CK_ALIGN_START, head);
    ck_ui_text(ui, (struct ck_rect){x, y + h1 + ck_ui_px(ui, 4), tw, h2}, CK_FONT_BUTTON,
               CK_COL_SELECTED_TEXT, CK_ALIGN_START, sc->session.chosen);
    return h;
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
    if (ck_ui_text_height(ui, font, room, a->address) > ck_ui_line_height(ui, font))
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

/* The height a suggestion keeps, whatever the screen: a comfortable touch target. */
static int suggest_row_min(struct ck_ui *ui)
{
    return ck_ui_px(ui, 64) > 48 ? ck_ui_px(ui, 64) : 48;
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
        ck_ui_text(ui, (struct ck_rect){r.x, r.y + h, text_w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
                   CK_ALIGN_START, T(N_("To choose another address, delete this one and type.")));
        return;
    }
    if (!s->nsuggest) {
        const char *say = ck_utf8_count(ck_buf_str(&f->value)) < 2
                              ? N_("Start typing: addresses from the city's list that match will "
                                   "show here.")
                          : sc->cfg->require_coordinates
                              ? N_("No address in the city's list matches. Check the house number "
                                   "and street, or ask staff for help.")
                              : N_("No address in the city's list matches. You can go on with the "
                                   "address or corner as you typed it.");
        ck_ui_text(ui, (struct ck_rect){r.x, r.y, text_w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
                   CK_ALIGN_START, T(say));
        return;
    }
    const char *head = T(N_("Tap your address if it is here:"));
    int hh = ck_ui_text_height(ui, CK_FONT_SMALL, text_w, head) + ck_ui_px(ui, 8);
    int avail = r.h - hh;
    int slots = (avail + gap) / (suggest_row_min(ui) + gap);
    if (slots > CK_SUGGEST_MAX)
        slots = CK_SUGGEST_MAX;
    if (slots < 1)
        return;
    ck_ui_text(ui, (struct ck_rect){r.x, r.y, text_w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
               CK_ALIGN_START, head);
    int row_h = (avail - (slots - 1) * gap) / slots;
    if (row_h > ck_ui_px(ui, 100))
        row_h = ck_ui_px(ui, 100);
    for (size_t i = 0; i < s->nsuggest && i < (size_t)slots; i++) {
        char id[32];
        snprintf(id, sizeof id, "suggest:%zu", i + 1);
        draw_suggestion(ui, id,
                        (struct ck_rect){r.x, r.y + hh + (int)i * (row_h + gap), r.w, row_h},
                        &s->suggest[i]);
    }
}

/* Where the list goes, decided before the field is drawn: beside the keyboard kb on wide
 * screens where the keys keep a good size; else between the field and the keyboard, with room
 * for two rows taken from the keyboard (down to the form's 52 px rows), then from the field. */
static struct ck_rect address_layout(struct ck_ui *ui, struct ck_rect b, int *field_h,
                                     int field_min, struct ck_rect *kb)
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
    int kb_min = 5 * 52 + 4 * ck_ui_px(ui, 10);
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
    if (input_of(f) == IN_DATETIME)
        picker_from_value(sc, f);
    if (f->kind == FIELD_FIRST_NAME || f->kind == FIELD_LAST_NAME)
        sc->session.shift = f->value.len == 0 && ck_keyboard_cased(sc); /* a capital */
    if (f->kind == FIELD_ADDRESS)
        refresh_suggestions(sc, f);
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

static enum kb_kind kb_of(enum input in)
{
    return in == IN_NUMBER || in == IN_PHONE ? KB_NUMBER : KB_TEXT;
}

static void event(struct ck_screens *sc, const struct ck_input *in)
{
    struct ck_session *s = &sc->session;
    struct ck_field *f = cur(sc);
    enum input kind = input_of(f);
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
        if (ck_keyboard_input(sc, in, &f->value, kb_of(kind), kind == IN_MULTILINE, max_chars(f),
                              &enter)) {
            if (f->kind == FIELD_ADDRESS) {
                /* An edited address is no longer the one chosen: its coordinates go. */
                if (s->has_latlon && strcmp(ck_buf_str(&f->value), s->chosen) != 0)
                    s->has_latlon = false;
                refresh_suggestions(sc, f);
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
        choose_suggestion(sc, f, in->id + 8);
    } else if (kind == IN_DATETIME) {
        picker_event(sc, f, in->id);
    }
}

/* ---- drawing ---- */

static void draw_choices(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                         struct ck_rect area, bool multi)
{
    const char *keys[CK_VALUES_MAX], *names[CK_VALUES_MAX];
    size_t n = choices(sc, f, keys, names);
    bool portrait = ck_ui_height(ui) > ck_ui_width(ui);
    int gap = ck_ui_px(ui, 20), pager_h = ck_ui_px(ui, 96);
    struct ck_rect grid = area;
    struct ck_rect cells[CK_VALUES_MAX];
    int pages;
    int per = ck_grid(grid, portrait ? 1 : 2, ck_ui_px(ui, 110), gap, (int)n,
                      cells, &pages);
    if (pages > 1) { /* make room for the pager and lay out again */
        grid.h -= pager_h + gap;
        per = ck_grid(grid, portrait ? 1 : 2, ck_ui_px(ui, 110), gap, (int)n,
                      cells, &pages);
    }
    if (sc->session.page >= pages)
        sc->session.page = pages - 1;
    for (int i = 0; i < per && i < CK_VALUES_MAX; i++) {
        size_t k = (size_t)(sc->session.page * per + i);
        if (k >= n)
            break;
        char id[128];
        bool on = multi ? f->chosen[k] : strcmp(ck_buf_str(&f->value), keys[k]) == 0;
        snprintf(id, sizeof id, "%s:%s", multi ? "toggle" : "option", keys[k]);
        char label[256];
        /* A mark besides the colour, so the choice shows without colour vision. */
        snprintf(label, sizeof label, "%s%s", on ? (multi ? "[x]  " : "(*)  ") : (multi ? "[  ]  " : "(  )  "), names[k]);
        ck_ui_button(ui, id, cells[i], on ? CK_BTN_CHOSEN : CK_BTN_OPTION, label);
    }
    ck_pager(sc, ui, (struct ck_rect){area.x, area.y + area.h - pager_h, area.w, pager_h},
             sc->session.page, pages);
}

static int count_steps(const struct ck_session *s, size_t upto)
{
    int n = 0;
    for (size_t i = 0; i < s->nfields && i <= upto; i++)
        n += ck_session_step_active(s, i);
    return n;
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_session *s = &sc->session;
    struct ck_field *f = cur(sc);
    enum input kind = input_of(f);
    char title[512];
    snprintf(title, sizeof title, "%s%s", T(ck_field_label(f)),
             required(sc, f) ? "" : T(N_(" (optional)")));
    struct ck_layout l = ck_chrome(sc, ui, title);
    bool last = true;
    for (size_t i = s->step + 1; i < s->nfields; i++)
        last = last && !ck_session_step_active(s, i);
    ck_chrome_footer(sc, ui, &l, T(N_("Back")), true, "next",
                     last || s->from_review ? T(N_("Review")) : T(N_("Next")));
    /* Where we are, above the title's page: the service and the step. */
    char where[256];
    snprintf(where, sizeof where, T(N_("%s: step %d of %d")), T(s->svc->name),
             count_steps(s, s->step), count_steps(s, s->nfields));
    int hh = ck_ui_px(ui, 104);
    int lh = ck_ui_line_height(ui, CK_FONT_SMALL);
    ck_ui_text(ui, (struct ck_rect){l.pad, hh + ck_ui_px(ui, 2), l.body.w, lh}, CK_FONT_SMALL,
               CK_COL_MUTED, CK_ALIGN_END, where);

    struct ck_rect b = l.body;
    int gap = ck_ui_px(ui, 16);
    /* Information the city attaches to the service (Open311 variable=false), on the first page. */
    if (s->step == 0) {
        for (size_t i = 0; i < s->svc->nattrs; i++) {
            if (s->svc->attrs[i].variable)
                continue;
            int pad = ck_ui_px(ui, 16);
            const char *info = T(s->svc->attrs[i].description);
            int th = ck_ui_text_height(ui, CK_FONT_BODY, b.w - 2 * pad, info);
            ck_ui_fill(ui, (struct ck_rect){b.x, b.y, b.w, th + 2 * pad}, CK_COL_NOTICE_BG);
            ck_ui_text(ui, (struct ck_rect){b.x + pad, b.y + pad, b.w - 2 * pad, th},
                       CK_FONT_BODY, CK_COL_NOTICE_TEXT, CK_ALIGN_START, info);
            b.y += th + 2 * pad + gap;
            b.h -= th + 2 * pad + gap;
        }
    }
    const char *hint = f->kind == FIELD_ATTR ? f->attr->datatype_description : NULL;
    if (f->kind == FIELD_ADDRESS)
        hint = sc->gazetteer && sc->cfg->require_coordinates
                   ? N_("Type the house number and street, then tap your address in the list.")
                   : N_("For example: 120 Main Street, or Main Street and 3rd Avenue");
    if (f->kind == FIELD_UPDATES)
        hint = N_("Your name, email and phone are used only to send you updates about this request.");
    if (hint && *hint) {
        int th = ck_ui_text(ui, (struct ck_rect){b.x, b.y, b.w, 0}, CK_FONT_BODY, CK_COL_MUTED,
                            CK_ALIGN_START, T(hint));
        b.y += th + gap;
        b.h -= th + gap;
    }
    int eh = ck_chrome_error(sc, ui, b);
    b.y += eh;
    b.h -= eh;
    switch (kind) {
    case IN_SINGLE: draw_choices(sc, ui, f, b, false); return;
    case IN_MULTI: draw_choices(sc, ui, f, b, true); return;
    case IN_DATETIME: draw_picker(sc, ui, f, b); return;
    default: break;
    }
    bool multiline = kind == IN_MULTILINE;
    bool numeric = kind == IN_NUMBER || kind == IN_PHONE;
    int field_h = multiline ? ck_ui_px(ui, 200) : ck_ui_px(ui, 100);
    int counter_h = multiline ? ck_ui_line_height(ui, CK_FONT_SMALL) + gap : 0;
    int kb_h = b.h - field_h - counter_h - 2 * gap;
    /* Portrait screens have height to spare: bigger keys are easier to hit. */
    int kb_max = ck_ui_px(ui, (numeric ? 430 : 520) * (b.h > b.w ? 5 : 4) / 4);
    /* Short screens with an error showing: the field gives up height before the keys drop
     * below a comfortable touch size (52 px a row, whatever the scale). */
    int rows = numeric ? 4 : 5;
    int kb_min = rows * 52 + (rows - 1) * ck_ui_px(ui, 10);
    int field_min = ck_ui_line_height(ui, CK_FONT_BODY) + ck_ui_px(ui, 40);
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
    struct ck_rect kb = {b.x, b.y + b.h - kb_h, b.w, kb_h}, list = {0, 0, 0, 0};
    bool suggest = f->kind == FIELD_ADDRESS && sc->gazetteer;
    if (suggest)
        list = address_layout(ui, b, &field_h, field_min, &kb);
    char id[128];
    snprintf(id, sizeof id, "field:%s", f->kind == FIELD_ATTR ? f->attr->code : "text");
    ck_ui_field(ui, id, (struct ck_rect){b.x, b.y, b.w, field_h}, ck_buf_str(&f->value), NULL,
                multiline, s->error != NULL);
    int y = b.y + field_h + gap;
    if (multiline) {
        char counter[96];
        snprintf(counter, sizeof counter, T(N_("%zu of %zu characters")),
                 ck_utf8_count(ck_buf_str(&f->value)), max_chars(f));
        ck_ui_text(ui, (struct ck_rect){b.x, y, b.w, 0}, CK_FONT_SMALL, CK_COL_MUTED,
                   CK_ALIGN_END, counter);
        y += counter_h;
    }
    if (suggest)
        draw_suggestions(sc, ui, f, list);
    ck_keyboard_draw(sc, ui, kb, kb_of(kind), multiline);
}

const struct ck_screen ck_scr_form = {"form", enter, event, draw, NULL};
