/* Printing without a printer: the ESC/POS bytes of rasters and native QR codes, status bytes
 * read the way Epson documents them, a receipt laid out at each profile's width, and the
 * transports' clear failures (no such device, nobody listening, a printer that stops reading). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "core/printer.h"
#include "print/print.h"
#include "print/transport.h"

/* A text engine without fonts: each line is a solid box 8 dots a character, style-high. */
static enum ck_err fake_text(void *ctx, enum ck_receipt_style style, enum ck_receipt_align align,
                             const char *utf8, int width, int dpi, struct ck_bitmap *out)
{
    (void)ctx, (void)align, (void)dpi;
    int h = 10 + 4 * (int)style, w = (int)strlen(utf8) * 8;
    out->w = width;
    out->h = h * (w / width + 1);
    out->px = calloc((size_t)out->w * (size_t)out->h, 1);
    for (int i = 0; i < (w < width ? w : width); i++)
        out->px[i] = 1;
    return CK_OK;
}

static int count(const struct ck_buf *b, const char *needle, size_t n)
{
    int c = 0;
    for (size_t i = 0; i + n <= b->len; i++)
        c += memcmp(ck_buf_str(b) + i, needle, n) == 0;
    return c;
}

int main(void)
{
    /* 1. GS v 0: width in bytes, height in dots, MSB leftmost, 1 = black, bands */
    uint8_t px[10 * 3] = {0};
    px[0] = 1;          /* row 0, x 0 */
    px[10 + 9] = 1;     /* row 1, x 9 */
    struct ck_bitmap bm = {10, 3, px};
    struct ck_buf b;
    ck_buf_init(&b);
    CHECK(ck_escpos_raster(&b, &bm, 255) == CK_OK);
    const uint8_t *o = (const uint8_t *)ck_buf_str(&b);
    CHECK(b.len == 8 + 2 * 3);
    CHECK(o[0] == 0x1D && o[1] == 'v' && o[2] == '0' && o[3] == 0);
    CHECK(o[4] == 2 && o[5] == 0 && o[6] == 3 && o[7] == 0);
    CHECK(o[8] == 0x80 && o[9] == 0);  /* row 0 */
    CHECK(o[10] == 0 && o[11] == 0x40); /* row 1: dot 9 is the second bit of byte 1 */
    ck_buf_clear(&b);
    CHECK(ck_escpos_raster(&b, &bm, 2) == CK_OK);
    CHECK(count(&b, "\x1dv0", 3) == 2 && b.len == 2 * 8 + 2 * 3);

    /* 2. GS ( k: model 2, size, EC M, store (pL pH = data + 3), print */
    ck_buf_clear(&b);
    CHECK(ck_escpos_qr(&b, "http://x/s/R7", 6) == CK_OK);
    CHECK(count(&b, "\x1d(k\x04\x00\x31\x41\x32\x00", 9) == 1);
    CHECK(count(&b, "\x1d(k\x03\x00\x31\x43\x06", 8) == 1);
    CHECK(count(&b, "\x1d(k\x03\x00\x31\x45\x31", 8) == 1);
    CHECK(count(&b, "\x1d(k\x10\x00\x31\x50\x30http://x/s/R7", 21) == 1);
    CHECK(count(&b, "\x1d(k\x03\x00\x31\x51\x30", 8) == 1);
    CHECK(ck_escpos_qr(&b, "", 6) == CK_ERR_INVALID);

    /* 3. DLE EOT replies (Epson; python-escpos masks) */
    CHECK(ck_escpos_status(0x16, 0x12, 0x12) == CK_PRINTER_OK);
    CHECK(ck_escpos_status(0x1E, 0x32, 0x72) == CK_PRINTER_PAPER_OUT);
    CHECK(ck_escpos_status(0x16, 0x12, 0x1E) == CK_PRINTER_NEAR_END);
    CHECK(ck_escpos_status(0x1E, 0x16, 0x12) == CK_PRINTER_COVER_OPEN);
    CHECK(ck_escpos_status(0x1E, 0x12, 0x12) == CK_PRINTER_OFFLINE);
    CHECK(ck_escpos_status(0x16, 0x52, 0x12) == CK_PRINTER_ERROR);
    CHECK(ck_escpos_status(-1, -1, -1) == CK_PRINTER_UNKNOWN);
    CHECK(ck_escpos_status(0x00, 0xFF, -1) == CK_PRINTER_UNKNOWN); /* not status bytes */
    CHECK(ck_printer_state_usable(CK_PRINTER_NEAR_END) && !ck_printer_state_usable(CK_PRINTER_PAPER_OUT));

    /* 4. a receipt at each profile's width; the QR raster or native; init first, cut last */
    uint8_t qrpx[21 * 21];
    for (int i = 0; i < 21 * 21; i++)
        qrpx[i] = (uint8_t)((i * 7) % 3 == 0);
    struct ck_bitmap qr = {21, 21, qrpx};
    struct ck_receipt r = {.city_name = "City of Riverton", .code_grouped = "R7Q-W2B-THPM",
                           .service = "Problem: Pothole", .status_url = "http://x/s/R7QW2BTHPM",
                           .qr = &qr};
    struct ck_receipt_text te = {NULL, fake_text, NULL};
    const char *profiles[] = {"58mm", "80mm", "80mm-180dpi", "80mm-native-qr"};
    for (size_t i = 0; i < 4; i++) {
        struct ck_printer_profile p;
        CHECK(ck_printer_profile_builtin(profiles[i], &p));
        struct ck_bitmap preview = {0};
        char err[CK_ERR_LEN];
        ck_buf_clear(&b);
        CHECK(ck_receipt_render(&r, &p, &te, &b, &preview, err, sizeof err) == CK_OK);
        CHECK(preview.w == p.dots && preview.h > 200);
        CHECK(memcmp(ck_buf_str(&b), "\x1b@", 2) == 0);
        CHECK(memcmp(ck_buf_str(&b) + b.len - 4, "\x1dV\x42\x00", 4) == 0);
        CHECK(count(&b, "\x31\x50\x30http://x/s/R7QW2BTHPM", 23) == (p.native_qr ? 1 : 0));
        /* the preview holds the QR with its quiet zone at the profile's module size */
        int dark_rows = 0;
        for (int y = 0; y < preview.h; y++)
            dark_rows += preview.px[(size_t)y * (size_t)preview.w + preview.w / 2] != 0;
        CHECK(dark_rows > 0);
        ck_bitmap_deinit(&preview);
    }
    struct ck_printer_profile bad = {.dots = 100, .dpi = 203};
    char err[CK_ERR_LEN];
    CHECK(ck_receipt_render(&r, &bad, &te, &b, NULL, err, sizeof err) == CK_ERR_INVALID);

    /* 5. transports: clear failures, never a hang */
    enum ck_transport_kind kind;
    char where[256];
    CHECK(ck_transport_parse("tcp:10.0.0.9:9100", &kind, where, sizeof where, err, sizeof err) ==
              CK_OK && kind == CK_TR_TCP);
    CHECK_STR(where, "10.0.0.9:9100");
    CHECK(ck_transport_parse("lpt1", &kind, where, sizeof where, err, sizeof err) == CK_ERR_CONFIG);
    CHECK(strstr(err, "usb:/dev/usb/lp0") != NULL);
    struct ck_transport t;
    CHECK(ck_transport_open(&t, "usb:/dev/usb/lp-not-there", 500, err, sizeof err) == CK_ERR_IO);
    CHECK(strstr(err, "No such file") != NULL);
    /* nobody listens on a port we just closed */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &alen);
    char uri[64];
    snprintf(uri, sizeof uri, "tcp:127.0.0.1:%d", ntohs(a.sin_port));
    close(s);
    CHECK(ck_transport_open(&t, uri, 500, err, sizeof err) == CK_ERR_IO);
    CHECK(strstr(err, "refused") != NULL);
    /* a printer that accepts and never reads: the write gives up after the stall time */
    s = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    a.sin_port = 0;
    bind(s, (struct sockaddr *)&a, sizeof a);
    listen(s, 1);
    getsockname(s, (struct sockaddr *)&a, &alen);
    snprintf(uri, sizeof uri, "tcp:127.0.0.1:%d", ntohs(a.sin_port));
    CHECK(ck_transport_open(&t, uri, 500, err, sizeof err) == CK_OK);
    static char big[8 << 20];
    CHECK(ck_transport_write(&t, big, sizeof big, 300, err, sizeof err) == CK_ERR_BUSY);
    CHECK(strstr(err, "took no data") != NULL);
    CHECK(ck_transport_query(&t, 1, 200) == -1); /* and it does not answer */
    ck_transport_close(&t);
    close(s);
    /* file: appends */
    char path[] = "/tmp/ck-test-print-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    snprintf(uri, sizeof uri, "file:%s", path);
    for (int i = 0; i < 2; i++) {
        CHECK(ck_transport_open(&t, uri, 500, err, sizeof err) == CK_OK);
        CHECK(ck_transport_write(&t, "abc", 3, 300, err, sizeof err) == CK_OK);
        CHECK(ck_transport_query(&t, 1, 100) == -1);
        ck_transport_close(&t);
    }
    FILE *f = fopen(path, "r");
    char got[16] = "";
    CHECK(f && fgets(got, sizeof got, f));
    CHECK_STR(got, "abcabc");
    if (f)
        fclose(f);
    unlink(path);

    ck_buf_deinit(&b);
    return ck_check_report();
}
