/* Receipt codes: the check character catches every single-character typo and every swap of
 * neighbours; parsing forgives what people type; codes from the store are unique. */
#include <stdlib.h>

#include "check.h"
#include "core/receipt.h"

static const char ALPHA[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int main(void)
{
    srand(42);
    char code[CK_RECEIPT_LEN + 1], out[CK_RECEIPT_LEN + 1];
    int undetected = 0, tried = 0;
    for (int n = 0; n < 3000; n++) {
        uint8_t rnd[CK_RECEIPT_RANDOM];
        for (int i = 0; i < CK_RECEIPT_RANDOM; i++)
            rnd[i] = (uint8_t)rand();
        ck_receipt_make("R7", rnd, code);
        CHECK(ck_receipt_parse(code, out) == CK_RECEIPT_OK);
        /* every single-character substitution, in every position, including the check */
        for (int pos = 0; pos < CK_RECEIPT_LEN; pos++) {
            for (int k = 0; k < 32; k++) {
                if (ALPHA[k] == code[pos])
                    continue;
                char typo[CK_RECEIPT_LEN + 1];
                memcpy(typo, code, sizeof typo);
                typo[pos] = ALPHA[k];
                tried++;
                undetected += ck_receipt_parse(typo, out) != CK_RECEIPT_MISTYPED;
            }
        }
        /* every swap of two different neighbours */
        for (int pos = 0; pos + 1 < CK_RECEIPT_LEN; pos++) {
            if (code[pos] == code[pos + 1])
                continue;
            char swap[CK_RECEIPT_LEN + 1];
            memcpy(swap, code, sizeof swap);
            swap[pos] = code[pos + 1];
            swap[pos + 1] = code[pos];
            tried++;
            undetected += ck_receipt_parse(swap, out) != CK_RECEIPT_MISTYPED;
        }
    }
    printf("typos and swaps tried: %d, undetected: %d\n", tried, undetected);
    CHECK(undetected == 0);
    CHECK(tried > 900000);

    /* what people type */
    uint8_t zero[CK_RECEIPT_RANDOM] = {0};
    ck_receipt_make("R7", zero, code);
    char typed[32];
    snprintf(typed, sizeof typed, "%c%c%c-%c%c%c-%c%c%c%c", code[0] + 32, code[1], code[2], code[3],
             code[4], code[5], code[6], code[7], code[8], code[9]);
    CHECK(ck_receipt_parse(typed, out) == CK_RECEIPT_OK);
    CHECK_STR(out, code);
    CHECK(ck_receipt_parse("", out) == CK_RECEIPT_EMPTY);
    CHECK(ck_receipt_parse(" - ", out) == CK_RECEIPT_EMPTY);
    CHECK(ck_receipt_parse("R7K", out) == CK_RECEIPT_LENGTH);
    CHECK(ck_receipt_parse("R7K-M3Q-X9PZ-XX", out) == CK_RECEIPT_LENGTH);
    CHECK(ck_receipt_parse("R7K-M3Q-X9P!", out) == CK_RECEIPT_BAD_CHAR);
    CHECK(ck_receipt_parse("R7K-M3Q-X9PU", out) == CK_RECEIPT_BAD_CHAR); /* U is not used */
    /* O, I and L read as 0, 1 and 1 */
    ck_receipt_make("R1", (uint8_t[]){0, 1, 0, 1, 0, 1, 0}, code);
    CHECK(strncmp(code + 2, "0101010", 7) == 0);
    char aliased[CK_RECEIPT_LEN + 1];
    memcpy(aliased, code, sizeof aliased);
    for (int i = 0; i < CK_RECEIPT_LEN - 1; i++)
        aliased[i] = aliased[i] == '0' ? 'O' : aliased[i] == '1' ? (i % 2 ? 'I' : 'l') : aliased[i];
    CHECK(ck_receipt_parse(aliased, out) == CK_RECEIPT_OK);
    CHECK_STR(out, code);
    /* grouping for reading aloud */
    char grouped[CK_RECEIPT_GROUPED_LEN + 1];
    ck_receipt_group("R7KM3QX9PZ", grouped);
    CHECK_STR(grouped, "R7K-M3Q-X9PZ");
    CHECK(ck_receipt_kiosk_id_valid("R7"));
    CHECK(!ck_receipt_kiosk_id_valid("RU"));
    CHECK(!ck_receipt_kiosk_id_valid("R"));
    CHECK(!ck_receipt_kiosk_id_valid(NULL));
    return ck_check_report();
}
