/* The text engine: every language the kiosk speaks draws with no missing glyph; Arabic is
 * joined and right to left with codes inside it left to right and in place; a right-to-left
 * layout mirrors what is drawn and where it is tapped; lines break where each script allows
 * and never inside a grapheme cluster; receipts follow the direction. Sample screenshots are
 * left in /tmp/ck-text-*.png for a person to look at. */
#include <stdlib.h>
#include <string.h>

#include <hb.h>

#include "check.h"
#include "core/utf8.h"
#include "ui/ui.h"
#include "ui/ui_int.h"

static const struct {
    const char *lang, *text;
} SAMPLES[] = {
    {"en", "Report a pothole, a broken streetlight or missed trash in a few taps."},
    {"es", "Reporte un bache, una luz de la calle dañada o basura no recogida."},
    {"zh-hant", "報告路面坑洞、路燈故障或垃圾未收，只需輕點幾下。"},
    {"ru", "Сообщите о выбоине, неисправном фонаре или невывезенном мусоре."},
    {"bn", "রাস্তার গর্ত, নষ্ট রাস্তার বাতি বা না-তোলা আবর্জনার কথা জানান।"},
    {"ht", "Rapòte yon twou nan lari a, yon limyè ki pa mache oswa fatra yo pa ranmase."},
    {"ko", "도로 파임, 고장 난 가로등, 수거되지 않은 쓰레기를 신고하세요."},
    {"ar", "أبلغ عن حفرة في الطريق أو مصباح شارع معطّل أو قمامة لم تُجمع."},
    {"ur", "سڑک کے گڑھے، خراب اسٹریٹ لائٹ یا نہ اٹھائے گئے کوڑے کی اطلاع دیں۔"},
    {"fr", "Signalez un nid-de-poule, un lampadaire en panne ou des déchets oubliés."},
    {"pl", "Zgłoś dziurę w jezdni, zepsutą latarnię lub nieodebrane śmieci — żółć."},
};
#define NSAMPLES (sizeof SAMPLES / sizeof SAMPLES[0])

/* ------------------------------------------------------------------ helpers */

struct collected {
    char lines[64][512];
    int n;
};

static void collect(struct ck_ui *ui, const char *s, size_t len, int lineno, void *ctx)
{
    (void)ui;
    struct collected *c = ctx;
    if (lineno < 64 && len < 512) {
        memcpy(c->lines[lineno], s, len);
        c->lines[lineno][len] = '\0';
    }
    c->n = lineno + 1;
}

static Uint32 pixel(struct ck_ui *ui, int x, int y)
{
    SDL_Surface *s = ui->surface;
    return ((const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch))[x] & 0xFFFFFF;
}

/* The leftmost and rightmost columns of a row band that differ from the background. */
static void ink_span(struct ck_ui *ui, int y0, int y1, int *left, int *right)
{
    Uint32 bg = pixel(ui, 0, y0);
    *left = ui->w;
    *right = -1;
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < ui->w; x++)
            if (pixel(ui, x, y) != bg) {
                *left = x < *left ? x : *left;
                *right = x > *right ? x : *right;
            }
}

static void shot(struct ck_ui *ui, const char *name)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "/tmp/ck-text-%s.png", name);
    CHECK(ck_ui_screenshot(ui, path, err, sizeof err) == CK_OK);
    printf("screenshot %s\n", path);
}

/* ------------------------------------------------------------------ tests */

/* Each language's sample sentence, drawn in its own language, lacks no glyph. */
static void every_language_draws(struct ck_ui *ui)
{
    ck_ui_begin(ui);
    int y = 10;
    for (size_t i = 0; i < NSAMPLES; i++) {
        ck_ui_set_language(ui, SAMPLES[i].lang);
        y += ck_ui_text(ui, (struct ck_rect){20, y, 1240, 200}, CK_FONT_BODY, CK_COL_TEXT,
                        CK_ALIGN_START, SAMPLES[i].text);
        char example[160];
        size_t missing = ck_ui_missing_glyphs(ui, example, sizeof example);
        if (missing)
            fprintf(stderr, "%s: %zu missing: %s\n", SAMPLES[i].lang, missing, example);
        CHECK(missing == 0);
    }
    ck_ui_end(ui);
    shot(ui, "languages");
    ck_ui_set_language(ui, "en");
}

