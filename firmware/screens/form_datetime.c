/* form_datetime.c: the date and time picker of a datetime attribute: the calendar beside the
 * time steppers as designed, both compact at a large text size, or one part a page on a small
 * screen. UI thread only; part of the form screen (form_int.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "screens/form_int.h"

/* ---- the date and time picker ---- */

/* session.page on the date step, when the picker shows one part at a time (a large text size
 * on a small screen): the page of weeks the calendar shows (0...), or one of these. */
enum {
    PICK_AUTO = -1,  /* the calendar, at the week of the chosen day or of today */
    PICK_TIME = -2,  /* the time (after a day was tapped) */
    PICK_LAST = 999, /* the calendar's last week (going back a month) */
};

void ck_form_picker_from_value(struct ck_screens *sc, const struct ck_field *f)
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

bool ck_form_picker_event(struct ck_screens *sc, struct ck_field *f, const char *id)
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
        /* resets to the current month and time */
        ck_form_picker_from_value(sc, &(struct ck_field){0});
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
    if (ck_form_button_fits(ui, style, label, r.w, r.h)) {
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
        !ck_form_button_fits(ui, CK_BTN_KEY, "30", g->cw, g->ch) || g->ch < 48)
        return false;
    for (int i = 0; i < 7; i++)
        if (ck_ui_text_width(ui, CK_FONT_SMALL, T(WEEKDAYS[i])) > g->cw)
            return false;
    for (int i = 0; i < 4; i++)
        if (!ck_form_button_fits(ui, CK_BTN_SECONDARY, T(STEPPERS[i]), g->bw, g->bh))
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
           ck_form_button_fits(ui, CK_BTN_SECONDARY, T(N_("Right now")), g->clock.w, g->bh);
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
    struct cal_geom g = {.w = w, .gap = ck_ui_px(ui, 10), .row_h = ck_form_row_h_min(ui)};
    g.arrow_w = ck_form_arrow_width(ui);
    int room = w - 2 * (g.arrow_w + g.gap);
    char month[64];
    month_heading(sc, m, month, sizeof month);
    g.head_font = ck_ui_text_width(ui, CK_FONT_BUTTON, month) <= room ? CK_FONT_BUTTON
                                                                     : CK_FONT_SMALL;
    int th = ck_ui_text_height(ui, g.head_font, room, month);
    g.head_h = th > g.row_h ? th : g.row_h;
    g.cw = (w - 6 * g.gap) / 7;
    g.fits = g.cw >= 48 && ck_form_button_fits(ui, CK_BTN_KEY, "30", g.cw, g.row_h);
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
    struct clock_geom g = {.w = w, .gap = ck_ui_px(ui, 10), .row_h = ck_form_row_h_min(ui)};
    g.bw = (w - 2 * g.gap) * 3 / 10;
    for (int i = 0; i < 4; i++)
        if (!ck_form_button_fits(ui, CK_BTN_SECONDARY, T(STEPPERS[i]), g.bw, g.row_h) &&
            ck_form_button_w_one_line(ui, T(STEPPERS[i])) > g.bw)
            g.bw = ck_form_button_w_one_line(ui, T(STEPPERS[i]));
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
             ck_form_button_fits(ui, CK_BTN_SECONDARY, T(N_("Right now")), w, g.row_h);
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
        if (!ck_form_button_fits(ui, CK_BTN_SECONDARY, labels[i], w, h))
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
int ck_form_picker_min_h(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f, int w)
{
    const struct month m = month_of(sc, f);
    struct cal_geom g = cal_geom(sc, ui, &m, w);
    struct clock_geom k = clock_geom(sc, ui, w);
    int cal = cal_height(&g, 2), clock = ck_form_row_h_min(ui) + k.gap + clock_height(&k);
    return cal > clock ? cal : clock;
}

void ck_form_picker_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
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
