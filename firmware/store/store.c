/* store.c: SQLite behind store.h: open, migrate by user_version, submit, look up.
 *
 * Owned by the thread that opened it. The only file with sqlite3.h besides its siblings in
 * store/. Statements used on the submit path are prepared once at open. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "platform/platform.h"
#include "store/store_int.h"


/* Migrations: MIGRATIONS[i] takes the schema from version i to i+1. Never edit a shipped one. */
static const char *const MIGRATIONS[] = {
    "CREATE TABLE requests("
    "  id INTEGER PRIMARY KEY,"
    "  receipt TEXT NOT NULL UNIQUE,"
    "  service_code TEXT NOT NULL,"
    "  service_name TEXT NOT NULL,"
    "  address_string TEXT,"
    "  lat REAL, long REAL,"
    "  description TEXT,"
    "  first_name TEXT, last_name TEXT, email TEXT, phone TEXT,"
    "  lang TEXT NOT NULL,"
    "  requested_at TEXT NOT NULL,"  /* ISO 8601 with the UTC offset, as sent upstream */
    "  created_at INTEGER NOT NULL"  /* epoch seconds, for ages and ordering */
    ");"
    "CREATE TABLE request_attributes("
    "  request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,"
    "  ord INTEGER NOT NULL,"
    "  code TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY(request_id, ord)"
    ");"
    "CREATE TABLE outbox("
    "  request_id INTEGER PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE,"
    "  state TEXT NOT NULL CHECK(state IN"
    "    ('queued','sending','awaiting_token','delivered','parked')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    "  service_request_id TEXT,"
    "  token TEXT,"
    "  last_error TEXT,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
    "CREATE TABLE ratings("
    "  id INTEGER PRIMARY KEY,"
    "  rating INTEGER NOT NULL CHECK(rating BETWEEN 1 AND 5),"
    "  day TEXT NOT NULL"
    ");",
    /* 2: delivery upstream. unknown_outcome: an attempt may have reached upstream, so look
     * for the request there before posting it again. The upstream status, as last fetched,
     * for "Check a request". The catalog as upstream last gave it. */
    "ALTER TABLE outbox ADD COLUMN unknown_outcome INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN delivered_at INTEGER;"
    "ALTER TABLE outbox ADD COLUMN upstream_status TEXT;"
    "ALTER TABLE outbox ADD COLUMN status_notes TEXT;"
    "ALTER TABLE outbox ADD COLUMN upstream_updated TEXT;"
    "ALTER TABLE outbox ADD COLUMN status_fetched_at INTEGER;"
    "CREATE TABLE catalog_cache("
    "  name TEXT PRIMARY KEY,"
    "  body TEXT NOT NULL,"
    "  fetched_at INTEGER NOT NULL"
    ");"
    "ALTER TABLE request_attributes ADD COLUMN multi INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE sync_log("
    "  key TEXT PRIMARY KEY,"  /* last_success, last_error */
    "  detail TEXT,"
    "  at INTEGER NOT NULL"
    ");",
    /* 3: staff ask for a receipt again (kioskctl reprint); the kiosk prints and marks it. */
    "CREATE TABLE print_requests("
    "  id INTEGER PRIMARY KEY,"
    "  receipt TEXT NOT NULL,"
    "  asked_at INTEGER NOT NULL,"
    "  done_at INTEGER,"
    "  result TEXT"
    ");",
    /* 4: the customer-experience figures: one row per resident session, no personal data. */
    "CREATE TABLE cx_sessions("
    "  id INTEGER PRIMARY KEY,"
    "  ended_at INTEGER NOT NULL,"
    "  completed INTEGER NOT NULL,"
    "  last_screen TEXT NOT NULL,"
    "  seconds INTEGER NOT NULL"
    ");",
    /* 5: personal fields sealed (pii.c): first_name, last_name, email and phone hold BLOBs, and
     * pii_key names the key that sealed them (NULL when there are none: not given, or wiped).
     * Rows written in clear by schema 4 are sealed at the first open that has a key. */
    "ALTER TABLE requests ADD COLUMN pii_key TEXT;",
};

