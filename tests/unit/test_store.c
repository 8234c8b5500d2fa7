/* The store: a submitted request and its outbox row are committed together and survive a
 * reopen; the file is in WAL mode with synchronous=FULL; migrations run by user_version; codes
 * are unique; a database from newer software is refused with a clear message. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/request.h"
#include "store/store.h"

static char dir[] = "/tmp/ck-test-store-XXXXXX";
static char path[256];

static bool count_rows(const struct ck_request *r, const struct ck_request_status *s, void *ctx)
{
    (void)r, (void)s;
    (*(int *)ctx)++;
    return true;
}

static void pragma_is(const char *pragma, const char *expect)
{
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_stmt *s;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA %s", pragma);
    sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(s, 0), expect);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

int main(void)
{
    char err[CK_ERR_LEN];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/kiosk.db", dir);

    struct ck_store *st = ck_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    CHECK(ck_store_schema_version(st) == CK_STORE_SCHEMA_VERSION);

    struct ck_request req;
    ck_request_init(&req);
    ck_request_set(&req.service_code, "pothole");
    ck_request_set(&req.service_name, "Pothole");
    ck_request_add_attr(&req, "size", "large");
    ck_request_add_attr(&req, "bins", "trash");
    ck_request_add_attr(&req, "bins", "recycling");
    ck_request_set(&req.address_string, "120 Main St");
    ck_request_set(&req.description, "Deep hole near the bus stop");
    ck_request_set(&req.email, "resident@example.com");
    snprintf(req.lang, sizeof req.lang, "es");
    CHECK(ck_store_submit(st, "R7", &req, err, sizeof err) == CK_OK);
    CHECK(req.id > 0);
    CHECK(strlen(req.receipt) == CK_RECEIPT_LEN);
    CHECK(strncmp(req.receipt, "R7", 2) == 0);
    char receipt[CK_RECEIPT_LEN + 1], canon[CK_RECEIPT_LEN + 1];
    memcpy(receipt, req.receipt, sizeof receipt);
    CHECK(ck_receipt_parse(receipt, canon) == CK_RECEIPT_OK);
    CHECK(req.requested_at[0] != '\0');
    ck_request_deinit(&req);
    ck_store_close(st);

    /* the durability settings are on the file, not just on our connection */
    pragma_is("journal_mode", "wal");

    /* reopen: everything is there, queued */
    st = ck_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    struct ck_request back;
    ck_request_init(&back);
    CHECK(ck_store_load(st, receipt, &back, err, sizeof err) == CK_OK);
    CHECK_STR(back.service_code, "pothole");
    CHECK_STR(back.address_string, "120 Main St");
    CHECK_STR(back.description, "Deep hole near the bus stop");
    CHECK_STR(back.email, "resident@example.com");
    CHECK(back.phone == NULL);
    CHECK_STR(back.lang, "es");
    CHECK(back.nattrs == 3);
    if (back.nattrs == 3) {
        CHECK_STR(back.attrs[0].code, "size");
        CHECK_STR(back.attrs[2].value, "recycling");
    }
    ck_request_deinit(&back);
    struct ck_request_status status;
    CHECK(ck_store_lookup(st, receipt, &status, err, sizeof err) == CK_OK);
    CHECK(status.state == CK_OUTBOX_QUEUED);
    CHECK_STR(status.service_name, "Pothole");
    CHECK(ck_store_lookup(st, "R7000000000", &status, err, sizeof err) == CK_ERR_NOT_FOUND);

    /* many submissions: every code distinct (the UNIQUE index backs the retry) */
    for (int i = 0; i < 2000; i++) {
        struct ck_request r;
        ck_request_init(&r);
        ck_request_set(&r.service_code, "graffiti");
        CHECK(ck_store_submit(st, "R7", &r, err, sizeof err) == CK_OK);
        ck_request_deinit(&r);
    }
    int rows = 0;
    CHECK(ck_store_each(st, count_rows, &rows, err, sizeof err) == CK_OK);
    CHECK(rows == 2001);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db, "SELECT count(DISTINCT receipt), (SELECT count(*) FROM outbox) FROM requests", -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK(sqlite3_column_int(s, 0) == 2001);
    CHECK(sqlite3_column_int(s, 1) == 2001);
    sqlite3_finalize(s);

    /* ratings carry no link to any request */
    CHECK(ck_store_add_rating(st, 5, err, sizeof err) == CK_OK);
    CHECK(ck_store_add_rating(st, 9, err, sizeof err) == CK_ERR_INVALID);
    int counts[5];
    CHECK(ck_store_rating_counts(st, counts, err, sizeof err) == CK_OK);
    CHECK(counts[4] == 1);
    ck_store_close(st);

    /* a file from newer software is refused, not damaged */
    sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL);
    sqlite3_close(db);
    st = ck_store_open(path, err, sizeof err);
    CHECK(st == NULL);
    CHECK(strstr(err, "newer than this software") != NULL);

    /* a file that is not a database is refused with a message */
    char junk[300];
    snprintf(junk, sizeof junk, "%s/junk.db", dir);
    FILE *f = fopen(junk, "w");
    fputs("this is not a database, just text that is long enough to look like a header......", f);
    fclose(f);
    st = ck_store_open(junk, err, sizeof err);
    CHECK(st == NULL);
    CHECK(err[0] != '\0');

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return ck_check_report();
}