struct fit {
    enum ck_font f;
    int width, over;
};

static void check_fit(struct ck_ui *ui, const char *s, size_t len, int lineno, void *ctx)
{
    (void)lineno;
    struct fit *c = ctx;
    while (len && s[len - 1] == ' ') /* a last line keeps its trailing spaces, unseen */
        len--;
    int w = ck_text_measure(ui, c->f, s, len);
    if (w > c->width) {
        c->over++;
        fprintf(stderr, "%d px > %d: %.*s\n", w, c->width, (int)len, s);
    }
}

/* Every line a sentence wraps into fits its width, shaped as drawn, at many widths. */
static void lines_fit(struct ck_ui *ui)
{
    struct fit c = {0};
    for (size_t i = 0; i < NSAMPLES; i++) {
        ck_ui_set_language(ui, SAMPLES[i].lang);
        for (c.f = CK_FONT_SMALL; c.f <= CK_FONT_TITLE; c.f++)
            for (c.width = 260; c.width <= 1200; c.width += 23)
                ck_ui_layout(ui, c.f, c.width, SAMPLES[i].text, check_fit, &c);
    }
    CHECK(c.over == 0);
    ck_ui_set_language(ui, "en");
}

/* Private-use and unassigned code points have no glyph: the count says so, with an example. */
static void missing_glyphs_counted(struct ck_ui *ui)
{
    char example[160];
    ck_ui_begin(ui);
    ck_ui_text(ui, (struct ck_rect){20, 20, 600, 100}, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
               "Code \xEE\x80\x80 here");
    CHECK(ck_ui_missing_glyphs(ui, example, sizeof example) == 1);
    CHECK(strstr(example, "U+E000 in \"Code") != NULL);
    ck_ui_text(ui, (struct ck_rect){20, 80, 600, 100}, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
               "\xCD\xB8 unassigned"); /* U+0378 */
    CHECK(ck_ui_missing_glyphs(ui, NULL, 0) == 2);
    ck_ui_end(ui);
    /* A new frame starts the count again; a redraw from the cache still counts. */
    ck_ui_begin(ui);
    CHECK(ck_ui_missing_glyphs(ui, example, sizeof example) == 0);
    CHECK(example[0] == '\0');
    ck_ui_text(ui, (struct ck_rect){20, 20, 600, 100}, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
               "Code \xEE\x80\x80 here");
    CHECK(ck_ui_missing_glyphs(ui, NULL, 0) == 1);
    /* Joiners, bidi controls and variation selectors need no glyph. */
    ck_ui_begin(ui);
    ck_ui_text(ui, (struct ck_rect){20, 20, 600, 100}, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
               "a\xE2\x80\x8D" "b \xE2\x81\xA8x\xE2\x81\xA9 \xE2\x80\x8F\xEF\xB8\x8F");
    CHECK(ck_ui_missing_glyphs(ui, NULL, 0) == 0);
    ck_ui_end(ui);
}

/* Arabic letters join: the word is narrower than its letters set apart. */
static void arabic_is_shaped(struct ck_ui *ui)
{
    ck_ui_set_language(ui, "ar");
    const char *word = "مرحبا";
    int joined = ck_ui_text_width(ui, CK_FONT_BODY, word), apart = 0;
    for (const char *p = word; *p;) {
        uint32_t cp;
        size_t n = ck_utf8_decode(p, strlen(p), &cp);
        char one[8];
        memcpy(one, p, n);
        one[n] = '\0';
        apart += ck_ui_text_width(ui, CK_FONT_BODY, one);
        p += n;
    }
    printf("arabic joined %d px, letters apart %d px\n", joined, apart);
    CHECK(joined > 0 && joined < apart);
    ck_ui_set_language(ui, "en");
}

