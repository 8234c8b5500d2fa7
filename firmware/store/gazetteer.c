/* gazetteer.c: the address-point index behind gazetteer.h: the CSV reader, the import into a
 * fresh FTS5 table swapped in by one transaction, and the per-keystroke search.
 *
 * Owned by the thread that opened it. Includes sqlite3.h, like its siblings in store/ and
 * nothing else does. The file is a cache of the city's CSV: synchronous=NORMAL is enough, and a
 * file that is not a database any more is deleted and rebuilt. */
#include "store/gazetteer.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/utf8.h"

#define SCHEMA_VERSION 1

/* unicode61 folds case and (with remove_diacritics 2) every accent, so "nandu" finds "Ñandú";
 * the prefix indexes make the one-to-three-letter prefixes of the first keystrokes cheap. */
#define FTS_ARGS                                                                                   \
    "address, zip, lat UNINDEXED, lon UNINDEXED,"                                                  \
    " tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'"

struct ck_gazetteer {
    sqlite3 *db;
    sqlite3_stmt *search;
    fts5_tokenizer tok; /* the table's own tokenizer, to split typed text exactly as it does */
    Fts5Tokenizer *tokenizer;
    struct ck_gazetteer_info info;
    bool search_failed_logged;
};

/* ------------------------------------------------------------------ database */

static enum ck_err exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ck_fail(err, errlen, CK_ERR_DB, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return CK_ERR_DB;
    }
    return CK_OK;
}

static bool table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *s;
    bool yes = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name=?", -1, &s, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(s) == SQLITE_ROW;
        sqlite3_finalize(s);
    }
    return yes;
}

/* meta holds what the index was built from; values are integers or text. */
static bool meta_get(sqlite3 *db, const char *key, sqlite3_int64 *num, char *text, size_t textlen)
{
    sqlite3_stmt *s;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key=?", -1, &s, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        found = true;
        if (num)
            *num = sqlite3_column_int64(s, 0);
        if (text) {
            const unsigned char *t = sqlite3_column_text(s, 0);
            snprintf(text, textlen, "%s", t ? (const char *)t : "");
        }
    }
    sqlite3_finalize(s);
    return found;
}

static int meta_set(sqlite3 *db, const char *key, sqlite3_int64 num, const char *text)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &s,
                                NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(s, 2, num);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Opens the file and its meta table. A file from another schema is emptied (it is only a
 * cache); one that is not a database is reported as such so the caller can start afresh. */
static int open_db(const char *path, sqlite3 **out, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_extended_result_codes(db, 1);
        rc = sqlite3_exec(db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value)",
                          NULL, NULL, NULL);
    }
    sqlite3_stmt *s = NULL;
    int version = 0;
    if (rc == SQLITE_OK &&
        (rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL)) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            version = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    if (rc == SQLITE_OK && version != SCHEMA_VERSION) {
        char sql[160];
        snprintf(
            sql, sizeof sql,
            "BEGIN; DROP TABLE IF EXISTS addr; DROP TABLE IF EXISTS addr_new; DELETE FROM meta;"
            " PRAGMA user_version=%d; COMMIT",
            SCHEMA_VERSION);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        ck_fail(err, errlen, CK_ERR_DB, "cannot open %s: %s", path,
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return rc;
    }
    *out = db;
    return SQLITE_OK;
}

/* ------------------------------------------------------------------ the CSV file */

/* Size, modification time and a 64-bit FNV-1a hash of the content: the first two are checked
 * at every start for free; the hash, read only when they moved, tells a touched file from an
 * edited one. */
struct csv_stamp {
    sqlite3_int64 size, mtime_ns, hash;
};

static enum ck_err csv_stat(const char *path, struct csv_stamp *st, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return ck_fail(err, errlen, CK_ERR_IO, "%s: not a regular file", path);
    st->size = (sqlite3_int64)sb.st_size;
    st->mtime_ns = (sqlite3_int64)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    return CK_OK;
}

static enum ck_err csv_hash(const char *path, sqlite3_int64 *hash, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno));
    uint64_t h = 0xcbf29ce484222325u;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 0x100000001b3u;
    bool bad = ferror(f);
    fclose(f);
    if (bad)
        return ck_fail(err, errlen, CK_ERR_IO, "%s: read error", path);
    memcpy(hash, &h, sizeof *hash);
    return CK_OK;
}

