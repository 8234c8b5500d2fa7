/* minisign.c: minisign public keys and signature files, parsed strictly and checked with
 * libsodium (BLAKE2b-512, Ed25519). Format in minisign.h.
 *
 * Any thread: pure functions over the caller's buffers. Every length is checked before it is
 * used; base64 goes through sodium_base642bin, which refuses non-canonical padding bits, and
 * non-ASCII bytes are refused before it, so a flipped bit in any byte of lines 2-4 cannot decode
 * to the same signature. Includes only libsodium and core/err.h. */
#include "config/minisign.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_ALG "Ed"        /* every minisign public key */
#define SIG_ALG_HASHED "ED" /* Ed25519 over BLAKE2b-512 of the message: the only type accepted */
#define SIG_ALG_LEGACY "Ed" /* Ed25519 over the raw message (minisign -l): refused */
#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define KEY_TEXT_MAX 4096 /* a pasted .pub file is ~100 bytes */

enum { ALG_LEN = 2, ID_LEN = 8, PK_LEN = 32, SIG_LEN = 64 };
enum { KEY_RAW = ALG_LEN + ID_LEN + PK_LEN, SIG_RAW = ALG_LEN + ID_LEN + SIG_LEN };

struct line {
    const char *s;
    size_t n; /* without the line ending */
};

/* The decoded second line of a signature file. */
struct sig_line {
    uint8_t alg[ALG_LEN];
    uint8_t id[ID_LEN];
    uint8_t sig[SIG_LEN];
};

enum b64 { B64_OK, B64_NOT_BASE64, B64_WRONG_LENGTH };

/* Decodes exactly `want` bytes from standard, padded base64 filling all of s[0..n). */
static enum b64 b64_exact(const char *s, size_t n, uint8_t *out, size_t want)
{
    uint8_t scratch[128]; /* larger than anything wanted, so a near miss reports its length */
    size_t got = 0;
    /* libsodium 1.0.18 (Debian 12) decodes every byte >= 0x80 as '/' (its char is signed), so
     * "\xAF" would pass for "/" and a corrupted file could still verify: refuse them first. */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return B64_NOT_BASE64;
    errno = 0;
    if (sodium_base642bin(scratch, sizeof scratch, s, n, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return errno == ERANGE ? B64_WRONG_LENGTH : B64_NOT_BASE64;
    if (got != want)
        return B64_WRONG_LENGTH;
    memcpy(out, scratch, want);
    return B64_OK;
}

static enum ck_err sodium_ready(char *err, size_t errlen)
{
    /* 0 the first time, 1 afterwards; libsodium makes concurrent first calls safe. */
    if (sodium_init() < 0)
        return ck_fail(err, errlen, CK_ERR_IO,
                       "signature: the crypto library (libsodium) failed to start");
    return CK_OK;
}

void ck_minisign_key_id_hex(const uint8_t id[8], char out[CK_MINISIGN_KEY_ID_HEX])
{
    /* minisign prints the id as a little-endian 64-bit number. */
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < ID_LEN; i++) {
        out[2 * i] = hex[id[ID_LEN - 1 - i] >> 4];
        out[2 * i + 1] = hex[id[ID_LEN - 1 - i] & 15];
    }
    out[2 * ID_LEN] = '\0';
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum ck_err ck_minisign_parse_key(const char *text, struct ck_minisign_key *key, char *err,
                                  size_t errlen)
{
    memset(key, 0, sizeof *key);
    if (!text)
        return ck_fail(err, errlen, CK_ERR_PARSE, "public key: missing");
    size_t n = strnlen(text, KEY_TEXT_MAX + 1);
    if (n > KEY_TEXT_MAX)
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "public key: too long to be a minisign key (expected the \"RW...\" line)");
    const char *s = text, *e = text + n;
    while (s < e && blank(*s))
        s++;
    if ((size_t)(e - s) >= strlen("untrusted comment:") &&
        memcmp(s, "untrusted comment:", strlen("untrusted comment:")) == 0) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        if (!nl)
            return ck_fail(err, errlen, CK_ERR_PARSE,
                           "public key: only a comment line; the \"RW...\" line is missing");
        s = nl + 1;
    }
    while (s < e && blank(*s))
        s++;
    while (e > s && blank(e[-1]))
        e--;
    if (s == e)
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "public key: empty (expected the \"RW...\" line minisign prints)");
    if (memchr(s, '\n', (size_t)(e - s)))
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "public key: more than one line (expected the single \"RW...\" line)");

    uint8_t raw[KEY_RAW];
    switch (b64_exact(s, (size_t)(e - s), raw, sizeof raw)) {
    case B64_OK:
        break;
    case B64_NOT_BASE64:
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "public key: not base64 (expected the \"RW...\" line minisign prints)");
    case B64_WRONG_LENGTH:
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "public key: wrong length (%zu characters; a minisign key has 56)",
                       (size_t)(e - s));
    }
    if (memcmp(raw, KEY_ALG, ALG_LEN) != 0)
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "public key: not a minisign Ed25519 public key (it must start \"RW\")");
    memcpy(key->id, raw + ALG_LEN, ID_LEN);
    memcpy(key->pk, raw + ALG_LEN + ID_LEN, PK_LEN);
    return CK_OK;
}

