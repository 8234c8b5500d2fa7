/* services.c: the catalog, grouped by its Open311 group: groups on one side, that group's
 * services as large buttons on the other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/screen_int.h"

#define GROUPS_MAX 32

static size_t groups(const struct ck_screens *sc, const char **out)
{
    return ck_catalog_groups(&sc->cfg->catalog, out, GROUPS_MAX);
}

/* A group's tap id: "group:" and its position, stable for a given catalog. */
static void group_id(size_t i, char *out, size_t n)
{
    snprintf(out, n, "group:%zu", i + 1);
}

static void enter(struct ck_screens *sc)
{
    const char *g[GROUPS_MAX];
    if (sc->session.group >= groups(sc, g))
        sc->session.group = 0;
}

static size_t services_in(const struct ck_screens *sc, const char *group,
                          const struct ck_service **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->cfg->catalog.n && n < max; i++)
        if (strcmp(sc->cfg->catalog.services[i].group, group) == 0)
            out[n++] = &sc->cfg->catalog.services[i];
    return n;
}

static void event(struct ck_screens *sc, const struct ck_input *in)
{
    if (in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE) {
        struct ck_input back = {.kind = CK_IN_TAP, .id = "back"};
        event(sc, &back);
        return;
    }
    if (in->kind != CK_IN_TAP)
        return;
    if (strcmp(in->id, "back") == 0 && sc->session.group_open) {
        sc->session.group_open = false; /* back to the list of groups */
        sc->session.page = 0;
    } else if (strcmp(in->id, "back") == 0) {
        ck_nav_go(sc, SCR_WELCOME);
    } else if (strncmp(in->id, "group:", 6) == 0) {
        const char *g[GROUPS_MAX];
        size_t n = groups(sc, g);
        long i = strtol(in->id + 6, NULL, 10) - 1;
        if (i >= 0 && (size_t)i < n) {
            sc->session.group = (size_t)i;
            sc->session.group_open = true;
            sc->session.page = 0;
        }
    } else if (strcmp(in->id, "page-next") == 0) {
        sc->session.page++;
    } else if (strcmp(in->id, "page-prev") == 0 && sc->session.page > 0) {
        sc->session.page--;
    } else if (strncmp(in->id, "service:", 8) == 0) {
        const struct ck_service *svc = ck_catalog_find(&sc->cfg->catalog, in->id + 8);
        if (svc) {
            ck_session_start_service(&sc->session, svc);
            ck_nav_go(sc, SCR_FORM);
        }
    }
}

static const char *group_name(struct ck_screens *sc, const char *g)
{
    return *g ? T(g) : T(N_("Other problems"));
}

/* Buttons in a grid of cols columns in area, cells as tall as the tallest needs, paged. */
struct grid_item {
    char id[96];
    const char *label, *detail;
    bool chosen;
};

static void paged_grid(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect area, int cols,
                       int design_h, const struct grid_item *it, int n)
{
    int gap = ck_ui_px(ui, 20), pager_h = ck_pager_height(sc, ui, area.w);
    int cw = (area.w - (cols - 1) * gap) / cols;
    int min_h = ck_ui_px(ui, design_h) * 100 / ck_ui_text_size(ui);
    for (int i = 0; i < n; i++) {
        int need = ck_ui_button_height(ui, cw, CK_BTN_OPTION, it[i].label, it[i].detail);
        min_h = need > min_h ? need : min_h;
    }
    struct ck_rect cells[64], grid = area;
    int pages;
    int per = ck_grid(grid, cols, min_h, gap, n, cells, &pages);
    if (pages > 1) { /* again, leaving room for the pager */
        grid.h -= pager_h + gap;
        per = ck_grid(grid, cols, min_h, gap, n, cells, &pages);
    }
    if (per > 64)
        per = 64;
    if (sc->session.page >= pages)
        sc->session.page = pages - 1;
    for (int i = 0; i < per; i++) {
        int k = sc->session.page * per + i;
        if (k >= n)
            break;
        ck_ui_button2(ui, it[k].id, cells[i], it[k].chosen ? CK_BTN_CHOSEN : CK_BTN_OPTION,
                      it[k].label, it[k].detail);
    }
    ck_pager(sc, ui, (struct ck_rect){area.x, area.y + area.h - pager_h, area.w, pager_h},
             sc->session.page, pages);
}

static int group_items(struct ck_screens *sc, const char **g, size_t ng, struct grid_item *it)
{
    for (size_t i = 0; i < ng; i++) {
        group_id(i, it[i].id, sizeof it[i].id);
        it[i].label = group_name(sc, g[i]);
        it[i].detail = NULL;
        it[i].chosen = i == sc->session.group;
    }
    return (int)ng;
}