/* s, drawn alone, is one run of the given direction. */
static void s_alone(struct ck_ui *ui, struct ck_fontspec spec, const char *s, const char *want,
                    bool rtl)
{
    struct ck_runs runs;
    CHECK(ck_bidi_runs(ui, spec, s, strlen(s), &runs) == CK_OK);
    CHECK(runs.n >= 1 && runs.run[0].rtl == rtl);
    if (runs.n != 1 || strcmp(runs.run[0].text, want) != 0) {
        fprintf(stderr, "\"%s\": %zu runs:", s, runs.n);
        for (size_t i = 0; i < runs.n; i++)
            fprintf(stderr, " [%s%s]", runs.run[i].rtl ? "<" : ">", runs.run[i].text);
        fprintf(stderr, "\n");
    }
    CHECK(runs.n == 1);
}

/* "رقم R7Q-W2B-THPM": the code is one left-to-right run at the left end of the line, drawn
 * exactly as the code alone; the Arabic run, right to left, is to its right. */
static void code_inside_arabic(struct ck_ui *ui)
{
    ck_ui_set_language(ui, "ar");
    char iso[64], line[128];
    snprintf(line, sizeof line, "رقم الطلب %s", ck_ui_isolate(iso, sizeof iso, "R7Q-W2B-THPM"));
    struct ck_fontspec spec = ck_text_spec(ui, CK_FONT_BODY);
    struct ck_runs runs;
    CHECK(ck_bidi_runs(ui, spec, line, strlen(line), &runs) == CK_OK);
    CHECK(runs.n >= 2);
    if (runs.n >= 2) {
        CHECK(!runs.run[0].rtl);
        CHECK(strcmp(runs.run[0].text, "R7Q-W2B-THPM") == 0);
        CHECK(runs.run[runs.n - 1].rtl);
        CHECK(strcmp(runs.run[runs.n - 1].script, "Arab") == 0);
    }
    /* An address with digits first stays in place and in order too. */
    snprintf(line, sizeof line, "العنوان: %s، الطابق 2",
             ck_ui_isolate(iso, sizeof iso, "120 Main Street"));
    CHECK(ck_bidi_runs(ui, spec, line, strlen(line), &runs) == CK_OK);
    size_t latin = runs.n;
    for (size_t i = 0; i < runs.n; i++)
        if (strcmp(runs.run[i].text, "120 Main Street") == 0)
            latin = i;
    CHECK(latin < runs.n && !runs.run[latin].rtl);
    /* A resident's Latin address shown alone in the Arabic UI keeps its order. */
    s_alone(ui, spec, "120 Main Street", "120 Main Street", false);
    s_alone(ui, spec, "name@example.com.", "name@example.com.", false);
    /* ...and so does an Arabic line in an English UI (its period goes to the left end). */
    ck_ui_set_language(ui, "en");
    s_alone(ui, spec, "اردو.", "اردو.", true);
    ck_ui_set_language(ui, "ar");
    /* Pixels: the left end of the line is the code as drawn alone. */
    SDL_Color black = {0, 0, 0, 255};
    struct ck_line_info full, alone;
    snprintf(line, sizeof line, "رقم الطلب %s", ck_ui_isolate(iso, sizeof iso, "R7Q-W2B-THPM"));
    SDL_Surface *a = ck_text_render(ui, spec, black, line, strlen(line), &full);
    SDL_Surface *b = ck_text_render(ui, spec, black, "R7Q-W2B-THPM", 12, &alone);
    CHECK(a && b && a->w > b->w);
    if (a && b) {
        int diff = 0;
        for (int y = 0; y < b->h; y++) {
            int ya = y + alone.top - full.top;
            if (ya < 0 || ya >= a->h)
                continue;
            for (int x = 0; x < b->w; x++) {
                int pa = (int)(((Uint32 *)((Uint8 *)a->pixels + ya * a->pitch))[x] >> 24);
                int pb = (int)(((Uint32 *)((Uint8 *)b->pixels + y * b->pitch))[x] >> 24);
                diff += abs(pa - pb) > 2; /* blending the runs together may round by 1 */
            }
        }
        printf("code at the left end: %d pixels differ\n", diff);
        CHECK(diff == 0);
    }
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);

    /* On screen: the sentence right-aligned (START), the code at its left end. */
    ck_ui_begin(ui);
    ck_ui_text(ui, (struct ck_rect){20, 20, 1240, 100}, CK_FONT_TITLE, CK_COL_TEXT, CK_ALIGN_START,
               line);
    int l, r;
    ink_span(ui, 20, 20 + ck_ui_line_height(ui, CK_FONT_TITLE), &l, &r);
    int w = ck_ui_text_width(ui, CK_FONT_TITLE, line);
    printf("arabic line ink %d..%d, width %d\n", l, r, w);
    CHECK(r > 1240 && r < 1262);     /* the mirrored rect's start is its right edge */
    CHECK(l > 1260 - w - 4 && l < 1260 - w + 8);
    snprintf(line, sizeof line, "العنوان: %s، الطابق 2",
             ck_ui_isolate(iso, sizeof iso, "120 Main Street"));
    ck_ui_text(ui, (struct ck_rect){20, 120, 1240, 100}, CK_FONT_TITLE, CK_COL_TEXT,
               CK_ALIGN_START, line);
    ck_ui_text(ui, (struct ck_rect){20, 220, 1240, 100}, CK_FONT_TITLE, CK_COL_TEXT,
               CK_ALIGN_START, "مرحبا بكم في مدينة ريفرتون. اتصل بنا على 311.");
    ck_ui_field(ui, "field", (struct ck_rect){20, 320, 800, 90}, "اكتب هنا", "", false, false);
    ck_ui_field(ui, "field2", (struct ck_rect){20, 430, 800, 90}, "name@example.com", "", false,
                false);
    ck_ui_end(ui);
    shot(ui, "arabic");
    ck_ui_set_language(ui, "en");
}

