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
        ck_nav_go(sc, SCR_WELCOME);
        return;
    }
    if (in->kind != CK_IN_TAP)
        return;
    if (strcmp(in->id, "back") == 0) {
        ck_nav_go(sc, SCR_WELCOME);
    } else if (strncmp(in->id, "group:", 6) == 0) {
        const char *g[GROUPS_MAX];
        size_t n = groups(sc, g);
        long i = strtol(in->id + 6, NULL, 10) - 1;
        if (i >= 0 && (size_t)i < n) {
            sc->session.group = (size_t)i;
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
    struct ck_rect tabs, list;
    int tab_h = ck_ui_px(ui, 96);
    if (portrait) { /* groups as a two-column block on top */
        int rows = (int)(ng + 1) / 2;
        tabs = (struct ck_rect){l.body.x, l.body.y, l.body.w, rows * tab_h + (rows - 1) * gap};
        list = (struct ck_rect){l.body.x, tabs.y + tabs.h + 2 * gap, l.body.w,
                                l.body.h - tabs.h - 2 * gap};
    } else {
        int tw = l.body.w * 3 / 10;
        tabs = (struct ck_rect){l.body.x, l.body.y, tw, l.body.h};
        list = (struct ck_rect){l.body.x + tw + 2 * gap, l.body.y, l.body.w - tw - 2 * gap,
                                l.body.h};
    }
    for (size_t i = 0; i < ng; i++) {
        char id[32];
        group_id(i, id, sizeof id);
        struct ck_rect r = portrait ? (struct ck_rect){tabs.x + (int)(i % 2) * (tabs.w + gap) / 2,
                                                       tabs.y + (int)(i / 2) * (tab_h + gap),
                                                       (tabs.w - gap) / 2, tab_h}
                                    : (struct ck_rect){tabs.x, tabs.y + (int)i * (tab_h + gap),
                                                       tabs.w, tab_h};
        const char *name = *g[i] ? T(g[i]) : T(N_("Other problems"));
        ck_ui_button(ui, id, r, i == sc->session.group ? CK_BTN_CHOSEN : CK_BTN_OPTION, name);
    }
    const struct ck_service *svcs[64];
    size_t n = services_in(sc, g[sc->session.group], svcs, 64);
    struct ck_rect cells[64];
    int pages;
    int pager_h = ck_ui_px(ui, 96);
    struct ck_rect area = list;
    area.h -= pager_h + gap;
    int per = ck_grid(area, portrait ? 1 : 2, ck_ui_px(ui, 170), gap, (int)n,
                      cells, &pages);
    if (per > 64)
        per = 64;
    if (sc->session.page >= pages)
        sc->session.page = pages - 1;
    for (int i = 0; i < per; i++) {
        size_t k = (size_t)(sc->session.page * per + i);
        if (k >= n)
            break;
        char id[96];
        snprintf(id, sizeof id, "service:%s", svcs[k]->code);
        ck_ui_button2(ui, id, cells[i], CK_BTN_OPTION, T(svcs[k]->name), T(svcs[k]->description));
    }
    ck_pager(sc, ui, (struct ck_rect){list.x, list.y + list.h - pager_h, list.w, pager_h},
             sc->session.page, pages);
}

const struct ck_screen ck_scr_services = {"services", enter, event, draw, NULL};
