/* fuzz_text.c: laying out and drawing arbitrary UTF-8 (ui/ui.h, ui/ui_int.h, core/utf8.h):
 * a 10,000-character description, a broken byte, a stray bidi control, a lone combining mark.
 *
 * Byte 0 picks the language (ar, ur, bn, zh-hant: right to left, Nastaliq, Indic shaping, CJK
 * line breaking) and the font; byte 1 the width to wrap to; the rest is the text. It is
 * measured, wrapped (every line must lie inside the text, in order), and drawn on a headless UI
 * of 320x240 made once. The UTF-8 helpers keep their promises on the same bytes. */
#include <string.h>

#include "core/utf8.h"
#include "fuzz.h"
#include "ui/ui.h"
#include "ui/ui_int.h"

struct lines {
    const char *text, *next; /* the text, and where the next line may start */
    size_t len;
};

static void check_line(struct ck_ui *ui, const char *s, size_t len, int lineno, void *ctx)
{
    (void)ui, (void)lineno;
    struct lines *l = ctx;
    FUZZ_CHECK(s >= l->next && s + len <= l->text + l->len);
    l->next = s + len;
}

static void utf8_promises(const char *text, size_t len)
{
    size_t count = 0;
    for (size_t i = 0; i < len; count++) {
        uint32_t cp;
        size_t n = ck_utf8_decode(text + i, len - i, &cp);
        FUZZ_CHECK(n >= 1 && n <= 4 && n <= len - i && cp <= 0x10FFFF);
        if (n > 1 || cp != 0xFFFD) {
            char enc[4];
            FUZZ_CHECK(ck_utf8_encode(cp, enc) == n && memcmp(enc, text + i, n) == 0);
        }
        i += n;
    }
    FUZZ_CHECK(ck_utf8_count(text) == count);
    FUZZ_CHECK(len == 0 || ck_utf8_last_start(text, len) < len);
    char *clean = ck_utf8_sanitize(text, len);
    FUZZ_CHECK(clean && ck_utf8_valid(clean, strlen(clean)));
    if (ck_utf8_valid(text, len))
        FUZZ_CHECK(strcmp(clean, text) == 0);
    free(clean);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const LANGS[] = {"ar", "ur", "bn", "zh-hant"};
    static struct ck_ui *ui;
    if (!ui) {
        fuzz_quiet();
        char err[CK_ERR_LEN];
        ui = ck_ui_new(CK_UI_HEADLESS, 320, 240, err, sizeof err);
        if (!ui) {
            fprintf(stderr, "fuzz_text: %s\n", err);
            abort();
        }
    }
    if (size < 2)
        return 0;
    ck_ui_set_language(ui, LANGS[data[0] % 4]);
    enum ck_font font = (enum ck_font)((data[0] >> 2) % CK_FONT_COUNT);
    int width = 1 + data[1] * 2;
    char *text = fuzz_strndup(data + 2, size - 2);
    size_t len = strlen(text);

    utf8_promises(text, len);
    int h = ck_ui_text_height(ui, font, width, text);
    FUZZ_CHECK(h >= 0);
    struct lines l = {text, text, len};
    ck_ui_layout(ui, font, width, text, check_line, &l);
    ck_ui_text_width(ui, font, text);
    char isolated[64];
    ck_ui_isolate(isolated, sizeof isolated, text);
    FUZZ_CHECK(ck_utf8_valid(isolated, strlen(isolated)) || !ck_utf8_valid(text, len));

    ck_ui_begin(ui);
    ck_ui_text(ui, (struct ck_rect){4, 4, width, 0}, font, CK_COL_TEXT, CK_ALIGN_START, text);
    ck_ui_end(ui);
    free(text);
    return 0;
}
