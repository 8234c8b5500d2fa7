/* pii.c: personal fields at rest (docs/privacy.md): the kiosk's key, sealing and opening one
 * value, and scrubbing the write-ahead log after personal fields were wiped.
 *
 * A personal value (first_name, last_name, email, phone) is stored as a BLOB:
 *   0x01 | nonce (24 random bytes) | XChaCha20-Poly1305-IETF(sodium_pad(value, 32 bytes))
 * with "civic-kiosk pii v1|<receipt>|<column>" as associated data, so that a value copied to
 * another row or column does not open. Padding hides a value's exact length. The 32-byte key
 * lives in a file, never in the database; each request records the id of the key that sealed
 * it (requests.pii_key: a keyed BLAKE2b hash of a constant, which reveals nothing of the key),
 * so a request sealed with a key this kiosk no longer has waits in the queue instead of failing
 * at every attempt.
 *
 * Owned by the thread of its struct ck_store. The only file of the firmware with sodium.h for
 * personal data; includes sqlite3.h through store_int.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "platform/platform.h"
#include "store/store_int.h"

#define KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define FORMAT_V1 0x01
#define PAD_BLOCK 32
#define MAX_VALUE 4096 /* no contact field is longer; a bigger blob is not ours */

/* The key on a board, provisioned by board/setup-board.sh (0440 root:kiosk). */
#define BOARD_KEY "/etc/civic-kiosk/pii.key"

/* After a wipe the WAL is truncated at most this often: one checkpoint per batch of deliveries,
 * not one per request (see ck_pii_scrub). */
#define SCRUB_INTERVAL_MS 1000

/* ------------------------------------------------------------------- the key file */

enum key_source { KEY_ENV, KEY_BOARD, KEY_DEV };

/* Where this store's key is: $CK_KEY_FILE; else the board's key when it exists (or cannot be
 * looked at: then reading it says why, rather than a silent fallback); else, on a developer's
 * machine, civic-kiosk-keys/pii.key beside the data dir (never inside it, so a copy of the data
 * dir is not a copy of the key). */
static enum key_source key_path(const char *db_path, char *out, size_t outlen)
{
    const char *env = getenv("CK_KEY_FILE");
    if (env && *env) {
        snprintf(out, outlen, "%s", env);
        return KEY_ENV;
    }
    struct stat sb;
    if (lstat(BOARD_KEY, &sb) == 0 || errno != ENOENT) {
        snprintf(out, outlen, "%s", BOARD_KEY);
        return KEY_BOARD;
    }
    char dir[PATH_MAX], real[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", db_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (!realpath(*dir ? dir : "/", real))
        snprintf(real, sizeof real, "%s", *dir ? dir : "/");
    slash = strrchr(real, '/');
    if (slash)
        *slash = '\0';
    if (snprintf(out, outlen, "%s/civic-kiosk-keys/pii.key", real) >= (int)outlen)
        out[0] = '\0'; /* reading "" fails, naming no file: never a cut-off path */
    return KEY_DEV;
}

/* Reads exactly KEY_BYTES from a regular file that only its owner (this user or root) and,
 * on a board, the kiosk group can read, and nobody else can write. */
static enum ck_err key_read(const char *path, unsigned char *key, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return ck_fail(err, errlen, errno == ENOENT ? CK_ERR_NOT_FOUND : CK_ERR_IO,
                       "cannot read the key file %s: %s", path, strerror(errno));
    struct stat sb;
    enum ck_err rc = CK_OK;
    if (fstat(fd, &sb) != 0)
        rc = ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode) || sb.st_size != KEY_BYTES)
        rc = ck_fail(err, errlen, CK_ERR_CONFIG,
                     "the key file %s must hold exactly %d bytes (head -c %d /dev/urandom)", path,
                     KEY_BYTES, KEY_BYTES);
    else if (sb.st_uid != geteuid() && sb.st_uid != 0)
        rc = ck_fail(err, errlen, CK_ERR_CONFIG,
                     "the key file %s belongs to uid %u, not to this user or root", path,
                     (unsigned)sb.st_uid);
    else if (sb.st_mode & (S_IWGRP | S_IWOTH | S_IROTH))
        rc = ck_fail(err, errlen, CK_ERR_CONFIG,
                     "the key file %s is open to others (mode %03o): chmod 600 it (0440 "
                     "root:kiosk on a board)",
                     path, (unsigned)(sb.st_mode & 0777));
    size_t got = 0;
    while (!rc && got < KEY_BYTES) {
        ssize_t n = read(fd, key + got, KEY_BYTES - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            rc = ck_fail(err, errlen, CK_ERR_IO, "reading the key file %s: %s", path,
                         n < 0 ? strerror(errno) : "too short");
        else
            got += (size_t)n;
    }
    close(fd);
    return rc;
}