/* Splits sig into up to 4 lines ending in \n or \r\n (the last may lack it). Returns how many;
 * *rest is what follows the 4th line's ending. */
static size_t split_lines(const char *sig, size_t siglen, struct line l[4], size_t *rest)
{
    size_t pos = 0, n = 0;
    while (n < 4 && pos < siglen) {
        const char *nl = memchr(sig + pos, '\n', siglen - pos);
        size_t end = nl ? (size_t)(nl - sig) : siglen;
        l[n].s = sig + pos;
        l[n].n = end - pos;
        if (l[n].n > 0 && l[n].s[l[n].n - 1] == '\r')
            l[n].n--;
        n++;
        pos = nl ? end + 1 : siglen;
    }
    *rest = siglen - pos;
    return n;
}

static bool has_prefix(const struct line *l, const char *prefix)
{
    size_t p = strlen(prefix);
    return l->n >= p && memcmp(l->s, prefix, p) == 0;
}

static enum ck_err truncated(size_t nlines, char *err, size_t errlen)
{
    return ck_fail(err, errlen, CK_ERR_PARSE,
                   "signature: file is truncated (it ends after line %zu of 4)", nlines);
}

static enum ck_err b64_line(const struct line *l, unsigned lineno, uint8_t *out, size_t want,
                            char *err, size_t errlen)
{
    if (l->n == 0)
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "signature: not a minisign signature file (line %u is empty)", lineno);
    switch (b64_exact(l->s, l->n, out, want)) {
    case B64_OK:
        return CK_OK;
    case B64_NOT_BASE64:
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "signature: not a minisign signature file (line %u is not base64)", lineno);
    case B64_WRONG_LENGTH:
        break;
    }
    return ck_fail(err, errlen, CK_ERR_PARSE,
                   "signature: not a minisign signature file (line %u has the wrong length: %zu "
                   "characters, expected %zu)",
                   lineno, l->n,
                   sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1);
}

/* The parsed file: the signature line, the trusted comment, the global signature. */
struct sig_file {
    struct sig_line sl;
    struct line trusted;
    uint8_t global[SIG_LEN];
};

static enum ck_err parse_sig(const char *sig, size_t siglen, struct sig_file *f, char *err,
                             size_t errlen)
{
    if (!sig || siglen == 0)
        return ck_fail(err, errlen, CK_ERR_PARSE, "signature: file is empty");
    if (siglen > CK_MINISIGN_MAX_BYTES)
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "signature: not a minisign signature file (%zu bytes; at most %u expected)",
                       siglen, CK_MINISIGN_MAX_BYTES);
    if (memchr(sig, '\0', siglen))
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "signature: not a minisign signature file (it contains a NUL byte)");

    struct line l[4];
    size_t rest, n = split_lines(sig, siglen, l, &rest);
    if (!has_prefix(&l[0], UNTRUSTED_PREFIX))
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "signature: not a minisign signature file "
                       "(line 1 does not start with \"" UNTRUSTED_PREFIX "\")");
    if (n < 2)
        return truncated(n, err, errlen);

    uint8_t raw[SIG_RAW];
    enum ck_err rc = b64_line(&l[1], 2, raw, sizeof raw, err, errlen);
    if (rc)
        return rc;
    memcpy(f->sl.alg, raw, ALG_LEN);
    memcpy(f->sl.id, raw + ALG_LEN, ID_LEN);
    memcpy(f->sl.sig, raw + ALG_LEN + ID_LEN, SIG_LEN);
    if (memcmp(f->sl.alg, SIG_ALG_LEGACY, ALG_LEN) == 0)
        return ck_fail(err, errlen, CK_ERR_INVALID,
                       "signature: legacy (non-prehashed) signatures are not accepted; sign with "
                       "a current minisign, without -l");
    if (memcmp(f->sl.alg, SIG_ALG_HASHED, ALG_LEN) != 0)
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "signature: not a minisign signature file (line 2 has an unknown "
                       "signature type)");

    if (n < 3)
        return truncated(n, err, errlen);
    if (!has_prefix(&l[2], TRUSTED_PREFIX))
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "signature: not a minisign signature file "
                       "(line 3 does not start with \"" TRUSTED_PREFIX "\")");
    f->trusted.s = l[2].s + strlen(TRUSTED_PREFIX);
    f->trusted.n = l[2].n - strlen(TRUSTED_PREFIX);

    if (n < 4)
        return truncated(n, err, errlen);
    rc = b64_line(&l[3], 4, f->global, sizeof f->global, err, errlen);
    if (rc)
        return rc;
    if (rest > 0)
        return ck_fail(err, errlen, CK_ERR_PARSE,
                       "signature: not a minisign signature file (text after line 4)");
    return CK_OK;
}