#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

static enum ck_err db_fail(struct ck_store *st, char *err, size_t errlen, const char *what)
{
    return ck_fail(err, errlen, CK_ERR_DB, "%s: %s", what, sqlite3_errmsg(st->db));
}

static enum ck_err exec(struct ck_store *st, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ck_fail(err, errlen, CK_ERR_DB, "%s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return CK_ERR_DB;
    }
    return CK_OK;
}

/* The one integer a pragma answers (-1 when it cannot be read). */
static long long pragma_int(struct ck_store *st, const char *sql)
{
    sqlite3_stmt *s;
    long long v = -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    return v;
}

int ck_store_schema_version(struct ck_store *st)
{
    return (int)pragma_int(st, "PRAGMA user_version");
}

enum ck_err ck_store_set_limits(struct ck_store *st, long max_db_mb, long min_free_mb, char *err,
                                size_t errlen)
{
    st->min_free_mb = min_free_mb;
    st->max_db_mb = max_db_mb;
    if (max_db_mb <= 0)
        return CK_OK;
    long long page = pragma_int(st, "PRAGMA page_size");
    if (page <= 0)
        return db_fail(st, err, errlen, "reading the page size");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", max_db_mb * 1024LL * 1024 / page);
    /* The limit never shrinks a file already past it: SQLite keeps the larger count, and the
     * room check below reports the file as full. */
    return pragma_int(st, sql) < 0 ? db_fail(st, err, errlen, "setting the page limit") : CK_OK;
}

bool ck_store_room(struct ck_store *st, struct ck_store_room *out)
{
    *out = (struct ck_store_room){.fs_free_mb = -1, .db_limit_mb = st->max_db_mb};
    const char *file = sqlite3_db_filename(st->db, "main");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", file && *file ? file : ".");
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    out->fs_free_mb = ck_fs_free_mb(dir);
    long long page = pragma_int(st, "PRAGMA page_size");
    long long pages = pragma_int(st, "PRAGMA page_count");
    long long spare = pragma_int(st, "PRAGMA freelist_count");
    if (page > 0 && pages >= 0 && spare >= 0)
        out->db_used_mb = (long)((pages - spare) * page / (1024 * 1024));
    /* Unknown free space (statvfs failed) is not taken for none: the limit still guards. */
    bool fs_low = out->fs_free_mb >= 0 && out->fs_free_mb < st->min_free_mb;
    bool db_low = st->max_db_mb > 0 && st->max_db_mb - out->db_used_mb < st->min_free_mb;
    out->full = fs_low || db_low;
    return !out->full;
}

static enum ck_err migrate(struct ck_store *st, char *err, size_t errlen)
{
    int v = ck_store_schema_version(st);
    if (v < 0)
        return db_fail(st, err, errlen, "reading the schema version");
    if (v > NMIGRATIONS)
        return ck_fail(err, errlen, CK_ERR_DB,
                       "the database has schema %d, newer than this software (%d)", v, NMIGRATIONS);
    for (; v < NMIGRATIONS; v++) {
        char sql[64];
        enum ck_err rc = exec(st, "BEGIN IMMEDIATE", err, errlen);
        if (!rc)
            rc = exec(st, MIGRATIONS[v], err, errlen);
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v + 1);
        if (!rc)
            rc = exec(st, sql, err, errlen);
        if (!rc)
            rc = exec(st, "COMMIT", err, errlen);
        if (rc) {
            exec(st, "ROLLBACK", NULL, 0);
            return rc;
        }
        ck_info("store", "migrated schema to version %d", v + 1);
    }
    return CK_OK;
}

static enum ck_err prepare(struct ck_store *st, sqlite3_stmt **s, const char *sql, char *err,
                           size_t errlen)
{
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "preparing a statement");
    return CK_OK;
}

static const char *const PERSONAL[] = {CK_PII_COLUMNS};
#define NPERSONAL 4

