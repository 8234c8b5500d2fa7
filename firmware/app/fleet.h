/* fleet.h (app): the kiosk in its fleet: taking signed bundles and reporting its health.
 *
 * Wires sync/fleet.h (fetching, heartbeats over HTTP) to config/bundle.h (verify, stage,
 * commit). A fetched bundle is verified and staged on the fleet worker's thread, including
 * what only the app can check (its translations load, its gazetteer builds); the UI thread
 * asks for a staged version between residents and applies it. The heartbeat is built on the UI
 * thread from what the kiosk knows (docs/fleet.md) and handed to the worker. */
#ifndef CK_APP_FLEET_H
#define CK_APP_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct ck_store;
struct ck_print;
struct ck_app_fleet;

/* The last thing that happened to a bundle: applied, or refused and why. */
struct ck_fleet_result {
    bool any;  /* false: nothing happened yet */
    bool ok;
    long version;
    long at;   /* epoch seconds */
    char reason[300];
};

/* Starts taking bundles and sending heartbeats as cfg->fleet says (a kiosk without a fleet
 * gets a handle that does nothing). base_path is the kiosk's own city file; ui_i18n_dir the
 * UI translations. wake() is called from the worker thread when the UI should look. */
struct ck_app_fleet *ck_app_fleet_start(const struct ck_config *cfg, const char *base_path,
                                        const char *data_dir, const char *ui_i18n_dir,
                                        void (*wake)(void));
void ck_app_fleet_stop(struct ck_app_fleet *f);

/* UI thread: the version staged and waiting for a moment without a resident (0: none). */
long ck_app_fleet_pending(struct ck_app_fleet *f);
/* UI thread: the pending version was applied (ok) or could not be (reason); cfg is the config
 * the kiosk now runs (its keys and version are what the next bundle is checked against). */
void ck_app_fleet_applied(struct ck_app_fleet *f, const struct ck_config *cfg, long version,
                          bool ok, const char *reason);
/* The last result; true when it changed since the last call (a heartbeat should go now). */
bool ck_app_fleet_result(struct ck_app_fleet *f, struct ck_fleet_result *out);

/* UI thread: builds the heartbeat (docs/fleet.md) and, when a fleet is configured, sends it
 * and writes the Prometheus textfile. Returns the JSON text (free it), or NULL. */
char *ck_app_fleet_heartbeat(struct ck_app_fleet *f, const struct ck_config *cfg,
                             struct ck_store *store, struct ck_print *print, uint64_t uptime_ms);
/* Milliseconds until the next heartbeat is due (-1: none are sent). */
int ck_app_fleet_next_heartbeat_ms(struct ck_app_fleet *f, uint64_t now_ms);
/* True when the worker has nothing in flight (scripts' wait-sync). */
bool ck_app_fleet_idle(struct ck_app_fleet *f);
/* Polls for a bundle now (kioskctl, tests). */
void ck_app_fleet_poll_now(struct ck_app_fleet *f);

#endif
