/* The delivery queue: a database from the first release migrates with its requests intact (and
 * its contact details, kept in clear then, sealed); rows fall due oldest first; an interrupted
 * send comes back as "look upstream first"; delivery wipes the personal fields and nothing else,
 * and their bytes leave the database and WAL files while the kiosk runs; a parked request
 * carries the server's message until staff retry it; a request sealed with another key is not
 * due; the catalog cache keeps what it was given. */
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/clock.h"
#include "core/request.h"
#include "store/outbox.h"
#include "store/store.h"

static char dir[] = "/tmp/ck-test-outbox-XXXXXX";

/* Schema 1 as the first release wrote it, with one request in it. */
static void make_v1(const char *path)
{
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    const char *sql =
        "CREATE TABLE requests(id INTEGER PRIMARY KEY, receipt TEXT NOT NULL UNIQUE,"
        " service_code TEXT NOT NULL, service_name TEXT NOT NULL, address_string TEXT,"
        " lat REAL, long REAL, description TEXT, first_name TEXT, last_name TEXT, email TEXT,"
        " phone TEXT, lang TEXT NOT NULL, requested_at TEXT NOT NULL, created_at INTEGER NOT NULL);"
        "CREATE TABLE request_attributes(request_id INTEGER NOT NULL REFERENCES requests(id)"
        " ON DELETE CASCADE, ord INTEGER NOT NULL, code TEXT NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY(request_id, ord));"
        "CREATE TABLE outbox(request_id INTEGER PRIMARY KEY REFERENCES requests(id) ON DELETE"
        " CASCADE, state TEXT NOT NULL CHECK(state IN ('queued','sending','awaiting_token',"
        "'delivered','parked')), attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER"
        " NOT NULL DEFAULT 0, service_request_id TEXT, token TEXT, last_error TEXT,"
        " updated_at INTEGER NOT NULL);"
        "CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
        "CREATE TABLE ratings(id INTEGER PRIMARY KEY, rating INTEGER NOT NULL CHECK(rating"
        " BETWEEN 1 AND 5), day TEXT NOT NULL);"
        "INSERT INTO requests VALUES(1,'R7QW2BTHPM','pothole','Pothole','120 Main St',NULL,NULL,"
        "'Deep','Ana',NULL,'ana@example.com',NULL,'en','2026-11-24T09:00:00-05:00',1795528800);"
        "INSERT INTO request_attributes VALUES(1,0,'size','large');"
        "INSERT INTO outbox(request_id,state,updated_at) VALUES(1,'queued',1795528800);"
        "PRAGMA user_version=1;";
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

static void write_key(const char *file)
{
    unsigned char key[32];
    FILE *r = fopen("/dev/urandom", "rb");
    CHECK(r && fread(key, 1, sizeof key, r) == sizeof key);
    if (r)
        fclose(r);
    FILE *f = fopen(file, "wb");
    CHECK(f && fwrite(key, 1, sizeof key, f) == sizeof key);
    if (f)
        fclose(f);
    chmod(file, 0600);
}

/* Whether the raw bytes of the database or its WAL hold needle (n bytes). */
static bool files_have(const char *db, const void *needle, size_t n)
{
    static unsigned char buf[1 << 22];
    for (int i = 0; i < 2; i++) {
        char file[300];
        snprintf(file, sizeof file, "%s%s", db, i ? "-wal" : "");
        FILE *f = fopen(file, "rb");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (memmem(buf, len, needle, n))
            return true;
    }
    return false;
}

/* The sealed email of a request as stored (at most 128 bytes), read on another connection. */
static size_t sealed_email(sqlite3 *raw, const char *receipt, unsigned char *out)
{
    sqlite3_stmt *s;
    size_t n = 0;
    sqlite3_prepare_v2(raw, "SELECT email FROM requests WHERE receipt=?", -1, &s, NULL);
    sqlite3_bind_text(s, 1, receipt, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_BLOB) {
        n = (size_t)sqlite3_column_bytes(s, 0);
        n = n > 128 ? 128 : n;
        memcpy(out, sqlite3_column_blob(s, 0), n);
    }
    sqlite3_finalize(s);
    return n;
}

static long long submit(struct ck_store *st, const char *code, char *receipt)
{
    char err[CK_ERR_LEN];
    struct ck_request r;
    ck_request_init(&r);
    ck_request_set(&r.service_code, code);
    ck_request_set(&r.first_name, "Ana");
    ck_request_set(&r.last_name, "Torres");
    ck_request_set(&r.email, "ana@example.com");
    ck_request_set(&r.phone, "555-0100");
    ck_request_set(&r.description, "A hole");
    ck_request_add_attr(&r, "lanes", "left");
    r.attrs[0].multi = true;
    CHECK(ck_store_submit(st, "R7", &r, err, sizeof err) == CK_OK);
    memcpy(receipt, r.receipt, CK_RECEIPT_LEN + 1);
    long long id = r.id;
    ck_request_deinit(&r);
    return id;
}

int main(void)
{
    char err[CK_ERR_LEN], path[256], key[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    snprintf(key, sizeof key, "%s/pii.key", dir);
    write_key(key);
    setenv("CK_KEY_FILE", key, 1);

    /* 1. migration from schema 1 keeps the request, queued, and adds the new columns; its
     * contact details, kept in clear then, are sealed and their clear bytes leave the files */
    make_v1(path);
    struct ck_store *st = ck_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    CHECK(ck_store_schema_version(st) == CK_STORE_SCHEMA_VERSION);
    CHECK(!files_have(path, "ana@example.com", 15));
    /* A second connection, as the kiosk has (UI and worker): closing one must not be what
     * scrubs the WAL, so every check of the files below holds while the kiosk runs. */
    sqlite3 *raw;
    CHECK(sqlite3_open(path, &raw) == SQLITE_OK);
    unsigned char blob[128];
    CHECK(sealed_email(raw, "R7QW2BTHPM", blob) > 15);
    struct ck_request_status status;
    CHECK(ck_store_lookup(st, "R7QW2BTHPM", &status, err, sizeof err) == CK_OK);
    CHECK(status.state == CK_OUTBOX_QUEUED);
    CHECK(status.upstream_status[0] == '\0' && status.delivered_at == 0);
    struct ck_request old;
    ck_request_init(&old);
    CHECK(ck_store_load(st, "R7QW2BTHPM", &old, err, sizeof err) == CK_OK);
    CHECK(old.nattrs == 1 && !old.attrs[0].multi);
    CHECK_STR(old.email, "ana@example.com");
    ck_request_deinit(&old);

    /* 2. due rows, oldest first, skipping those in flight; multi answers survive */
    char r1[CK_RECEIPT_LEN + 1], r2[CK_RECEIPT_LEN + 1];
    long long id1 = submit(st, "graffiti", r1);
    long long id2 = submit(st, "streetlight", r2);
    struct ck_outbox_item items[8];
    size_t n = 0;
    CHECK(ck_outbox_due(st, time(NULL), NULL, 0, items, 8, &n, err, sizeof err) == CK_OK);
    CHECK(n == 3);
    long long skip[] = {1};
    CHECK(ck_outbox_due(st, time(NULL), skip, 1, items, 8, &n, err, sizeof err) == CK_OK);
    CHECK(n == 2 && items[0].id == id1 && items[1].id == id2);
    CHECK_STR(items[0].service_code, "graffiti");
    struct ck_request back;
    ck_request_init(&back);
    CHECK(ck_store_load(st, r1, &back, err, sizeof err) == CK_OK);
    CHECK(back.nattrs == 1 && back.attrs[0].multi);
    ck_request_deinit(&back);

    /* 3. a send cut off by a crash comes back queued with unknown_outcome */
    CHECK(ck_outbox_sending(st, id1, err, sizeof err) == CK_OK);
    CHECK(ck_store_lookup(st, r1, &status, err, sizeof err) == CK_OK);
    CHECK(status.state == CK_OUTBOX_SENDING && status.attempts == 1);
    int recovered = 0;
    CHECK(ck_outbox_recover(st, &recovered, err, sizeof err) == CK_OK && recovered == 1);
    CHECK(ck_outbox_due(st, time(NULL), skip, 1, items, 8, &n, err, sizeof err) == CK_OK);
    CHECK(n == 2 && items[0].id == id1 && items[0].unknown_outcome && !items[1].unknown_outcome);

    /* 4. a retry is not due before its time, and keeps its reason */
    CHECK(ck_outbox_retry(st, id2, CK_OUTBOX_QUEUED, false, time(NULL) + 60, "HTTP 503: CRM down",
                          err, sizeof err) == CK_OK);
    CHECK(ck_outbox_due(st, time(NULL), skip, 1, items, 8, &n, err, sizeof err) == CK_OK);
    CHECK(n == 1 && items[0].id == id1);
    CHECK(ck_outbox_next_due(st) > 0 && ck_outbox_next_due(st) <= time(NULL));
    CHECK(ck_store_lookup(st, r2, &status, err, sizeof err) == CK_OK);
    CHECK_STR(status.last_error, "HTTP 503: CRM down");

    /* 5. delivered: the id recorded, the personal fields gone, the rest kept; their sealed
     * bytes leave the database and the WAL (a scrub at most once a second: the next turn of the
     * worker's loop does one postponed) */
    size_t blob_len = sealed_email(raw, r1, blob);
    CHECK(blob_len > 15 && files_have(path, blob, blob_len));
    CHECK(ck_store_begin(st, err, sizeof err) == CK_OK);
    CHECK(ck_outbox_delivered(st, id1, "RVT-1", err, sizeof err) == CK_OK);
    ck_outbox_note(st, true, "R7 delivered as RVT-1");
    CHECK(ck_store_commit(st, err, sizeof err) == CK_OK);
    ck_clock_advance_ms(1000);
    ck_outbox_next_due(st);
    CHECK(!files_have(path, blob, blob_len));
    struct stat wal;
    char wal_path[300];
    snprintf(wal_path, sizeof wal_path, "%s-wal", path);
    CHECK(stat(wal_path, &wal) == 0 && wal.st_size == 0);
    ck_request_init(&back);
    CHECK(ck_store_load(st, r1, &back, err, sizeof err) == CK_OK);
    CHECK(!back.first_name && !back.last_name && !back.email && !back.phone);
    CHECK_STR(back.description, "A hole");
    CHECK(back.nattrs == 1);
    ck_request_deinit(&back);
    CHECK(ck_store_lookup(st, r1, &status, err, sizeof err) == CK_OK);
    CHECK(status.state == CK_OUTBOX_DELIVERED && status.delivered_at > 0);
    CHECK_STR(status.service_request_id, "RVT-1");

    /* 6. a token: awaiting, then due for a poll, personal fields already gone */
    blob_len = sealed_email(raw, r2, blob);
    CHECK(ck_outbox_awaiting_token(st, id2, "tok-1", time(NULL) - 1, err, sizeof err) == CK_OK);
    ck_clock_advance_ms(1000);
    ck_outbox_next_due(st);
    CHECK(blob_len > 15 && !files_have(path, blob, blob_len));
    CHECK(ck_outbox_due(st, time(NULL), skip, 1, items, 8, &n, err, sizeof err) == CK_OK);
    CHECK(n == 1 && items[0].state == CK_OUTBOX_AWAITING_TOKEN);
    CHECK_STR(items[0].token, "tok-1");

    /* 7. parked with the server's message; staff retry puts it back, due now */
    CHECK(ck_outbox_park(st, 1, "HTTP 400: 400: Address is outside the city", err, sizeof err) ==
          CK_OK);
    CHECK(ck_outbox_due(st, time(NULL), NULL, 0, items, 8, &n, err, sizeof err) == CK_OK);
    CHECK(n == 1); /* only the token poll */
    struct ck_outbox_stats stats;
    CHECK(ck_outbox_stats(st, &stats, err, sizeof err) == CK_OK);
    CHECK(stats.parked == 1 && stats.delivered == 1 && stats.queued == 1 &&
          stats.awaiting_token == 1);
    CHECK(stats.last_success > 0);
    CHECK_STR(stats.last_success_detail, "R7 delivered as RVT-1");
    CHECK(ck_outbox_unpark(st, r1, err, sizeof err) == CK_ERR_NOT_FOUND); /* not parked */
    CHECK(ck_outbox_unpark(st, "R7QW2BTHPM", err, sizeof err) == CK_OK);
    CHECK(ck_outbox_due(st, time(NULL), NULL, 0, items, 8, &n, err, sizeof err) == CK_OK);
    CHECK(n == 2);

    /* 7b. another connection with another key: the request sealed with this one is not due for
     * it (nor counted as due), the token poll is; nothing is changed */
    char other[256];
    snprintf(other, sizeof other, "%s/other.key", dir);
    write_key(other);
    setenv("CK_KEY_FILE", other, 1);
    struct ck_store *st2 = ck_store_open(path, err, sizeof err);
    CHECK(st2 != NULL);
    CHECK(ck_outbox_due(st2, time(NULL), NULL, 0, items, 8, &n, err, sizeof err) == CK_OK);
    CHECK(n == 1 && items[0].id == id2);
    CHECK(ck_outbox_retry(st2, id2, CK_OUTBOX_AWAITING_TOKEN, false, time(NULL) + 60, "later", err,
                          sizeof err) == CK_OK);
    CHECK(ck_outbox_next_due(st2) >= time(NULL) + 59); /* the waiting one does not count */
    char why[CK_ERR_LEN];
    CHECK(!ck_store_key_ok(st2, why, sizeof why) && strstr(why, "1 request(s) wait") != NULL);
    ck_store_close(st2);
    setenv("CK_KEY_FILE", key, 1);
    CHECK(ck_outbox_next_due(st) > 0 && ck_outbox_next_due(st) <= time(NULL));

    /* 8. the upstream status, as last fetched */
    CHECK(ck_outbox_set_status(st, r1, "closed", "Filled", "2026-11-25T10:00:00-05:00", err,
                               sizeof err) == CK_OK);
    CHECK(ck_store_lookup(st, r1, &status, err, sizeof err) == CK_OK);
    CHECK_STR(status.upstream_status, "closed");
    CHECK_STR(status.status_notes, "Filled");
    CHECK(status.status_fetched_at > 0);

    /* 9. the catalog cache */
    char *body = NULL;
    CHECK(ck_store_cache_get(st, "catalog", &body, NULL, err, sizeof err) == CK_ERR_NOT_FOUND);
    CHECK(ck_store_cache_put(st, "catalog", "{\"services\":[]}", 100, err, sizeof err) == CK_OK);
    CHECK(ck_store_cache_put(st, "catalog", "{\"services\":[1]}", 200, err, sizeof err) == CK_OK);
    time_t at = 0;
    CHECK(ck_store_cache_get(st, "catalog", &body, &at, err, sizeof err) == CK_OK);
    CHECK_STR(body, "{\"services\":[1]}");
    CHECK(at == 200);
    free(body);

    ck_store_close(st);
    sqlite3_close(raw);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return ck_check_report();
}
