/* receipt.c: the printed receipt: what it says, in the resident's language, set by the
 * screen's own text engine and handed to the print worker. UI thread. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "print/print.h"
#include "qr/qr.h"
#include "core/clock.h"
#include "screens/screen_int.h"

static enum ck_err text(void *ctx, enum ck_receipt_style style, enum ck_receipt_align align,
                        const char *utf8, int width, int dpi, struct ck_bitmap *out)
{
    struct ck_screens *sc = ctx;
    bool bold;
    int px = ck_receipt_style_px(style, dpi, &bold);
    enum ck_err rc = ck_ui_raster_text(sc->ui, px, bold, align == CK_RA_CENTER, utf8, width, out);
    /* The receipt code is read aloud in its groups: it stays on one line, smaller if the
     * paper is narrow (two lines are taller than 1.8 times the size). */
    while (!rc && style == CK_RS_HUGE && out->h > px * 9 / 5 && px > 24) {
        ck_bitmap_deinit(out);
        px = px * 7 / 8;
        rc = ck_ui_raster_text(sc->ui, px, bold, align == CK_RA_CENTER, utf8, width, out);
    }
    return rc;
}

static enum ck_err image(void *ctx, const char *path, int max_w, int max_h, struct ck_bitmap *out)
{
    struct ck_screens *sc = ctx;
    return ck_ui_raster_image(sc->ui, path, max_w, max_h, out);
}

enum ck_err ck_receipt_print(struct ck_screens *sc, const struct ck_receipt_facts *f, int *job,
                             char *err, size_t errlen)
{
    /* T() and the date format follow the session's language: print in the request's. */
    char saved[sizeof sc->session.lang], lang[sizeof sc->session.lang];
    memcpy(saved, sc->session.lang, sizeof saved);
    snprintf(lang, sizeof lang, "%s", f->lang && *f->lang ? f->lang : "en"); /* may be saved's */
    memcpy(sc->session.lang, lang, sizeof lang);
    char ui_lang[16];
    snprintf(ui_lang, sizeof ui_lang, "%s", ck_ui_language(sc->ui));
    ck_ui_set_language(sc->ui, lang); /* direction and fonts of the receipt's language */

    char url[512], grouped[CK_RECEIPT_GROUPED_LEN + 1], service[256], where[400], when[96],
        filed[160], footer[160];
    ck_config_status_url(sc->cfg, f->receipt, url, sizeof url);
    ck_receipt_group(f->receipt, grouped);
    snprintf(service, sizeof service, T(N_("Problem: %s")), T(f->service_name));
    where[0] = '\0';
    if (f->address && *f->address) {
        char iso[300];
        snprintf(where, sizeof where, T(N_("Where: %s")), ck_ui_isolate(iso, sizeof iso, f->address));
    }
    ck_format_datetime(sc, f->requested_at, when, sizeof when);
    snprintf(filed, sizeof filed, T(N_("Filed: %s")), when);
    footer[0] = '\0';
    if (sc->cfg->city_phone && *sc->cfg->city_phone)
        snprintf(footer, sizeof footer, T(N_("Questions? Call %s.")), sc->cfg->city_phone);
    struct ck_bitmap qr = {0};
    if (ck_qr_encode(url, &qr, err, errlen))
        ck_warn("print", "receipt without a QR code: %s", err);
    struct ck_receipt r = {
        .city_name = T(sc->cfg->city_name),
        .logo_path = sc->cfg->logo_path,
        .code_label = T(N_("Your receipt code")),
        .code_grouped = grouped,
        .service = service,
        .location = where,
        .when = filed,
        .kiosk = sc->cfg->kiosk_location && *sc->cfg->kiosk_location ? T(sc->cfg->kiosk_location) : NULL,
        .next_steps = T(N_("The kiosk sends your request to the city. To see what the city is doing about it, scan the QR code or open this address:")),
        .url_label = T(N_("Follow your request")),
        .status_url = url,
        .qr = qr.px ? &qr : NULL,
        .footer = footer,
    };
    struct ck_receipt_text te = {sc, text, image};
    struct ck_buf bytes;
    ck_buf_init(&bytes);
    enum ck_err rc = ck_receipt_render(&r, &sc->cfg->printer, &te, &bytes, NULL, err, errlen);
    memcpy(sc->session.lang, saved, sizeof saved);
    ck_ui_set_language(sc->ui, ui_lang);
    ck_bitmap_deinit(&qr);
    if (!rc) {
        rc = ck_print_submit(sc->print, &bytes, job);
        if (rc == CK_ERR_BUSY)
            ck_fail(err, errlen, rc, "the printer has too many receipts waiting");
        else if (rc)
            ck_fail(err, errlen, rc, "no printer");
    }
    ck_buf_deinit(&bytes);
    return rc;
}

enum ck_err ck_receipt_print_test(struct ck_screens *sc, int *job, char *err, size_t errlen)
{
    char when[64], kiosk[160], url[512];
    time_t now = (time_t)ck_clock_wall();
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&now));
    snprintf(kiosk, sizeof kiosk, "Kiosk %s, %s", sc->cfg->kiosk_id, sc->cfg->kiosk_location);
    ck_config_status_url(sc->cfg, "TEST", url, sizeof url);
    struct ck_bitmap qr = {0};
    if (ck_qr_encode(url, &qr, err, errlen))
        ck_warn("print", "test receipt without a QR code: %s", err);
    struct ck_receipt r = {
        .city_name = sc->cfg->city_name,
        .logo_path = sc->cfg->logo_path,
        .code_label = "Printer test",
        .code_grouped = "TEST",
        .service = kiosk,
        .when = when,
        .next_steps = "If this prints clearly, with the QR code below, the printer works.",
        .url_label = "Status page",
        .status_url = url,
        .qr = qr.px ? &qr : NULL,
        .footer = "",
    };
    struct ck_receipt_text te = {sc, text, image};
    struct ck_buf bytes;
    ck_buf_init(&bytes);
    enum ck_err rc = ck_receipt_render(&r, &sc->cfg->printer, &te, &bytes, NULL, err, errlen);
    ck_bitmap_deinit(&qr);
    if (!rc && (rc = ck_print_submit(sc->print, &bytes, job)))
        ck_fail(err, errlen, rc, rc == CK_ERR_BUSY ? "the printer has too many receipts waiting"
                                                   : "no printer");
    ck_buf_deinit(&bytes);
    return rc;
}