#define CSV_FIELDS_MAX 16
#define CSV_RECORD_MAX 2048 /* bytes of one record; longer ones are bad rows */

/* An RFC 4180 reader: comma-separated, fields optionally in double quotes (a quote doubled
 * inside), CRLF or LF line ends, line breaks allowed inside quotes. Streams the file. */
struct csv {
    FILE *f;
    unsigned char buf[65536];
    size_t pos, len;
    long line; /* physical line of the next record's start, 1-based */
    char rec[CSV_RECORD_MAX];
    size_t rec_len;
    char *field[CSV_FIELDS_MAX];
    int nfields;
    bool overflow;  /* too long or too many fields */
    bool malformed; /* text after a closing quote, or a quote never closed */
};

static int csv_getc(struct csv *c)
{
    if (c->pos == c->len) {
        c->len = fread(c->buf, 1, sizeof c->buf, c->f);
        c->pos = 0;
        if (!c->len)
            return EOF;
    }
    return c->buf[c->pos++];
}

static int csv_peek(struct csv *c)
{
    int ch = csv_getc(c);
    if (ch != EOF)
        c->pos--;
    return ch;
}

static void csv_put(struct csv *c, int ch)
{
    if (c->rec_len + 1 < sizeof c->rec)
        c->rec[c->rec_len++] = (char)ch;
    else
        c->overflow = true;
}

static void csv_end_field(struct csv *c)
{
    csv_put(c, '\0');
    if (c->nfields == CSV_FIELDS_MAX) {
        c->overflow = true;
        return;
    }
    if (!c->overflow)
        c->nfields++;
}

/* Reads the next record. Returns false at the end of the file. Field i is at c->field[i]
 * (NUL-terminated) unless the record overflowed. */
static bool csv_next(struct csv *c)
{
    enum { START, PLAIN, QUOTED, QUOTE_IN_QUOTED } st = START;
    c->rec_len = 0;
    c->nfields = 0;
    c->overflow = c->malformed = false;
    size_t start = 0;
    int ch = csv_getc(c);
    if (ch == EOF)
        return false;
    for (;; ch = csv_getc(c)) {
        if (st == START)
            start = c->rec_len;
        if (st != QUOTED && (ch == EOF || ch == '\n' || ch == '\r' || ch == ',')) {
            if (c->nfields < CSV_FIELDS_MAX)
                c->field[c->nfields] = c->rec + start;
            csv_end_field(c);
            if (ch == ',') {
                st = START;
                continue;
            }
            if (ch == '\r' && csv_peek(c) == '\n')
                csv_getc(c);
            if (ch != EOF)
                c->line++;
            return true;
        }
        switch (st) {
        case START:
            if (ch == '"') {
                st = QUOTED;
                continue;
            }
            st = PLAIN;
            csv_put(c, ch);
            break;
        case PLAIN:
            csv_put(c, ch);
            break;
        case QUOTED:
            if (ch == EOF) {
                c->malformed = true;
                if (c->nfields < CSV_FIELDS_MAX)
                    c->field[c->nfields] = c->rec + start;
                csv_end_field(c);
                return true;
            }
            if (ch == '"')
                st = QUOTE_IN_QUOTED;
            else
                csv_put(c, ch);
            if (ch == '\n')
                c->line++;
            break;
        case QUOTE_IN_QUOTED:
            if (ch == '"') {
                csv_put(c, ch);
                st = QUOTED;
            } else {
                c->malformed = true; /* "abc"x: keep reading the field, the row is bad */
                csv_put(c, ch);
                st = PLAIN;
            }
            break;
        }
    }
}

/* Trims spaces and tabs at both ends, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static bool parse_degrees(const char *s, double limit, double *out)
{
    if (!*s || strspn(s, "+-.0123456789eE") != strlen(s))
        return false; /* no hex, inf or nan */
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v) || v < -limit || v > limit)
        return false;
    *out = v;
    return true;
}

/* Valid UTF-8 without control characters; line breaks and tabs (a quoted field from a
 * spreadsheet may hold them) become spaces, in place. */
static bool plain_text(char *s)
{
    if (!ck_utf8_valid(s, strlen(s)))
        return false;
    for (unsigned char *p = (unsigned char *)s; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
        else if (*p < 0x20 || *p == 0x7F)
            return false;
    }
    return true;
}

/* Column positions from the header row; -1 when absent. */
struct columns {
    int address, lat, lon, zip, n;
};

