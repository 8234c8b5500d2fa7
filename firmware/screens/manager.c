/* manager.c: the screen table, navigation, the idle timeout and the two dialogs (idle warning,
 * cancel confirmation). UI thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "screens/screen_int.h"

static const struct ck_screen *const SCREENS[SCR_COUNT] = {
    [SCR_WELCOME] = &ck_scr_welcome, [SCR_SERVICES] = &ck_scr_services,
    [SCR_FORM] = &ck_scr_form,       [SCR_REVIEW] = &ck_scr_review,
    [SCR_DONE] = &ck_scr_done,       [SCR_CHECK] = &ck_scr_check,
};

struct ck_screens *ck_screens_new(struct ck_ui *ui, const struct ck_config *cfg,
                                  const struct ck_i18n *i18n, struct ck_store *store)
{
    struct ck_screens *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->ui = ui;
    sc->cfg = cfg;
    sc->i18n = i18n;
    sc->store = store;
    ck_session_init(&sc->session, i18n->langs[0]);
    sc->last_input_ms = ck_clock_mono_ms();
    ck_nav_go(sc, SCR_WELCOME);
    return sc;
}

void ck_screens_free(struct ck_screens *sc)
{
    if (!sc)
        return;
    ck_session_wipe(&sc->session, "en");
    ck_buf_deinit(&sc->session.check_code);
    ck_bitmap_deinit(&sc->qr);
    free(sc);
}

void ck_nav_go(struct ck_screens *sc, enum ck_scr_id to)
{
    sc->cur = to;
    sc->session.error = NULL;
    sc->session.page = 0;
    if (SCREENS[to]->enter)
        SCREENS[to]->enter(sc);
    sc->dirty = true;
}

void ck_nav_reset(struct ck_screens *sc)
{
    ck_session_wipe(&sc->session, sc->i18n->langs[0]);
    ck_ui_set_language(sc->ui, sc->i18n->langs[0]);
    ck_bitmap_deinit(&sc->qr);
    ck_access_reset(sc);
    sc->dialog = DLG_NONE;
    ck_nav_go(sc, SCR_WELCOME);
    ck_info("session", "session ended; the resident's input was wiped");
}

void ck_nav_cancel(struct ck_screens *sc)
{
    if (ck_session_has_input(&sc->session)) {
        sc->dialog = DLG_CANCEL;
        sc->dirty = true;
    } else {
        ck_nav_reset(sc);
    }
}

/* ---- idle ---- */

/* Welcome with nothing chosen has nothing to protect and nothing to time out. */
static bool idle_applies(const struct ck_screens *sc)
{
    return sc->cur != SCR_WELCOME || strcmp(sc->session.lang, sc->i18n->langs[0]) != 0;
}

static uint64_t idle_ms(const struct ck_screens *sc)
{
    return (uint64_t)sc->cfg->idle_seconds * 1000u;
}

static uint64_t warning_ms(const struct ck_screens *sc)
{
    return (uint64_t)sc->cfg->warning_seconds * 1000u;
}

void ck_screens_tick(struct ck_screens *sc, uint64_t now)
{
    if (!idle_applies(sc))
        return;
    if (sc->dialog != DLG_IDLE) {
        if (now - sc->last_input_ms >= idle_ms(sc)) {
            sc->dialog = DLG_IDLE;
            sc->warning_started_ms = sc->last_input_ms + idle_ms(sc);
            sc->dirty = true;
            ck_info("session", "idle warning shown");
        }
        if (sc->dialog != DLG_IDLE)
            return;
    }
    uint64_t elapsed = now - sc->warning_started_ms;
    if (elapsed >= warning_ms(sc)) {
        ck_nav_reset(sc);
        sc->last_input_ms = now;
        return;
    }
    int left = (int)((warning_ms(sc) - elapsed + 999) / 1000);
    if (left != sc->countdown_shown)
        sc->dirty = true;
}