/* Checks both signatures of f with one key. */
static enum ck_err check_with(const struct sig_file *f, const uint8_t hash[SIG_LEN],
                              const struct ck_minisign_key *key, char *err, size_t errlen)
{
    if (crypto_sign_verify_detached(f->sl.sig, hash, SIG_LEN, key->pk) != 0)
        return ck_fail(err, errlen, CK_ERR_INVALID,
                       "signature: does not match the bundle (tampered or truncated)");

    /* The global signature covers the signature and the trusted comment, byte for byte. */
    size_t glen = SIG_LEN + f->trusted.n;
    uint8_t *global_msg = malloc(glen);
    if (!global_msg)
        return ck_fail(err, errlen, CK_ERR_NOMEM, "signature: out of memory");
    memcpy(global_msg, f->sl.sig, SIG_LEN);
    memcpy(global_msg + SIG_LEN, f->trusted.s, f->trusted.n);
    int bad = crypto_sign_verify_detached(f->global, global_msg, glen, key->pk);
    free(global_msg);
    if (bad)
        return ck_fail(err, errlen, CK_ERR_INVALID,
                       "signature: trusted comment was altered (its global signature does not "
                       "match)");
    return CK_OK;
}

static enum ck_err unknown_key(const uint8_t id[ID_LEN], const struct ck_minisign_key *keys,
                               size_t nkeys, char *err, size_t errlen)
{
    char hex[CK_MINISIGN_KEY_ID_HEX], ours[2][CK_MINISIGN_KEY_ID_HEX] = {"", ""};
    ck_minisign_key_id_hex(id, hex);
    for (size_t i = 0; i < nkeys && i < 2; i++)
        ck_minisign_key_id_hex(keys[i].id, ours[i]);
    return ck_fail(err, errlen, CK_ERR_INVALID,
                   "signature: made by an unknown key (key id %s); this kiosk trusts %s%s%s%s", hex,
                   ours[0], nkeys > 1 ? " and " : "", ours[1], nkeys > 2 ? " and others" : "");
}

enum ck_err ck_minisign_verify(const uint8_t *msg, size_t len, const char *sig, size_t siglen,
                               const struct ck_minisign_key *keys, size_t nkeys, char *trusted,
                               size_t trustedlen, size_t *which, char *err, size_t errlen)
{
    if (!keys || nkeys == 0)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "signature: this kiosk has no usable public key (fleet.public_keys)");
    enum ck_err rc = sodium_ready(err, errlen);
    if (rc)
        return rc;

    struct sig_file f;
    rc = parse_sig(sig, siglen, &f, err, errlen);
    if (rc)
        return rc;
    if (f.trusted.n >= trustedlen)
        return ck_fail(err, errlen, CK_ERR_FULL,
                       "signature: trusted comment is too long (%zu bytes; at most %zu expected)",
                       f.trusted.n, trustedlen ? trustedlen - 1 : 0);

    uint8_t hash[SIG_LEN];
    crypto_generichash(hash, sizeof hash, msg ? msg : (const uint8_t *)"", msg ? len : 0, NULL, 0);

    /* Ids are random, so two pinned keys share one only by mistake; try each that matches. */
    bool known = false;
    for (size_t i = 0; i < nkeys; i++) {
        if (memcmp(keys[i].id, f.sl.id, ID_LEN) != 0)
            continue;
        known = true;
        rc = check_with(&f, hash, &keys[i], err, errlen);
        if (rc == CK_OK) {
            memcpy(trusted, f.trusted.s, f.trusted.n);
            trusted[f.trusted.n] = '\0';
            if (which)
                *which = i;
            return CK_OK;
        }
    }
    return known ? rc : unknown_key(f.sl.id, keys, nkeys, err, errlen);
}
