/* Minisign signatures on config bundles: what the real minisign CLI signs verifies with either
 * pinned key and gives back its trusted comment; a changed bundle, an edited trusted comment,
 * an unknown key, a legacy signature and any broken or hostile file are refused with a message
 * an admin can act on, and never crash.
 *
 * Fixtures in tests/config/ come from the real CLI (tests/config/make-fixtures.sh).
 * `test_minisign --verify MSG SIG PUB [PUB...]` verifies files made at test time
 * (tests/config/test_minisign_cli.sh), printing the trusted comment and the key index. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "config/minisign.h"

#define TRUSTED "civic-kiosk-bundle version=3 expires=2030-01-01T00:00:00Z"

struct blob {
    char *p;
    size_t n;
};

static struct blob slurp(const char *path)
{
    struct blob b = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b.p = malloc((size_t)n + 1);
    b.n = fread(b.p, 1, (size_t)n, f);
    b.p[b.n] = '\0';
    fclose(f);
    return b;
}

static struct blob fixture(const char *name)
{
    char path[512];
    const char *src = getenv("CK_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/config/%s", src ? src : ".", name);
    return slurp(path);
}

static struct ck_minisign_key key_from(const char *name)
{
    struct blob b = fixture(name);
    struct ck_minisign_key k;
    char err[CK_ERR_LEN];
    if (ck_minisign_parse_key(b.p, &k, err, sizeof err) != CK_OK) {
        fprintf(stderr, "%s: %s\n", name, err);
        exit(2);
    }
    free(b.p);
    return k;
}

/* The id minisign printed in the .pub file's comment line. */
static void id_in_comment(const char *name, char out[CK_MINISIGN_KEY_ID_HEX])
{
    struct blob b = fixture(name);
    const char *p = strstr(b.p, "public key ");
    snprintf(out, CK_MINISIGN_KEY_ID_HEX, "%s", p ? p + strlen("public key ") : "");
    free(b.p);
}

/* Verifies sig (a C string) over msg with keys; the error text lands in err. */
static enum ck_err verify(const struct blob *msg, const char *sig, size_t siglen,
                          const struct ck_minisign_key *keys, size_t nkeys, char *trusted,
                          size_t *which, char *err)
{
    err[0] = '\0';
    return ck_minisign_verify((const uint8_t *)msg->p, msg->n, sig, siglen, keys, nkeys, trusted,
                              256, which, err, CK_ERR_LEN);
}

/* Replaces the first `from` in text by `to` (same length or not) into a new string. */
static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        return NULL;
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    size_t head = (size_t)(at - text);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

static int verify_files(int argc, char **argv)
{
    struct blob msg = slurp(argv[2]), sig = slurp(argv[3]);
    struct ck_minisign_key keys[4];
    size_t nkeys = 0;
    char err[CK_ERR_LEN], trusted[1024];
    for (int i = 4; i < argc && nkeys < 4; i++) {
        struct blob pub = slurp(argv[i]);
        if (ck_minisign_parse_key(pub.p, &keys[nkeys++], err, sizeof err) != CK_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], err);
            return 1;
        }
        free(pub.p);
    }
    size_t which = 99;
    enum ck_err rc = ck_minisign_verify((const uint8_t *)msg.p, msg.n, sig.p, sig.n, keys, nkeys,
                                        trusted, sizeof trusted, &which, err, sizeof err);
    if (rc) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("key %zu\n%s\n", which, trusted);
    free(msg.p);
    free(sig.p);
    return 0;
}