static bool header_is(const char *h, const char *const *names)
{
    for (; *names; names++)
        if (strcasecmp(h, *names) == 0)
            return true;
    return false;
}

static bool read_header(struct csv *c, struct columns *cols)
{
    static const char *const ADDRESS[] = {"address", NULL},
                             *const LAT[] = {"lat", "latitude", NULL},
                             *const LON[] = {"long", "lon", "lng", "longitude", NULL},
                             *const ZIP[] = {"zip", "zipcode", "zip_code", "postcode", NULL};
    *cols = (struct columns){-1, -1, -1, -1, 0};
    if (!csv_next(c) || c->overflow || c->malformed)
        return false;
    if (c->nfields && strncmp(c->field[0], "\xEF\xBB\xBF", 3) == 0)
        c->field[0] += 3; /* a byte-order mark, as spreadsheets write */
    cols->n = c->nfields;
    for (int i = 0; i < c->nfields; i++) {
        char *h = trim(c->field[i]);
        int *slot = header_is(h, ADDRESS) ? &cols->address
                    : header_is(h, LAT)   ? &cols->lat
                    : header_is(h, LON)   ? &cols->lon
                    : header_is(h, ZIP)   ? &cols->zip
                                          : NULL;
        if (slot && *slot < 0)
            *slot = i;
    }
    return cols->address >= 0 && cols->lat >= 0 && cols->lon >= 0 && cols->zip >= 0;
}

/* Why rows were left out, for the one warning line. */
struct skips {
    long long columns, address, coords, text, first_line;
};

static void skip(struct skips *sk, long long *counter, long line)
{
    (*counter)++;
    if (!sk->first_line)
        sk->first_line = line;
}

/* Checks one record; fills a and returns true when it is a good address point. */
static bool read_row(struct csv *c, const struct columns *cols, long line, struct skips *sk,
                     struct ck_address *a)
{
    if (c->overflow || c->malformed || c->nfields != cols->n) {
        skip(sk, &sk->columns, line);
        return false;
    }
    char *addr = c->field[cols->address], *zip = c->field[cols->zip];
    if (!plain_text(addr) || !plain_text(zip)) {
        skip(sk, &sk->text, line);
        return false;
    }
    addr = trim(addr), zip = trim(zip);
    if (!*addr || strlen(addr) >= sizeof a->address || strlen(zip) >= sizeof a->zip) {
        skip(sk, &sk->address, line);
        return false;
    }
    if (!parse_degrees(trim(c->field[cols->lat]), 90, &a->lat) ||
        !parse_degrees(trim(c->field[cols->lon]), 180, &a->lon) ||
        (a->lat == 0 && a->lon == 0)) { /* 0,0 is how exports say "no coordinates" */
        skip(sk, &sk->coords, line);
        return false;
    }
    memcpy(a->address, addr, strlen(addr) + 1);
    memcpy(a->zip, zip, strlen(zip) + 1);
    return true;
}

/* ------------------------------------------------------------------ import */

/* Reads the CSV into addr_new; the caller holds the transaction. */
static enum ck_err fill_table(sqlite3 *db, const char *csv_path, long long *good, struct skips *sk,
                              char *err, size_t errlen)
{
    struct csv *c = calloc(1, sizeof *c);
    if (!c)
        return CK_ERR_NOMEM;
    enum ck_err rc = CK_OK;
    sqlite3_stmt *ins = NULL;
    if (!(c->f = fopen(csv_path, "rb"))) {
        rc = ck_fail(err, errlen, CK_ERR_IO, "%s: %s", csv_path, strerror(errno));
        goto out;
    }
    c->line = 1;
    struct columns cols;
    if (!read_header(c, &cols)) {
        rc = ck_fail(err, errlen, CK_ERR_PARSE,
                     "%s: the first line must name the columns address,lat,long,zip", csv_path);
        goto out;
    }
    if (sqlite3_prepare_v2(db, "INSERT INTO addr_new(address, zip, lat, lon) VALUES(?,?,?,?)", -1,
                           &ins, NULL) != SQLITE_OK) {
        rc = ck_fail(err, errlen, CK_ERR_DB, "%s", sqlite3_errmsg(db));
        goto out;
    }
    for (;;) {
        long line = c->line;
        if (!csv_next(c))
            break;
        if (c->nfields == 1 && !c->overflow && !c->malformed && !c->field[0][0])
            continue; /* a blank line */
        struct ck_address a;
        if (!read_row(c, &cols, line, sk, &a))
            continue;
        sqlite3_bind_text(ins, 1, a.address, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, a.zip, -1, SQLITE_STATIC);
        sqlite3_bind_double(ins, 3, a.lat);
        sqlite3_bind_double(ins, 4, a.lon);
        int step = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (step != SQLITE_DONE) {
            rc = ck_fail(err, errlen, CK_ERR_DB, "%s", sqlite3_errmsg(db));
            goto out;
        }
        (*good)++;
    }
    if (ferror(c->f))
        rc = ck_fail(err, errlen, CK_ERR_IO, "%s: read error", csv_path);
out:
    sqlite3_finalize(ins);
    if (c->f)
        fclose(c->f);
    free(c);
    return rc;
}