/* Requests with a personal field in clear (written by schema 4, or before the kiosk had a key). */
#define IN_CLEAR                                                                              \
    " FROM requests WHERE (typeof(first_name)='text' OR typeof(last_name)='text' OR"         \
    " typeof(email)='text' OR typeof(phone)='text')"

/* Seals the personal fields of one request found by the cursor `sel`, with `upd`. */
static enum ck_err seal_row(struct ck_store *st, sqlite3_stmt *sel, sqlite3_stmt *upd, char *err,
                            size_t errlen)
{
    const char *receipt = (const char *)sqlite3_column_text(sel, 1);
    unsigned char *blob[NPERSONAL] = {0};
    enum ck_err rc = CK_OK;
    for (int i = 0; i < NPERSONAL && !rc; i++) {
        int col = 2 + i;
        if (sqlite3_column_type(sel, col) != SQLITE_TEXT) {
            sqlite3_bind_value(upd, i + 1, sqlite3_column_value(sel, col));
            continue;
        }
        size_t len = 0;
        rc = ck_pii_seal(st, receipt ? receipt : "", PERSONAL[i],
                         (const char *)sqlite3_column_text(sel, col), &blob[i], &len, err, errlen);
        if (!rc)
            sqlite3_bind_blob(upd, i + 1, blob[i], (int)len, SQLITE_STATIC);
    }
    if (!rc) {
        sqlite3_bind_text(upd, 5, st->key_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(upd, 6, sqlite3_column_int64(sel, 0));
        if (sqlite3_step(upd) != SQLITE_DONE)
            rc = db_fail(st, err, errlen, "sealing contact details");
    }
    sqlite3_reset(upd);
    sqlite3_clear_bindings(upd);
    for (int i = 0; i < NPERSONAL; i++)
        free(blob[i]);
    return rc;
}

/* An earlier version kept personal fields in clear: seal them, in one transaction, and scrub
 * the clear bytes from the files. Without a key they stay as they are (and are delivered and
 * wiped as they are). Cheap when there is nothing to do: one scan, no write lock. */
static enum ck_err seal_in_clear(struct ck_store *st, char *err, size_t errlen)
{
    if (!st->key)
        return CK_OK;
    sqlite3_stmt *sel = NULL, *upd = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT EXISTS(SELECT 1" IN_CLEAR ")", -1, &sel, NULL) !=
        SQLITE_OK)
        return db_fail(st, err, errlen, "looking for contact details in clear");
    if (sqlite3_step(sel) == SQLITE_ROW)
        found = sqlite3_column_int(sel, 0);
    sqlite3_finalize(sel);
    sel = NULL;
    if (!found)
        return CK_OK;
    enum ck_err rc = exec(st, "BEGIN IMMEDIATE", err, errlen);
    if (rc)
        return rc;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, receipt, first_name, last_name, email, phone" IN_CLEAR
                           " AND id > ? ORDER BY id LIMIT 1",
                           -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "UPDATE requests SET first_name=?, last_name=?, email=?, phone=?,"
                           " pii_key=? WHERE id=?",
                           -1, &upd, NULL) != SQLITE_OK)
        rc = db_fail(st, err, errlen, "sealing contact details");
    int n = 0;
    sqlite3_int64 last = 0;
    while (!rc) {
        sqlite3_bind_int64(sel, 1, last);
        int step = sqlite3_step(sel);
        if (step == SQLITE_ROW) {
            last = sqlite3_column_int64(sel, 0);
            rc = seal_row(st, sel, upd, err, errlen);
            n++;
        } else if (step != SQLITE_DONE) {
            rc = db_fail(st, err, errlen, "sealing contact details");
        }
        sqlite3_reset(sel);
        if (step == SQLITE_DONE)
            break;
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    if (!rc)
        rc = exec(st, "COMMIT", err, errlen);
    if (rc) {
        exec(st, "ROLLBACK", NULL, 0);
        return rc;
    }
    ck_info("store", "sealed the contact details of %d request(s) an earlier version kept in clear",
            n);
    ck_pii_wiped(st);
    ck_pii_scrub(st, true);
    return CK_OK;
}