static void test_keys(void)
{
    char err[CK_ERR_LEN], hex[CK_MINISIGN_KEY_ID_HEX], want[CK_MINISIGN_KEY_ID_HEX];
    struct ck_minisign_key k, k1 = key_from("key1.pub");

    /* the id reads as minisign prints it */
    ck_minisign_key_id_hex(k1.id, hex);
    id_in_comment("key1.pub", want);
    CHECK_STR(hex, want);

    /* the bare "RW..." line, as pasted into fleet.public_keys, with or without blanks */
    struct blob pub = fixture("key1.pub");
    char *line = strchr(pub.p, '\n') + 1;
    CHECK(ck_minisign_parse_key(line, &k, err, sizeof err) == CK_OK);
    CHECK(memcmp(&k, &k1, sizeof k) == 0);
    char padded[128];
    snprintf(padded, sizeof padded, "  %.56s \r\n", line);
    CHECK(ck_minisign_parse_key(padded, &k, err, sizeof err) == CK_OK);
    CHECK(memcmp(&k, &k1, sizeof k) == 0);

    /* bad base64, wrong length, not a key, empty, nothing: refused and said so */
    char bad[128];
    snprintf(bad, sizeof bad, "%.56s", line);
    bad[10] = '!';
    CHECK(ck_minisign_parse_key(bad, &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "public key: not base64") != NULL);
    snprintf(bad, sizeof bad, "%.52s", line); /* 39 bytes of a 42-byte key */
    CHECK(ck_minisign_parse_key(bad, &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "public key: wrong length") != NULL);
    snprintf(bad, sizeof bad, "%.56sAAAA", line);
    CHECK(ck_minisign_parse_key(bad, &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "wrong length") != NULL);
    snprintf(bad, sizeof bad, "%.54s", line); /* cut mid-group: not canonical base64 */
    CHECK(ck_minisign_parse_key(bad, &k, err, sizeof err) == CK_ERR_PARSE);
    uint8_t raw[42] = {'E', 'd'}; /* non-ASCII bytes are not base64 ('\xAF' is not '/') */
    memset(raw + 2, 0xff, sizeof raw - 2);
    sodium_bin2base64(bad, sizeof bad, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    CHECK(ck_minisign_parse_key(bad, &k, err, sizeof err) == CK_OK);
    *strchr(bad, '/') = (char)0xaf;
    CHECK(ck_minisign_parse_key(bad, &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "public key: not base64") != NULL);
    raw[0] = raw[1] = 'X';
    sodium_bin2base64(bad, sizeof bad, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    CHECK(ck_minisign_parse_key(bad, &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "not a minisign Ed25519 public key") != NULL);
    struct blob sig = fixture("bundle.json.minisig"); /* a signature line is not a key */
    char *sigline = strchr(sig.p, '\n') + 1;
    *strchr(sigline, '\n') = '\0';
    CHECK(ck_minisign_parse_key(sigline, &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "wrong length") != NULL);
    CHECK(ck_minisign_parse_key("", &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "public key: empty") != NULL);
    CHECK(ck_minisign_parse_key(" \n ", &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(ck_minisign_parse_key(NULL, &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(ck_minisign_parse_key("untrusted comment: minisign public key 1", &k, err, sizeof err) ==
          CK_ERR_PARSE);
    CHECK(strstr(err, "missing") != NULL);
    char two[160];
    snprintf(two, sizeof two, "%.56s\n%.56s\n", line, line);
    CHECK(ck_minisign_parse_key(two, &k, err, sizeof err) == CK_ERR_PARSE);
    CHECK(strstr(err, "more than one line") != NULL);
    char *huge = malloc(1u << 20);
    memset(huge, 'A', (1u << 20) - 1);
    huge[(1u << 20) - 1] = '\0';
    CHECK(ck_minisign_parse_key(huge, &k, err, sizeof err) == CK_ERR_PARSE);
    free(huge);
    free(pub.p);
    free(sig.p);
}

static void test_good(const struct blob *msg, const struct ck_minisign_key keys[2])
{
    char err[CK_ERR_LEN], trusted[256];
    size_t which = 99;
    struct blob sig1 = fixture("bundle.json.minisig"), sig2 = fixture("bundle.json.key2.minisig");
    struct ck_minisign_key swapped[2] = {keys[1], keys[0]};

    CHECK(verify(msg, sig1.p, sig1.n, keys, 2, trusted, &which, err) == CK_OK);
    CHECK(which == 0);
    CHECK_STR(trusted, TRUSTED);
    CHECK(verify(msg, sig1.p, sig1.n, swapped, 2, trusted, &which, err) == CK_OK);
    CHECK(which == 1);
    CHECK(verify(msg, sig2.p, sig2.n, keys, 2, trusted, &which, err) == CK_OK);
    CHECK(which == 1);
    CHECK_STR(trusted, TRUSTED);
    CHECK(verify(msg, sig1.p, sig1.n, keys, 1, trusted, &which, err) == CK_OK);
    CHECK(which == 0);
    CHECK(verify(msg, sig2.p, sig2.n, &keys[1], 1, trusted, NULL, err) == CK_OK);

    /* CRLF line endings (a file that went through Windows) and no final newline */
    char *crlf = malloc(2 * sig1.n + 1), *o = crlf;
    for (size_t i = 0; i < sig1.n; i++) {
        if (sig1.p[i] == '\n')
            *o++ = '\r';
        *o++ = sig1.p[i];
    }
    CHECK(verify(msg, crlf, (size_t)(o - crlf), keys, 2, trusted, &which, err) == CK_OK);
    CHECK_STR(trusted, TRUSTED);
    CHECK(verify(msg, crlf, (size_t)(o - crlf) - 2, keys, 2, trusted, &which, err) == CK_OK);
    CHECK(verify(msg, sig1.p, sig1.n - 1, keys, 2, trusted, &which, err) == CK_OK);
    free(crlf);

    /* the untrusted comment is not signed: another one still verifies */
    char *other = replace(sig1.p, "signature from minisign secret key", "made on the admin laptop");
    CHECK(verify(msg, other, strlen(other), keys, 2, trusted, &which, err) == CK_OK);
    free(other);

    /* a buffer too small for the trusted comment is refused, not overrun */
    char small[16] = "untouched";
    CHECK(ck_minisign_verify((const uint8_t *)msg->p, msg->n, sig1.p, sig1.n, keys, 2, small,
                             sizeof small, &which, err, sizeof err) == CK_ERR_FULL);
    CHECK_STR(small, "untouched");
    CHECK(strstr(err, "trusted comment is too long") != NULL);

    /* no pinned key is a configuration mistake */
    CHECK(verify(msg, sig1.p, sig1.n, keys, 0, trusted, &which, err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "no usable public key") != NULL);
    free(sig1.p);
    free(sig2.p);
}

static void test_refused(const struct blob *msg, const struct ck_minisign_key keys[2])
{
    char err[CK_ERR_LEN], trusted[256] = "untouched";
    size_t which = 99;
    struct blob sig = fixture("bundle.json.minisig");

    /* the bundle changed: one byte flipped, one byte cut, one byte added */
    struct blob m = {malloc(msg->n + 1), msg->n};
    memcpy(m.p, msg->p, msg->n);
    m.p[m.n / 2] ^= 1;
    CHECK(verify(&m, sig.p, sig.n, keys, 2, trusted, &which, err) == CK_ERR_INVALID);
    CHECK_STR(err, "signature: does not match the bundle (tampered or truncated)");
    CHECK_STR(trusted, "untouched");
    CHECK(which == 99);
    m.p[m.n / 2] ^= 1;
    m.n = msg->n - 1;
    CHECK(verify(&m, sig.p, sig.n, keys, 2, trusted, &which, err) == CK_ERR_INVALID);
    CHECK(strstr(err, "does not match the bundle") != NULL);
    m.p[msg->n] = ' ';
    m.n = msg->n + 1;
    CHECK(verify(&m, sig.p, sig.n, keys, 2, trusted, &which, err) == CK_ERR_INVALID);
    free(m.p);

    /* a newer version or a later expiry written into the trusted comment */
    char *edited = replace(sig.p, "version=3", "version=4");
    CHECK(verify(msg, edited, strlen(edited), keys, 2, trusted, &which, err) == CK_ERR_INVALID);
    CHECK(strstr(err, "signature: trusted comment was altered") != NULL);
    free(edited);
    edited = replace(sig.p, "expires=2030", "expires=2099");
    CHECK(verify(msg, edited, strlen(edited), keys, 2, trusted, &which, err) == CK_ERR_INVALID);
    CHECK(strstr(err, "trusted comment was altered") != NULL);
    free(edited);
    edited = replace(sig.p, TRUSTED "\n", TRUSTED " \n"); /* even a trailing blank */
    CHECK(verify(msg, edited, strlen(edited), keys, 2, trusted, &which, err) == CK_ERR_INVALID);
    free(edited);
    CHECK_STR(trusted, "untouched");

    /* a key the kiosk does not trust, named as minisign names it */
    struct blob unk = fixture("bundle.json.unknown.minisig");
    char id[CK_MINISIGN_KEY_ID_HEX], want[128];
    id_in_comment("unknown.pub", id);
    snprintf(want, sizeof want, "signature: made by an unknown key (key id %s)", id);
    CHECK(verify(msg, unk.p, unk.n, keys, 2, trusted, &which, err) == CK_ERR_INVALID);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    id_in_comment("key2.pub", id);
    CHECK(strstr(err, id) != NULL); /* and says which keys it trusts */
    free(unk.p);

    /* the right key id with the wrong key: nothing verifies */
    struct ck_minisign_key forged = keys[0];
    memcpy(forged.pk, keys[1].pk, sizeof forged.pk);
    CHECK(verify(msg, sig.p, sig.n, &forged, 1, trusted, &which, err) == CK_ERR_INVALID);

    /* the legacy type, even though its signature is good */
    struct blob legacy = fixture("bundle.json.legacy.minisig");
    CHECK(verify(msg, legacy.p, legacy.n, keys, 2, trusted, &which, err) == CK_ERR_INVALID);
    CHECK(strstr(err, "signature: legacy (non-prehashed) signatures are not accepted; sign with "
                      "a current minisign") == err);
    free(legacy.p);
    free(sig.p);
}

static void test_broken(const struct blob *msg, const struct ck_minisign_key keys[2])
{
    char err[CK_ERR_LEN], trusted[256];
    size_t which;
    struct blob sig = fixture("bundle.json.minisig");

    CHECK(verify(msg, "", 0, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK_STR(err, "signature: file is empty");
    CHECK(verify(msg, NULL, 0, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    const char *hello = "hello, world\n";
    CHECK(verify(msg, hello, strlen(hello), keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK(strstr(err, "not a minisign signature file (line 1") != NULL);

    /* every truncation is refused, naming where it stopped; only the final newline may go */
    for (size_t n = 1; n + 1 < sig.n; n++) {
        CHECK(verify(msg, sig.p, n, keys, 2, trusted, &which, err) != CK_OK);
        CHECK(strncmp(err, "signature: ", 11) == 0);
    }
    size_t line2 = (size_t)(strchr(sig.p, '\n') - sig.p) + 1;
    CHECK(verify(msg, sig.p, line2, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK_STR(err, "signature: file is truncated (it ends after line 1 of 4)");

    /* line 2 garbage or the wrong size; line 3 without its prefix; text after line 4 */
    char *bad = replace(sig.p, "\nRU", "\n#U");
    CHECK(verify(msg, bad, strlen(bad), keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK_STR(err, "signature: not a minisign signature file (line 2 is not base64)");
    free(bad);
    bad = replace(sig.p, "\nRU", "\nAAAARU");
    CHECK(verify(msg, bad, strlen(bad), keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK(strstr(err, "line 2 has the wrong length") != NULL);
    free(bad);
    bad = replace(sig.p, "\ntrusted comment: ", "\ntrusted_comment: ");
    CHECK(verify(msg, bad, strlen(bad), keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK(strstr(err, "line 3 does not start with \"trusted comment: \"") != NULL);
    free(bad);
    bad = replace(sig.p, "untrusted comment: ", "");
    CHECK(verify(msg, bad, strlen(bad), keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK(strstr(err, "line 1 does not start with") != NULL);
    free(bad);
    char *extra = malloc(sig.n + 8);
    memcpy(extra, sig.p, sig.n);
    memcpy(extra + sig.n, "more\n", 5);
    CHECK(verify(msg, extra, sig.n + 5, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK(strstr(err, "text after line 4") != NULL);
    CHECK(verify(msg, extra, sig.n + 1, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    memcpy(extra, sig.p, sig.n);
    extra[sig.n - 3] = '\0'; /* a NUL inside the padding of line 4 */
    CHECK(verify(msg, extra, sig.n, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK(strstr(err, "NUL") != NULL);
    free(extra);

    /* 1 MiB of garbage, and 1 MiB that starts like a signature, rejected at once */
    size_t big = 1u << 20;
    char *g = malloc(big);
    randombytes_buf(g, big);
    CHECK(verify(msg, g, big, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK(strstr(err, "not a minisign signature file") != NULL);
    memset(g, 'A', big);
    memcpy(g, "untrusted comment: ", 19);
    CHECK(verify(msg, g, big, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    /* just under the limit, one long line 1 */
    CHECK(verify(msg, g, CK_MINISIGN_MAX_BYTES, keys, 2, trusted, &which, err) == CK_ERR_PARSE);
    CHECK(strstr(err, "truncated") != NULL);
    free(g);
    free(sig.p);
}

/* Every bit of every byte flipped, one at a time: only the unsigned untrusted comment may
 * change and still verify; nothing crashes (run under ASan with CK_SANITIZE=1). */
static void test_bit_flips(const struct blob *msg, const struct ck_minisign_key keys[2])
{
    char err[CK_ERR_LEN], trusted[256];
    size_t which;
    struct blob sig = fixture("bundle.json.minisig");
    size_t comment_from = strlen("untrusted comment: ");
    size_t comment_to = (size_t)(strchr(sig.p, '\n') - sig.p);
    char *copy = malloc(sig.n);
    int verified_outside = 0, refused = 0, silent = 0;
    for (size_t i = 0; i < sig.n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, sig.p, sig.n); /* exactly siglen bytes: no NUL after it to lean on */
            copy[i] ^= (char)(1 << bit);
            enum ck_err rc = verify(msg, copy, sig.n, keys, 2, trusted, &which, err);
            if (rc == CK_OK) {
                if (i < comment_from || i >= comment_to || strcmp(trusted, TRUSTED) != 0) {
                    verified_outside++;
                    fprintf(stderr, "verified with byte %zu bit %d flipped\n", i, bit);
                }
            } else {
                refused++;
                if (strncmp(err, "signature: ", 11) != 0)
                    silent++;
            }
        }
    }
    CHECK(verified_outside == 0);
    CHECK(silent == 0);
    CHECK(refused > (int)(8 * (sig.n - comment_to)));
    free(copy);
    free(sig.p);
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--verify") == 0)
        return verify_files(argc, argv);
    if (argc > 1) {
        fprintf(stderr, "usage: test_minisign [--verify MSG SIG PUB [PUB...]]\n");
        return 2;
    }
    struct ck_minisign_key keys[2] = {key_from("key1.pub"), key_from("key2.pub")};
    struct blob msg = fixture("bundle.json");

    test_keys();
    test_good(&msg, keys);
    test_refused(&msg, keys);
    test_broken(&msg, keys);
    test_bit_flips(&msg, keys);
    free(msg.p);
    return ck_check_report();
}