/* Right to left, the layout mirrors: a target at x = 10 is tapped at 1170 in 1280 px, and
 * what is drawn at x = 10 shows on the right. Left to right nothing moves. */
static void layout_mirrors(struct ck_ui *ui)
{
    struct ck_rect r;
    ck_ui_set_language(ui, "ar");
    CHECK(ck_ui_rtl(ui));
    ck_ui_begin(ui);
    ck_ui_fill(ui, (struct ck_rect){10, 600, 100, 50}, CK_COL_BLACK);
    ck_ui_target(ui, "t", (struct ck_rect){10, 10, 100, 50});
    ck_ui_button(ui, "b", (struct ck_rect){10, 100, 300, 80}, CK_BTN_PRIMARY, "زر");
    ck_ui_end(ui);
    CHECK(ck_ui_find(ui, "t", &r) && r.x == 1170 && r.y == 10 && r.w == 100 && r.h == 50);
    CHECK(ck_ui_find(ui, "b", &r) && r.x == 1280 - 10 - 300);
    CHECK(ck_ui_mirror(ui, r).x == 10);
    CHECK(pixel(ui, 1200, 620) == 0 && pixel(ui, 50, 620) != 0);
    ck_ui_set_language(ui, "ur");
    CHECK(ck_ui_rtl(ui));
    ck_ui_set_language(ui, "zh-hant");
    CHECK(!ck_ui_rtl(ui));
    ck_ui_begin(ui);
    ck_ui_target(ui, "t", (struct ck_rect){10, 10, 100, 50});
    ck_ui_end(ui);
    CHECK(ck_ui_find(ui, "t", &r) && r.x == 10);
    ck_ui_set_language(ui, "en");
}

