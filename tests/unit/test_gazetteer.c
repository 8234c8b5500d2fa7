/* The gazetteer: a CSV of address points is imported into FTS5 and searched the way a resident
 * types: word prefixes in any order, accents ignored, house numbers first; hostile input finds
 * nothing and never errors; bad rows are skipped; the CSV is imported again only when it
 * changed, and a broken one keeps the previous data. */
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/gazetteer.h"

static char dir[] = "/tmp/ck-test-gazetteer-XXXXXX";
static char db[256], csv[256];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

/* Sets the file's mtime, so tests do not depend on the clock's resolution. */
static void set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    utimensat(AT_FDCWD, path, ts, 0);
}

static const char *GOOD = "address,lat,long,zip\n"
                          "120 Main Street,40.052296,-74.979581,08073\n"
                          "1200 Main Street,40.052901,-74.968001,08073\n"
                          "12 Oak Avenue,40.024710,-74.988172,08075\n"
                          "120 Oak Avenue,40.024800,-74.987000,08075\n"
                          "45 Oak Avenue,40.024750,-74.987600,08075\n"
                          "12 Oakland Drive,40.061000,-74.940000,08072\n"
                          "12 Calle Ñandú,40.023597,-74.971255,08075\n"
                          "9 Côte Brillante Lane,40.031000,-74.950000,08071\n"
                          "\"7 O'Brien Court, Rear\",40.040000,-74.960000,08071\n"
                          "300 River Road,40.045000,-74.955000,08071\n"
                          "\"15 \"\"Quoted\"\" Place\",40.046000,-74.956000,08071\r\n"
                          "\"88 Line\nBreak Way\",40.047000,-74.957000,08071\n";

static size_t search(struct ck_gazetteer *g, const char *typed, struct ck_address *out)
{
    size_t n = 99;
    CHECK(ck_gazetteer_search(g, typed, out, 5, &n) == CK_OK);
    return n;
}

static void test_search(struct ck_gazetteer *g)
{
    struct ck_address a[5];
    /* every word a prefix, the exact house number first */
    CHECK(search(g, "12 oak", a) == 3);
    CHECK_STR(a[0].address, "12 Oak Avenue");
    CHECK_STR(a[0].zip, "08075");
    CHECK(a[0].lat > 40.0247 && a[0].lat < 40.0248 && a[0].lon < -74.988 && a[0].lon > -74.989);
    /* finished words prefer whole words: "12 oak " is 12 Oak Avenue, then one of the two
     * that match one word whole (120 Oak Avenue, 12 Oakland Drive) */
    CHECK(search(g, "12 oak ", a) == 3);
    CHECK_STR(a[0].address, "12 Oak Avenue");
    CHECK(search(g, "oak ", a) == 4);
    CHECK_STR(a[3].address, "12 Oakland Drive");
    /* a house number being typed: the shortest first */
    CHECK(search(g, "120 main", a) == 2);
    CHECK_STR(a[0].address, "120 Main Street");
    CHECK_STR(a[1].address, "1200 Main Street");
    CHECK(search(g, "120 Main Street", a) == 2);
    CHECK_STR(a[0].address, "120 Main Street");
    /* any order, any case */
    CHECK(search(g, "MAIN 120 ", a) >= 1);
    CHECK_STR(a[0].address, "120 Main Street");
    /* accents ignored both ways */
    CHECK(search(g, "nandu", a) == 1);
    CHECK_STR(a[0].address, "12 Calle Ñandú");
    CHECK(search(g, "Calle Ñandú 12", a) == 1);
    CHECK(search(g, "cote bri", a) == 1);
    CHECK_STR(a[0].address, "9 Côte Brillante Lane");
    /* abbreviations that are not prefixes */
    CHECK(search(g, "300 river rd", a) == 1);
    CHECK(search(g, "7 obrien ct", a) == 0); /* "o'brien" is two words, o and brien */
    CHECK(search(g, "7 o brien ct", a) == 1);
    CHECK_STR(a[0].address, "7 O'Brien Court, Rear");
    /* a ZIP is a word too */
    CHECK(search(g, "45 08075", a) == 1);
    /* RFC 4180 quoting came through */
    CHECK(search(g, "quoted", a) == 1);
    CHECK_STR(a[0].address, "15 \"Quoted\" Place");
    CHECK(search(g, "88 line break", a) == 1);
    CHECK_STR(a[0].address, "88 Line Break Way");
    /* nothing for one character, or for no match */
    CHECK(search(g, "1", a) == 0);
    CHECK(search(g, "", a) == 0);
    CHECK(search(g, "elm street", a) == 0);
    /* max is respected */
    size_t n = 0;
    CHECK(ck_gazetteer_search(g, "oak", a, 2, &n) == CK_OK && n == 2);
}

