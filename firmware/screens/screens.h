/* screens.h: the resident's journey as a set of screens, and the session that holds what the
 * resident typed. The app feeds input and time in, and asks for frames.
 *
 * Screens see the UI (ui.h) and the narrow service headers (store.h, config.h) only; never
 * SDL, sqlite3 or curl. UI thread only. */
#ifndef CK_SCREENS_H
#define CK_SCREENS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/i18n.h"
#include "store/store.h"
#include "ui/ui.h"

struct ck_screens;

/* Borrows everything; all must outlive the returned object. Starts on the welcome screen. */
struct ck_screens *ck_screens_new(struct ck_ui *ui, const struct ck_config *cfg,
                                  const struct ck_i18n *i18n, struct ck_store *store);
void ck_screens_free(struct ck_screens *sc);

/* Handles one input; resets the idle timer. */
void ck_screens_input(struct ck_screens *sc, const struct ck_input *in);
/* Runs timers due at now_ms (idle warning, countdown, reset to welcome). */
void ck_screens_tick(struct ck_screens *sc, uint64_t now_ms);
/* Milliseconds until the next timer is due, or -1 when none is pending. */
int ck_screens_next_timer_ms(const struct ck_screens *sc, uint64_t now_ms);
/* True if the screen changed since the last draw. */
bool ck_screens_dirty(const struct ck_screens *sc);
/* Draws the current screen (and any dialog) as one frame. */
void ck_screens_draw(struct ck_screens *sc);
/* Forces the next ck_screens_dirty to be true (window exposed). */
void ck_screens_invalidate(struct ck_screens *sc);

/* The current screen's name ("welcome", "services", "form", "review", "done", "check"), or the
 * dialog's when one is open ("idle-warning", "cancel-confirm"). */
const char *ck_screens_name(const struct ck_screens *sc);
/* Hands the screens the delivery worker (may be NULL): Submit kicks it, "Check a request"
 * asks it for the upstream status. */
struct ck_sync;
void ck_screens_set_sync(struct ck_screens *sc, struct ck_sync *sync);
/* The worker changed something (a delivery, or the answer to a status request: status_event):
 * the current screen re-reads what it shows. */
void ck_screens_sync_changed(struct ck_screens *sc, bool status_event);
/* Hands the screens the print worker (may be NULL): the done screen's "Print receipt". */
struct ck_print;
void ck_screens_set_print(struct ck_screens *sc, struct ck_print *print);
/* Staff asked for a receipt again: renders the stored request's receipt in its language and
 * queues it. */
enum ck_err ck_screens_reprint(struct ck_screens *sc, const char *receipt, char *err,
                               size_t errlen);

/* True when no resident is in the middle of something (the welcome screen, no dialog). */
bool ck_screens_at_rest(const struct ck_screens *sc);

/* Hands the address step the city's address list (may be NULL: the address is free text).
 * Borrowed; searched on the UI thread, so it must be a handle this thread opened. */
struct ck_gazetteer;
void ck_screens_set_gazetteer(struct ck_screens *sc, struct ck_gazetteer *g);

/* What maintenance mode shows that only the app can find out (the OS, the log, the fleet). */
struct ck_staff_facts {
    bool network_up;
    char network[400];       /* "eth0 10.0.0.9/24, wlan0 down" */
    char config_result[400]; /* the last bundle's fate, as kioskctl status says it */
    bool config_failed;
    char clock[96];          /* the kiosk's time, and whether it looks set */
    bool clock_ok;
    char log[40][200];       /* the last log lines, oldest first */
    int nlog;
};
/* The app's function that fills those in; called when a staff page opens or is refreshed. */
void ck_screens_set_probe(struct ck_screens *sc,
                          void (*probe)(void *ctx, struct ck_staff_facts *out), void *ctx);
/* Staff asked for a restart (maintenance mode); the app exits so systemd starts it again. */
bool ck_screens_restart_requested(const struct ck_screens *sc);
/* True while the kiosk is out of service (set by staff; residents cannot file requests). */
bool ck_screens_out_of_service(const struct ck_screens *sc);

/* True while the kiosk has too little room to take new requests (store.h, ck_store_room). */
bool ck_screens_storage_full(const struct ck_screens *sc);

/* Sets the session language (a code the kiosk offers); false if it does not offer it. */
bool ck_screens_set_lang(struct ck_screens *sc, const char *lang);

#endif