/* A developer's machine: a fresh random key, 0600, in a 0700 folder of this user's. Written
 * to a temporary name and linked into place, so two processes starting at once end up with the
 * same key (the second link fails and that process reads the first one's). */
static enum ck_err key_create(const char *path, char *err, size_t errlen)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    enum ck_err rc = ck_fs_mkdir_p(dir, err, errlen);
    if (rc)
        return rc;
    struct stat sb;
    if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
        (sb.st_mode & (S_IWGRP | S_IWOTH)))
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "%s is not a folder of this user's that only it can write: no key is made "
                       "there (set CK_KEY_FILE)",
                       dir);
    unsigned char key[KEY_BYTES];
    randombytes_buf(key, sizeof key);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        sodium_memzero(key, sizeof key);
        return ck_fail(err, errlen, CK_ERR_IO, "cannot make the key file %s: %s", path,
                       strerror(errno));
    }
    int e = 0;
    if (write(fd, key, sizeof key) != (ssize_t)sizeof key || fsync(fd) != 0)
        e = errno ? errno : EIO;
    sodium_memzero(key, sizeof key);
    if (close(fd) != 0 && !e)
        e = errno;
    bool made = false;
    if (!e && link(tmp, path) == 0)
        made = true;
    else if (!e && errno != EEXIST)
        e = errno;
    unlink(tmp);
    if (e)
        return ck_fail(err, errlen, CK_ERR_IO, "cannot make the key file %s: %s", path,
                       strerror(e));
    if (made) {
        ck_fs_fsync_dir(dir, NULL, 0);
        ck_info("store",
                "made a new key for residents' contact details: %s (a development key;"
                " a board's is provisioned by setup-board.sh)",
                path);
    }
    return CK_OK;
}

void ck_pii_init(struct ck_store *st, const char *db_path)
{
    char path[PATH_MAX], err[CK_ERR_LEN];
    enum key_source src = key_path(db_path, path, sizeof path);
    st->key_problem[0] = '\0';
    if (sodium_init() < 0) {
        snprintf(st->key_problem, sizeof st->key_problem, "libsodium did not start");
        return;
    }
    unsigned char *key = sodium_malloc(KEY_BYTES);
    if (!key) {
        snprintf(st->key_problem, sizeof st->key_problem, "out of memory for the key");
        return;
    }
    enum ck_err rc = key_read(path, key, err, sizeof err);
    if (rc == CK_ERR_NOT_FOUND && src == KEY_DEV && !key_create(path, err, sizeof err))
        rc = key_read(path, key, err, sizeof err);
    if (rc) {
        sodium_free(key);
        snprintf(st->key_problem, sizeof st->key_problem, "%s", err);
        return;
    }
    unsigned char id[8];
    static const char context[] = "civic-kiosk pii key id";
    crypto_generichash(id, sizeof id, (const unsigned char *)context, sizeof context - 1, key,
                       KEY_BYTES);
    sodium_bin2hex(st->key_id, sizeof st->key_id, id, sizeof id);
    sodium_mprotect_readonly(key);
    st->key = key;
}

void ck_pii_deinit(struct ck_store *st)
{
    if (st->key)
        sodium_free(st->key); /* zeroes it */
    st->key = NULL;
    st->key_id[0] = '\0';
}

/* --------------------------------------------------------------- one value */

static void make_ad(char *ad, size_t adlen, const char *receipt, const char *column)
{
    snprintf(ad, adlen, "civic-kiosk pii v1|%s|%s", receipt, column);
}