static void test_hostile(struct ck_gazetteer *g)
{
    static const char *const INPUTS[] = {
        "\"",
        "\"\"",
        "12 \"oak",
        "oak\"*",
        "*",
        "**12",
        "NEAR(",
        "NEAR(12 oak",
        "12 AND",
        "OR oak",
        "NOT",
        "12 NOT oak",
        "^main",
        "main:",
        "address:12",
        "{address zip}: 12",
        "(((",
        ")",
        "-12",
        "+oak",
        "12 oak'",
        "'; DROP TABLE addr; --",
        "\xff\xfe",
        "12 \xc3",
        "oak \xe2\x82",
        "\xed\xa0\x80 main",
        "— ¿ «»",
        "12 —",
        "\t\n\r",
        "12\x01oak",
        "%s%n%s",
        "\\",
        "\\\"12",
    };
    struct ck_address a[5];
    for (size_t i = 0; i < sizeof INPUTS / sizeof INPUTS[0]; i++) {
        size_t n = 99;
        enum ck_err rc = ck_gazetteer_search(g, INPUTS[i], a, 5, &n);
        CHECK(rc == CK_OK);
        CHECK(n <= 5);
        if (rc)
            fprintf(stderr, "  input %zu failed\n", i);
    }
    /* operators are words like any other: quoted, "12 AND" means 12 and a word starting "and" */
    CHECK(search(g, "NEAR(12 oak", a) == 0);
    CHECK(search(g, "12 \"oak", a) == 3);
    CHECK(search(g, "oak\"*", a) >= 3);
    /* a 10,000-character paste finds nothing, quickly */
    char *big = malloc(10001);
    for (int i = 0; i < 10000; i++)
        big[i] = "12 oak \"*("[i % 10];
    big[10000] = '\0';
    CHECK(search(g, big, a) == 0);
    /* many words */
    CHECK(search(g, "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", a) == 0);
    free(big);
}

static struct ck_gazetteer *open_info(struct ck_gazetteer_info *info)
{
    char err[CK_ERR_LEN] = "";
    struct ck_gazetteer *g = ck_gazetteer_open(db, csv, err, sizeof err);
    if (!g)
        fprintf(stderr, "  open: %s\n", err);
    if (g)
        ck_gazetteer_info(g, info);
    return g;
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    snprintf(db, sizeof db, "%s/gazetteer.db", dir);
    snprintf(csv, sizeof csv, "%s/gazetteer.csv", dir);
    char err[CK_ERR_LEN];

    /* no CSV and no index: nothing to use, and err says why */
    CHECK(ck_gazetteer_open(db, csv, err, sizeof err) == NULL);
    CHECK(strstr(err, "gazetteer.csv") != NULL);

    /* first import */
    write_file(csv, GOOD);
    set_mtime(csv, 1700000000);
    struct ck_gazetteer_info info;
    struct ck_gazetteer *g = open_info(&info);
    CHECK(g != NULL);
    if (!g)
        return ck_check_report();
    CHECK(info.imported && !info.stale);
    CHECK(info.rows == 12);
    CHECK(info.skipped == 0);
    test_search(g);
    test_hostile(g);
    ck_gazetteer_close(g);

    /* unchanged: no import */
    g = open_info(&info);
    CHECK(g && !info.imported && info.rows == 12);
    ck_gazetteer_close(g);
    /* touched but the same bytes: no import either */
    set_mtime(csv, 1700000500);
    g = open_info(&info);
    CHECK(g && !info.imported && info.rows == 12);
    ck_gazetteer_close(g);
    /* the same file by another name (a city file moved, a relative path made absolute): the
     * same bytes, no import */
    char other[256], saved[256];
    snprintf(other, sizeof other, "%.240s.same", csv);
    write_file(other, GOOD);
    memcpy(saved, csv, sizeof saved);
    snprintf(csv, sizeof csv, "%s", other);
    g = open_info(&info);
    CHECK(g && !info.imported && info.rows == 12);
    ck_gazetteer_close(g);
    memcpy(csv, saved, sizeof csv);
    remove(other);

