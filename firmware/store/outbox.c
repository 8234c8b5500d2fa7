/* outbox.c: the delivery queue's transitions (outbox.h). One short transaction each. */
#include "store/outbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store_int.h"

static enum ck_err fail(struct ck_store *st, char *err, size_t errlen, const char *what)
{
    return ck_fail(err, errlen, CK_ERR_DB, "%s: %s", what, sqlite3_errmsg(st->db));
}

/* Runs one statement with text/int64 parameters given by a tiny format: 't' text (NULL or ""
 * binds NULL), 'i' int64. Returns the number of changed rows in *changes when asked. */
static enum ck_err run(struct ck_store *st, const char *what, const char *sql, const char *fmt,
                       int *changes, char *err, size_t errlen, ...)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return fail(st, err, errlen, what);
    va_list ap;
    va_start(ap, errlen);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 't') {
            const char *v = va_arg(ap, const char *);
            if (v && *v)
                sqlite3_bind_text(s, i + 1, v, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(s, i + 1);
        } else {
            sqlite3_bind_int64(s, i + 1, va_arg(ap, long long));
        }
    }
    va_end(ap);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return fail(st, err, errlen, what);
    if (changes)
        *changes = sqlite3_changes(st->db);
    return CK_OK;
}

static long long now_s(void)
{
    return (long long)ck_clock_wall();
}

enum ck_err ck_outbox_recover(struct ck_store *st, int *n, char *err, size_t errlen)
{
    return ck_outbox_recover_after(st, 0, n, err, errlen);
}

enum ck_err ck_outbox_recover_after(struct ck_store *st, time_t not_before, int *n, char *err,
                                    size_t errlen)
{
    return run(st, "recovering interrupted sends",
               "UPDATE outbox SET state='queued', unknown_outcome=1, next_attempt_at=?,"
               " updated_at=? WHERE state='sending'",
               "ii", n, err, errlen, (long long)not_before, now_s());
}

/* A request this connection can deliver: no sealed contact details, or sealed with its key
 * (parameter 2 of every statement that uses this). One sealed with another key waits (neither
 * due nor counted as due) until that key is back. */
#define OPENABLE "(r.pii_key IS NULL OR r.pii_key = ?2)"

static void bind_key(struct ck_store *st, sqlite3_stmt *s, int i)
{
    if (st->key)
        sqlite3_bind_text(s, i, st->key_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* The first ?3 rows due at ?1 in one state, in the order of the outbox_due index (state,
 * next_attempt_at, request_id): a walk of the index that stops after ?3 rows, where one query
 * over both states would sort every due row on each call (2.4 ms a call with 10,000 queued). */
#define DUE_IN(state)                                                                         \
    "SELECT * FROM (SELECT o.request_id AS id, o.next_attempt_at AS t FROM outbox o"          \
    " JOIN requests r ON r.id = o.request_id WHERE o.state = '" state "'"                     \
    " AND o.next_attempt_at <= ?1 AND " OPENABLE " ORDER BY o.next_attempt_at, o.request_id" \
    " LIMIT ?3)"

enum ck_err ck_outbox_due(struct ck_store *st, time_t now, const long long *skip, size_t nskip,
                          struct ck_outbox_item *out, size_t max, size_t *n, char *err,
                          size_t errlen)
{
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT o.request_id, r.receipt, o.state, o.attempts, o.unknown_outcome,"
                           " o.token, r.service_code, r.requested_at FROM (" DUE_IN("queued")
                           " UNION ALL " DUE_IN("awaiting_token") ") d"
                           " JOIN outbox o ON o.request_id = d.id JOIN requests r ON r.id = d.id"
                           " ORDER BY d.t, d.id LIMIT ?3",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(st, err, errlen, "reading the queue");
    sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
    bind_key(st, s, 2);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)(max + nskip));
    int rc;
    while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(s, 0);
        bool skipped = false;
        for (size_t i = 0; i < nskip && !skipped; i++)
            skipped = skip[i] == id;
        if (skipped)
            continue;
        struct ck_outbox_item *it = &out[(*n)++];
        memset(it, 0, sizeof *it);
        it->id = id;
        const unsigned char *t;
        snprintf(it->receipt, sizeof it->receipt, "%s", sqlite3_column_text(s, 1));
        t = sqlite3_column_text(s, 2);
        if (!t || !ck_outbox_state_parse((const char *)t, &it->state))
            it->state = CK_OUTBOX_QUEUED;
        it->attempts = sqlite3_column_int(s, 3);
        it->unknown_outcome = sqlite3_column_int(s, 4) != 0;
        t = sqlite3_column_text(s, 5);
        snprintf(it->token, sizeof it->token, "%s", t ? (const char *)t : "");
        snprintf(it->service_code, sizeof it->service_code, "%s", sqlite3_column_text(s, 6));
        snprintf(it->requested_at, sizeof it->requested_at, "%s", sqlite3_column_text(s, 7));
    }
    sqlite3_finalize(s);
    return CK_OK;
}

