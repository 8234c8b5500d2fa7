/* fuzz_receipt.c: receipt codes as residents type them and as servers echo them
 * (core/receipt.h).
 *
 * Whatever is typed, parsing never crashes; a code it accepts is canonical, groups to 3-3-4 and
 * parses back to itself; a code made from any kiosk id it accepts and any random bytes parses;
 * and every single-character change of an accepted code is caught (Damm's promise). */
#include <ctype.h>
#include <string.h>

#include "core/receipt.h"
#include "fuzz.h"

static void accepted(const char *code)
{
    char grouped[CK_RECEIPT_GROUPED_LEN + 1], again[CK_RECEIPT_LEN + 1];
    FUZZ_CHECK(strlen(code) == CK_RECEIPT_LEN);
    FUZZ_CHECK(ck_receipt_check_char(code, CK_RECEIPT_LEN - 1) == code[CK_RECEIPT_LEN - 1]);
    ck_receipt_group(code, grouped);
    FUZZ_CHECK(strlen(grouped) == CK_RECEIPT_GROUPED_LEN && grouped[3] == '-' && grouped[7] == '-');
    FUZZ_CHECK(ck_receipt_parse(grouped, again) == CK_RECEIPT_OK && strcmp(again, code) == 0);
    /* A typo in one place: the check catches it, whatever character it became. */
    static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    char typo[CK_RECEIPT_LEN + 1];
    for (size_t i = 0; i < CK_RECEIPT_LEN; i++) {
        memcpy(typo, code, sizeof typo);
        typo[i] = ALPHABET[(strchr(ALPHABET, code[i]) - ALPHABET + 1) % 32];
        FUZZ_CHECK(ck_receipt_parse(typo, again) == CK_RECEIPT_MISTYPED);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *typed = fuzz_strndup(data, size);
    char code[CK_RECEIPT_LEN + 1];
    enum ck_receipt_check r = ck_receipt_parse(typed, code);
    FUZZ_CHECK(r >= CK_RECEIPT_OK && r <= CK_RECEIPT_MISTYPED);
    if (r == CK_RECEIPT_OK)
        accepted(code);
    ck_receipt_check_char(typed, strlen(typed));

    /* The first two bytes as a kiosk id, the next seven as the random part. */
    if (size >= 2 + CK_RECEIPT_RANDOM) {
        char id[3] = {(char)data[0], (char)data[1], '\0'};
        if (ck_receipt_kiosk_id_valid(id)) {
            ck_receipt_make(id, data + 2, code);
            FUZZ_CHECK(toupper((unsigned char)id[0]) == code[0] || strchr("01", code[0]));
            char again[CK_RECEIPT_LEN + 1];
            FUZZ_CHECK(ck_receipt_parse(code, again) == CK_RECEIPT_OK);
            accepted(again);
        }
    }
    free(typed);
    return 0;
}