static int service_items(struct ck_screens *sc, const char *group, struct grid_item *it)
{
    const struct ck_service *svcs[64];
    size_t n = services_in(sc, group, svcs, 64);
    for (size_t k = 0; k < n; k++) {
        snprintf(it[k].id, sizeof it[k].id, "service:%s", svcs[k]->code);
        it[k].label = T(svcs[k]->name);
        it[k].detail = T(svcs[k]->description);
        it[k].chosen = false;
    }
    return (int)n;
}

static void draw(struct ck_screens *sc, struct ck_ui *ui)
{
    struct ck_layout l = ck_chrome(sc, ui, T(N_("What kind of problem is it?")));
    ck_chrome_footer(sc, ui, &l, T(N_("Back")), true, NULL, NULL);
    const char *g[GROUPS_MAX];
    size_t ng = groups(sc, g);
    if (!ng) {
        ck_ui_text(ui, l.body, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
                   T(N_("No services are available at this kiosk right now. Please ask at the counter for help.")));
        return;
    }
    bool portrait = ck_ui_height(ui) > ck_ui_width(ui);
    int gap = ck_ui_px(ui, 20);
    struct grid_item groups_it[GROUPS_MAX], svc_it[64];
    group_items(sc, g, ng, groups_it);
    int n = service_items(sc, g[sc->session.group], svc_it);

    /* Groups beside (or, in portrait, above) the services when they fit whole with at least
     * one service under them; otherwise two steps: the groups, then a group's services. */
    int tw = portrait ? (l.body.w - gap) / 2 : l.body.w * 3 / 10;
    int tab_h = ck_ui_px(ui, 96) * 100 / ck_ui_text_size(ui);
    for (size_t i = 0; i < ng; i++) {
        int need = ck_ui_button_height(ui, tw, CK_BTN_OPTION, groups_it[i].label, NULL);
        tab_h = need > tab_h ? need : tab_h;
    }
    int rows = portrait ? (int)(ng + 1) / 2 : (int)ng;
    int tabs_h = rows * tab_h + (rows - 1) * gap;
    int svc_w = portrait ? l.body.w : (l.body.w - tw - 2 * gap) / 2;
    int one = 0;
    for (int i = 0; i < n; i++) {
        int need = ck_ui_button_height(ui, svc_w, CK_BTN_OPTION, svc_it[i].label, svc_it[i].detail);
        one = need > one ? need : one;
    }
    one += gap + ck_pager_height(sc, ui, portrait ? l.body.w : l.body.w - tw - 2 * gap);
    bool together = portrait ? tabs_h + 2 * gap + one <= l.body.h
                             : tabs_h <= l.body.h && one <= l.body.h;
    if (!together) {
        if (sc->session.group_open)
            paged_grid(sc, ui, l.body, 1, 170, svc_it, n);
        else
            paged_grid(sc, ui, l.body, portrait ? 1 : 2, 96, groups_it, (int)ng);
        return;
    }
    struct ck_rect tabs, list;
    if (portrait) { /* groups as a two-column block on top */
        tabs = (struct ck_rect){l.body.x, l.body.y, l.body.w, tabs_h};
        list = (struct ck_rect){l.body.x, tabs.y + tabs.h + 2 * gap, l.body.w,
                                l.body.h - tabs.h - 2 * gap};
    } else {
        tabs = (struct ck_rect){l.body.x, l.body.y, tw, l.body.h};
        list = (struct ck_rect){l.body.x + tw + 2 * gap, l.body.y, l.body.w - tw - 2 * gap,
                                l.body.h};
    }
    for (size_t i = 0; i < ng; i++) {
        struct ck_rect r = portrait ? (struct ck_rect){tabs.x + (int)(i % 2) * (tw + gap),
                                                       tabs.y + (int)(i / 2) * (tab_h + gap), tw,
                                                       tab_h}
                                    : (struct ck_rect){tabs.x, tabs.y + (int)i * (tab_h + gap),
                                                       tw, tab_h};
        ck_ui_button(ui, groups_it[i].id, r, groups_it[i].chosen ? CK_BTN_CHOSEN : CK_BTN_OPTION,
                     groups_it[i].label);
    }
    paged_grid(sc, ui, list, portrait ? 1 : 2, 170, svc_it, n);
}

const struct ck_screen ck_scr_services = {"services", enter, event, draw, NULL};
