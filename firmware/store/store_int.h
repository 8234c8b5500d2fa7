/* store_int.h: what the files of store/ share; nothing outside store/ includes it. */
#ifndef CK_STORE_INT_H
#define CK_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CK_STORE_BUSY_MS 5000 /* how long a statement waits for another connection's lock */

struct ck_store {
    sqlite3 *db;
    sqlite3_stmt *ins_request, *ins_attr, *ins_outbox, *has_receipt;
    /* The key that seals personal fields (pii.c): 32 bytes in guarded, read-only memory, or
     * NULL with the reason in key_problem. key_id is its public id (hex), "" without a key. */
    unsigned char *key;
    char key_id[17];
    char key_problem[CK_ERR_LEN];
    /* Personal fields were wiped since the WAL was last truncated, and when that was. */
    bool scrub_due;
    uint64_t scrub_at_ms;
    /* ck_store_set_limits: the room kept free, and the page limit (0: none), in MiB. */
    long min_free_mb, max_db_mb;
};

/* faultvfs.c. With CK_TEST_FAULT_VFS set (a test switch; docs/reliability.md), makes a VFS that
 * fails writes and syncs at random the default, once per process; CK_ERR_CONFIG when the
 * variable cannot be read, so the kiosk refuses to start. CK_OK and nothing done without it. */
enum ck_err ck_faultvfs_install(char *err, size_t errlen);

/* pii.c. The personal columns of `requests`, in their order there. */
#define CK_PII_COLUMNS "first_name", "last_name", "email", "phone"

/* Finds and reads the key (making a development key when none exists; docs/privacy.md). Never
 * fails: without a key, st->key is NULL and st->key_problem says why. */
void ck_pii_init(struct ck_store *st, const char *db_path);
void ck_pii_deinit(struct ck_store *st);

/* Seals value (a NUL-terminated string) for one column of the request with this receipt into a
 * new blob (*out, malloc'd, *outlen bytes; caller frees). CK_ERR_CONFIG without a key. */
enum ck_err ck_pii_seal(const struct ck_store *st, const char *receipt, const char *column,
                        const char *value, unsigned char **out, size_t *outlen, char *err,
                        size_t errlen);
/* Opens a blob made by ck_pii_seal for the same receipt and column into a new string (*out,
 * malloc'd; caller wipes and frees). CK_ERR_CONFIG without a key; CK_ERR_INVALID when it does
 * not authenticate (another key, another row, damage). */
enum ck_err ck_pii_unseal(const struct ck_store *st, const char *receipt, const char *column,
                          const unsigned char *blob, size_t len, char **out, char *err,
                          size_t errlen);

/* Notes that personal fields were wiped (in the transaction being written). */
void ck_pii_wiped(struct ck_store *st);
/* After a wipe has committed: truncates the WAL, so the wiped bytes leave the files, unless the
 * last time was less than a second ago (force: regardless). Does nothing inside a transaction;
 * when the database is busy it stays due for the next call. */
void ck_pii_scrub(struct ck_store *st, bool force);

#endif