/* Another connection holds the write lock (the delivery worker commits every few milliseconds
 * while it drains a queue): try again every half millisecond, for CK_STORE_BUSY_MS in all.
 * SQLite's own handler (sqlite3_busy_timeout) sleeps in growing steps, 1, 2, 5 ... 100 ms, and
 * each retry found the lock taken about as often as the worker holds it: a resident's Submit
 * waited up to 950 ms during a drain (docs/performance.md). */
static int busy_wait(void *ctx, int tries)
{
    (void)ctx;
    if ((long)tries / 2 >= CK_STORE_BUSY_MS)
        return 0;
    struct timespec half_ms = {0, 500000};
    nanosleep(&half_ms, NULL);
    return 1;
}

struct ck_store *ck_store_open(const char *path, char *err, size_t errlen)
{
    if (ck_faultvfs_install(err, errlen)) /* a test switch, off unless asked for */
        return NULL;
    struct ck_store *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    int rc = sqlite3_open_v2(path, &st->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        ck_fail(err, errlen, CK_ERR_DB, "cannot open %s: %s", path,
                st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_handler(st->db, busy_wait, NULL);
    sqlite3_extended_result_codes(st->db, 1);
    /* WAL lets the delivery worker read while the UI writes; FULL syncs the WAL on each commit
     * so a receipt on screen always means the request is on disk. */
    if (exec(st, "PRAGMA journal_mode=WAL", err, errlen) ||
        exec(st, "PRAGMA synchronous=FULL", err, errlen) ||
        exec(st, "PRAGMA foreign_keys=ON", err, errlen) ||
        exec(st, "PRAGMA secure_delete=ON", err, errlen) ||
        /* 512 KiB of pages a connection (SQLite's default is 2 MiB): the queries read a few
         * index pages, the OS caches the file anyway, and a kiosk runs three connections. */
        exec(st, "PRAGMA cache_size=-512", err, errlen))
        goto fail;
    if (migrate(st, err, errlen))
        goto fail;
    ck_pii_init(st, path);
    if (seal_in_clear(st, err, errlen))
        goto fail;
    if (prepare(st, &st->ins_request,
                "INSERT INTO requests(receipt, service_code, service_name, address_string, lat,"
                " long, description, first_name, last_name, email, phone, lang, requested_at,"
                " created_at, pii_key) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                err, errlen) ||
        prepare(st, &st->ins_attr,
                "INSERT INTO request_attributes(request_id, ord, code, value, multi) VALUES(?,?,?,?,?)",
                err, errlen) ||
        prepare(st, &st->ins_outbox,
                "INSERT INTO outbox(request_id, state, updated_at) VALUES(?, 'queued', ?)", err,
                errlen) ||
        prepare(st, &st->has_receipt, "SELECT 1 FROM requests WHERE receipt=?", err, errlen))
        goto fail;
    return st;
fail:
    ck_store_close(st);
    return NULL;
}

void ck_store_close(struct ck_store *st)
{
    if (!st)
        return;
    if (st->db)
        ck_pii_scrub(st, true);
    ck_pii_deinit(st);
    sqlite3_finalize(st->ins_request);
    sqlite3_finalize(st->ins_attr);
    sqlite3_finalize(st->ins_outbox);
    sqlite3_finalize(st->has_receipt);
    sqlite3_close_v2(st->db);
    free(st);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Step a statement that returns no rows; reset it either way. */
static int step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static enum ck_err new_receipt(struct ck_store *st, const char *kiosk_id, char *out, char *err,
                               size_t errlen)
{
    for (int tries = 0; tries < 32; tries++) {
        uint8_t rnd[CK_RECEIPT_RANDOM];
        ck_random_bytes(rnd, sizeof rnd);
        ck_receipt_make(kiosk_id, rnd, out);
        sqlite3_bind_text(st->has_receipt, 1, out, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st->has_receipt);
        sqlite3_reset(st->has_receipt);
        if (rc == SQLITE_DONE)
            return CK_OK;
        if (rc != SQLITE_ROW)
            return db_fail(st, err, errlen, "checking a receipt code");
    }
    return ck_fail(err, errlen, CK_ERR_DB, "could not find a free receipt code");
}

enum ck_err ck_store_submit(struct ck_store *st, const char *kiosk_id, struct ck_request *req,
                            char *err, size_t errlen)
{
    enum ck_err rc = exec(st, "BEGIN IMMEDIATE", err, errlen);
    if (rc)
        return rc;
    char receipt[CK_RECEIPT_LEN + 1];
    unsigned char *sealed[NPERSONAL] = {0};
    size_t sealed_len[NPERSONAL] = {0};
    rc = new_receipt(st, kiosk_id, receipt, err, errlen);
    if (rc)
        goto rollback;
    /* Personal fields reach the file sealed, bound to this receipt and column. */
    const char *personal[NPERSONAL] = {req->first_name, req->last_name, req->email, req->phone};
    bool any_personal = false;
    for (int i = 0; i < NPERSONAL; i++) {
        if (!personal[i] || !*personal[i])
            continue;
        rc = ck_pii_seal(st, receipt, PERSONAL[i], personal[i], &sealed[i], &sealed_len[i], err,
                         errlen);
        if (rc)
            goto rollback;
        any_personal = true;
    }
    time_t now = ck_clock_wall();
    if (!req->requested_at[0])
        ck_clock_iso8601(now, req->requested_at, sizeof req->requested_at);
    sqlite3_stmt *s = st->ins_request;
    sqlite3_bind_text(s, 1, receipt, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, req->service_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, req->service_name ? req->service_name : req->service_code, -1,
                      SQLITE_STATIC);
    bind_text(s, 4, req->address_string);
    if (req->has_latlon) {
        sqlite3_bind_double(s, 5, req->lat);
        sqlite3_bind_double(s, 6, req->lon);
    }
    bind_text(s, 7, req->description);
    for (int i = 0; i < NPERSONAL; i++) {
        if (sealed[i])
            sqlite3_bind_blob(s, 8 + i, sealed[i], (int)sealed_len[i], SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 8 + i);
    }
    sqlite3_bind_text(s, 12, req->lang[0] ? req->lang : "en", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 13, req->requested_at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 14, (sqlite3_int64)now);
    bind_text(s, 15, any_personal ? st->key_id : NULL);
    if (step_done(s) != SQLITE_OK) {
        rc = db_fail(st, err, errlen, "saving the request");
        goto rollback;
    }
    sqlite3_int64 id = sqlite3_last_insert_rowid(st->db);
    for (size_t i = 0; i < req->nattrs; i++) {
        s = st->ins_attr;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)i);
        sqlite3_bind_text(s, 3, req->attrs[i].code, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, req->attrs[i].value, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 5, req->attrs[i].multi);
        if (step_done(s) != SQLITE_OK) {
            rc = db_fail(st, err, errlen, "saving an answer");
            goto rollback;
        }
    }
    s = st->ins_outbox;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
    if (step_done(s) != SQLITE_OK) {
        rc = db_fail(st, err, errlen, "queueing the request");
        goto rollback;
    }
    rc = exec(st, "COMMIT", err, errlen);
    if (rc) {
        /* A failed sync may leave the commit frame in the WAL file, uncounted: a restart before
         * the next write would recover a request its resident was told was not saved. One
         * small write now lands where that frame began and breaks its checksum chain. */
        exec(st, "ROLLBACK", NULL, 0);
        char sql[48];
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", ck_store_schema_version(st));
        exec(st, sql, NULL, 0);
        goto out;
    }
    memcpy(req->receipt, receipt, sizeof receipt);
    req->id = id;
    goto out;
rollback:
    exec(st, "ROLLBACK", NULL, 0);
out:
    for (int i = 0; i < NPERSONAL; i++)
        free(sealed[i]);
    return rc;
}

static void copy_col(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

static char *dup_col(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? strdup((const char *)t) : NULL;
}

#define STATUS_COLS                                                                            \
    "r.receipt, r.service_code, r.service_name, r.requested_at, o.state, o.service_request_id," \
    " o.last_error, o.attempts, o.updated_at, o.delivered_at, o.upstream_status, o.status_notes," \
    " o.upstream_updated, o.status_fetched_at"

static void read_status(sqlite3_stmt *s, int c, struct ck_request_status *out)
{
    memset(out, 0, sizeof *out);
    copy_col(s, c + 0, out->receipt, sizeof out->receipt);
    copy_col(s, c + 1, out->service_code, sizeof out->service_code);
    copy_col(s, c + 2, out->service_name, sizeof out->service_name);
    copy_col(s, c + 3, out->requested_at, sizeof out->requested_at);
    const unsigned char *state = sqlite3_column_text(s, c + 4);
    if (!state || !ck_outbox_state_parse((const char *)state, &out->state))
        out->state = CK_OUTBOX_QUEUED;
    copy_col(s, c + 5, out->service_request_id, sizeof out->service_request_id);
    copy_col(s, c + 6, out->last_error, sizeof out->last_error);
    out->attempts = sqlite3_column_int(s, c + 7);
    out->updated_at = (time_t)sqlite3_column_int64(s, c + 8);
    out->delivered_at = (time_t)sqlite3_column_int64(s, c + 9);
    copy_col(s, c + 10, out->upstream_status, sizeof out->upstream_status);
    copy_col(s, c + 11, out->status_notes, sizeof out->status_notes);
    copy_col(s, c + 12, out->upstream_updated, sizeof out->upstream_updated);
    out->status_fetched_at = (time_t)sqlite3_column_int64(s, c + 13);
}

enum ck_err ck_store_lookup(struct ck_store *st, const char *receipt, struct ck_request_status *out,
                            char *err, size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT " STATUS_COLS " FROM requests r JOIN outbox o"
                           " ON o.request_id = r.id WHERE r.receipt = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "looking up a receipt");
    sqlite3_bind_text(s, 1, receipt, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum ck_err e = CK_OK;
    if (rc == SQLITE_ROW)
        read_status(s, 0, out);
    else if (rc == SQLITE_DONE)
        e = ck_fail(err, errlen, CK_ERR_NOT_FOUND, "no request with receipt %s", receipt);
    else
        e = db_fail(st, err, errlen, "looking up a receipt");
    sqlite3_finalize(s);
    return e;
}

static enum ck_err load_attrs(struct ck_store *st, struct ck_request *req, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT code, value, multi FROM request_attributes WHERE request_id=?"
                           " ORDER BY ord",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "reading answers");
    sqlite3_bind_int64(s, 1, req->id);
    enum ck_err rc = CK_OK;
    while (!rc && sqlite3_step(s) == SQLITE_ROW) {
        rc = ck_request_add_attr(req, (const char *)sqlite3_column_text(s, 0),
                                 (const char *)sqlite3_column_text(s, 1));
        if (!rc)
            req->attrs[req->nattrs - 1].multi = sqlite3_column_int(s, 2) != 0;
    }
    sqlite3_finalize(s);
    return rc;
}

#define REQUEST_COLS                                                                        \
    "r.id, r.service_code, r.service_name, r.address_string, r.lat, r.long, r.description," \
    " r.first_name, r.last_name, r.email, r.phone, r.lang, r.requested_at, r.receipt, r.pii_key"
#define NREQUEST_COLS 15

/* The personal fields of a row read with REQUEST_COLS (receipt already in req). unseal: opened
 * for delivery; otherwise a field that is there reads as "" (present, not read), so that staff
 * tools never hold a resident's details. */
static enum ck_err read_personal(struct ck_store *st, sqlite3_stmt *s, struct ck_request *req,
                                 bool unseal, char *err, size_t errlen)
{
    char **field[NPERSONAL] = {&req->first_name, &req->last_name, &req->email, &req->phone};
    const char *sealed_by = (const char *)sqlite3_column_text(s, 14);
    for (int i = 0; i < NPERSONAL; i++) {
        int col = 7 + i, type = sqlite3_column_type(s, col);
        if (type == SQLITE_NULL)
            continue;
        if (!unseal || type == SQLITE_TEXT) /* TEXT: kept in clear by an earlier version */
            *field[i] = unseal ? dup_col(s, col) : strdup("");
        else if (!st->key || !sealed_by || strcmp(sealed_by, st->key_id) != 0)
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "the contact details of %s were sealed with key %s, and this kiosk's "
                           "key is %s: the request waits until that key is back",
                           req->receipt, sealed_by ? sealed_by : "(unknown)",
                           st->key ? st->key_id : st->key_problem);
        else {
            enum ck_err rc = ck_pii_unseal(st, req->receipt, PERSONAL[i],
                                           sqlite3_column_blob(s, col),
                                           (size_t)sqlite3_column_bytes(s, col), field[i], err,
                                           errlen);
            if (rc)
                return rc;
        }
        if (!*field[i])
            return ck_fail(err, errlen, CK_ERR_NOMEM, "out of memory");
    }
    return CK_OK;
}

static enum ck_err read_request(struct ck_store *st, sqlite3_stmt *s, struct ck_request *req,
                                bool unseal, char *err, size_t errlen)
{
    req->id = sqlite3_column_int64(s, 0);
    req->service_code = dup_col(s, 1);
    req->service_name = dup_col(s, 2);
    req->address_string = dup_col(s, 3);
    if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
        req->has_latlon = true;
        req->lat = sqlite3_column_double(s, 4);
        req->lon = sqlite3_column_double(s, 5);
    }
    req->description = dup_col(s, 6);
    copy_col(s, 11, req->lang, sizeof req->lang);
    copy_col(s, 12, req->requested_at, sizeof req->requested_at);
    copy_col(s, 13, req->receipt, sizeof req->receipt);
    return read_personal(st, s, req, unseal, err, errlen);
}

enum ck_err ck_store_load(struct ck_store *st, const char *receipt, struct ck_request *req,
                          char *err, size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT " REQUEST_COLS " FROM requests r WHERE r.receipt=?", -1,
                           &s, NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "reading a request");
    sqlite3_bind_text(s, 1, receipt, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum ck_err e = CK_OK;
    if (rc == SQLITE_ROW) {
        e = read_request(st, s, req, true, err, errlen);
        if (!e)
            e = load_attrs(st, req, err, errlen);
    } else if (rc == SQLITE_DONE) {
        e = ck_fail(err, errlen, CK_ERR_NOT_FOUND, "no request with receipt %s", receipt);
    } else {
        e = db_fail(st, err, errlen, "reading a request");
    }
    sqlite3_finalize(s);
    return e;
}

enum ck_err ck_store_each(struct ck_store *st,
                          bool (*fn)(const struct ck_request *, const struct ck_request_status *,
                                     void *),
                          void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT " REQUEST_COLS ", " STATUS_COLS " FROM requests r JOIN outbox o"
                           " ON o.request_id = r.id ORDER BY r.id",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "listing requests");
    enum ck_err e = CK_OK;
    int rc;
    while (!e && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct ck_request req;
        struct ck_request_status status;
        ck_request_init(&req);
        e = read_request(st, s, &req, false, err, errlen);
        read_status(s, NREQUEST_COLS, &status);
        if (!e)
            e = load_attrs(st, &req, err, errlen);
        bool more = !e && fn(&req, &status, ctx);
        ck_request_deinit(&req);
        if (!more)
            break;
    }
    sqlite3_finalize(s);
    return e;
}

