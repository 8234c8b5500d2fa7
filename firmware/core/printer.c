/* printer.c: the built-in receipt printer profiles (research/receipts.md, section 1.1: widths
 * and resolutions from escpos-printer-db). */
#include "core/printer.h"

#include <stdio.h>
#include <string.h>

static const struct ck_printer_profile BUILTIN[] = {
    /* name, dots, dpi, native_qr, cut, qr_module, band_rows, feed_lines */
    {"58mm", 384, 203, false, CK_CUT_PARTIAL, 6, 255, 4},
    {"58mm-native-qr", 384, 203, true, CK_CUT_PARTIAL, 6, 255, 4},
    {"80mm", 576, 203, false, CK_CUT_PARTIAL, 6, 255, 4},
    {"80mm-native-qr", 576, 203, true, CK_CUT_PARTIAL, 6, 255, 4},
    {"80mm-180dpi", 512, 180, true, CK_CUT_PARTIAL, 5, 255, 4},
};

bool ck_printer_profile_builtin(const char *name, struct ck_printer_profile *out)
{
    for (size_t i = 0; i < sizeof BUILTIN / sizeof BUILTIN[0]; i++)
        if (strcmp(BUILTIN[i].name, name) == 0) {
            *out = BUILTIN[i];
            return true;
        }
    return false;
}
