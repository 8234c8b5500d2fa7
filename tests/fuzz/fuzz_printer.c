/* fuzz_printer.c: a printer's replies to DLE EOT 1, 2 and 4 (print/print.h).
 *
 * The input is read four bytes at a time: a mask (bit 0, 1, 2: no reply to EOT 1, 2, 4) and the
 * three reply bytes. Besides not crashing, the decoding keeps three promises the print worker
 * relies on: a byte that is not a real-time status byte (0xx1xx10) is no reply at all, a
 * printer that gives no reply is UNKNOWN (usable: a one-way printer still prints), and every
 * state has a name. */
#include <string.h>

#include "fuzz.h"
#include "print/print.h"

static bool status_byte(int b)
{
    return b >= 0 && (b & 0x93) == 0x12;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 4 <= size; i += 4) {
        int s[3];
        for (int k = 0; k < 3; k++)
            s[k] = (data[i] >> k) & 1 ? -1 : data[i + 1 + (size_t)k];
        enum ck_printer_state st = ck_escpos_status(s[0], s[1], s[2]);
        FUZZ_CHECK(st >= CK_PRINTER_NONE && st <= CK_PRINTER_ERROR);
        const char *name = ck_printer_state_name(st);
        FUZZ_CHECK(name && *name);

        int only_valid[3];
        for (int k = 0; k < 3; k++)
            only_valid[k] = status_byte(s[k]) ? s[k] : -1;
        FUZZ_CHECK(ck_escpos_status(only_valid[0], only_valid[1], only_valid[2]) == st);
        if (only_valid[0] < 0 && only_valid[1] < 0 && only_valid[2] < 0)
            FUZZ_CHECK(st == CK_PRINTER_UNKNOWN && ck_printer_state_usable(st));
        FUZZ_CHECK(st != CK_PRINTER_NONE); /* only "no printer configured" is NONE */
    }
    return 0;
}