/* Chinese breaks between characters, never before a closing mark; every line fits. */
static void cjk_breaks(struct ck_ui *ui)
{
    ck_ui_set_language(ui, "zh-hant");
    const char *text = "請選擇您要報告的問題類型，然後在地圖上標示位置。我們會在三個工作天內處理您的"
                       "申請，並透過簡訊通知您最新進度。";
    struct collected c = {0};
    int width = 400;
    int n = ck_ui_layout(ui, CK_FONT_BODY, width, text, collect, &c);
    printf("chinese: %d lines at %d px\n", n, width);
    CHECK(n >= 3);
    char joined[1024] = "";
    for (int i = 0; i < n && i < 64; i++) {
        CHECK(ck_ui_text_width(ui, CK_FONT_BODY, c.lines[i]) <= width);
        CHECK(strncmp(c.lines[i], "，", 3) != 0 && strncmp(c.lines[i], "。", 3) != 0);
        strcat(joined, c.lines[i]);
    }
    CHECK(strcmp(joined, text) == 0); /* nothing lost, nothing added */
    /* Korean breaks at spaces only. */
    ck_ui_set_language(ui, "ko");
    struct collected k = {0};
    n = ck_ui_layout(ui, CK_FONT_BODY, 300, "도로 파임, 고장 난 가로등, 수거되지 않은 쓰레기를 신고하세요.",
                     collect, &k);
    CHECK(n >= 2);
    char words[512] = "";
    for (int i = 0; i < n; i++) {
        size_t len = strlen(k.lines[i]);
        CHECK(len > 0 && k.lines[i][0] != ' ' && k.lines[i][len - 1] != ' ');
        CHECK(ck_ui_text_width(ui, CK_FONT_BODY, k.lines[i]) <= 300);
        printf("korean line %d: %s\n", i, k.lines[i]);
        strcat(words, i ? " " : "");
        strcat(words, k.lines[i]);
    }
    /* whole words only: the lines joined by spaces give the sentence back */
    CHECK_STR(words, "도로 파임, 고장 난 가로등, 수거되지 않은 쓰레기를 신고하세요.");

    ck_ui_begin(ui);
    ck_ui_set_language(ui, "zh-hant");
    ck_ui_outline(ui, (struct ck_rect){20, 20, width, 300}, CK_COL_BORDER, 1);
    ck_ui_text(ui, (struct ck_rect){20, 20, width, 300}, CK_FONT_BODY, CK_COL_TEXT,
               CK_ALIGN_START, text);
    ck_ui_set_language(ui, "ko");
    ck_ui_outline(ui, (struct ck_rect){500, 20, 300, 300}, CK_COL_BORDER, 1);
    ck_ui_text(ui, (struct ck_rect){500, 20, 300, 300}, CK_FONT_BODY, CK_COL_TEXT,
               CK_ALIGN_START, "도로 파임, 고장 난 가로등, 수거되지 않은 쓰레기를 신고하세요.");
    ck_ui_button(ui, "k", (struct ck_rect){850, 20, 300, 90}, CK_BTN_PRIMARY, "신고하기");
    ck_ui_set_language(ui, "zh-hant");
    ck_ui_button(ui, "z", (struct ck_rect){850, 130, 300, 90}, CK_BTN_SECONDARY, "回報問題");
    ck_ui_end(ui);
    shot(ui, "cjk");
    ck_ui_set_language(ui, "en");
}

static bool starts_with_cp(const char *s, uint32_t want)
{
    uint32_t cp;
    return *s && ck_utf8_decode(s, strlen(s), &cp) && cp == want;
}

static uint32_t last_cp(const char *s)
{
    size_t n = strlen(s);
    if (!n)
        return 0;
    uint32_t cp;
    size_t at = ck_utf8_last_start(s, n);
    ck_utf8_decode(s + at, n - at, &cp);
    return cp;
}

/* A word too long for its line breaks between grapheme clusters only: a Bengali conjunct
 * (consonant, virama, consonant) and a letter with its combining marks stay together. */
