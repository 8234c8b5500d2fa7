/* form_choices.c: the options of a single or multi list (and Yes/No for updates): in the
 * designed grid, else in rows as tall as their words, paged, with the pager under them or
 * arrows beside them. UI thread only; part of the form screen (form_int.h). */
#include <stdio.h>
#include <string.h>

#include "screens/form_int.h"

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
        if (!ck_form_button_fits(ui, CK_BTN_OPTION, labels[k], c.w, c.h) ||
            c.y + c.h > area.y + area.h)
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
        arrow_w = ck_form_arrow_width(ui);
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
        ck_form_side_arrows(sc, ui, area, arrow_w, y - gap - rows.y, s->page, pages);
    else
        ck_pager(sc, ui, (struct ck_rect){area.x, area.y + area.h - pager_h, area.w, pager_h},
                 s->page, pages);
}

void ck_form_choices_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
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

/* The least room the options need: the tallest in one column, and the pager. */
int ck_form_choices_min_h(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f, int w)
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
