/* The store: a submitted request and its outbox row are committed together and survive a
 * reopen; the file is in WAL mode with synchronous=FULL; migrations run by user_version; codes
 * are unique; a database from newer software is refused with a clear message. Contact details
 * are sealed with the kiosk's key, which is not in the file: without it, or with another one,
 * nothing is lost, guessed or stored in clear. */
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/request.h"
#include "platform/platform.h"
#include "store/store.h"

static char dir[] = "/tmp/ck-test-store-XXXXXX";
static char path[256];

static bool count_rows(const struct ck_request *r, const struct ck_request_status *s, void *ctx)
{
    (void)r, (void)s;
    (*(int *)ctx)++;
    return true;
}

/* A 32-byte random key file with the given mode. */
static void write_key(const char *file, mode_t mode)
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
    chmod(file, mode);
}

/* Whether the raw bytes of a file (absent: none) hold needle. */
static bool file_has(const char *file, const void *needle, size_t n)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return false;
    static unsigned char buf[1 << 22];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return memmem(buf, len, needle, n) != NULL;
}

static bool first_email(const struct ck_request *r, const struct ck_request_status *s, void *ctx)
{
    (void)s;
    *(const char **)ctx = r->email ? (r->email[0] ? "(text)" : "(present)") : "(none)";
    return false;
}

static char *submit_contact(struct ck_store *st, const char *email, enum ck_err expect)
{
    char err[CK_ERR_LEN];
    static char receipt[CK_RECEIPT_LEN + 1];
    struct ck_request r;
    ck_request_init(&r);
    ck_request_set(&r.service_code, "graffiti");
    ck_request_set(&r.email, email);
    ck_request_set(&r.phone, "555-0199");
    enum ck_err rc = ck_store_submit(st, "R7", &r, err, sizeof err);
    CHECK(rc == expect);
    if (rc != expect)
        fprintf(stderr, "  submit: %s\n", err);
    snprintf(receipt, sizeof receipt, "%s", rc ? "" : r.receipt);
    ck_request_deinit(&r);
    return receipt;
}

/* Contact details at rest: sealed in the file; opened by ck_store_load alone; another key, no
 * key or a key open to others: clear words, the rows kept and waiting; a sealed value moved to
 * another row does not open; a developer's key is made beside the data dir, 0600. */