static void clusters_stay_whole(struct ck_ui *ui)
{
    ck_ui_set_language(ui, "bn");
    /* One long "word": conjuncts ক্ষ, ন্ত, স্ত্র and vowel signs, with no space to break at. */
    const char *word = "ক্ষমতাসম্পন্নস্বাস্থ্যকেন্দ্রস্ত্রীশিক্ষাপ্রতিষ্ঠানব্যবস্থাপনাকর্মকর্তা";
    struct collected c = {0};
    int n = ck_ui_layout(ui, CK_FONT_BODY, 120, word, collect, &c);
    printf("bengali: %d pieces at 120 px\n", n);
    CHECK(n >= 3);
    hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
    char joined[2048] = "";
    for (int i = 0; i < n && i < 64; i++) {
        uint32_t first;
        ck_utf8_decode(c.lines[i], strlen(c.lines[i]), &first);
        hb_unicode_general_category_t cat = hb_unicode_general_category(uf, first);
        CHECK(cat != HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK &&
              cat != HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK);
        CHECK(last_cp(c.lines[i]) != 0x09CD); /* never cut after a virama */
        strcat(joined, c.lines[i]);
    }
    CHECK(strcmp(joined, word) == 0);
    CHECK(ck_ui_missing_glyphs(ui, NULL, 0) == 0);

    /* Latin with combining accents: "é" as e + U+0301, many times over. */
    ck_ui_set_language(ui, "en");
    char accents[512] = "";
    for (int i = 0; i < 40; i++)
        strcat(accents, "e\xCC\x81");
    struct collected a = {0};
    n = ck_ui_layout(ui, CK_FONT_BODY, 100, accents, collect, &a);
    CHECK(n >= 3);
    for (int i = 0; i < n && i < 64; i++)
        CHECK(!starts_with_cp(a.lines[i], 0x0301));

    ck_ui_set_language(ui, "bn");
    ck_ui_begin(ui);
    ck_ui_text(ui, (struct ck_rect){20, 20, 1240, 200}, CK_FONT_TITLE, CK_COL_TEXT, CK_ALIGN_START,
               "ক্ষমতা স্বাস্থ্যকেন্দ্র স্ত্রী শিক্ষা প্রতিষ্ঠান কর্মকর্তা — অনুরোধ নম্বর R7Q-W2B-THPM");
    ck_ui_outline(ui, (struct ck_rect){20, 200, 120, 500}, CK_COL_BORDER, 1);
    ck_ui_text(ui, (struct ck_rect){20, 200, 120, 500}, CK_FONT_BODY, CK_COL_TEXT, CK_ALIGN_START,
               word);
    ck_ui_end(ui);
    shot(ui, "bengali");
    ck_ui_set_language(ui, "en");
}

/* Urdu: Nastaliq, taller lines, right to left. */
static void urdu_nastaliq(struct ck_ui *ui)
{
    int en = ck_ui_line_height(ui, CK_FONT_BODY);
    ck_ui_set_language(ui, "ur");
    int ur = ck_ui_line_height(ui, CK_FONT_BODY);
    printf("line height en %d, ur %d\n", en, ur);
    CHECK(ur > en);
    struct ck_runs runs;
    const char *s = "شہر سے خدمت کی درخواست کریں";
    CHECK(ck_bidi_runs(ui, ck_text_spec(ui, CK_FONT_BODY), s, strlen(s), &runs) == CK_OK);
    CHECK(runs.n == 1 && runs.run[0].face == CK_FACE_NASTALIQ && runs.run[0].rtl);
    ck_ui_begin(ui);
    char iso[64], line[256];
    snprintf(line, sizeof line, "آپ کی درخواست کا نمبر %s ہے۔",
             ck_ui_isolate(iso, sizeof iso, "R7Q-W2B-THPM"));
    int y = 20;
    y += ck_ui_text(ui, (struct ck_rect){20, y, 1240, 200}, CK_FONT_TITLE, CK_COL_TEXT,
                    CK_ALIGN_START, line);
    y += ck_ui_text(ui, (struct ck_rect){20, y, 700, 400}, CK_FONT_BODY, CK_COL_TEXT,
                    CK_ALIGN_START,
                    "سڑک کے گڑھے، خراب اسٹریٹ لائٹ یا نہ اٹھائے گئے کوڑے کی اطلاع دیں۔ ہم تین دن "
                    "میں جواب دیں گے۔");
    ck_ui_button(ui, "next", (struct ck_rect){20, y + 20, 300, 100}, CK_BTN_PRIMARY, "آگے");
    CHECK(ck_ui_missing_glyphs(ui, NULL, 0) == 0);
    ck_ui_end(ui);
    shot(ui, "urdu");
    ck_ui_set_language(ui, "en");
}

