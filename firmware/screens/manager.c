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
    [SCR_STAFF_PIN] = &ck_scr_staff_pin, [SCR_STAFF] = &ck_scr_staff,
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
    ck_staff_load(sc);
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

/* The customer-experience figures: a session starts when the resident goes to report a problem
 * and ends with a stored request or when it is wiped; only counts and times are kept. */
void ck_screens_cx_end(struct ck_screens *sc, bool completed)
{
    if (!sc->cx_started_ms)
        return;
    char err[CK_ERR_LEN];
    int seconds = (int)((ck_clock_mono_ms() - sc->cx_started_ms) / 1000);
    if (ck_store_cx_session(sc->store, completed, SCREENS[sc->cur]->name, seconds, err, sizeof err))
        ck_warn("session", "session figures not recorded: %s", err);
    sc->cx_started_ms = 0;
}

/* Room for new requests (store.h): looked at whenever welcome is shown, when a resident leaves
 * it, after the worker changed something and, at rest, once a minute when the kiosk wakes. */
static void check_room(struct ck_screens *sc)
{
    struct ck_store_room r;
    bool full = !ck_store_room(sc->store, &r);
    sc->room_checked_ms = ck_clock_mono_ms();
    if (full == sc->storage_full)
        return;
    sc->storage_full = full;
    sc->dirty = true;
    if (full)
        ck_warn("store", "storage low: %ld MB free where requests are stored, the database uses "
                "%ld MB (limit %ld MB); new requests are refused until staff free space",
                r.fs_free_mb, r.db_used_mb, r.db_limit_mb);
    else
        ck_info("store", "storage: room again (%ld MB free); taking new requests", r.fs_free_mb);
}

bool ck_screens_storage_full(const struct ck_screens *sc)
{
    return sc->storage_full;
}

void ck_nav_go(struct ck_screens *sc, enum ck_scr_id to)
{
    if (to == SCR_WELCOME || (to == SCR_SERVICES && sc->cur == SCR_WELCOME))
        check_room(sc);
    if (to == SCR_SERVICES && (sc->staff.out_of_service || sc->storage_full))
        to = SCR_WELCOME; /* no new requests while out of service or short of room */
    if (sc->cur == SCR_WELCOME && to == SCR_SERVICES && !sc->cx_started_ms)
        sc->cx_started_ms = ck_clock_mono_ms();
    sc->cur = to;
    sc->session.error = NULL;
    sc->session.page = 0;
    if (SCREENS[to]->enter)
        SCREENS[to]->enter(sc);
    sc->dirty = true;
}

