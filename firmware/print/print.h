/* print.h: receipts on ESC/POS thermal printers.
 *
 * Two halves:
 *   - ck_receipt_render lays a receipt out as 1-bit images at the width of the printer's
 *     profile and encodes them as ESC/POS (GS v 0 rasters in bands, or GS ( k for the QR where
 *     the profile says the printer draws QR codes). Text is set by the caller's text engine
 *     (the screen's, so every language prints as it shows); this layer never sees a font.
 *     Runs on the caller's thread (the UI thread, where the text engine lives).
 *   - A print worker thread owns the printer: it sends jobs with timeouts (a printer out of
 *     paper would otherwise hang a write forever), polls the printer's status (DLE EOT) while
 *     idle, and reports by calling `notify` on its own thread. Nothing here blocks the caller.
 * Printer URIs: usb:/dev/usb/lp0, tcp:HOST[:PORT] (port 9100 by default), file:PATH (the
 * bytes are appended to the file), none. */
#ifndef CK_PRINT_H
#define CK_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bitmap.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/printer.h"

/* ------------------------------------------------------------------ layout */

enum ck_receipt_style { CK_RS_SMALL, CK_RS_BODY, CK_RS_BOLD, CK_RS_BIG, CK_RS_HUGE };
enum ck_receipt_align { CK_RA_START, CK_RA_CENTER };

/* A style's text size in dots on a `dpi` printer (about 2.5, 3, 4.2 and 7.5 mm tall), and
 * whether it is bold: what a text engine sets it in. */
int ck_receipt_style_px(enum ck_receipt_style style, int dpi, bool *bold);

/* The caller's text engine: sets `utf8` wrapped to `width` dots into a new 1-bit image (out->px
 * allocated, 1 = black), in a style sized for `dpi`. Returns CK_OK, or an error with nothing
 * allocated. image() does the same for a picture file scaled to fit max_w x max_h (the logo). */
struct ck_receipt_text {
    void *ctx;
    enum ck_err (*text)(void *ctx, enum ck_receipt_style style, enum ck_receipt_align align,
                        const char *utf8, int width, int dpi, struct ck_bitmap *out);
    enum ck_err (*image)(void *ctx, const char *path, int max_w, int max_h, struct ck_bitmap *out);
};

/* What a receipt says, already in the resident's language. NULL or "" lines are left out. */
struct ck_receipt {
    const char *city_name;
    const char *logo_path;     /* may be NULL */
    const char *code_label;    /* "Your receipt code" */
    const char *code_grouped;  /* "R7Q-W2B-THPM" */
    const char *service;       /* "Problem: Pothole" */
    const char *location;      /* "Where: 120 Main Street" (no personal data) */
    const char *when;          /* "Filed: November 24, 2026, 9:00 AM" */
    const char *kiosk;         /* "Riverton City Hall, ground floor" */
    const char *next_steps;    /* what happens next */
    const char *url_label;     /* "Follow your request:" */
    const char *status_url;    /* printed as text, and as the QR */
    const struct ck_bitmap *qr; /* the QR's modules (1 px a module, no quiet zone) */
    const char *footer;        /* e.g. the city's phone */
};

/* Lays out and encodes one receipt: ESC @, the images, feed, cut. `escpos` receives the
 * bytes (appended); `preview`, when not NULL, the whole receipt as one image (a native QR is
 * drawn into it as the printer would). */
enum ck_err ck_receipt_render(const struct ck_receipt *r, const struct ck_printer_profile *p,
                              const struct ck_receipt_text *te, struct ck_buf *escpos,
                              struct ck_bitmap *preview, char *err, size_t errlen);

/* ------------------------------------------------------------------ ESC/POS */

/* GS v 0 for a 1-bit image, in bands of at most band_rows rows; the image is padded to a
 * whole number of bytes a row. */
enum ck_err ck_escpos_raster(struct ck_buf *out, const struct ck_bitmap *bm, int band_rows);
/* GS ( k: model 2, module size, error correction M, store, print. */
enum ck_err ck_escpos_qr(struct ck_buf *out, const char *payload, int module);

/* ------------------------------------------------------------------ the printer */

enum ck_printer_state {
    CK_PRINTER_NONE,       /* no printer configured */
    CK_PRINTER_UNKNOWN,    /* not asked yet, or it does not answer status queries */
    CK_PRINTER_OK,
    CK_PRINTER_NEAR_END,   /* prints; the roll is nearly empty */
    CK_PRINTER_PAPER_OUT,
    CK_PRINTER_COVER_OPEN,
    CK_PRINTER_OFFLINE,    /* unplugged, switched off, or not answering */
    CK_PRINTER_ERROR,      /* e.g. a cutter error */
};
const char *ck_printer_state_name(enum ck_printer_state s);
/* Can a job be sent now? (ok, near end, or unknown) */
bool ck_printer_state_usable(enum ck_printer_state s);

/* Reads the replies to DLE EOT 1, 2 and 4 (-1: no reply). */
enum ck_printer_state ck_escpos_status(int s1, int s2, int s4);

enum ck_job_state { CK_JOB_NONE, CK_JOB_QUEUED, CK_JOB_PRINTING, CK_JOB_DONE, CK_JOB_FAILED };

struct ck_print_status {
    enum ck_printer_state printer;
    char printer_detail[160];     /* e.g. "tcp:10.0.0.9:9100: Connection refused" */
    int job;                      /* the last job submitted (0: none) */
    enum ck_job_state job_state;
    char job_detail[160];
};

struct ck_print;

/* Starts the worker for `uri` ("none" is fine: the state stays CK_PRINTER_NONE). idle_poll_ms
 * is how often the status is asked while nothing prints and the printer is not OK (0: never);
 * while it is OK, twelve times less often. */
struct ck_print *ck_print_start(const char *uri, int idle_poll_ms, void (*notify)(void *ctx),
                                void *ctx, char *err, size_t errlen);
void ck_print_stop(struct ck_print *p);

/* Queues a job (the bytes are copied); its number in *job. CK_ERR_BUSY when the queue is
 * full, CK_ERR_NOT_FOUND when no printer is configured. */
enum ck_err ck_print_submit(struct ck_print *p, const struct ck_buf *bytes, int *job);
void ck_print_status(struct ck_print *p, struct ck_print_status *out);
/* Nothing queued or printing, and the printer asked once since the start. */
bool ck_print_idle(struct ck_print *p);

#endif