/* Imports the CSV into a fresh table and swaps it in, all in one transaction: on any failure
 * the previous table and meta stay as they were. */
static enum ck_err import(struct ck_gazetteer *g, const char *csv_path, const struct csv_stamp *st,
                          char *err, size_t errlen)
{
    uint64_t t0 = ck_clock_mono_ms();
    long long good = 0;
    struct skips sk = {0};
    enum ck_err rc = exec(g->db,
                          "BEGIN IMMEDIATE; DROP TABLE IF EXISTS addr_new;"
                          " CREATE VIRTUAL TABLE addr_new USING fts5(" FTS_ARGS ")",
                          err, errlen);
    if (!rc)
        rc = fill_table(g->db, csv_path, &good, &sk, err, errlen);
    long long bad = sk.columns + sk.address + sk.coords + sk.text;
    if (!rc && (good == 0 || bad > good))
        rc = ck_fail(err, errlen, CK_ERR_PARSE,
                     "%s: %lld good rows and %lld bad ones (the first at line %lld): this does not"
                     " look like an address list",
                     csv_path, good, bad, sk.first_line);
    /* One b-tree per term makes every later search faster. */
    if (!rc)
        rc = exec(g->db,
                  "INSERT INTO addr_new(addr_new) VALUES('optimize');"
                  " DROP TABLE IF EXISTS addr; ALTER TABLE addr_new RENAME TO addr",
                  err, errlen);
    if (!rc &&
        (meta_set(g->db, "csv_path", 0, csv_path) || meta_set(g->db, "csv_size", st->size, NULL) ||
         meta_set(g->db, "csv_mtime_ns", st->mtime_ns, NULL) ||
         meta_set(g->db, "csv_hash", st->hash, NULL) || meta_set(g->db, "rows", good, NULL) ||
         meta_set(g->db, "skipped", bad, NULL)))
        rc = ck_fail(err, errlen, CK_ERR_DB, "%s", sqlite3_errmsg(g->db));
    if (!rc)
        rc = exec(g->db, "COMMIT", err, errlen);
    if (rc) {
        sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    if (bad)
        ck_warn("gazetteer",
                "%s: skipped %lld bad rows of %lld (%lld wrong column count, %lld bad address,"
                " %lld bad coordinates, %lld invalid text); the first at line %lld",
                csv_path, bad, good + bad, sk.columns, sk.address, sk.coords, sk.text,
                sk.first_line);
    ck_info("gazetteer", "imported %lld addresses from %s in %llu ms", good, csv_path,
            (unsigned long long)(ck_clock_mono_ms() - t0));
    g->info.imported = true;
    return CK_OK;
}

/* Imports when the CSV is not what the index was built from. */
static void refresh(struct ck_gazetteer *g, const char *csv_path, char *err, size_t errlen)
{
    struct csv_stamp st = {0}, old = {0};
    char old_path[4096] = "";
    enum ck_err rc = csv_stat(csv_path, &st, err, errlen);
    bool have = table_exists(g->db, "addr") && meta_get(g->db, "csv_size", &old.size, NULL, 0) &&
                meta_get(g->db, "csv_mtime_ns", &old.mtime_ns, NULL, 0) &&
                meta_get(g->db, "csv_hash", &old.hash, NULL, 0) &&
                meta_get(g->db, "csv_path", NULL, old_path, sizeof old_path);
    bool same_file = have && strcmp(old_path, csv_path) == 0;
    if (!rc && same_file && st.size == old.size && st.mtime_ns == old.mtime_ns)
        return; /* the usual start: nothing to read */
    if (!rc)
        rc = csv_hash(csv_path, &st.hash, err, errlen);
    /* Touched, or named by another path (relative, absolute, a link): the same content is not
     * imported again, which would take seconds on a board for a big city. */
    if (!rc && have && st.size == old.size && st.hash == old.hash) {
        meta_set(g->db, "csv_mtime_ns", st.mtime_ns, NULL);
        if (!same_file)
            meta_set(g->db, "csv_path", 0, csv_path);
        return;
    }
    if (!rc)
        rc = import(g, csv_path, &st, err, errlen);
    if (rc && have) {
        g->info.stale = true;
        ck_warn("gazetteer", "the address list was not updated, the previous one stays in use: %s",
                err);
    }
}

/* ------------------------------------------------------------------ open and close */

static fts5_api *fts5_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    return api;
}