    /* changed, with bad rows: the good ones are imported, the bad ones counted */
    write_file(csv, "zip,address,long,lat\n" /* any column order */
                    "08071,1 Elm Street,-74.95,40.05\n"
                    "08071,2 Elm Street,-74.95,40.05\n"
                    "08071,3 Elm Street,-74.95,40.05\n"
                    "08071,4 Elm Street,-74.95,40.05\n"
                    "08071,5 Elm Street,-74.95,40.05\n"
                    "08071,6 Elm Street,-74.95,40.05,extra\n" /* wrong column count */
                    "08071,7 Elm Street,-74.95\n"             /* wrong column count */
                    "08071,8 Elm Street,-74.95,95.0\n"        /* latitude out of range */
                    "08071,9 Elm Street,-190,40.05\n"         /* longitude out of range */
                    "08071,10 Elm Street,abc,40.05\n"         /* not a number */
                    "08071,11 Elm Street,nan,40.05\n"         /* not a number either */
                    "08071,12 Elm \xff Street,-74.95,40.05\n" /* invalid UTF-8 */
                    "08071,,-74.95,40.05\n"                   /* no address */
                    "08071,14 Elm Street,0,0\n"               /* no coordinates */
                    "\n"                                      /* a blank line is no row */
                    "08071,\"15 Elm Street\"x,-74.95,40.05\n" /* broken quoting */
                    "08071,16 Elm Street,-74.951,40.049\n"
                    "08071,17 Elm Street,-74.95,40.05\n"
                    "08071,18 Elm Street,-74.95,40.05\n"
                    "08071,19 Elm Street,-74.95,40.05\n"
                    "08071,20 Elm Street,-74.95,40.05\n"
                    "08071,21 Elm Street,-74.95,40.05\n");
    set_mtime(csv, 1700001000);
    g = open_info(&info);
    CHECK(g && info.imported && !info.stale);
    CHECK(info.rows == 11);
    CHECK(info.skipped == 10);
    struct ck_address a[5];
    if (g) {
        CHECK(search(g, "oak", a) == 0); /* the old rows are gone */
        CHECK(search(g, "16 elm", a) == 1);
        CHECK(a[0].lat == 40.049 && a[0].lon == -74.951);
        CHECK(search(g, "8 elm", a) == 0);
    }
    ck_gazetteer_close(g);

    /* a broken CSV (no header, mostly garbage) keeps the previous data */
    write_file(csv, "this is not,a gazetteer\n\x01\x02\x03\n");
    set_mtime(csv, 1700002000);
    g = open_info(&info);
    CHECK(g && !info.imported && info.stale && info.rows == 11);
    if (g)
        CHECK(search(g, "16 elm", a) == 1);
    ck_gazetteer_close(g);
    write_file(csv, "address,lat,long,zip\n1 A Street,40,-74,1\nx\ny\nz\n\"unterminated,1,2,3\n");
    set_mtime(csv, 1700003000);
    g = open_info(&info);
    CHECK(g && !info.imported && info.stale && info.rows == 11);
    ck_gazetteer_close(g);
    /* the CSV gone: the index still serves */
    unlink(csv);
    g = open_info(&info);
    CHECK(g && info.stale && info.rows == 11);
    ck_gazetteer_close(g);
    /* and without a CSV path at all */
    g = ck_gazetteer_open(db, NULL, err, sizeof err);
    CHECK(g != NULL);
    ck_gazetteer_close(g);

    /* a damaged index file is rebuilt from the CSV */
    write_file(db, "this is not a database, it is a text file that is long enough to be read");
    unlink(csv);
    write_file(csv, GOOD);
    g = open_info(&info);
    CHECK(g && info.imported && info.rows == 12);
    ck_gazetteer_close(g);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return ck_check_report();
}
