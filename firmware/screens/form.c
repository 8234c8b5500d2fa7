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

/* ---- measuring, for large text ---- */

/* At 150 % and 200 % the page has less room than it was designed for: what follows measures
 * before it places, and reflows or pages what does not fit. At 100 % the same rules give the
 * layout the screens were designed with. */
static bool large(struct ck_ui *ui)
{
    return ck_ui_text_size(ui) > 100;
}

/* The least height of a row of buttons: a touch target, with its label whole in the small font
 * (ck_ui_button sets it so when the button's own font does not fit). */
static int row_h_min(struct ck_ui *ui)
{
    int label = ck_ui_line_height(ui, CK_FONT_SMALL) + 2 * ck_ui_px(ui, 3);
    return label > 48 ? label : 48;
}

/* True when label shows whole on a button of w x h as ck_ui_button sets it: in the small font
 * at worst, with no word broken across lines (as keyboard.c's keys). */
static bool button_fits(struct ck_ui *ui, enum ck_button_style style, const char *label, int w,
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
static int button_w_one_line(struct ck_ui *ui, const char *label)
{
    return ck_ui_text_width(ui, CK_FONT_SMALL, label) + 2 * ck_ui_px(ui, 24) +
           2 * ck_ui_px(ui, 3) + 2;
}

/* The width of a paging arrow ("<", ">"): a touch size and a half, or its button's margins. */
static int arrow_width(struct ck_ui *ui)
{
    int w = row_h_min(ui) * 3 / 2;
    return button_w_one_line(ui, "<") > w ? button_w_one_line(ui, "<") : w;
}

/* Paging arrows at the sides of a list, h tall, where no pager fits under it (large text on a
 * short screen); speech says what the pager's buttons say. */
static void side_arrows(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect area, int arrow_w,
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

/* ---- the date and time picker ---- */

/* session.page on the date step, when the picker shows one part at a time (a large text size
 * on a small screen): the page of weeks the calendar shows (0...), or one of these. */
enum {
    PICK_AUTO = -1,  /* the calendar, at the week of the chosen day or of today */
    PICK_TIME = -2,  /* the time (after a day was tapped) */
    PICK_LAST = 999, /* the calendar's last week (going back a month) */
};

static void picker_from_value(struct ck_screens *sc, const struct ck_field *f)
{
    int y, mo, d, h, mi;
    sc->session.page = PICK_AUTO;
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
        s->page = PICK_LAST; /* back in time: the month's last weeks */
    } else if (strcmp(id, "month-next") == 0) {
        int ty, tm, td;
        today(&ty, &tm, &td);
        if (s->cal_year * 12 + s->cal_month < ty * 12 + tm - 1) {
            if (++s->cal_month > 11)
                s->cal_month = 0, s->cal_year++;
            s->page = 0;
        }
    } else if (strncmp(id, "day:", 4) == 0 && sscanf(id + 4, "%4d-%2d-%2d", &y, &m, &d) == 3) {
        set_datetime(sc, f, y, m, d);
        s->page = PICK_TIME; /* shown only where the time has a page of its own */
    } else if (strcmp(id, "now") == 0) {
        picker_from_value(sc, &(struct ck_field){0}); /* resets to the current month and time */
        time_t now = ck_clock_wall();
        struct tm tm;
        localtime_r(&now, &tm);
        s->minute = tm.tm_min;
        today(&y, &m, &d);
        set_datetime(sc, f, y, m, d);
        s->page = PICK_TIME;
    } else if (strcmp(id, "show-calendar") == 0) {
        s->page = PICK_AUTO;
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

/* The month on the calendar, today, and the day chosen. */
struct month {
    int year, month0, first_wday, days, weeks;
    int ty, tm, td; /* today */
    int vy, vm, vd; /* the value's day, or 0 */
};

static struct month month_of(struct ck_screens *sc, const struct ck_field *f)
{
    struct ck_session *s = &sc->session;
    struct month m = {.year = s->cal_year, .month0 = s->cal_month};
    struct tm first = {.tm_year = s->cal_year - 1900, .tm_mon = s->cal_month, .tm_mday = 1,
                       .tm_hour = 12};
    mktime(&first);
    m.first_wday = first.tm_wday;
    m.days = days_in(s->cal_year, s->cal_month);
    m.weeks = (m.first_wday + m.days + 6) / 7;
    today(&m.ty, &m.tm, &m.td);
    value_date(f, &m.vy, &m.vm, &m.vd);
    return m;
}

static bool can_go_next(const struct month *m)
{
    return m->year * 12 + m->month0 < m->ty * 12 + m->tm - 1;
}

/* The week (row of the month, 0...) that day d falls in. */
static int week_of(const struct month *m, int d)
{
    return (m->first_wday + d - 1) / 7;
}

static void month_heading(struct ck_screens *sc, const struct month *m, char *out, size_t n)
{
    /* TRANSLATORS: the calendar heading: a month name, then the year. */
    snprintf(out, n, T(N_("%s %d")), ck_month_name(sc, m->month0), m->year);
}

/* One day of the calendar. Chosen and past days are buttons with wide margins for their
 * words; where a cell is too narrow for those (large text), the number is set on the button
 * here, in the colours ck_ui_button gives the style, and speech is told it. */
static void draw_day(struct ck_ui *ui, const struct month *m, int d, struct ck_rect r)
{
    char id[48], label[16];
    snprintf(id, sizeof id, "day:%04d-%02d-%02d", m->year, m->month0 + 1, d);
    snprintf(label, sizeof label, "%d", d);
    bool future = (m->year * 12 + m->month0) * 31 + d > ((m->ty * 12 + m->tm - 1) * 31 + m->td);
    bool chosen = m->vy == m->year && m->vm == m->month0 + 1 && m->vd == d;
    enum ck_button_style style = future ? CK_BTN_DISABLED : chosen ? CK_BTN_CHOSEN : CK_BTN_KEY;
    if (button_fits(ui, style, label, r.w, r.h)) {
        ck_ui_button(ui, id, r, style, label);
        return;
    }
    ck_ui_button(ui, id, r, style, "");
    if (!future) /* a disabled day is no target: the label would go to the one before */
        ck_ui_label(ui, label, NULL);
    enum ck_font font = style == CK_BTN_KEY ? CK_FONT_BODY : CK_FONT_BUTTON;
    if (ck_ui_line_height(ui, font) > r.h - 2 * ck_ui_px(ui, 3) ||
        ck_ui_text_width(ui, font, label) > r.w - 2 * ck_ui_px(ui, 4))
        font = CK_FONT_SMALL;
    int lh = ck_ui_line_height(ui, font);
    ck_ui_text(ui, (struct ck_rect){r.x, r.y + (r.h - lh) / 2, r.w, lh}, font,
               style == CK_BTN_CHOSEN     ? CK_COL_SELECTED_TEXT
               : style == CK_BTN_DISABLED ? CK_COL_MUTED
                                          : CK_COL_SURFACE_TEXT,
               CK_ALIGN_CENTER, label);
}

static const char *const STEPPERS[4] = {N_("- hour"), N_("+ hour"), N_("- 5 min"), N_("+ 5 min")};

/* ---- the picker as designed: the calendar beside the time, or over it on a tall screen ---- */

struct designed {
    struct ck_rect cal, clock;
    int gap, hh, cw, wl, top, ch; /* the calendar: header, cells, weekday line, days' top */
    int bh, bw, tw;               /* the time: buttons' height and width, the time's width */
};

static struct designed designed_geom(struct ck_ui *ui, struct ck_rect area)
{
    struct designed g = {.cal = area, .clock = area, .gap = ck_ui_px(ui, 10)};
    if (ck_ui_height(ui) > ck_ui_width(ui)) {
        g.cal.h = area.h * 62 / 100;
        g.clock.y = g.cal.y + g.cal.h + ck_ui_px(ui, 30);
        g.clock.h = area.h - g.cal.h - ck_ui_px(ui, 30);
    } else {
        g.cal.w = area.w * 58 / 100;
        g.clock.x = g.cal.x + g.cal.w + ck_ui_px(ui, 60);
        g.clock.w = area.w - g.cal.w - ck_ui_px(ui, 60);
    }
    g.hh = ck_ui_px(ui, 84);
    g.cw = (g.cal.w - 6 * g.gap) / 7;
    g.wl = ck_ui_line_height(ui, CK_FONT_SMALL);
    g.top = g.cal.y + g.hh + g.gap + g.wl + g.gap;
    g.ch = (g.cal.y + g.cal.h - g.top - 5 * g.gap) / 6;
    g.bh = ck_ui_px(ui, 96);
    g.bw = (g.clock.w - 2 * g.gap) * 3 / 10;
    g.tw = g.clock.w - 2 * g.bw - 2 * g.gap;
    return g;
}

/* True when every word of the designed picker shows whole in its place. */
static bool designed_fits(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f,
                          const struct designed *g)
{
    const struct month m = month_of(sc, f);
    char month[64], t[32];
    month_heading(sc, &m, month, sizeof month);
    if (ck_ui_text_width(ui, CK_FONT_BUTTON, month) > g->cal.w - 4 * g->hh - 2 * g->gap ||
        !button_fits(ui, CK_BTN_KEY, "30", g->cw, g->ch) || g->ch < 48)
        return false;
    for (int i = 0; i < 7; i++)
        if (ck_ui_text_width(ui, CK_FONT_SMALL, T(WEEKDAYS[i])) > g->cw)
            return false;
    for (int i = 0; i < 4; i++)
        if (!button_fits(ui, CK_BTN_SECONDARY, T(STEPPERS[i]), g->bw, g->bh))
            return false;
    format_time(sc, 12, 55, t, sizeof t);
    /* the time's column: "Time", three rows of buttons (the designed spacing), the button */
    int h = ck_ui_line_height(ui, CK_FONT_BODY) + g->gap + 3 * g->bh + g->gap + ck_ui_px(ui, 30);
    if (f->value.len) { /* and what was chosen */
        char shown[96], line[160];
        ck_format_datetime(sc, ck_buf_str(&f->value), shown, sizeof shown);
        snprintf(line, sizeof line, T(N_("Chosen: %s")), shown);
        h += ck_ui_px(ui, 24) + ck_ui_text_height(ui, CK_FONT_BODY, g->clock.w, line);
    }
    return ck_ui_text_width(ui, CK_FONT_TITLE, t) <= g->tw && h <= g->clock.h &&
           button_fits(ui, CK_BTN_SECONDARY, T(N_("Right now")), g->clock.w, g->bh);
}

static void draw_designed(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                          const struct designed *g)
{
    struct ck_session *s = &sc->session;
    const struct month m = month_of(sc, f);
    struct ck_rect cal = g->cal, clock = g->clock;
    int gap = g->gap, hh = g->hh, cw = g->cw;
    /* month header */
    char month[64];
    month_heading(sc, &m, month, sizeof month);
    int lh = ck_ui_line_height(ui, CK_FONT_BUTTON);
    ck_ui_text(ui, (struct ck_rect){cal.x, cal.y + (hh - lh) / 2, cal.w, lh}, CK_FONT_BUTTON,
               CK_COL_TEXT, CK_ALIGN_CENTER, month);
    ck_ui_button(ui, "month-prev", (struct ck_rect){cal.x, cal.y, hh * 2, hh}, CK_BTN_SECONDARY,
                 "<");
    ck_ui_button(ui, "month-next", (struct ck_rect){cal.x + cal.w - hh * 2, cal.y, hh * 2, hh},
                 can_go_next(&m) ? CK_BTN_SECONDARY : CK_BTN_DISABLED, ">");
    /* weekday names and the days */
    for (int i = 0; i < 7; i++)
        ck_ui_text(ui, (struct ck_rect){cal.x + i * (cw + gap), cal.y + hh + gap, cw, g->wl},
                   CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_CENTER, T(WEEKDAYS[i]));
    for (int d = 1; d <= m.days; d++) {
        int slot = m.first_wday + d - 1;
        draw_day(ui, &m, d,
                 (struct ck_rect){cal.x + (slot % 7) * (cw + gap),
                                  g->top + (slot / 7) * (g->ch + gap), cw, g->ch});
    }
    /* the time */
    int bh = g->bh, bw = g->bw;
    int y = clock.y;
    ck_ui_text(ui, (struct ck_rect){clock.x, y, clock.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
               CK_ALIGN_START, T(N_("Time")));
    y += ck_ui_line_height(ui, CK_FONT_BODY) + gap;
    char t[32];
    format_time(sc, s->hour, s->minute, t, sizeof t);
    ck_ui_button(ui, "hour-", (struct ck_rect){clock.x, y, bw, bh}, CK_BTN_SECONDARY,
                 T(STEPPERS[0]));
    ck_ui_text(ui,
               (struct ck_rect){clock.x + bw + gap,
                                y + (bh - ck_ui_line_height(ui, CK_FONT_TITLE)) / 2, g->tw, 0},
               CK_FONT_TITLE, CK_COL_TEXT, CK_ALIGN_CENTER, t);
    ck_ui_button(ui, "hour+", (struct ck_rect){clock.x + clock.w - bw, y, bw, bh},
                 CK_BTN_SECONDARY, T(STEPPERS[1]));
    y += bh + gap;
    ck_ui_button(ui, "minute-", (struct ck_rect){clock.x, y, bw, bh}, CK_BTN_SECONDARY,
                 T(STEPPERS[2]));
    ck_ui_button(ui, "minute+", (struct ck_rect){clock.x + clock.w - bw, y, bw, bh},
                 CK_BTN_SECONDARY, T(STEPPERS[3]));
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

/* ---- the picker compact (large text): rows of buttons only as tall as their words ---- */

/* The calendar in a width: arrows at the ends of the month's heading, the weekday names, the
 * weeks in rows. */
struct cal_geom {
    int w, gap, row_h, arrow_w, head_h, cw, names_h;
    enum ck_font head_font;
    bool fits; /* the names and the days fit their cells */
};

static struct cal_geom cal_geom(struct ck_screens *sc, struct ck_ui *ui, const struct month *m,
                                int w)
{
    struct cal_geom g = {.w = w, .gap = ck_ui_px(ui, 10), .row_h = row_h_min(ui)};
    g.arrow_w = arrow_width(ui);
    int room = w - 2 * (g.arrow_w + g.gap);
    char month[64];
    month_heading(sc, m, month, sizeof month);
    g.head_font = ck_ui_text_width(ui, CK_FONT_BUTTON, month) <= room ? CK_FONT_BUTTON
                                                                     : CK_FONT_SMALL;
    int th = ck_ui_text_height(ui, g.head_font, room, month);
    g.head_h = th > g.row_h ? th : g.row_h;
    g.cw = (w - 6 * g.gap) / 7;
    g.fits = g.cw >= 48 && button_fits(ui, CK_BTN_KEY, "30", g.cw, g.row_h);
    for (int i = 0; i < 7; i++) {
        const char *name = T(WEEKDAYS[i]);
        int h = ck_ui_text_height(ui, CK_FONT_SMALL, g.cw, name);
        g.names_h = h > g.names_h ? h : g.names_h;
        g.fits = g.fits && ck_ui_text_width(ui, CK_FONT_SMALL, name) <= g.cw;
    }
    return g;
}

static int cal_height(const struct cal_geom *g, int weeks)
{
    return g->head_h + g->gap + g->names_h + g->gap + weeks * (g->row_h + g->gap) - g->gap;
}

/* Draws weeks [first, first + n) of the month at the top of r; the arrows are prev and next
 * (months, or pages of weeks). */
static void draw_calendar(struct ck_screens *sc, struct ck_ui *ui, const struct month *m,
                          const struct cal_geom *g, struct ck_rect r, int first, int n,
                          const char *prev, const char *next, bool next_on)
{
    char month[64];
    month_heading(sc, m, month, sizeof month);
    int room = g->w - 2 * (g->arrow_w + g->gap);
    int th = ck_ui_text_height(ui, g->head_font, room, month);
    ck_ui_text(ui,
               (struct ck_rect){r.x + g->arrow_w + g->gap, r.y + (g->head_h - th) / 2, room, th},
               g->head_font, CK_COL_TEXT, CK_ALIGN_CENTER, month);
    ck_ui_button(ui, prev, (struct ck_rect){r.x, r.y, g->arrow_w, g->head_h}, CK_BTN_SECONDARY,
                 "<");
    ck_ui_button(ui, next, (struct ck_rect){r.x + g->w - g->arrow_w, r.y, g->arrow_w, g->head_h},
                 next_on ? CK_BTN_SECONDARY : CK_BTN_DISABLED, ">");
    int y = r.y + g->head_h + g->gap;
    for (int i = 0; i < 7; i++)
        ck_ui_text(ui, (struct ck_rect){r.x + i * (g->cw + g->gap), y, g->cw, g->names_h},
                   CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_CENTER, T(WEEKDAYS[i]));
    y += g->names_h + g->gap;
    for (int d = 1; d <= m->days; d++) {
        int week = week_of(m, d) - first, col = (m->first_wday + d - 1) % 7;
        if (week >= 0 && week < n)
            draw_day(ui, m, d,
                     (struct ck_rect){r.x + col * (g->cw + g->gap), y + week * (g->row_h + g->gap),
                                      g->cw, g->row_h});
    }
}

/* The time as steppers: [- hour] 9:00 AM [+ hour], [- 5 min] [+ 5 min], [Right now]; the
 * buttons as wide as their words need, the time in the largest font that fits between. */
struct clock_geom {
    int w, gap, row_h, bw, tw, time_h;
    enum ck_font time_font;
    bool fits;
};

static struct clock_geom clock_geom(struct ck_screens *sc, struct ck_ui *ui, int w)
{
    struct clock_geom g = {.w = w, .gap = ck_ui_px(ui, 10), .row_h = row_h_min(ui)};
    g.bw = (w - 2 * g.gap) * 3 / 10;
    for (int i = 0; i < 4; i++)
        if (!button_fits(ui, CK_BTN_SECONDARY, T(STEPPERS[i]), g.bw, g.row_h) &&
            button_w_one_line(ui, T(STEPPERS[i])) > g.bw)
            g.bw = button_w_one_line(ui, T(STEPPERS[i]));
    g.tw = w - 2 * g.bw - 2 * g.gap;
    char t[32];
    format_time(sc, 12, 55, t, sizeof t); /* the widest time */
    static const enum ck_font fonts[] = {CK_FONT_TITLE, CK_FONT_BODY, CK_FONT_SMALL};
    g.time_font = CK_FONT_SMALL;
    for (size_t i = 0; i < 3 && g.time_font == CK_FONT_SMALL; i++)
        if (ck_ui_text_width(ui, fonts[i], t) <= g.tw)
            g.time_font = fonts[i];
    g.time_h = ck_ui_line_height(ui, g.time_font);
    g.fits = ck_ui_text_width(ui, g.time_font, t) <= g.tw &&
             button_fits(ui, CK_BTN_SECONDARY, T(N_("Right now")), w, g.row_h);
    return g;
}

/* The height of the steppers' three rows. */
static int clock_height(const struct clock_geom *g)
{
    int first = g->time_h > g->row_h ? g->time_h : g->row_h;
    return first + 2 * (g->gap + g->row_h);
}

/* Draws the steppers at the top of r. */
static void draw_clock(struct ck_screens *sc, struct ck_ui *ui, const struct clock_geom *g,
                       struct ck_rect r)
{
    struct ck_session *s = &sc->session;
    int first = g->time_h > g->row_h ? g->time_h : g->row_h;
    int y = r.y + (first - g->row_h) / 2;
    char t[32];
    format_time(sc, s->hour, s->minute, t, sizeof t);
    ck_ui_button(ui, "hour-", (struct ck_rect){r.x, y, g->bw, g->row_h}, CK_BTN_SECONDARY,
                 T(STEPPERS[0]));
    ck_ui_text(ui, (struct ck_rect){r.x + g->bw + g->gap, r.y + (first - g->time_h) / 2, g->tw,
                                    g->time_h},
               g->time_font, CK_COL_TEXT, CK_ALIGN_CENTER, t);
    ck_ui_button(ui, "hour+", (struct ck_rect){r.x + g->w - g->bw, y, g->bw, g->row_h},
                 CK_BTN_SECONDARY, T(STEPPERS[1]));
    y = r.y + first + g->gap;
    ck_ui_button(ui, "minute-", (struct ck_rect){r.x, y, g->bw, g->row_h}, CK_BTN_SECONDARY,
                 T(STEPPERS[2]));
    ck_ui_button(ui, "minute+", (struct ck_rect){r.x + g->w - g->bw, y, g->bw, g->row_h},
                 CK_BTN_SECONDARY, T(STEPPERS[3]));
    y += g->row_h + g->gap;
    ck_ui_button(ui, "now", (struct ck_rect){r.x, y, g->w, g->row_h}, CK_BTN_SECONDARY,
                 T(N_("Right now")));
}

/* "Time" over the steppers and "Chosen: ..." under them, when r has room: returns the
 * height of each (0: left out). */
static void clock_words(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f,
                        const struct clock_geom *g, int room, int *above, int *below,
                        char *chosen, size_t n)
{
    int gap = g->gap;
    *above = *below = 0;
    chosen[0] = '\0';
    if (f->value.len) {
        char shown[96];
        ck_format_datetime(sc, ck_buf_str(&f->value), shown, sizeof shown);
        snprintf(chosen, n, T(N_("Chosen: %s")), shown);
        int h = ck_ui_text_height(ui, CK_FONT_SMALL, g->w, chosen) + 2 * gap;
        if (clock_height(g) + h <= room)
            *below = h;
    }
    int h = ck_ui_line_height(ui, CK_FONT_BODY) + gap;
    if (clock_height(g) + *below + h <= room)
        *above = h;
}

/* Both parts on the page: the calendar with all its weeks beside the time (over it on a tall
 * screen), "Time" and what was chosen with the time where there is room. False, with nothing
 * drawn, when they do not fit. */
static bool draw_compact(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                         struct ck_rect area)
{
    const struct month m = month_of(sc, f);
    bool portrait = ck_ui_height(ui) > ck_ui_width(ui);
    int side = ck_ui_px(ui, 40);
    struct clock_geom k = clock_geom(sc, ui, portrait ? area.w : area.w * 42 / 100);
    char t[32];
    format_time(sc, 12, 55, t, sizeof t);
    int min_w = 2 * k.bw + 2 * k.gap + ck_ui_text_width(ui, k.time_font, t);
    if (!portrait && k.w < min_w)
        k = clock_geom(sc, ui, min_w);
    struct ck_rect cal = area, clock = area;
    struct cal_geom g = cal_geom(sc, ui, &m, portrait ? area.w : area.w - k.w - side);
    if (portrait) {
        cal.h = cal_height(&g, m.weeks);
        clock.y = cal.y + cal.h + side;
        clock.h = area.y + area.h - clock.y;
    } else {
        cal.w = g.w;
        clock.x = area.x + area.w - k.w;
        clock.w = k.w;
    }
    if (!g.fits || !k.fits || cal_height(&g, m.weeks) > cal.h || clock_height(&k) > clock.h)
        return false;
    draw_calendar(sc, ui, &m, &g, cal, 0, m.weeks, "month-prev", "month-next", can_go_next(&m));
    int above, below;
    char chosen[160];
    clock_words(sc, ui, f, &k, clock.h, &above, &below, chosen, sizeof chosen);
    if (above)
        ck_ui_text(ui, (struct ck_rect){clock.x, clock.y, clock.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
                   CK_ALIGN_START, T(N_("Time")));
    clock.y += above;
    draw_clock(sc, ui, &k, clock);
    if (below)
        ck_ui_text(ui, (struct ck_rect){clock.x, clock.y + clock_height(&k) + k.gap, clock.w,
                                        below - 2 * k.gap},
                   CK_FONT_SMALL, CK_COL_TEXT, CK_ALIGN_START, chosen);
    return true;
}

/* ---- the picker one part at a time (large text on a small screen) ---- */

/* The calendar, as many weeks a page as fit: its arrows go through the pages, then to the
 * month before or after. It opens on the week of the day chosen, or of today. */
static void draw_calendar_page(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                               struct ck_rect area)
{
    struct ck_session *s = &sc->session;
    const struct month m = month_of(sc, f);
    struct cal_geom g = cal_geom(sc, ui, &m, area.w);
    /* "Right now", the quickest answer, under the weeks while two weeks still fit over it */
    int now_h = g.gap + g.row_h;
    bool now = cal_height(&g, 2) + now_h <= area.h;
    int per = 1;
    while (per < m.weeks && cal_height(&g, per + 1) + (now ? now_h : 0) <= area.h)
        per++;
    int pages = (m.weeks + per - 1) / per;
    if (s->page < 0) { /* PICK_AUTO (or the time page with nothing chosen) */
        int d = m.vy == m.year && m.vm == m.month0 + 1       ? m.vd
                : m.ty == m.year && m.tm == m.month0 + 1 ? m.td
                                                         : 1;
        s->page = week_of(&m, d) / per;
    }
    if (s->page >= pages) /* PICK_LAST, or fewer pages than before */
        s->page = pages - 1;
    int first = s->page * per, n = m.weeks - first < per ? m.weeks - first : per;
    bool more = s->page + 1 < pages;
    draw_calendar(sc, ui, &m, &g, area, first, n, s->page > 0 ? "page-prev" : "month-prev",
                  more ? "page-next" : "month-next", more || can_go_next(&m));
    if (now)
        ck_ui_button(ui, "now",
                     (struct ck_rect){area.x, area.y + cal_height(&g, per) + g.gap, area.w,
                                      g.row_h},
                     CK_BTN_SECONDARY, T(N_("Right now")));
}

/* The steppers and "Right now" in one row, for a short page on a wide screen (the time shows
 * in the button over them). False, with nothing drawn, when their words do not fit. */
static bool draw_clock_row(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r, int h)
{
    static const char *const ids[5] = {"hour-", "hour+", "minute-", "minute+", "now"};
    const char *labels[5] = {T(STEPPERS[0]), T(STEPPERS[1]), T(STEPPERS[2]), T(STEPPERS[3]),
                             T(N_("Right now"))};
    int gap = ck_ui_px(ui, 10), w = (r.w - 4 * gap) / 5;
    for (int i = 0; i < 5; i++)
        if (!button_fits(ui, CK_BTN_SECONDARY, labels[i], w, h))
            return false;
    for (int i = 0; i < 5; i++)
        ck_ui_button(ui, ids[i], (struct ck_rect){r.x + i * (w + gap), r.y, w, h},
                     CK_BTN_SECONDARY, labels[i]);
    return true;
}

/* The time, under the day chosen: a tap on that shows the calendar again. */
static void draw_time_page(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                           struct ck_rect area)
{
    struct clock_geom k = clock_geom(sc, ui, area.w);
    char shown[96], line[160];
    ck_format_datetime(sc, ck_buf_str(&f->value), shown, sizeof shown);
    snprintf(line, sizeof line, T(N_("Chosen: %s")), shown);
    int h = ck_ui_button_height(ui, area.w, CK_BTN_SECONDARY, line, NULL);
    int room = area.h - clock_height(&k) - k.gap;
    if (h > room) /* the steppers in one row leave the button more */
        room = area.h - k.row_h - k.gap;
    if (h > room)
        h = room > k.row_h ? room : k.row_h;
    ck_ui_button(ui, "show-calendar", (struct ck_rect){area.x, area.y, area.w, h},
                 CK_BTN_SECONDARY, line);
    int y = area.y + h + k.gap;
    if (clock_height(&k) > area.y + area.h - y &&
        draw_clock_row(sc, ui, (struct ck_rect){area.x, y, area.w, k.row_h}, k.row_h))
        return;
    if (clock_height(&k) + ck_ui_line_height(ui, CK_FONT_BODY) + k.gap <= area.y + area.h - y) {
        ck_ui_text(ui, (struct ck_rect){area.x, y, area.w, 0}, CK_FONT_BODY, CK_COL_TEXT,
                   CK_ALIGN_START, T(N_("Time")));
        y += ck_ui_line_height(ui, CK_FONT_BODY) + k.gap;
    }
    draw_clock(sc, ui, &k, (struct ck_rect){area.x, y, area.w, area.y + area.h - y});
}

/* The least room the picker needs: a page of two weeks, or the time under the day chosen. */
static int picker_min_h(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f, int w)
{
    const struct month m = month_of(sc, f);
    struct cal_geom g = cal_geom(sc, ui, &m, w);
    struct clock_geom k = clock_geom(sc, ui, w);
    int cal = cal_height(&g, 2), clock = row_h_min(ui) + k.gap + clock_height(&k);
    return cal > clock ? cal : clock;
}

static void draw_picker(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                        struct ck_rect area)
{
    struct designed g = designed_geom(ui, area);
    if (designed_fits(sc, ui, f, &g)) {
        draw_designed(sc, ui, f, &g);
        return;
    }
    if (draw_compact(sc, ui, f, area))
        return;
    if (sc->session.page == PICK_TIME && f->value.len)
        draw_time_page(sc, ui, f, area);
    else
        draw_calendar_page(sc, ui, f, area);
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
        if (!large(ui) || c.h <= max_h)
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
    if (large(ui))
        return row_h_min(ui) + ck_ui_px(ui, 8);
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
    for (size_t i = 0; large(ui) && i < sc->session.nsuggest; i++) {
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
        p->arrow_w = arrow_width(ui);
        p->rows.x += p->arrow_w + gap;
        p->rows.w -= 2 * (p->arrow_w + gap);
    }
    p->rows.h -= p->pager_h ? p->pager_h + gap : 0;
    p->row_h = suggest_row_h(sc, ui, p->rows.w);
    p->slots = (p->rows.h + gap) / (p->row_h + gap);
    if (p->slots > CK_SUGGEST_MAX)
        p->slots = CK_SUGGEST_MAX;
    if (p->slots < 1 || (paging == 0 && p->slots < n && large(ui)))
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
    for (int heading = 1; heading >= 0 && !ok && (heading || large(ui)); heading--)
        for (int paging = 0; paging < (large(ui) ? 3 : 1) && !ok; paging++)
            ok = plan_suggest(sc, ui, r, heading ? hh : 0, paging, &p);
    if (!ok && large(ui)) /* no room to page: as many as fit, the rest by typing more */
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
        side_arrows(sc, ui, (struct ck_rect){r.x, p.rows.y, r.w, p.rows.h}, p.arrow_w,
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
        if (!large(ui) || ck_ui_text_height(ui, CK_FONT_SMALL, text_w, how) <= r.h - h)
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

/* The option's words with a mark besides the colour, so the choice shows without colour
 * vision. */
static void choice_label(const char *name, bool on, bool multi, char *out, size_t n)
{
    snprintf(out, n, "%s%s", on ? (multi ? "[x]  " : "(*)  ") : (multi ? "[  ]  " : "(  )  "),
             name);
}

/* Options in equal cells of the grid, as designed; false (nothing drawn) when a label would
 * not fit its cell. */
static bool draw_choices_grid(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect area,
                              size_t n, char labels[][256], const char *const *ids,
                              const bool *on)
{
    bool portrait = ck_ui_height(ui) > ck_ui_width(ui);
    int gap = ck_ui_px(ui, 20), pager_h = ck_ui_px(ui, 96);
    struct ck_rect grid = area;
    struct ck_rect cells[CK_VALUES_MAX];
    int pages;
    int per = ck_grid(grid, portrait ? 1 : 2, ck_ui_px(ui, 110), gap, (int)n, cells, &pages);
    if (pages > 1) { /* make room for the pager and lay out again */
        grid.h -= pager_h + gap;
        per = ck_grid(grid, portrait ? 1 : 2, ck_ui_px(ui, 110), gap, (int)n, cells, &pages);
    }
    for (size_t k = 0; k < n; k++) {
        struct ck_rect c = cells[k % (size_t)per];
        if (!button_fits(ui, CK_BTN_OPTION, labels[k], c.w, c.h) || c.y + c.h > area.y + area.h)
            return false;
    }
    if (sc->session.page >= pages)
        sc->session.page = pages - 1;
    for (int i = 0; i < per && i < CK_VALUES_MAX; i++) {
        size_t k = (size_t)(sc->session.page * per + i);
        if (k >= n)
            break;
        ck_ui_button(ui, ids[k], cells[i], on[k] ? CK_BTN_CHOSEN : CK_BTN_OPTION, labels[k]);
    }
    ck_pager(sc, ui, (struct ck_rect){area.x, area.y + area.h - pager_h, area.w, pager_h},
             sc->session.page, pages);
    return true;
}

/* The height an option needs: with the margins of a button, or (tight) only its words, in the
 * small font if need be, and a touch size. */
static int option_h(struct ck_ui *ui, int w, const char *label, bool tight)
{
    if (!tight)
        return ck_ui_button_height(ui, w, CK_BTN_OPTION, label, NULL);
    int h = ck_ui_text_height(ui, CK_FONT_SMALL, w - 2 * ck_ui_px(ui, 24), label) +
            2 * ck_ui_px(ui, 3) + 2;
    return h > 48 ? h : 48;
}

/* How options are paged: rows of cols, each as tall as its tallest label needs (row_h), pages
 * starting at first[]. */
struct choice_pages {
    int cols, gap, pages;
    int row_h[CK_VALUES_MAX], first[CK_VALUES_MAX + 1];
};

/* Splits n options into pages of at most room px; false when a row is taller than room. */
static bool choice_pages(struct ck_ui *ui, size_t n, int w, int room, bool tight,
                         char labels[][256], struct choice_pages *p)
{
    size_t cols = (size_t)p->cols;
    int used = room + 1;
    p->pages = 0;
    for (size_t k = 0; k < n; k += cols) {
        int h = 0;
        for (size_t j = k; j < n && j < k + cols; j++) {
            int need = option_h(ui, w, labels[j], tight);
            h = need > h ? need : h;
        }
        if (h > room)
            return false;
        p->row_h[k / cols] = h;
        if (used + p->gap + h > room) { /* a new page */
            p->first[p->pages++] = (int)k;
            used = h;
        } else {
            used += p->gap + h;
        }
    }
    p->first[p->pages] = (int)n;
    return true;
}

/* Plans the pages, the most comfortable way that fits first: two columns on wide screens, then
 * one; rows with a button's margins, then as tight as their words allow. */
static bool plan_choices(struct ck_ui *ui, struct ck_rect area, int pager_h, size_t n,
                         char labels[][256], struct choice_pages *p)
{
    int widest = ck_ui_height(ui) > ck_ui_width(ui) ? 1 : 2;
    for (int tight = 0; tight < 2; tight++) {
        for (int cols = widest; cols >= 1; cols--) {
            p->cols = cols;
            p->gap = ck_ui_px(ui, tight ? 8 : 20);
            int w = (area.w - (cols - 1) * p->gap) / cols;
            if (!choice_pages(ui, n, w, area.h, tight, labels, p))
                continue;
            if (p->pages == 1 ||
                choice_pages(ui, n, w, area.h - pager_h - p->gap, tight, labels, p))
                return true; /* one page, or pages with the pager under them */
        }
    }
    return false;
}

/* Options in rows as tall as their labels need (large text), as many a page as fit, with the
 * pager under them, or arrows at their sides when the pager leaves no row room. */
static void draw_choices_rows(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect area,
                              size_t n, char labels[][256], const char *const *ids,
                              const bool *on)
{
    int pager_h = ck_pager_height(sc, ui, area.w), arrow_w = 0;
    struct ck_rect rows = area;
    struct choice_pages p;
    bool planned = plan_choices(ui, area, pager_h, n, labels, &p);
    if (!planned) {
        arrow_w = arrow_width(ui);
        int side = arrow_w + ck_ui_px(ui, 8);
        rows = (struct ck_rect){area.x + side, area.y, area.w - 2 * side, area.h};
        pager_h = 0;
        planned = plan_choices(ui, rows, 0, n, labels, &p);
    }
    if (!planned) { /* not one row fits: one option a page, cut off, rather than none */
        p.cols = 1;
        p.gap = ck_ui_px(ui, 8);
        for (size_t k = 0; k < n; k++)
            p.first[k] = (int)k, p.row_h[k] = area.h;
        p.pages = (int)n;
        p.first[n] = (int)n;
    }
    int cols = p.cols, gap = p.gap, pages = p.pages, *first = p.first, *row_h = p.row_h;
    struct ck_session *s = &sc->session;
    if (s->page >= pages)
        s->page = pages - 1;
    int w = (rows.w - (cols - 1) * gap) / cols, y = rows.y;
    for (int k = first[s->page]; k < first[s->page + 1]; k++) {
        int col = (k - first[s->page]) % cols, h = row_h[k / cols];
        ck_ui_button(ui, ids[k], (struct ck_rect){rows.x + col * (w + gap), y, w, h},
                     on[k] ? CK_BTN_CHOSEN : CK_BTN_OPTION, labels[k]);
        if (col == cols - 1 || k + 1 == first[s->page + 1])
            y += h + gap;
    }
    if (arrow_w && pages > 1)
        side_arrows(sc, ui, area, arrow_w, y - gap - rows.y, s->page, pages);
    else
        ck_pager(sc, ui, (struct ck_rect){area.x, area.y + area.h - pager_h, area.w, pager_h},
                 s->page, pages);
}

static void draw_choices(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                         struct ck_rect area, bool multi)
{
    const char *keys[CK_VALUES_MAX], *names[CK_VALUES_MAX];
    size_t n = choices(sc, f, keys, names);
    char labels[CK_VALUES_MAX][256], idbuf[CK_VALUES_MAX][128];
    const char *ids[CK_VALUES_MAX];
    bool on[CK_VALUES_MAX];
    for (size_t k = 0; k < n; k++) {
        on[k] = multi ? f->chosen[k] : strcmp(ck_buf_str(&f->value), keys[k]) == 0;
        snprintf(idbuf[k], sizeof idbuf[k], "%s:%s", multi ? "toggle" : "option", keys[k]);
        ids[k] = idbuf[k];
        choice_label(names[k], on[k], multi, labels[k], sizeof labels[k]);
    }
    if (!draw_choices_grid(sc, ui, area, n, labels, ids, on))
        draw_choices_rows(sc, ui, area, n, labels, ids, on);
}

/* ---- the words above the input ---- */

static int count_steps(const struct ck_session *s, size_t upto)
{
    int n = 0;
    for (size_t i = 0; i < s->nfields && i <= upto; i++)
        n += ck_session_step_active(s, i);
    return n;
}

static const char *hint_of(struct ck_screens *sc, const struct ck_field *f)
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

/* What goes above the input: the step counter when it has no room beside the title (counter),
 * the city's notes on the service (on the first step), the hint and the error. The notes and
 * the hint are set in the body font, or in the small one where the input would not get the room
 * it needs, and then the error is compact too; a hint can also be left out (no_hint). */
struct head {
    enum ck_font font;
    bool no_hint;
    const char *counter;
};

/* Draws the head at the top of r (measures only, when draw is false); returns its height. */
static int head(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f,
                struct ck_rect r, struct head h, bool draw)
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
    const char *hint = h.no_hint ? NULL : hint_of(sc, f);
    if (hint) {
        int th = draw ? ck_ui_text(ui, (struct ck_rect){r.x, y, r.w, 0}, h.font, CK_COL_MUTED,
                                   CK_ALIGN_START, hint)
                      : ck_ui_text_height(ui, h.font, r.w, hint);
        y += th + gap;
    }
    bool compact = h.font == CK_FONT_SMALL && large(ui);
    y += error_banner(sc, ui, (struct ck_rect){r.x, y, r.w, r.h - (y - r.y)}, compact, draw);
    return y - r.y;
}

/* The body font when the input gets need px under it, else the small one, else (large text)
 * no hint. */
static struct head head_for(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f,
                            struct ck_rect r, int need, const char *counter)
{
    struct head h = {CK_FONT_BODY, false, counter};
    if (head(sc, ui, f, r, h, false) + need > r.h)
        h.font = CK_FONT_SMALL;
    /* at a large text size on a short page, the hint gives way to the answers */
    if (large(ui) && head(sc, ui, f, r, h, false) + need > r.h)
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
 * of its own at the top of the page (struct head's counter). */
static bool draw_counter(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l,
                         const char *title, char *where, size_t n)
{
    struct ck_session *s = &sc->session;
    snprintf(where, n, T(N_("%s: step %d of %d")), T(s->svc->name), count_steps(s, s->step),
             count_steps(s, s->nfields));
    int lh = ck_ui_line_height(ui, CK_FONT_SMALL);
    struct ck_rect b = l->body;
    if (!large(ui)) {
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

/* ---- typing: a field and a keyboard ---- */

/* Where the parts of a typing step go. */
struct typing {
    struct ck_rect head, field, kb;
    struct ck_rect list; /* the address suggestions (w 0: none) */
    int count_y;         /* the count of characters under a field of several lines */
    bool show_count;
    struct ck_rect where; /* the step counter over the column and the keyboard (w 0: none) */
    const char *where_text;
    struct head h;
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
                             struct ck_rect body, struct head h)
{
    enum input kind = input_of(f);
    struct typing t = {.head = body, .h = h, .show_count = input_of(f) == IN_MULTILINE};
    int hh = head(sc, ui, f, body, h, false);
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
    int kb_need = ck_keyboard_min_height(sc, ui, kb_of(kind), b.w + (large(ui) ? b.x : 0));
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
    if (large(ui)) { /* keys as wide as can be: into half the page's margins, as on a phone */
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
    enum input kind = input_of(f);
    bool multiline = kind == IN_MULTILINE;
    bool numeric = kind == IN_NUMBER || kind == IN_PHONE;
    bool suggest = f->kind == FIELD_ADDRESS && sc->gazetteer;
    int gap = ck_ui_px(ui, 16), side_gap = ck_ui_px(ui, 24);
    int kb_w = numeric ? b.w / 2 : b.w * 3 / 5;
    int kb_min_w = ck_keyboard_min_width(sc, ui, kb_of(kind), multiline) - b.x / 2;
    if (kb_w < kb_min_w) /* the keys' words first; the column keeps 30 % at least */
        kb_w = kb_min_w < b.w * 7 / 10 ? kb_min_w : b.w * 7 / 10;
    int kb_min_h = ck_keyboard_min_height(sc, ui, kb_of(kind), kb_w + b.x / 2);
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
    t.h = head_for(sc, ui, f, col, need, counter);
    if (suggest && head(sc, ui, f, col, t.h, false) + need > col.h)
        t.h.no_hint = true;
    if (multiline && head(sc, ui, f, col, t.h, false) + need > col.h) {
        /* the count of characters gives way (an error says when the field is full) */
        t.show_count = false;
        count_h = 0;
    }
    int y = col.y + head(sc, ui, f, col, t.h, false);
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
    struct typing t = stacked(sc, ui, f, b, (struct head){CK_FONT_BODY, false, counter});
    if (!t.ok)
        t = stacked(sc, ui, f, b, (struct head){CK_FONT_SMALL, false, counter});
    if (!t.ok && large(ui) && ck_ui_width(ui) > ck_ui_height(ui))
        return beside(sc, ui, f, b, counter);
    if (!t.ok && f->kind == FIELD_ADDRESS && hint_of(sc, f)) {
        struct typing u = stacked(sc, ui, f, b, (struct head){CK_FONT_SMALL, true, counter});
        if (u.ok)
            return u;
    }
    return t;
}

static void draw_typing(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                        struct ck_rect b, const char *counter)
{
    struct ck_session *s = &sc->session;
    enum input kind = input_of(f);
    bool multiline = kind == IN_MULTILINE;
    struct typing t = typing_layout(sc, ui, f, b, counter);
    if (t.where.w)
        ck_ui_text(ui, t.where, CK_FONT_SMALL, CK_COL_MUTED, CK_ALIGN_END, t.where_text);
    head(sc, ui, f, t.head, t.h, true);
    char id[128];
    snprintf(id, sizeof id, "field:%s", f->kind == FIELD_ATTR ? f->attr->code : "text");
    ck_ui_field(ui, id, t.field, ck_buf_str(&f->value), NULL, multiline, s->error != NULL);
    if (t.show_count) {
        char count[96];
        snprintf(count, sizeof count, T(N_("%zu of %zu characters")),
                 ck_utf8_count(ck_buf_str(&f->value)), max_chars(f));
        ck_ui_text(ui, (struct ck_rect){t.field.x, t.count_y, t.field.w, 0}, CK_FONT_SMALL,
                   CK_COL_MUTED, CK_ALIGN_END, count);
    }
    if (t.list.w)
        draw_suggestions(sc, ui, f, t.list);
    ck_keyboard_draw(sc, ui, t.kb, kb_of(kind), multiline);
}


/* The least room the options need: the tallest in one column, and the pager. */
static int choices_min_h(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f, int w)
{
    const char *keys[CK_VALUES_MAX], *names[CK_VALUES_MAX];
    size_t n = choices(sc, f, keys, names);
    int need = 0;
    for (size_t k = 0; k < n; k++) {
        char label[256];
        choice_label(names[k], true, f->kind == FIELD_ATTR &&
                                         f->attr->datatype == CK_DT_MULTIVALUELIST,
                     label, sizeof label);
        int h = ck_ui_button_height(ui, w, CK_BTN_OPTION, label, NULL);
        need = h > need ? h : need;
    }
    return need + ck_ui_px(ui, 20) + ck_pager_height(sc, ui, w);
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_session *s = &sc->session;
    struct ck_field *f = cur(sc);
    enum input kind = input_of(f);
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
        draw_typing(sc, ui, f, b, counter);
        return;
    }
    int need = kind == IN_DATETIME ? picker_min_h(sc, ui, f, b.w)
                                   : choices_min_h(sc, ui, f, b.w);
    int hh = head(sc, ui, f, b, head_for(sc, ui, f, b, need, counter), true);
    b.y += hh;
    b.h -= hh;
    if (kind == IN_DATETIME)
        draw_picker(sc, ui, f, b);
    else
        draw_choices(sc, ui, f, b, kind == IN_MULTI);
}

const struct ck_screen ck_scr_form = {"form", enter, event, draw, NULL};
