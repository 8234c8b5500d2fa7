/* sync.h: delivery of requests upstream, the catalog cache and status lookups.
 *
 * One worker thread owns its own SQLite connection and its curl handles. It posts every queued
 * request to the city's Open311 endpoint exactly once (see outbox.h for the states), polls
 * tokens, refreshes the catalog and fetches statuses asked for by "Check a request". It never
 * blocks the caller: every function here returns at once. `notify` is called on the worker
 * thread after something the UI may show changed; the callee must only wake its own loop.
 * The only header of sync/ that screens and app see: no curl, no jansson. */
#ifndef CK_SYNC_H
#define CK_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/upstream.h"

enum ck_sync_event {
    CK_SYNC_EV_DELIVERY, /* a request changed state */
    CK_SYNC_EV_STATUS,   /* an upstream status was stored */
    CK_SYNC_EV_CATALOG,  /* a new catalog was cached */
    CK_SYNC_EV_REPRINT,  /* staff asked for a receipt again (kioskctl reprint) */
};

struct ck_sync;

/* Starts the worker on the database at db_path. up is copied. With no base_url the worker
 * still runs but only reports that no upstream is configured. */
struct ck_sync *ck_sync_start(const struct ck_upstream *up, const char *db_path,
                              const char *kiosk_id,
                              void (*notify)(void *ctx, enum ck_sync_event ev), void *ctx,
                              char *err, size_t errlen);
/* Stops the worker, waiting for it; in-flight requests are abandoned and found again upstream
 * (unknown outcome) on the next start. NULL is fine. */
void ck_sync_stop(struct ck_sync *s);

/* Something was queued or un-parked: look at the queue now. */
void ck_sync_kick(struct ck_sync *s);
/* Fetch the upstream status of this receipt's request soon (it must have an upstream id). */
void ck_sync_fetch_status(struct ck_sync *s, const char *receipt);
/* Fetch the catalog again now. */
void ck_sync_refresh_catalog(struct ck_sync *s);

/* True when nothing is in flight, no status fetch is pending and nothing in the queue is due
 * within `horizon_s` seconds. For scripts, tests and `kioskctl sync`. */
bool ck_sync_idle(struct ck_sync *s, int horizon_s);

/* Did the last exchange with upstream get an HTTP reply? (false before the first one) */
bool ck_sync_online(struct ck_sync *s);

#endif