int ck_screens_next_timer_ms(const struct ck_screens *sc, uint64_t now)
{
    if (!idle_applies(sc))
        return -1;
    if (sc->dialog != DLG_IDLE) {
        uint64_t due = sc->last_input_ms + idle_ms(sc);
        return due > now ? (int)(due - now) : 0;
    }
    /* During the warning, wake each second for the countdown. */
    uint64_t elapsed = now - sc->warning_started_ms;
    if (elapsed >= warning_ms(sc))
        return 0;
    uint64_t to_next = 1000 - elapsed % 1000;
    return (int)to_next;
}

/* ---- input ---- */

static void dialog_input(struct ck_screens *sc, const struct ck_input *in)
{
    bool tap = in->kind == CK_IN_TAP;
    if (sc->dialog == DLG_IDLE) {
        /* Any touch or key is "I am still here"; the button says so explicitly. */
        if (tap && strcmp(in->id, "start-over") == 0) {
            ck_nav_reset(sc);
            return;
        }
        sc->dialog = DLG_NONE;
    } else if (sc->dialog == DLG_CANCEL) {
        if ((tap && strcmp(in->id, "cancel-yes") == 0)) {
            ck_nav_reset(sc);
            return;
        }
        if ((tap && strcmp(in->id, "cancel-no") == 0) ||
            (in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE))
            sc->dialog = DLG_NONE;
    }
    sc->dirty = true;
}

void ck_screens_input(struct ck_screens *sc, const struct ck_input *in)
{
    sc->last_input_ms = ck_clock_mono_ms();
    if (ck_access_input(sc, in))
        return;
    if (sc->dialog != DLG_NONE) {
        dialog_input(sc, in);
        return;
    }
    if (in->kind == CK_IN_TAP && strcmp(in->id, "cancel") == 0) {
        ck_nav_cancel(sc);
        return;
    }
    if (in->kind == CK_IN_TAP && strncmp(in->id, "lang:", 5) == 0) {
        ck_screens_set_lang(sc, in->id + 5);
        return;
    }
    SCREENS[sc->cur]->event(sc, in);
    sc->dirty = true;
}

bool ck_screens_set_lang(struct ck_screens *sc, const char *lang)
{
    if (!ck_i18n_has(sc->i18n, lang))
        return false;
    snprintf(sc->session.lang, sizeof sc->session.lang, "%s", lang);
    ck_ui_set_language(sc->ui, lang);
    sc->dirty = true;
    return true;
}

/* ---- drawing ---- */

bool ck_screens_dirty(const struct ck_screens *sc)
{
    return sc->dirty;
}

void ck_screens_invalidate(struct ck_screens *sc)
{
    sc->dirty = true;
}

void ck_screens_set_sync(struct ck_screens *sc, struct ck_sync *sync)
{
    sc->sync = sync;
}

void ck_screens_set_print(struct ck_screens *sc, struct ck_print *print)
{
    sc->print = print;
}

enum ck_err ck_screens_reprint(struct ck_screens *sc, const char *receipt, char *err,
                               size_t errlen)
{
    struct ck_request r;
    ck_request_init(&r);
    enum ck_err rc = ck_store_load(sc->store, receipt, &r, err, errlen);
    if (!rc) {
        struct ck_receipt_facts f = {r.receipt, r.service_name, r.address_string, r.requested_at,
                                     r.lang};
        int job = 0;
        rc = ck_receipt_print(sc, &f, &job, err, errlen);
        if (!rc)
            ck_info("print", "staff reprint of %s queued as job %d", receipt, job);
    }
    ck_request_deinit(&r);
    return rc;
}

void ck_screens_sync_changed(struct ck_screens *sc, bool status_event)
{
    if (SCREENS[sc->cur]->refresh) {
        SCREENS[sc->cur]->refresh(sc, status_event);
        sc->dirty = true;
    }
}

bool ck_screens_at_rest(const struct ck_screens *sc)
{
    return sc->cur == SCR_WELCOME && sc->dialog == DLG_NONE;
}

const char *ck_screens_name(const struct ck_screens *sc)
{
    if (sc->dialog == DLG_IDLE)
        return "idle-warning";
    if (sc->dialog == DLG_CANCEL)
        return "cancel-confirm";
    return SCREENS[sc->cur]->name;
}