time_t ck_outbox_next_due(struct ck_store *st)
{
    /* The delivery worker calls this on every turn of its loop (at least every 5 s): a WAL
     * scrub postponed after the last wipe runs here. */
    ck_pii_scrub(st, false);
    sqlite3_stmt *s;
    time_t t = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT min(o.next_attempt_at) FROM outbox o"
                           " JOIN requests r ON r.id = o.request_id"
                           " WHERE o.state IN ('queued','awaiting_token') AND " OPENABLE,
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    bind_key(st, s, 2);
    /* A row never tried is due at 0: report it as 1, since 0 means "nothing queued". */
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        t = (time_t)sqlite3_column_int64(s, 0);
        t = t < 1 ? 1 : t;
    }
    sqlite3_finalize(s);
    return t;
}

enum ck_err ck_outbox_sending(struct ck_store *st, long long id, char *err, size_t errlen)
{
    return run(st, "marking a request as sending",
               "UPDATE outbox SET state='sending', attempts=attempts+1, unknown_outcome=1,"
               " updated_at=? WHERE request_id=?",
               "ii", NULL, err, errlen, now_s(), id);
}

/* The personal fields go once upstream has them. secure_delete zeroes the old cell in the new
 * page image; ck_pii_scrub then truncates the WAL so no older image of the page stays behind. */
#define WIPE_PERSONAL                                                                         \
    "UPDATE requests SET first_name=NULL, last_name=NULL, email=NULL, phone=NULL,"           \
    " pii_key=NULL WHERE id=?"

/* One savepoint: its own transaction, or a part of the caller's (ck_store_begin). */
static enum ck_err in_tx(struct ck_store *st, const char *what, char *err, size_t errlen,
                         enum ck_err (*fn)(struct ck_store *, void *, char *, size_t), void *ctx)
{
    bool whole = sqlite3_get_autocommit(st->db);
    if (sqlite3_exec(st->db, "SAVEPOINT outbox", NULL, NULL, NULL) != SQLITE_OK)
        return fail(st, err, errlen, what);
    enum ck_err rc = fn(st, ctx, err, errlen);
    if (rc)
        sqlite3_exec(st->db, "ROLLBACK TO outbox", NULL, NULL, NULL);
    if (sqlite3_exec(st->db, "RELEASE outbox", NULL, NULL, NULL) != SQLITE_OK) {
        if (!rc)
            rc = fail(st, err, errlen, what);
        /* When RELEASE is the commit and the commit fails (a write or sync error), SQLite
         * leaves a transaction open: every later write of this connection would join it,
         * hold the write lock and never commit. Found by tests/integration/test_vfs_faults.sh:
         * a POST went out on a `sending` mark that was never durable, and was posted again. */
        if (whole)
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    }
    ck_pii_scrub(st, false); /* only when that was the whole transaction */
    return rc;
}

enum ck_err ck_store_begin(struct ck_store *st, char *err, size_t errlen)
{
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(st, err, errlen, "starting a transaction");
    return CK_OK;
}

enum ck_err ck_store_commit(struct ck_store *st, char *err, size_t errlen)
{
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        enum ck_err rc = fail(st, err, errlen, "committing");
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    ck_pii_scrub(st, false);
    return CK_OK;
}

struct upstream_has {
    long long id;
    const char *sr_id, *token;
    time_t next_poll;
};

static enum ck_err do_upstream_has(struct ck_store *st, void *ctx, char *err, size_t errlen)
{
    struct upstream_has *u = ctx;
    enum ck_err rc;
    if (u->token)
        rc = run(st, "recording a token",
                 "UPDATE outbox SET state='awaiting_token', token=?, unknown_outcome=0,"
                 " next_attempt_at=?, last_error=NULL, updated_at=? WHERE request_id=?",
                 "tiii", NULL, err, errlen, u->token, (long long)u->next_poll, now_s(), u->id);
    else
        rc = run(st, "recording a delivery",
                 "UPDATE outbox SET state='delivered', service_request_id=?, unknown_outcome=0,"
                 " last_error=NULL, delivered_at=?, updated_at=? WHERE request_id=?",
                 "tiii", NULL, err, errlen, u->sr_id, now_s(), now_s(), u->id);
    if (!rc)
        rc = run(st, "wiping personal fields", WIPE_PERSONAL, "i", NULL, err, errlen, u->id);
    if (!rc)
        ck_pii_wiped(st);
    return rc;
}