/* Receipts: START lines sit on the right in Arabic, on the left in English; centred stays. */
static void receipts_follow_direction(struct ck_ui *ui)
{
    struct ck_bitmap bm;
    int left[2], right[2];
    const char *lang[2] = {"en", "ar"};
    const char *text[2] = {"Code", "رقم"};
    for (int k = 0; k < 2; k++) {
        ck_ui_set_language(ui, lang[k]);
        CHECK(ck_ui_raster_text(ui, 25, false, false, text[k], 384, &bm) == CK_OK);
        left[k] = bm.w;
        right[k] = -1;
        for (int y = 0; y < bm.h; y++)
            for (int x = 0; x < bm.w; x++)
                if (bm.px[y * bm.w + x]) {
                    left[k] = x < left[k] ? x : left[k];
                    right[k] = x > right[k] ? x : right[k];
                }
        ck_bitmap_deinit(&bm);
    }
    printf("receipt ink: en %d..%d, ar %d..%d of 384\n", left[0], right[0], left[1], right[1]);
    CHECK(left[0] < 10 && right[0] < 150);
    CHECK(right[1] > 370 && left[1] > 250);
    CHECK(ck_ui_raster_text(ui, 25, true, true, "رقم الطلب R7Q-W2B-THPM", 384, &bm) == CK_OK);
    CHECK(bm.h > 0);
    ck_bitmap_deinit(&bm);
    ck_ui_set_language(ui, "en");
}

struct spans {
    const char *text;
    size_t end; /* where the previous line ended */
    bool ok;
};

/* Lines come in order, each a piece of the text, with only spaces or a newline between. */
static void check_span(struct ck_ui *ui, const char *s, size_t len, int lineno, void *ctx)
{
    (void)ui;
    (void)lineno;
    struct spans *sp = ctx;
    size_t at = (size_t)(s - sp->text);
    if (at < sp->end) {
        sp->ok = false;
        return;
    }
    for (size_t i = sp->end; i < at; i++) {
        if (memcmp(sp->text + i, "\xE3\x80\x80", 3) == 0) /* U+3000 IDEOGRAPHIC SPACE */
            i += 2;
        else if (sp->text[i] != ' ' && sp->text[i] != '\t' && sp->text[i] != '\n')
            sp->ok = false;
    }
    sp->end = at + len;
}

/* Any bytes at all (scripts mixed, marks without bases, unbalanced isolates and overrides,
 * joiners, private use, broken UTF-8, tabs and newlines) lay out and draw without harm, in
 * every language, and the lines put back together give the text back. */
static void random_text_is_safe(struct ck_ui *ui)
{
    static const char *const PIECES[] = {
        "a", "Z", "7", " ", "  ", ".", "(", ")", "-", "\t", "\n", "é", "e\xCC\x81", "ж",
        "ا", "ل", "ـ", "١", "ה", "ক", "্", "ষ", "ি", "\xE2\x80\x8C", "\xE2\x80\x8D", "中",
        "。", "「", "한", "\xE1\x84\x80", "\xE1\x85\xA1", "\xCC\x81", "\xE2\x81\xA8",
        "\xE2\x81\xA9", "\xE2\x80\xAE", "\xE2\x80\xAC", "\xE2\x80\x8F", "\xEE\x80\x80",
        "\xFF", "\xE4\xB8", "\xF0\x9F\x98\x80", "\xEF\xB8\x8F", "\xC2\xA0", "\xE3\x80\x80",
    };
    static const char *const LANGS[] = {"en", "ar", "ur", "zh-hant", "ko", "bn", "he", ""};
    unsigned seed = 12345;
    char text[2048];
    for (int round = 0; round < 400; round++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        int n = (int)(seed >> 16) % 120;
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = PIECES[(seed >> 16) % (sizeof PIECES / sizeof PIECES[0])];
            size_t pl = strlen(p);
            if (len + pl >= sizeof text)
                break;
            memcpy(text + len, p, pl);
            len += pl;
        }
        text[len] = '\0';
        ck_ui_set_language(ui, LANGS[round % (sizeof LANGS / sizeof LANGS[0])]);
        int width = 40 + (int)(seed % 700);
        struct spans sp = {text, 0, true};
        int lines = ck_ui_layout(ui, CK_FONT_BODY, width, text, check_span, &sp);
        CHECK(lines >= 1 && sp.ok);
        for (size_t i = sp.end; i < len; i++) /* only spaces and newlines after the last line */
            CHECK(text[i] == ' ' || text[i] == '\t' || text[i] == '\n');
        ck_ui_begin(ui);
        ck_ui_text(ui, (struct ck_rect){10, 10, width, 700}, CK_FONT_BODY, CK_COL_TEXT,
                   CK_ALIGN_START, text);
        ck_ui_field(ui, "f", (struct ck_rect){10, 400, width + 40, 200}, text, "", true, false);
        ck_ui_end(ui);
        struct ck_bitmap bm;
        if (ck_ui_raster_text(ui, 20, round & 1, round & 2, text, 200 + width / 2, &bm) == CK_OK)
            ck_bitmap_deinit(&bm);
    }
    ck_ui_set_language(ui, "en");
}

