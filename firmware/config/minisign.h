/* minisign.h: verification of minisign signatures, the signatures on config bundles.
 *
 * Written from minisign's published format (jedisct1.github.io/minisign), checked with
 * libsodium; no minisign code. A public key is base64("Ed" || key id[8] || Ed25519 key[32]).
 * A signature file is four lines:
 *
 *   untrusted comment: <anything; not signed>
 *   base64("ED" || key id[8] || Ed25519 signature of BLAKE2b-512(message))
 *   trusted comment: <text>
 *   base64(Ed25519 signature of (the 64-byte signature above || text))
 *
 * Only the prehashed "ED" type (minisign's default) is accepted; the legacy "Ed" type
 * (`minisign -l`, the raw message signed) is refused. docs/fleet.md ("The signature") says
 * what the kiosk puts in the trusted comment.
 *
 * Pure functions over memory: any thread, no I/O, no global state beyond libsodium's
 * one-time (thread-safe) initialisation. Includes nothing of ours but core/err.h. */
#ifndef CK_MINISIGN_H
#define CK_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CK_MINISIGN_MAX_BYTES 16384u /* a signature file larger than this is refused */
#define CK_MINISIGN_KEY_ID_HEX 17    /* buffer for a key id as minisign prints it, with NUL */

/* A minisign public key: its 8-byte key id (as stored, little-endian) and its Ed25519 key. */
struct ck_minisign_key {
    uint8_t id[8];
    uint8_t pk[32];
};

/* Parses a public key as minisign prints it: the base64 line "RW..." (56 characters). A whole
 * .pub file, with its "untrusted comment:" line first, is accepted too, as are surrounding
 * blanks and a final newline. Fills *key and returns CK_OK, or returns CK_ERR_PARSE with a
 * message starting "public key: " in err (key is then zeroed). Any thread. */
enum ck_err ck_minisign_parse_key(const char *text, struct ck_minisign_key *key, char *err,
                                  size_t errlen);

/* Writes the key id the way minisign shows it (in "minisign public key 62654B9CACC6C625" and
 * in -V output): 16 upper-case hex digits, most significant byte first. out holds
 * CK_MINISIGN_KEY_ID_HEX bytes. */
void ck_minisign_key_id_hex(const uint8_t id[8], char out[CK_MINISIGN_KEY_ID_HEX]);

/* Verifies the signature file sig (siglen bytes, the whole .minisig; need not be
 * NUL-terminated) over msg (len bytes) with whichever of keys[0..nkeys) has the signature's key
 * id; the fleet pins one or two. Lines may end in \n or \r\n; the final newline is optional;
 * nothing may follow line 4. Checks the signature over BLAKE2b-512(msg), then the global
 * signature over the signature and the trusted comment.
 *
 * On success returns CK_OK, copies the trusted comment (without "trusted comment: ") into
 * trusted (trustedlen bytes, NUL-terminated; 256 is plenty for the fleet's comment) and the
 * index in keys of the key that verified into *which (which may be NULL). On failure, trusted
 * and *which are untouched and err says why, starting "signature: ", in words an admin or
 * facilities staff can act on:
 *   CK_ERR_PARSE    not a minisign signature file (names the line), truncated, too large
 *   CK_ERR_INVALID  legacy type, unknown key (names its id), bundle or trusted comment altered
 *   CK_ERR_CONFIG   nkeys is 0
 *   CK_ERR_FULL     the trusted comment does not fit in trustedlen
 *   CK_ERR_NOMEM, CK_ERR_IO  allocation or libsodium initialisation failed
 * Any thread; reads nothing outside the given buffers. */
enum ck_err ck_minisign_verify(const uint8_t *msg, size_t len, const char *sig, size_t siglen,
                               const struct ck_minisign_key *keys, size_t nkeys, char *trusted,
                               size_t trustedlen, size_t *which, char *err, size_t errlen);

#endif
