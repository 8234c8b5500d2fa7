/* printer.h: a receipt printer's profile, as the config gives it to the print layer: how wide
 * it prints, at what resolution, and which ESC/POS features it has. Plain data. */
#ifndef CK_PRINTER_H
#define CK_PRINTER_H

#include <stdbool.h>

enum ck_cut { CK_CUT_NONE, CK_CUT_PARTIAL, CK_CUT_FULL };

struct ck_printer_profile {
    char name[32];
    int dots;        /* printable width in dots: 384 (58 mm), 576 (80 mm), 512 (TM-T88 class) */
    int dpi;         /* 203 or 180 */
    bool native_qr;  /* the printer draws QR codes itself (GS ( k) */
    enum ck_cut cut;
    int qr_module;   /* dots per QR module: 5-6 at 203 dpi, 4-5 at 180 */
    int band_rows;   /* the tallest GS v 0 image sent in one command */
    int feed_lines;  /* blank lines fed before the cut, so the text clears the cutter */
};

/* The built-in profiles: "58mm", "80mm", "80mm-180dpi" (TM-T88), "58mm-native-qr",
 * "80mm-native-qr". Returns false for an unknown name. */
bool ck_printer_profile_builtin(const char *name, struct ck_printer_profile *out);

#endif