static struct ck_rect dialog_box(struct ck_ui *ui)
{
    int w = ck_ui_width(ui), h = ck_ui_height(ui);
    int bw = w * 3 / 4 > ck_ui_px(ui, 1100) ? ck_ui_px(ui, 1100) : w * 3 / 4;
    if (w < h)
        bw = w - ck_ui_px(ui, 80);
    int bh = ck_ui_px(ui, 560);
    return (struct ck_rect){(w - bw) / 2, (h - bh) / 2, bw, bh};
}

static void draw_dialog(struct ck_screens *sc, struct ck_ui *ui)
{
    /* The page underneath stays visible but dimmed; its targets are covered by a blocker. */
    struct ck_rect all = {0, 0, ck_ui_width(ui), ck_ui_height(ui)};
    ck_ui_fill(ui, all, CK_COL_OVERLAY);
    ck_ui_target(ui, "dialog-backdrop", all);
    struct ck_rect box = dialog_box(ui);
    int pad = ck_ui_px(ui, 48);
    ck_ui_fill(ui, box, CK_COL_SURFACE);
    ck_ui_outline(ui, box, CK_COL_BORDER, ck_ui_px(ui, 3));
    struct ck_rect t = {box.x + pad, box.y + pad, box.w - 2 * pad, box.h};
    const char *title, *body_fmt = "%d", *yes_id, *yes, *no_id, *no;
    char body[512];
    if (sc->dialog == DLG_IDLE) {
        uint64_t elapsed = ck_clock_mono_ms() - sc->warning_started_ms;
        uint64_t total = (uint64_t)sc->cfg->warning_seconds * 1000u;
        int left = elapsed >= total ? 0 : (int)((total - elapsed + 999) / 1000);
        sc->countdown_shown = left;
        title = T(N_("Do you need more time?"));
        body_fmt = T(N_("For your privacy, what you typed will be cleared in %d seconds."));
        snprintf(body, sizeof body, body_fmt, left);
        yes_id = "more-time", yes = T(N_("More time"));
        no_id = "start-over", no = T(N_("Start over"));
    } else {
        title = T(N_("Throw away this request?"));
        snprintf(body, sizeof body, "%s", T(N_("What you typed will be deleted and not sent.")));
        yes_id = "cancel-no", yes = T(N_("Keep going"));
        no_id = "cancel-yes", no = T(N_("Yes, throw it away"));
    }
    /* What speech says when the dialog opens: the idle warning with its full countdown, said
     * once rather than every second. */
    char said[512];
    if (sc->dialog == DLG_IDLE)
        snprintf(said, sizeof said, body_fmt, sc->cfg->warning_seconds);
    else
        snprintf(said, sizeof said, "%s", body);
    snprintf(sc->heading, sizeof sc->heading, "%.200s %.300s", title, said);
    t.y += ck_ui_text(ui, t, CK_FONT_TITLE, CK_COL_TEXT, CK_ALIGN_START, title);
    t.y += ck_ui_px(ui, 24);
    ck_ui_text(ui, t, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START, body);
    int bh = ck_ui_px(ui, 110), gap = ck_ui_px(ui, 32);
    int bw = (box.w - 2 * pad - gap) / 2;
    int by = box.y + box.h - pad - bh;
    ck_ui_button(ui, no_id, (struct ck_rect){box.x + pad, by, bw, bh}, CK_BTN_SECONDARY, no);
    ck_ui_button(ui, yes_id, (struct ck_rect){box.x + pad + bw + gap, by, bw, bh}, CK_BTN_PRIMARY,
                 yes);
}

void ck_screens_draw(struct ck_screens *sc)
{
    ck_ui_begin(sc->ui);
    SCREENS[sc->cur]->draw(sc, sc->ui);
    if (sc->dialog != DLG_NONE)
        draw_dialog(sc, sc->ui);
    ck_ui_end(sc->ui);
    sc->dirty = false;
    ck_access_after_draw(sc);
}