/* Ranking reads every match; the first keystrokes ("av", "ma") can match half the city, so at
 * most this many (in file order) are ranked. A query this broad has no "best" match yet, and
 * any narrower query (fewer matches) is ranked whole. */
#define CANDIDATES_MAX "4000"

static enum ck_err prepare_search(struct ck_gazetteer *g, char *err, size_t errlen)
{
    fts5_api *api = fts5_of(g->db);
    void *ud = NULL;
    static const char *const ARGS[] = {"remove_diacritics", "2"};
    if (!api || api->xFindTokenizer(api, "unicode61", &ud, &g->tok) != SQLITE_OK ||
        g->tok.xCreate(ud, (const char **)ARGS, 2, &g->tokenizer) != SQLITE_OK) {
        g->tokenizer = NULL;
        return ck_fail(err, errlen, CK_ERR_DB, "this SQLite has no FTS5 unicode61 tokenizer");
    }
    if (sqlite3_prepare_v3(g->db,
                           "SELECT address, zip, lat, lon FROM"
                           " (SELECT address, zip, lat, lon, bm25(addr, 4.0, 1.0) AS score"
                           "  FROM addr WHERE addr MATCH ?1 LIMIT " CANDIDATES_MAX ")"
                           " ORDER BY score, length(address), address LIMIT ?2",
                           -1, SQLITE_PREPARE_PERSISTENT, &g->search, NULL) != SQLITE_OK)
        return ck_fail(err, errlen, CK_ERR_DB, "preparing the search: %s", sqlite3_errmsg(g->db));
    /* Only the import writes; from here on this connection reads. */
    return exec(g->db, "PRAGMA query_only=1", err, errlen);
}