enum ck_err ck_outbox_delivered(struct ck_store *st, long long id, const char *service_request_id,
                                char *err, size_t errlen)
{
    struct upstream_has u = {id, service_request_id, NULL, 0};
    return in_tx(st, "recording a delivery", err, errlen, do_upstream_has, &u);
}

enum ck_err ck_outbox_awaiting_token(struct ck_store *st, long long id, const char *token,
                                     time_t next_poll, char *err, size_t errlen)
{
    struct upstream_has u = {id, NULL, token, next_poll};
    return in_tx(st, "recording a token", err, errlen, do_upstream_has, &u);
}

enum ck_err ck_outbox_retry(struct ck_store *st, long long id, enum ck_outbox_state back_to,
                            bool unknown_outcome, time_t next_attempt, const char *why,
                            char *err, size_t errlen)
{
    return run(st, "scheduling a retry",
               "UPDATE outbox SET state=?, unknown_outcome=?, next_attempt_at=?, last_error=?,"
               " updated_at=? WHERE request_id=?",
               "tiitii", NULL, err, errlen, ck_outbox_state_name(back_to),
               (long long)unknown_outcome, (long long)next_attempt, why, now_s(), id);
}

enum ck_err ck_outbox_requeue(struct ck_store *st, long long id, enum ck_outbox_state back_to,
                              bool unknown_outcome, time_t next_attempt, char *err, size_t errlen)
{
    return run(st, "putting a request back in the queue",
               "UPDATE outbox SET state=?, unknown_outcome=?, next_attempt_at=?, updated_at=?"
               " WHERE request_id=?",
               "tiiii", NULL, err, errlen, ck_outbox_state_name(back_to),
               (long long)unknown_outcome, (long long)next_attempt, now_s(), id);
}

enum ck_err ck_outbox_park(struct ck_store *st, long long id, const char *why, char *err,
                           size_t errlen)
{
    return run(st, "parking a request",
               "UPDATE outbox SET state='parked', unknown_outcome=0, last_error=?, updated_at=?"
               " WHERE request_id=?",
               "tii", NULL, err, errlen, why, now_s(), id);
}

enum ck_err ck_outbox_unpark(struct ck_store *st, const char *receipt, char *err, size_t errlen)
{
    int changes = 0;
    enum ck_err rc = run(st, "retrying a parked request",
                         "UPDATE outbox SET state='queued', attempts=0, next_attempt_at=0,"
                         " updated_at=? WHERE state='parked' AND request_id ="
                         " (SELECT id FROM requests WHERE receipt=?)",
                         "it", &changes, err, errlen, now_s(), receipt);
    if (!rc && !changes)
        rc = ck_fail(err, errlen, CK_ERR_NOT_FOUND, "no parked request with receipt %s", receipt);
    return rc;
}

enum ck_err ck_outbox_set_status(struct ck_store *st, const char *receipt, const char *status,
                                 const char *notes, const char *updated, char *err, size_t errlen)
{
    return run(st, "recording a status",
               "UPDATE outbox SET upstream_status=?, status_notes=?, upstream_updated=?,"
               " status_fetched_at=? WHERE request_id = (SELECT id FROM requests WHERE receipt=?)",
               "tttit", NULL, err, errlen, status, notes, updated, now_s(), receipt);
}

void ck_store_note(struct ck_store *st, const char *key, const char *detail)
{
    char err[CK_ERR_LEN];
    if (run(st, "noting a state for staff",
            "INSERT INTO sync_log(key, detail, at) VALUES(?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET detail=excluded.detail, at=excluded.at",
            "tti", NULL, err, sizeof err, key, detail, now_s()))
        ck_warn("store", "%s", err);
}

void ck_outbox_note(struct ck_store *st, bool success, const char *detail)
{
    ck_store_note(st, success ? "last_success" : "last_error", detail);
}

bool ck_store_get_note(struct ck_store *st, const char *key, char *detail, size_t detaillen,
                       time_t *at)
{
    sqlite3_stmt *s;
    bool found = false;
    if (sqlite3_prepare_v2(st->db, "SELECT detail, at FROM sync_log WHERE key=?", -1, &s, NULL) !=
        SQLITE_OK)
        return false;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        const unsigned char *d = sqlite3_column_text(s, 0);
        snprintf(detail, detaillen, "%s", d ? (const char *)d : "");
        if (at)
            *at = (time_t)sqlite3_column_int64(s, 1);
        found = true;
    }
    sqlite3_finalize(s);
    return found;
}