void ck_nav_reset(struct ck_screens *sc)
{
    ck_screens_cx_end(sc, false); /* abandoned where it was, unless a request was stored */
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

static bool staff_screen(const struct ck_screens *sc)
{
    return sc->cur == SCR_STAFF || sc->cur == SCR_STAFF_PIN;
}

/* Welcome with nothing chosen has nothing to protect and nothing to time out; staff screens
 * time out on their own (staff.c), without a warning. */
static bool idle_applies(const struct ck_screens *sc)
{
    return !staff_screen(sc) &&
           (sc->cur != SCR_WELCOME || strcmp(sc->session.lang, sc->i18n->langs[0]) != 0);
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
    if (staff_screen(sc)) {
        ck_staff_idle_over(sc, now);
        return;
    }
    if (!idle_applies(sc)) {
        if (sc->cur == SCR_WELCOME && now - sc->room_checked_ms >= 60000)
            check_room(sc);
        bool open = ck_config_open_at(sc->cfg, (long)ck_clock_wall());
        if (open != sc->was_open)
            sc->dirty = true;
        sc->was_open = open;
        return;
    }
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
    if (staff_screen(sc)) { /* the staff session's end, and the PIN lock-out's countdown */
        uint64_t due = sc->last_input_ms + 120000u;
        int ms = due > now ? (int)(due - now) : 0;
        return sc->staff.locked_until > (long)ck_clock_wall() && ms > 1000 ? 1000 : ms;
    }
    if (!idle_applies(sc)) {
        /* With opening hours, welcome looks again at each minute's turn (the after-hours
         * message comes and goes); without them, nothing wakes the kiosk at rest. */
        if (!sc->cfg->nhours || !*sc->cfg->after_hours_message)
            return -1;
        long t = (long)ck_clock_wall();
        return (int)(60 - t % 60) * 1000;
    }
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
    } else if (sc->dialog == DLG_ACCESS) {
        /* Its buttons are handled by ck_access_input; Back closes it. */
        if (in->kind == CK_IN_KEY && in->key == CK_KEY_ESCAPE)
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
    /* Maintenance mode: a long press on the hidden corner, or Ctrl+Alt+S. */
    if ((in->kind == CK_IN_HOLD && strcmp(in->id, "hidden:staff") == 0) ||
        (in->kind == CK_IN_KEY && in->key == CK_KEY_STAFF)) {
        if (!staff_screen(sc))
            ck_staff_enter(sc);
        return;
    }
    struct ck_input as_tap;
    if (in->kind == CK_IN_HOLD) { /* a long press elsewhere is a tap */
        as_tap = (struct ck_input){.kind = CK_IN_TAP, .id = in->id};
        in = &as_tap;
    }
    if (staff_screen(sc)) { /* no resident's accessibility layer, dialogs or languages */
        SCREENS[sc->cur]->event(sc, in);
        sc->dirty = true;
        return;
    }
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
    sc->session.lang_list = false;
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
    if (sc->cur == SCR_WELCOME && !status_event)
        check_room(sc);
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
    if (sc->dialog == DLG_ACCESS)
        return "accessibility";
    return SCREENS[sc->cur]->name;
}

/* The dialog's box: as wide as suits the screen, as tall as its content needs (at most the
 * screen), centred. */
static struct ck_rect dialog_box(struct ck_ui *ui, int content_h)
{
    int w = ck_ui_width(ui), h = ck_ui_height(ui);
    int margin = ck_ui_px(ui, 40) * 100 / ck_ui_text_size(ui);
    int bw = w * 3 / 4 > ck_ui_px(ui, 1100) ? ck_ui_px(ui, 1100) : w * 3 / 4;
    if (w < h || (bw < w - 2 * margin && ck_ui_text_size(ui) > 100))
        bw = w - 2 * margin;
    int bh = content_h < h - 2 * margin ? content_h : h;
    return (struct ck_rect){(w - bw) / 2, (h - bh) / 2, bw, bh};
}

static void draw_dialog(struct ck_screens *sc, struct ck_ui *ui)
{
    /* The page underneath stays visible but dimmed; its targets are covered by a blocker. */
    struct ck_rect all = {0, 0, ck_ui_width(ui), ck_ui_height(ui)};
    ck_ui_fill(ui, all, CK_COL_OVERLAY);
    ck_ui_target(ui, "dialog-backdrop", all);
    if (sc->dialog == DLG_ACCESS) {
        ck_access_panel_draw(sc, ui);
        return;
    }
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
    /* Measured first: the box fits its words at any text size. */
    int pad = ck_ui_px(ui, 48) * 100 / ck_ui_text_size(ui), gap = ck_ui_px(ui, 24);
    struct ck_rect box = dialog_box(ui, 0);
    int tw = box.w - 2 * pad, bw = (tw - gap) / 2;
    int th = ck_ui_text_height(ui, CK_FONT_TITLE, tw, title);
    int bodyh = ck_ui_text_height(ui, CK_FONT_BODY, tw, body);
    int bh = ck_ui_px(ui, 110) * 100 / ck_ui_text_size(ui);
    int need_no = ck_ui_button_height(ui, bw, CK_BTN_SECONDARY, no, NULL);
    int need_yes = ck_ui_button_height(ui, bw, CK_BTN_PRIMARY, yes, NULL);
    bh = need_no > bh ? need_no : bh;
    bh = need_yes > bh ? need_yes : bh;
    box = dialog_box(ui, pad + th + gap + bodyh + 2 * gap + bh + pad);
    ck_ui_fill(ui, box, CK_COL_SURFACE);
    ck_ui_outline(ui, box, CK_COL_BORDER, ck_ui_px(ui, 3));
    struct ck_rect t = {box.x + pad, box.y + pad, tw, th};
    ck_ui_text(ui, t, CK_FONT_TITLE, CK_COL_TEXT, CK_ALIGN_START, title);
    t.y += th + gap;
    t.h = bodyh;
    ck_ui_text(ui, t, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START, body);
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

void ck_screens_set_probe(struct ck_screens *sc,
                          void (*probe)(void *ctx, struct ck_staff_facts *out), void *ctx)
{
    sc->staff.probe = probe;
    sc->staff.probe_ctx = ctx;
}

bool ck_screens_restart_requested(const struct ck_screens *sc)
{
    return sc->staff.restart;
}

bool ck_screens_out_of_service(const struct ck_screens *sc)
{
    return sc->staff.out_of_service;
}