static void isolate_is_safe(void)
{
    char buf[16];
    CHECK_STR(ck_ui_isolate(buf, sizeof buf, "R7Q"), "\xE2\x81\xA8R7Q\xE2\x81\xA9");
    /* Too long: cut at a code point, marks kept. */
    ck_ui_isolate(buf, sizeof buf, "ééééééé");
    CHECK(ck_utf8_valid(buf, strlen(buf)));
    CHECK(strlen(buf) <= 15 && strncmp(buf + strlen(buf) - 3, "\xE2\x81\xA9", 3) == 0);
    CHECK_STR(ck_ui_isolate(buf, 3, "abc"), "");
}

/* English is not disturbed: one run, left to right, and lines fill the width as before. */
static void english_unchanged(struct ck_ui *ui)
{
    struct ck_runs runs;
    const char *s = "Report a problem (e.g. a pothole) — 24/7.";
    CHECK(ck_bidi_runs(ui, ck_text_spec(ui, CK_FONT_BODY), s, strlen(s), &runs) == CK_OK);
    CHECK(runs.n == 1 && !runs.run[0].rtl && runs.run[0].face == CK_FACE_LATIN);
    /* The endonyms of the language picker, in an English UI. */
    ck_ui_begin(ui);
    const char *names[] = {"English", "Español", "繁體中文", "Русский", "বাংলা", "Kreyòl ayisyen",
                           "한국어", "العربية", "اردو", "Français", "Polski"};
    for (int i = 0; i < 11; i++)
        ck_ui_button(ui, names[i], (struct ck_rect){20 + (i % 4) * 310, 20 + (i / 4) * 110, 290, 90},
                     CK_BTN_SECONDARY, names[i]);
    CHECK(ck_ui_missing_glyphs(ui, NULL, 0) == 0);
    ck_ui_end(ui);
    shot(ui, "picker");
}

int main(void)
{
    char err[256];
    struct ck_ui *ui = ck_ui_new(CK_UI_HEADLESS, 1280, 800, err, sizeof err);
    CHECK(ui != NULL);
    if (!ui) {
        fprintf(stderr, "%s\n", err);
        return ck_check_report();
    }
    CHECK_STR(ck_ui_language(ui), "en");
    CHECK(!ck_ui_rtl(ui));
    isolate_is_safe();
    english_unchanged(ui);
    every_language_draws(ui);
    lines_fit(ui);
    missing_glyphs_counted(ui);
    arabic_is_shaped(ui);
    code_inside_arabic(ui);
    layout_mirrors(ui);
    cjk_breaks(ui);
    clusters_stay_whole(ui);
    urdu_nastaliq(ui);
    receipts_follow_direction(ui);
    random_text_is_safe(ui);
    ck_ui_free(ui);
    return ck_check_report();
}