enum ck_err ck_store_ask_reprint(struct ck_store *st, const char *receipt, char *err,
                                 size_t errlen)
{
    struct ck_request_status status;
    enum ck_err rc = ck_store_lookup(st, receipt, &status, err, errlen);
    if (rc)
        return rc;
    return run(st, "asking for a reprint",
               "INSERT INTO print_requests(receipt, asked_at) VALUES(?,?)", "ti", NULL, err, errlen,
               receipt, now_s());
}

int ck_store_pending_reprints(struct ck_store *st)
{
    sqlite3_stmt *s;
    int n = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM print_requests WHERE done_at IS NULL",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

enum ck_err ck_store_take_reprints(struct ck_store *st, char (*receipts)[CK_RECEIPT_LEN + 1],
                                   size_t max, size_t *n, char *err, size_t errlen)
{
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE print_requests SET done_at=?, result='taken' WHERE id IN"
                           " (SELECT id FROM print_requests WHERE done_at IS NULL ORDER BY id"
                           " LIMIT ?) RETURNING receipt",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(st, err, errlen, "taking reprints");
    sqlite3_bind_int64(s, 1, now_s());
    sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
        snprintf(receipts[(*n)++], CK_RECEIPT_LEN + 1, "%s", sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? CK_OK : fail(st, err, errlen, "taking reprints");
}

enum ck_err ck_outbox_stats(struct ck_store *st, struct ck_outbox_stats *out, char *err,
                            size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT o.state, count(*), min(r.created_at) FROM outbox o"
                           " JOIN requests r ON r.id = o.request_id GROUP BY o.state",
                           -1, &s, NULL) != SQLITE_OK)
        return fail(st, err, errlen, "reading the queue");
    while (sqlite3_step(s) == SQLITE_ROW) {
        enum ck_outbox_state state;
        if (!ck_outbox_state_parse((const char *)sqlite3_column_text(s, 0), &state))
            continue;
        int n = sqlite3_column_int(s, 1);
        time_t oldest = (time_t)sqlite3_column_int64(s, 2);
        switch (state) {
        case CK_OUTBOX_DELIVERED: out->delivered = n; break;
        case CK_OUTBOX_PARKED: out->parked = n; break;
        case CK_OUTBOX_AWAITING_TOKEN: out->awaiting_token = n; /* fall through */
        default:
            out->queued += n;
            if (!out->oldest_queued || oldest < out->oldest_queued)
                out->oldest_queued = oldest;
        }
    }
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(st->db, "SELECT key, detail, at FROM sync_log", -1, &s, NULL) !=
        SQLITE_OK)
        return fail(st, err, errlen, "reading the link's state");
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(s, 0);
        const unsigned char *d = sqlite3_column_text(s, 1);
        time_t at = (time_t)sqlite3_column_int64(s, 2);
        if (strcmp(key, "last_success") == 0) {
            out->last_success = at;
            snprintf(out->last_success_detail, sizeof out->last_success_detail, "%s",
                     d ? (const char *)d : "");
        } else if (strcmp(key, "last_error") == 0) {
            out->last_error = at;
            snprintf(out->last_error_detail, sizeof out->last_error_detail, "%s",
                     d ? (const char *)d : "");
        }
    }
    sqlite3_finalize(s);
    return CK_OK;
}

enum ck_err ck_store_cache_put(struct ck_store *st, const char *name, const char *body,
                               time_t fetched_at, char *err, size_t errlen)
{
    return run(st, "caching the catalog",
               "INSERT INTO catalog_cache(name, body, fetched_at) VALUES(?,?,?)"
               " ON CONFLICT(name) DO UPDATE SET body=excluded.body, fetched_at=excluded.fetched_at",
               "tti", NULL, err, errlen, name, body, (long long)fetched_at);
}

enum ck_err ck_store_cache_get(struct ck_store *st, const char *name, char **body,
                               time_t *fetched_at, char *err, size_t errlen)
{
    *body = NULL;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT body, fetched_at FROM catalog_cache WHERE name=?", -1,
                           &s, NULL) != SQLITE_OK)
        return fail(st, err, errlen, "reading the catalog cache");
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    enum ck_err rc = CK_OK;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *body = strdup((const char *)sqlite3_column_text(s, 0));
        if (fetched_at)
            *fetched_at = (time_t)sqlite3_column_int64(s, 1);
        if (!*body)
            rc = CK_ERR_NOMEM;
    } else {
        rc = ck_fail(err, errlen, CK_ERR_NOT_FOUND, "no cached %s", name);
    }
    sqlite3_finalize(s);
    return rc;
}