enum ck_err ck_pii_seal(const struct ck_store *st, const char *receipt, const char *column,
                        const char *value, unsigned char **out, size_t *outlen, char *err,
                        size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    if (!st->key)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "contact details cannot be stored safely without the kiosk's key: %s",
                       st->key_problem);
    size_t len = strlen(value);
    if (len > MAX_VALUE)
        return ck_fail(err, errlen, CK_ERR_INVALID, "a %s longer than %d bytes", column, MAX_VALUE);
    size_t padded;
    unsigned char plain[MAX_VALUE + PAD_BLOCK]; /* wiped below; a stack buffer, no syscalls */
    unsigned char *blob = malloc(1 + NONCE_BYTES + len + PAD_BLOCK + TAG_BYTES);
    enum ck_err rc = CK_OK;
    if (!blob) {
        rc = ck_fail(err, errlen, CK_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(plain, value, len);
    if (sodium_pad(&padded, plain, len, PAD_BLOCK, len + PAD_BLOCK) != 0) {
        rc = ck_fail(err, errlen, CK_ERR_INVALID, "cannot pad a %s", column);
        goto out;
    }
    char ad[128];
    make_ad(ad, sizeof ad, receipt, column);
    blob[0] = FORMAT_V1;
    randombytes_buf(blob + 1, NONCE_BYTES);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(blob + 1 + NONCE_BYTES, &clen, plain, padded,
                                               (const unsigned char *)ad, strlen(ad), NULL,
                                               blob + 1, st->key);
    *out = blob;
    *outlen = 1 + NONCE_BYTES + (size_t)clen;
    blob = NULL;
out:
    sodium_memzero(plain, sizeof plain);
    free(blob);
    return rc;
}

enum ck_err ck_pii_unseal(const struct ck_store *st, const char *receipt, const char *column,
                          const unsigned char *blob, size_t len, char **out, char *err,
                          size_t errlen)
{
    *out = NULL;
    if (!st->key)
        return ck_fail(err, errlen, CK_ERR_CONFIG, "no key to open the %s of %s: %s", column,
                       receipt, st->key_problem);
    if (len < 1 + NONCE_BYTES + TAG_BYTES + PAD_BLOCK ||
        len > 1 + NONCE_BYTES + MAX_VALUE + PAD_BLOCK + TAG_BYTES || blob[0] != FORMAT_V1)
        return ck_fail(err, errlen, CK_ERR_PARSE, "the stored %s of %s is not a sealed value",
                       column, receipt);
    size_t clen = len - 1 - NONCE_BYTES;
    unsigned char plain[MAX_VALUE + PAD_BLOCK + TAG_BYTES]; /* wiped below */
    char ad[128];
    make_ad(ad, sizeof ad, receipt, column);
    unsigned long long plen;
    size_t unpadded;
    enum ck_err rc = CK_OK;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, blob + 1 + NONCE_BYTES, clen,
                                                   (const unsigned char *)ad, strlen(ad), blob + 1,
                                                   st->key) != 0 ||
        sodium_unpad(&unpadded, plain, (size_t)plen, PAD_BLOCK) != 0)
        rc = ck_fail(err, errlen, CK_ERR_INVALID,
                     "the stored %s of %s does not open with key %s (damaged, or moved from "
                     "another request)",
                     column, receipt, st->key_id);
    else if (!(*out = malloc(unpadded + 1)))
        rc = ck_fail(err, errlen, CK_ERR_NOMEM, "out of memory");
    else {
        memcpy(*out, plain, unpadded);
        (*out)[unpadded] = '\0';
    }
    sodium_memzero(plain, sizeof plain);
    return rc;
}

/* ---------------------------------------------------------- scrubbing the WAL */

void ck_pii_wiped(struct ck_store *st)
{
    st->scrub_due = true;
}

/* secure_delete zeroes a wiped value inside the new page image, but the old images stay in
 * the WAL (the frames of earlier commits) and in the main file (until a checkpoint copies the
 * new image over them). A TRUNCATE checkpoint does both: the new pages reach the main file and
 * the WAL is cut to zero bytes. It needs no reader on an older snapshot and briefly holds the
 * write lock, so it runs at most once a SCRUB_INTERVAL_MS (after a batch of deliveries, not
 * after each), with a short busy wait: if the database is busy it stays due and the next call
 * tries again. */
void ck_pii_scrub(struct ck_store *st, bool force)
{
    if (!st->scrub_due || !sqlite3_get_autocommit(st->db))
        return;
    uint64_t now = ck_clock_mono_ms();
    if (!force && st->scrub_at_ms && now - st->scrub_at_ms < SCRUB_INTERVAL_MS)
        return;
    sqlite3_busy_timeout(st->db, 100);
    int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_busy_timeout(st->db, CK_STORE_BUSY_MS);
    st->scrub_at_ms = now;
    if (rc == SQLITE_OK) {
        st->scrub_due = false;
        ck_debug("store", "wiped fields scrubbed from the WAL (%llu ms)",
                 (unsigned long long)(ck_clock_mono_ms() - now));
    } else {
        ck_debug("store", "WAL scrub postponed: %s", sqlite3_errmsg(st->db));
    }
}