static void remove_db(const char *path)
{
    char p[4200];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

struct ck_gazetteer *ck_gazetteer_open(const char *db_path, const char *csv_path, char *err,
                                       size_t errlen)
{
    struct ck_gazetteer *g = calloc(1, sizeof *g);
    if (!g) {
        ck_fail(err, errlen, CK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    int rc = open_db(db_path, &g->db, err, errlen);
    if ((rc & 0xFF) == SQLITE_NOTADB || (rc & 0xFF) == SQLITE_CORRUPT) {
        ck_warn("gazetteer", "%s is damaged; rebuilding it from the address list", db_path);
        remove_db(db_path);
        rc = open_db(db_path, &g->db, err, errlen);
    }
    if (rc != SQLITE_OK)
        goto fail;
    if (csv_path)
        refresh(g, csv_path, err, errlen);
    if (!table_exists(g->db, "addr")) {
        if (!csv_path)
            ck_fail(err, errlen, CK_ERR_NOT_FOUND, "%s holds no address list", db_path);
        goto fail; /* err says why the import failed */
    }
    sqlite3_int64 n = 0;
    meta_get(g->db, "rows", &n, NULL, 0);
    g->info.rows = n;
    n = 0;
    meta_get(g->db, "skipped", &n, NULL, 0);
    g->info.skipped = n;
    if (prepare_search(g, err, errlen))
        goto fail;
    return g;
fail:
    ck_gazetteer_close(g);
    return NULL;
}

void ck_gazetteer_close(struct ck_gazetteer *g)
{
    if (!g)
        return;
    if (g->tokenizer)
        g->tok.xDelete(g->tokenizer);
    sqlite3_finalize(g->search);
    sqlite3_close_v2(g->db);
    free(g);
}

void ck_gazetteer_info(const struct ck_gazetteer *g, struct ck_gazetteer_info *info)
{
    *info = g->info;
}

/* ------------------------------------------------------------------ search */

#define TYPED_MAX 400 /* bytes; no address is longer */
#define TOKENS_MAX 12
#define TOKEN_MAX 64

struct tokens {
    char text[TOKENS_MAX][TOKEN_MAX];
    int n;
    size_t letters;
    bool overflow;
};

static int on_token(void *ctx, int flags, const char *tok, int len, int start, int end)
{
    (void)flags, (void)start, (void)end;
    struct tokens *t = ctx;
    if (t->n == TOKENS_MAX || len <= 0 || len >= TOKEN_MAX) {
        t->overflow = true;
        return SQLITE_DONE; /* stops the tokenizer: no address has such words */
    }
    memcpy(t->text[t->n], tok, (size_t)len);
    t->text[t->n][len] = '\0';
    t->n++;
    t->letters += (size_t)len;
    return SQLITE_OK;
}

/* Abbreviations that are not a prefix of the word they stand for. */
static const char *expand(const char *tok)
{
    static const char *const ABBR[][2] = {
        {"rd", "road"},      {"ln", "lane"},       {"ct", "court"},  {"blvd", "boulevard"},
        {"pkwy", "parkway"}, {"hwy", "highway"},   {"sq", "square"}, {"ter", "terrace"},
        {"cir", "circle"},   {"tpke", "turnpike"}, {"av", "avenue"}, {"mt", "mount"},
    };
    for (size_t i = 0; i < sizeof ABBR / sizeof ABBR[0]; i++)
        if (strcmp(tok, ABBR[i][0]) == 0)
            return ABBR[i][1];
    return NULL;
}

/* Builds the FTS5 query: every token ANDed, each as the start of a word; a whole-word match
 * counts twice in bm25, so house number 12 ranks before 1251 and Oak before Oakland. Tokens come
 * out of unicode61, so they hold letters and digits only and are safe inside double quotes. */
static bool build_query(const struct tokens *t, char *q, size_t qlen)
{
    size_t used = 0;
    for (int i = 0; i < t->n; i++) {
        const char *w = t->text[i], *full = expand(w);
        int n = snprintf(q + used, qlen - used, "%s(\"%s\" OR \"%s\"*%s%s%s)", i ? " AND " : "", w,
                         w, full ? " OR \"" : "", full ? full : "", full ? "\"" : "");
        if (n < 0 || (size_t)n >= qlen - used)
            return false;
        used += (size_t)n;
    }
    return true;
}

enum ck_err ck_gazetteer_search(struct ck_gazetteer *g, const char *typed, struct ck_address *out,
                                size_t max, size_t *found)
{
    *found = 0;
    size_t len = typed ? strlen(typed) : 0;
    if (!max || !len || len > TYPED_MAX)
        return CK_OK;
    /* The tokenizer wants valid UTF-8: malformed bytes and control characters become spaces. */
    char clean[TYPED_MAX + 1];
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = ck_utf8_decode(typed + i, len - i, &cp);
        if ((cp == 0xFFFD && n == 1) || cp < 0x20 || cp == 0x7F)
            clean[o++] = ' ';
        else
            memcpy(clean + o, typed + i, n), o += n;
        i += n;
    }
    clean[o] = '\0';
    struct tokens t;
    t.n = 0, t.letters = 0, t.overflow = false;
    g->tok.xTokenize(g->tokenizer, &t, FTS5_TOKENIZE_QUERY, clean, (int)o, on_token);
    if (t.overflow || t.n == 0 || t.letters < 2)
        return CK_OK;
    char q[TOKENS_MAX * (2 * TOKEN_MAX + 24)];
    if (!build_query(&t, q, sizeof q))
        return CK_OK;
    sqlite3_stmt *s = g->search;
    sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *found < max) {
        struct ck_address *a = &out[(*found)++];
        const unsigned char *addr = sqlite3_column_text(s, 0), *zip = sqlite3_column_text(s, 1);
        snprintf(a->address, sizeof a->address, "%s", addr ? (const char *)addr : "");
        snprintf(a->zip, sizeof a->zip, "%s", zip ? (const char *)zip : "");
        a->lat = sqlite3_column_double(s, 2);
        a->lon = sqlite3_column_double(s, 3);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        if (!g->search_failed_logged)
            ck_warn("gazetteer", "search failed: %s", sqlite3_errstr(rc));
        g->search_failed_logged = true;
        *found = 0;
        return CK_ERR_DB;
    }
    return CK_OK;
}