enum ck_err ck_store_add_rating(struct ck_store *st, int rating, char *err, size_t errlen)
{
    if (rating < 1 || rating > 5)
        return ck_fail(err, errlen, CK_ERR_INVALID, "a rating is 1 to 5, not %d", rating);
    char day[32];
    ck_clock_iso8601(ck_clock_wall(), day, sizeof day);
    day[10] = '\0';
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO ratings(rating, day) VALUES(?, ?)", -1, &s, NULL) !=
        SQLITE_OK)
        return db_fail(st, err, errlen, "saving a rating");
    sqlite3_bind_int(s, 1, rating);
    sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? CK_OK : db_fail(st, err, errlen, "saving a rating");
}

enum ck_err ck_store_rating_counts(struct ck_store *st, int counts[5], char *err, size_t errlen)
{
    memset(counts, 0, 5 * sizeof counts[0]);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT rating, count(*) FROM ratings GROUP BY rating", -1, &s,
                           NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "counting ratings");
    while (sqlite3_step(s) == SQLITE_ROW) {
        int r = sqlite3_column_int(s, 0);
        if (r >= 1 && r <= 5)
            counts[r - 1] = sqlite3_column_int(s, 1);
    }
    sqlite3_finalize(s);
    return CK_OK;
}

enum ck_err ck_store_cx_session(struct ck_store *st, bool completed, const char *last_screen,
                                int seconds, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO cx_sessions(ended_at, completed, last_screen, seconds) "
                           "VALUES(?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "recording a session");
    sqlite3_bind_int64(s, 1, (sqlite3_int64)ck_clock_wall());
    sqlite3_bind_int(s, 2, completed);
    sqlite3_bind_text(s, 3, last_screen, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, seconds < 0 ? 0 : seconds);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? CK_OK : db_fail(st, err, errlen, "recording a session");
}

