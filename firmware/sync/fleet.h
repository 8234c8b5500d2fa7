/* fleet.h: the kiosk's side of the fleet (docs/fleet.md): polling the signed config bundle and
 * sending heartbeats.
 *
 * One worker thread with its own curl handle. It fetches the bundle every poll interval (with
 * +-20% jitter so a fleet does not poll in step), with If-None-Match, a size cap and timeouts;
 * when the bundle changed it fetches the signature too and hands both to `on_bundle` on the
 * worker thread (which verifies and stages them: that is config/'s job, not this one's). It
 * POSTs each heartbeat it is given, at once; a heartbeat that fails is dropped, the next one
 * carries the news. Every function returns at once. No jansson: heartbeats arrive as text. */
#ifndef CK_FLEET_H
#define CK_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CK_SOFTWARE_VERSION "0.6.0"

struct ck_fleet_opts {
    const char *config_url;    /* "" or NULL: no polling */
    const char *heartbeat_url; /* "" or NULL: no heartbeats */
    int poll_minutes;
    size_t max_bundle_bytes;
    int timeout_s;
    const char *ca_bundle;     /* NULL: the system's CAs */
};

/* Called on the worker thread: a new bundle and its signature (NULL, 0 and fetch_error set
 * when fetching failed: the reason, for the log and the heartbeat). The buffers are freed
 * when it returns. */
typedef void (*ck_fleet_bundle_fn)(void *ctx, const uint8_t *bundle, size_t len, const char *sig,
                                   size_t siglen, const char *fetch_error);

struct ck_fleet;

/* Starts the worker (the first poll at a random moment in its first minute). opts is copied. */
struct ck_fleet *ck_fleet_start(const struct ck_fleet_opts *opts, ck_fleet_bundle_fn on_bundle,
                                void *ctx, char *err, size_t errlen);
/* Stops the worker, waiting for it. NULL is fine. */
void ck_fleet_stop(struct ck_fleet *f);
/* Sends this heartbeat (JSON text, copied) soon; a newer one replaces one not yet sent. */
void ck_fleet_heartbeat(struct ck_fleet *f, const char *json);
/* Polls the bundle now. */
void ck_fleet_poll_now(struct ck_fleet *f);
/* True when no poll or heartbeat is due or in flight (for scripts and tests). */
int ck_fleet_idle(struct ck_fleet *f);

#endif