static void test_keys(void)
{
    char err[CK_ERR_LEN], why[CK_ERR_LEN], kdir[300], db[400], wal[410], key_a[300], key_b[300],
        none[300];
    snprintf(kdir, sizeof kdir, "%s/keys", dir);
    mkdir(kdir, 0700);
    snprintf(db, sizeof db, "%s/kiosk.db", kdir);
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(key_a, sizeof key_a, "%s/a.key", dir);
    snprintf(key_b, sizeof key_b, "%s/b.key", dir);
    snprintf(none, sizeof none, "%s/none.key", dir);
    write_key(key_a, 0600);
    write_key(key_b, 0600);
    setenv("CK_KEY_FILE", key_a, 1);

    struct ck_store *st = ck_store_open(db, err, sizeof err);
    CHECK(st != NULL);
    CHECK(ck_store_key_ok(st, why, sizeof why));
    char r1[CK_RECEIPT_LEN + 1], r2[CK_RECEIPT_LEN + 1];
    snprintf(r1, sizeof r1, "%s", submit_contact(st, "canary-store@example.org", CK_OK));
    /* in the file (the WAL, while open) only sealed */
    CHECK(!file_has(db, "canary-store", 12) && !file_has(wal, "canary-store", 12));
    CHECK(!file_has(db, "555-0199", 8) && !file_has(wal, "555-0199", 8));
    const char *seen = NULL;
    CHECK(ck_store_each(st, first_email, &seen, err, sizeof err) == CK_OK);
    CHECK_STR(seen, "(present)"); /* listed as there, never read out */
    ck_store_close(st);
    CHECK(!file_has(db, "canary-store", 12));
    unsigned char key[32];
    FILE *f = fopen(key_a, "rb");
    CHECK(f && fread(key, 1, 32, f) == 32);
    if (f)
        fclose(f);
    CHECK(!file_has(db, key, sizeof key)); /* the key is not in the database */
    sqlite3 *raw;
    sqlite3_open(db, &raw);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(raw, "SELECT typeof(email), typeof(phone), length(pii_key) FROM requests",
                       -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(s, 0), "blob");
    CHECK_STR((const char *)sqlite3_column_text(s, 1), "blob");
    CHECK(sqlite3_column_int(s, 2) == 16);
    sqlite3_finalize(s);

    /* a key others can read is refused: nothing with contact details is stored in clear, the
     * rest goes on */
    chmod(key_a, 0644);
    st = ck_store_open(db, err, sizeof err);
    CHECK(st != NULL);
    CHECK(!ck_store_key_ok(st, why, sizeof why));
    CHECK(strstr(why, "chmod 600") != NULL);
    submit_contact(st, "in-clear@example.org", CK_ERR_CONFIG);
    struct ck_request plain;
    ck_request_init(&plain);
    ck_request_set(&plain.service_code, "graffiti");
    CHECK(ck_store_submit(st, "R7", &plain, err, sizeof err) == CK_OK);
    ck_request_deinit(&plain);
    ck_store_close(st);
    CHECK(!file_has(db, "in-clear", 8));
    chmod(key_a, 0600);

    /* another key: the request waits, with words saying so; new ones are sealed with it */
    setenv("CK_KEY_FILE", key_b, 1);
    st = ck_store_open(db, err, sizeof err);
    CHECK(st != NULL);
    struct ck_request back;
    ck_request_init(&back);
    CHECK(ck_store_load(st, r1, &back, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "waits until that key is back") != NULL);
    CHECK(back.email == NULL);
    ck_request_deinit(&back);
    CHECK(!ck_store_key_ok(st, why, sizeof why));
    CHECK(strstr(why, "1 request(s) wait") != NULL);
    snprintf(r2, sizeof r2, "%s", submit_contact(st, "second@example.org", CK_OK));
    ck_store_close(st);

    /* no key file at all: the same, and the reason names the file */
    setenv("CK_KEY_FILE", none, 1);
    st = ck_store_open(db, err, sizeof err);
    CHECK(st != NULL);
    CHECK(!ck_store_key_ok(st, why, sizeof why));
    CHECK(strstr(why, "none.key") != NULL && strstr(why, "2 request(s) wait") != NULL);
    ck_request_init(&back);
    CHECK(ck_store_load(st, r1, &back, err, sizeof err) == CK_ERR_CONFIG);
    ck_request_deinit(&back);
    ck_store_close(st);

    /* the first key back: its request opens again, nothing was lost */
    setenv("CK_KEY_FILE", key_a, 1);
    st = ck_store_open(db, err, sizeof err);
    CHECK(st != NULL);
    ck_request_init(&back);
    CHECK(ck_store_load(st, r1, &back, err, sizeof err) == CK_OK);
    CHECK_STR(back.email, "canary-store@example.org");
    CHECK_STR(back.phone, "555-0199");
    ck_request_deinit(&back);
    /* a sealed value moved to another request does not open there */
    char sql[400];
    snprintf(sql, sizeof sql,
             "UPDATE requests SET (email, phone, pii_key) = (SELECT email, phone, pii_key FROM"
             " requests WHERE receipt='%s') WHERE receipt='%s'",
             r1, r2);
    CHECK(sqlite3_exec(raw, sql, NULL, NULL, NULL) == SQLITE_OK);
    ck_request_init(&back);
    CHECK(ck_store_load(st, r2, &back, err, sizeof err) == CK_ERR_INVALID);
    CHECK(back.email == NULL);
    ck_request_deinit(&back);
    ck_store_close(st);
    sqlite3_close(raw);

    /* a developer's machine: a key is made beside the data dir, never inside it */
    unsetenv("CK_KEY_FILE");
    struct stat sb;
    if (stat("/etc/civic-kiosk/pii.key", &sb) != 0) {
        char data[300], made[300];
        snprintf(data, sizeof data, "%s/dev/data", dir);
        snprintf(made, sizeof made, "%s/dev/civic-kiosk-keys/pii.key", dir);
        snprintf(db, sizeof db, "%s/kiosk.db", data);
        CHECK(ck_fs_mkdir_p(data, err, sizeof err) == CK_OK);
        st = ck_store_open(db, err, sizeof err);
        CHECK(st != NULL && ck_store_key_ok(st, why, sizeof why));
        submit_contact(st, "dev@example.org", CK_OK);
        ck_store_close(st);
        CHECK(stat(made, &sb) == 0 && (sb.st_mode & 0777) == 0600 && sb.st_size == 32);
        snprintf(made, sizeof made, "%s/dev/civic-kiosk-keys", dir);
        CHECK(stat(made, &sb) == 0 && (sb.st_mode & 0777) == 0700);
    }
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
    char err[CK_ERR_LEN], key[300];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    snprintf(key, sizeof key, "%s/pii.key", dir);
    write_key(key, 0600);
    setenv("CK_KEY_FILE", key, 1);

    struct ck_store *st = ck_store_open(path, err, sizeof err);
    CHECK(st != NULL);
    CHECK(ck_store_schema_version(st) == CK_STORE_SCHEMA_VERSION);

    /* The customer-experience figures: sessions, where they were abandoned, the median time
     * to submit (of the last 100 submitted), the ratings. */
    struct ck_cx_stats cx;
    CHECK(ck_store_cx_stats(st, &cx, err, sizeof err) == CK_OK);
    CHECK(cx.started == 0 && cx.median_seconds == -1);
    CHECK(ck_store_cx_session(st, true, "review", 90, err, sizeof err) == CK_OK);
    CHECK(ck_store_cx_session(st, true, "review", 30, err, sizeof err) == CK_OK);
    CHECK(ck_store_cx_session(st, true, "review", 60, err, sizeof err) == CK_OK);
    CHECK(ck_store_cx_session(st, false, "form", 45, err, sizeof err) == CK_OK);
    CHECK(ck_store_cx_session(st, false, "form", 5, err, sizeof err) == CK_OK);
    CHECK(ck_store_cx_session(st, false, "services", 8, err, sizeof err) == CK_OK);
    CHECK(ck_store_add_rating(st, 5, err, sizeof err) == CK_OK);
    CHECK(ck_store_cx_stats(st, &cx, err, sizeof err) == CK_OK);
    CHECK(cx.started == 6 && cx.completed == 3);
    CHECK(cx.median_seconds == 60);
    CHECK(cx.nscreens == 2);
    CHECK_STR(cx.abandoned[0].screen, "form");
    CHECK(cx.abandoned[0].count == 2 && cx.abandoned[1].count == 1);
    CHECK(cx.ratings[4] == 1);

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
    /* and the contact details are in it only sealed */
    CHECK(!file_has(path, "resident@example.com", 20));

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
    CHECK(counts[4] == 2); /* one more than the CX test above added */
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

    test_keys();

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return ck_check_report();
}
