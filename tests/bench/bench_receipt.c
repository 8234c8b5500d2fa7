/* bench_receipt: how long a receipt takes between "Print receipt" and the bytes leaving for the
 * print worker. The real code: the status URL's QR (qr/), the layout and ESC/POS encoding of
 * firmware/print/receipt.c (ck_receipt_render), with text set by the screen's own text engine
 * (ck_ui_raster_text, SDL2_ttf, headless) at the sizes screens/receipt.c uses, for the demo
 * city's printer profile. Also the ESC/POS encoding alone (ck_escpos_raster of the whole
 * receipt). The first receipt (fonts and glyphs not cached yet) is printed on its own; then
 * p50/p99 over N more. DESIGN.md gives no budget. Printed, never asserted.
 *
 *   bench_receipt [N]        (default 200; CK_SOURCE_DIR points at the repository) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/receipt.h"
#include "print/print.h"
#include "qr/qr.h"
#include "ui/ui.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static enum ck_err text(void *ctx, enum ck_receipt_style style, enum ck_receipt_align align,
                        const char *utf8, int width, int dpi, struct ck_bitmap *out)
{
    bool bold; /* the sizes screens/receipt.c sets a receipt in */
    int px = ck_receipt_style_px(style, dpi, &bold);
    return ck_ui_raster_text(ctx, px, bold, align == CK_RA_CENTER, utf8, width, out);
}

static enum ck_err image(void *ctx, const char *path, int max_w, int max_h, struct ck_bitmap *out)
{
    return ck_ui_raster_image(ctx, path, max_w, max_h, out);
}

struct sample {
    double total, qr;
    size_t bytes;
};

/* One receipt: QR, layout, encoding. preview (may be NULL) gets the whole receipt as one image. */
static enum ck_err one(struct ck_ui *ui, const struct ck_config *cfg, int i,
                       struct ck_bitmap *preview, struct sample *s, char *err, size_t errlen)
{
    static const char *const codes[] = {"R7QW2BTHPM", "R7A3K9D2XQ", "R7M8N4P6ZT", "R7C5V7B1WE"};
    const char *code = codes[i % 4];
    char url[512], grouped[CK_RECEIPT_GROUPED_LEN + 1], phone[160];
    double t0 = now_ms();
    ck_config_status_url(cfg, code, url, sizeof url);
    ck_receipt_group(code, grouped);
    snprintf(phone, sizeof phone, "Questions? Call %s.", cfg->city_phone ? cfg->city_phone : "311");
    struct ck_bitmap qr = {0};
    enum ck_err rc = ck_qr_encode(url, &qr, err, errlen);
    s->qr = now_ms() - t0;
    if (rc)
        return rc;
    struct ck_receipt r = {
        .city_name = cfg->city_name,
        .logo_path = cfg->logo_path,
        .code_label = "Your receipt code",
        .code_grouped = grouped,
        .service = "Problem: Pothole",
        .location = "Where: 120 Main Street, 08073",
        .when = "Filed: November 23, 2026, 9:14 AM",
        .kiosk = cfg->kiosk_location,
        .next_steps = "The kiosk sends your request to the city. To see what the city is doing "
                      "about it, scan the QR code or open this address:",
        .url_label = "Follow your request",
        .status_url = url,
        .qr = &qr,
        .footer = phone,
    };
    struct ck_receipt_text te = {ui, text, image};
    struct ck_buf bytes;
    ck_buf_init(&bytes);
    rc = ck_receipt_render(&r, &cfg->printer, &te, &bytes, preview, err, errlen);
    s->total = now_ms() - t0;
    s->bytes = bytes.len;
    ck_buf_deinit(&bytes);
    ck_bitmap_deinit(&qr);
    return rc;
}

static void report(const char *what, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", what, t[n / 2], t[n * 99 / 100],
           t[n - 1]);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n < 1)
        n = 200;
    const char *src = getenv("CK_SOURCE_DIR");
    if (!src)
        src = CK_SOURCE_DIR;
    char city[4200], err[CK_ERR_LEN];
    snprintf(city, sizeof city, "%s/assets/demo/city.json", src);
    struct ck_config cfg;
    if (ck_config_load(city, &cfg, err, sizeof err))
        return fprintf(stderr, "bench_receipt: %s\n", err), 1;
    struct ck_ui *ui = ck_ui_new(CK_UI_HEADLESS, 1920, 1080, err, sizeof err);
    if (!ui)
        return fprintf(stderr, "bench_receipt: %s\n", err), 1;

    struct sample s;
    struct ck_bitmap whole = {0};
    if (one(ui, &cfg, 0, &whole, &s, err, sizeof err))
        return fprintf(stderr, "bench_receipt: %s\n", err), 1;
    printf("printer profile %s (%d dots, %d dpi, %s QR); receipt %dx%d dots, %zu bytes of "
           "ESC/POS\n",
           cfg.printer.name, cfg.printer.dots, cfg.printer.dpi,
           cfg.printer.native_qr ? "native" : "raster", whole.w, whole.h, s.bytes);
    printf("first receipt (nothing cached): %.2f ms\n", s.total);

    double *total = malloc((size_t)n * sizeof *total), *qr = malloc((size_t)n * sizeof *qr),
           *enc = malloc((size_t)n * sizeof *enc);
    if (!total || !qr || !enc)
        return fprintf(stderr, "bench_receipt: out of memory\n"), 1;
    for (int i = 0; i < n; i++) {
        if (one(ui, &cfg, i + 1, NULL, &s, err, sizeof err))
            return fprintf(stderr, "bench_receipt: %s\n", err), 1;
        total[i] = s.total;
        qr[i] = s.qr;
        /* The encoding alone: the whole receipt as GS v 0 bands. */
        struct ck_buf bytes;
        ck_buf_init(&bytes);
        double t0 = now_ms();
        ck_escpos_raster(&bytes, &whole, cfg.printer.band_rows);
        enc[i] = now_ms() - t0;
        ck_buf_deinit(&bytes);
    }
    report("receipt: QR, layout and ESC/POS (what Print receipt costs the UI thread)", total, n);
    report("  of which the QR code", qr, n);
    report("ESC/POS encoding of the whole receipt alone (GS v 0)", enc, n);
    printf("BENCH receipt_p50_ms %.3f\nBENCH receipt_p99_ms %.3f\n", total[n / 2],
           total[n * 99 / 100]);
    printf("BENCH escpos_p50_ms %.3f\nBENCH escpos_p99_ms %.3f\n", enc[n / 2], enc[n * 99 / 100]);
    free(total);
    free(qr);
    free(enc);
    ck_bitmap_deinit(&whole);
    ck_ui_free(ui);
    ck_config_deinit(&cfg);
    return 0;
}
