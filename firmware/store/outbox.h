/* outbox.h: the delivery queue, for the delivery worker and staff tools.
 *
 * Every request has one outbox row (written with it by ck_store_submit). The worker moves it:
 *   queued -> sending -> delivered (with service_request_id, or none for a blackbox service)
 *                     -> awaiting_token (token) -> delivered
 *                     -> parked (upstream refused it: 400/403/404; staff can retry it)
 *                     -> queued again, with a later next_attempt_at, after a retryable failure.
 * A row in `sending` when the kiosk starts was cut off mid-attempt: it is queued again with
 * unknown_outcome set, so the worker looks for it upstream before posting it again.
 * Each call is one transaction (or part of the caller's, see ck_store_begin). Any thread with
 * its own struct ck_store. */
#ifndef CK_OUTBOX_H
#define CK_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "core/request.h"
#include "store/store.h"

struct ck_outbox_item {
    long long id; /* the request's row id */
    char receipt[CK_RECEIPT_LEN + 1];
    enum ck_outbox_state state; /* queued or awaiting_token */
    int attempts;
    bool unknown_outcome;
    char token[128];
    char service_code[64];
    char requested_at[32];
};

/* Groups the calls below into one transaction (one sync to disk instead of one each): the
 * worker uses it around a batch of launches or of finished transfers. Every call still
 * stands alone without it. */
enum ck_err ck_store_begin(struct ck_store *st, char *err, size_t errlen);
enum ck_err ck_store_commit(struct ck_store *st, char *err, size_t errlen);

/* Rows in `sending` go back to queued with unknown_outcome set. Returns how many in *n. */
enum ck_err ck_outbox_recover(struct ck_store *st, int *n, char *err, size_t errlen);
/* The same, due no earlier than not_before (real clock): the cut-off attempt may still be
 * running on the server, and a search before it ends would not find it. */
enum ck_err ck_outbox_recover_after(struct ck_store *st, time_t not_before, int *n, char *err,
                                    size_t errlen);

/* Up to max rows due at `now` (queued or awaiting_token, next_attempt_at <= now), oldest
 * first, skipping the ids in skip[0..nskip). A request whose contact details were sealed with a
 * key this connection does not have is never due: it waits for that key (ck_store_key_ok). */
enum ck_err ck_outbox_due(struct ck_store *st, time_t now, const long long *skip, size_t nskip,
                          struct ck_outbox_item *out, size_t max, size_t *n, char *err,
                          size_t errlen);

/* The earliest next_attempt_at (at least 1) of a queued or awaiting_token row that can be
 * delivered (see ck_outbox_due); 0 when there is none. Also runs a postponed WAL scrub (below):
 * the worker calls it on every turn of its loop. */
time_t ck_outbox_next_due(struct ck_store *st);

/* queued -> sending: attempts + 1 and unknown_outcome set, before the first byte leaves. */
enum ck_err ck_outbox_sending(struct ck_store *st, long long id, char *err, size_t errlen);

/* Upstream has the request: delivered with its id ("" for blackbox), or awaiting its token.
 * Either way the personal fields (names, email, phone) are wiped from the local record in the
 * same transaction, and leave the files too: secure_delete (on for every connection) zeroes
 * them in the page, and once the transaction has committed the WAL is truncated (a TRUNCATE
 * checkpoint), at most once a second: a wipe inside a ck_store_begin batch is scrubbed at
 * ck_store_commit, a postponed one by the next ck_outbox_next_due or ck_store_close. */
enum ck_err ck_outbox_delivered(struct ck_store *st, long long id, const char *service_request_id,
                                char *err, size_t errlen);
enum ck_err ck_outbox_awaiting_token(struct ck_store *st, long long id, const char *token,
                                     time_t next_poll, char *err, size_t errlen);

/* A retryable failure: back to queued (or awaiting_token) with the reason and the next time.
 * unknown_outcome says whether the request may have reached upstream. */
enum ck_err ck_outbox_retry(struct ck_store *st, long long id, enum ck_outbox_state back_to,
                            bool unknown_outcome, time_t next_attempt, const char *why,
                            char *err, size_t errlen);
/* The same without an outcome to record (the kiosk is stopping mid-transfer): the row's last
 * error stays what it was. */
enum ck_err ck_outbox_requeue(struct ck_store *st, long long id, enum ck_outbox_state back_to,
                              bool unknown_outcome, time_t next_attempt, char *err, size_t errlen);

/* Upstream refused the request: parked with the server's message, for staff. */
enum ck_err ck_outbox_park(struct ck_store *st, long long id, const char *why, char *err,
                           size_t errlen);

/* Staff: a parked request goes back to the queue, due now, with attempts reset. CK_ERR_NOT_FOUND
 * when no parked request has this receipt. */
enum ck_err ck_outbox_unpark(struct ck_store *st, const char *receipt, char *err, size_t errlen);

/* The upstream status as last fetched (status "open"/"closed"). */
enum ck_err ck_outbox_set_status(struct ck_store *st, const char *receipt, const char *status,
                                 const char *notes, const char *updated, char *err, size_t errlen);

/* Records the last success or the last error of the link (for staff), with the time. */
void ck_outbox_note(struct ck_store *st, bool success, const char *detail);
/* Records a device's state for staff under a key ("printer"), with the time. */
void ck_store_note(struct ck_store *st, const char *key, const char *detail);
/* Reads a note; false when there is none. */
bool ck_store_get_note(struct ck_store *st, const char *key, char *detail, size_t detaillen,
                       time_t *at);

/* Staff reprints: asked by kioskctl, printed by the kiosk. */
enum ck_err ck_store_ask_reprint(struct ck_store *st, const char *receipt, char *err,
                                 size_t errlen);
/* How many reprints wait. */
int ck_store_pending_reprints(struct ck_store *st);
/* Takes up to max waiting reprints (marks them taken) and returns their receipt codes. */
enum ck_err ck_store_take_reprints(struct ck_store *st, char (*receipts)[CK_RECEIPT_LEN + 1],
                                   size_t max, size_t *n, char *err, size_t errlen);

/* The queue at a glance, for staff. */
struct ck_outbox_stats {
    int queued;          /* queued, sending or awaiting_token */
    int awaiting_token;
    int parked;
    int delivered;
    time_t oldest_queued; /* created_at of the oldest undelivered request; 0 if none */
    time_t last_success;  /* 0 if never */
    char last_success_detail[160];
    time_t last_error;    /* 0 if never */
    char last_error_detail[256];
};
enum ck_err ck_outbox_stats(struct ck_store *st, struct ck_outbox_stats *out, char *err,
                            size_t errlen);

/* The catalog cache: one named JSON document (e.g. "catalog") and when it was fetched. */
enum ck_err ck_store_cache_put(struct ck_store *st, const char *name, const char *body,
                               time_t fetched_at, char *err, size_t errlen);
/* *body is malloc'd (caller frees); CK_ERR_NOT_FOUND when nothing is cached. */
enum ck_err ck_store_cache_get(struct ck_store *st, const char *name, char **body,
                               time_t *fetched_at, char *err, size_t errlen);

#endif