enum ck_err ck_store_cx_stats(struct ck_store *st, struct ck_cx_stats *out, char *err,
                              size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT completed, last_screen, count(*) FROM cx_sessions "
                           "GROUP BY completed, last_screen ORDER BY last_screen",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "counting sessions");
    while (sqlite3_step(s) == SQLITE_ROW) {
        int n = sqlite3_column_int(s, 2);
        out->started += n;
        if (sqlite3_column_int(s, 0)) {
            out->completed += n;
        } else if (out->nscreens < CK_CX_SCREENS) {
            const unsigned char *name = sqlite3_column_text(s, 1);
            snprintf(out->abandoned[out->nscreens].screen, sizeof out->abandoned[0].screen, "%s",
                     name ? (const char *)name : "");
            out->abandoned[out->nscreens++].count = n;
        }
    }
    sqlite3_finalize(s);
    /* The median time to submit, over the last 100 submitted. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT seconds FROM (SELECT seconds FROM cx_sessions WHERE completed "
                           "ORDER BY id DESC LIMIT 100) ORDER BY seconds",
                           -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, err, errlen, "timing sessions");
    int secs[100], n = 0;
    while (n < 100 && sqlite3_step(s) == SQLITE_ROW)
        secs[n++] = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    out->median_seconds = n ? (n % 2 ? secs[n / 2] : (secs[n / 2 - 1] + secs[n / 2]) / 2) : -1;
    return ck_store_rating_counts(st, out->ratings, err, errlen);
}

bool ck_store_key_ok(struct ck_store *st, char *why, size_t whylen)
{
    sqlite3_stmt *s;
    int waiting = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT count(*) FROM requests WHERE pii_key IS NOT NULL"
                           " AND pii_key IS NOT ?",
                           -1, &s, NULL) == SQLITE_OK) {
        bind_text(s, 1, st->key ? st->key_id : NULL);
        if (sqlite3_step(s) == SQLITE_ROW)
            waiting = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    char others[160] = "";
    if (waiting)
        snprintf(others, sizeof others,
                 "%d request(s) wait for the key that sealed their contact details", waiting);
    if (!st->key)
        snprintf(why, whylen, "no key for contact details, so requests with them cannot be "
                 "saved: %s%s%s", st->key_problem, waiting ? "; " : "", others);
    else if (waiting)
        snprintf(why, whylen, "%s (this kiosk's key is %s; see docs/privacy.md)", others,
                 st->key_id);
    return st->key && !waiting;
}
