/* ui_int.h: private to ui/. The UI context and the text engine's internals. */
#ifndef CK_UI_INT_H
#define CK_UI_INT_H

#include <SDL2/SDL.h>
#include <SDL2/SDL_ttf.h>

#include "ui/ui.h"

#define CK_TARGET_MAX 512
#define CK_ID_LEN 96
#define CK_TEXT_CACHE 1024
#define CK_TEXT_CACHE_BYTES (4u << 20) /* a few screens of rendered lines: more bought no frame time
                                        * and held 12 MiB after a day (docs/performance.md) */

struct ck_target {
    char id[CK_ID_LEN];
    struct ck_rect r;
    char label[200]; /* what speech says for it ("" until labelled) */
};

/* A font request: pixel size, weight, and whether it is for paper (hinted for 1-bit). */
struct ck_fontspec {
    int px;
    bool bold, print;
};

/* The font families (faces) of the scripts the kiosk writes, found through fontconfig. */
enum ck_face {
    CK_FACE_LATIN,    /* Noto Sans: Latin, Cyrillic, Greek, digits and punctuation */
    CK_FACE_ARABIC,   /* Noto Sans Arabic */
    CK_FACE_NASTALIQ, /* Noto Nastaliq Urdu: Arabic script when the language is Urdu */
    CK_FACE_BENGALI,  /* Noto Sans Bengali */
    CK_FACE_CJK_TC,   /* Noto Sans CJK TC: Han (Traditional), kana, bopomofo; Hangul too */
    CK_FACE_CJK_SC,   /* Noto Sans CJK SC: Han when the language is Simplified Chinese */
    CK_FACE_CJK_KR,   /* Noto Sans CJK KR: Hangul and Han when the language is Korean */
    CK_FACE_COUNT
};

/* The files of a face, looked up on first use: [0] regular, [1] bold (regular if none), and
 * the code points it covers (fontconfig's cached charset: checked before a fallback font is
 * opened just to find it lacks a glyph). */
struct ck_face_file {
    char *path[2];
    int index[2];
    /* The file mapped once, read-only: FreeType reads it as memory, not by thousands of
     * seek-and-read calls, and every size of the face shares the pages. */
    void *map[2];
    size_t map_len[2];
    bool looked_up[2];
    void *charset; /* FcCharSet *, of the regular face */
};

#define CK_OPEN_FONTS 48
struct ck_open_font {
    TTF_Font *font;
    int key; /* ck_font_key(), without the size for faces that share one font across sizes */
    enum ck_face face;
    int px;        /* the size it is set to now */
    unsigned used; /* font_epoch of the last use; fonts of the current epoch are not evicted */
};

/* What the UI language asks of the text engine (ck_ui_set_language). */
struct ck_textlang {
    char code[16];
    bool rtl;                  /* paragraphs run right to left and the layout mirrors */
    enum ck_face arabic, han, hangul;
    enum ck_face main;         /* the language's own face: sets the line height */
    unsigned ctx;              /* all of the above as a number, part of every cache key */
};

/* What rendering a line tells besides its pixels. */
struct ck_line_info {
    int top;        /* where the image's top sits below the top of the line box (negative when
                     * a tall glyph rises above it) */
    int caret;      /* where the caret goes after the logical end, from the left edge */
    bool caret_rtl; /* the text there runs right to left (the caret goes left of that point) */
    size_t missing; /* code points no font has (private use, unassigned included) */
    uint32_t missing_cp; /* the first of them */
};

/* A rendered line in the cache. */
struct text_entry {
    char *text;
    int key;      /* ck_font_key() */
    unsigned ctx; /* ck_textlang.ctx */
    SDL_Color color;
    SDL_Texture *tex;
    int w, h;
    struct ck_line_info info;
    unsigned last_used;
};
struct measure_entry;
struct layout_entry;
struct ck_bidi;

struct image_entry {
    char *path;
    SDL_Texture *tex;
    int w, h;
};

struct ck_ui {
    enum ck_ui_mode mode;
    SDL_Window *win;
    SDL_Surface *surface; /* headless only: the frame */
    SDL_Renderer *r;
    int w, h;
    double scale; /* short side / 1080, times the text size (1, 1.5 or 2) */
    double base_scale; /* short side / 1080 */
    int text_size;     /* percent */
    size_t overflows;  /* text cut off this frame */
    char overflow_example[160];

    /* The text engine (text.c, font.c, bidi.c, wrap.c). */
    struct ck_fontspec font_spec[CK_FONT_COUNT + 1]; /* the last slot: the receipt font in use */
    struct ck_face_file faces[CK_FACE_COUNT];
    struct ck_open_font open_fonts[CK_OPEN_FONTS];
    unsigned font_epoch;
    struct ck_textlang lang;
    struct text_entry cache[CK_TEXT_CACHE];
    size_t cache_bytes; /* pixels the cached lines hold, kept under CK_TEXT_CACHE_BYTES */
    unsigned tick;
    unsigned frame_tick; /* tick when the frame began: lines drawn since are never evicted */
    struct measure_entry *measures; /* CK_MEASURE_CACHE of them */
    struct layout_entry *layouts;   /* CK_LAYOUT_CACHE of them */
    struct ck_bidi *bidi;           /* scratch of the run splitter */
    size_t missing;                 /* code points without a glyph drawn this frame */
    char missing_example[128];

    struct image_entry images[8];
    size_t nimages;

    struct ck_target targets[CK_TARGET_MAX];
    size_t ntargets;
    char *frame_text; /* every string drawn this frame, NUL-separated */
    size_t frame_text_len, frame_text_cap;

    char pressed[CK_ID_LEN]; /* the target under the finger at press time */
    uint32_t pressed_at;     /* when (SDL ticks) */
    char focus_id[CK_ID_LEN]; /* keypad focus (focus.c); "" for none */
    bool focus_on;            /* the focus ring shows (someone used the keypad) */
    struct ck_speech *speech; /* speech.c; NULL until first used */
    char tap_id[CK_ID_LEN];
    char text_in[64];
    bool damaged;
};

/* The font slot raster.c sets text in, for receipts. */
#define CK_FONT_PRINT ((enum ck_font)CK_FONT_COUNT)

/* wrap.c: greedy line breaking of logical text: at spaces, between two CJK characters (not
 * before closing or after opening punctuation), and inside a word too long for any line at
 * grapheme-cluster boundaries. Calls fn for each line (logical order; each is reordered when
 * drawn) and returns the number of lines. Layouts are cached; fn must not call ck_ui_layout. */
typedef void (*ck_line_fn)(struct ck_ui *ui, const char *s, size_t len, int lineno, void *ctx);
int ck_ui_layout(struct ck_ui *ui, enum ck_font f, int width, const char *text, ck_line_fn fn,
                 void *ctx);
/* The width of the widest piece of text that no line break can split. */
int ck_text_widest_unit(struct ck_ui *ui, enum ck_font f, const char *s);
void ck_wrap_deinit(struct ck_ui *ui);

/* speech.c: frees the speech state (ck_ui_free). focus.c: draws the ring (ck_ui_end). */
void ck_speech_free(struct ck_ui *ui);
void ck_ui_focus_draw(struct ck_ui *ui);

/* text.c: rendering, measuring and caching lines; the UI language; missing glyphs. */
enum ck_err ck_text_init(struct ck_ui *ui, char *err, size_t errlen);
void ck_text_deinit(struct ck_ui *ui);
/* Starts a frame's count of missing glyphs (ck_ui_begin). */
void ck_text_frame_begin(struct ck_ui *ui);
/* Sets the screen fonts' sizes again after the scale changed (large text). */
void ck_text_rescale(struct ck_ui *ui);
/* Records text cut off this frame (ck_ui_overflows). */
void ck_ui_note_overflow(struct ck_ui *ui, const char *what, const char *utf8, int need, int room);
/* Draws one line at (x, y) (top-left of its line box, layout coordinates); returns its width. */
int ck_text_line(struct ck_ui *ui, enum ck_font f, enum ck_color c, int x, int y, const char *s,
                 size_t len);
/* The width of one line, and where its caret goes (from its left edge) after its logical end;
 * *rtl is set when the text there runs right to left. */
int ck_text_measure(struct ck_ui *ui, enum ck_font f, const char *s, size_t len);
int ck_text_caret(struct ck_ui *ui, enum ck_font f, enum ck_color c, const char *s, size_t len,
                  bool *rtl);
/* The font request a font slot stands for. */
struct ck_fontspec ck_text_spec(const struct ck_ui *ui, enum ck_font f);
/* Height of a line box and the baseline's distance from its top, for this language. */
int ck_text_line_height(struct ck_ui *ui, enum ck_font f, int *ascent);
/* The same for this text: a plain ASCII text in a tall script's session needs only the Latin
 * font's line. */
int ck_text_line_height_for(struct ck_ui *ui, enum ck_font f, const char *s);
/* One line in the colour c as an ARGB surface (caller frees) and what else is known of it in
 * *info. NULL for a line with nothing visible, or on failure. */
SDL_Surface *ck_text_render(struct ck_ui *ui, struct ck_fontspec spec, SDL_Color c, const char *s,
                            size_t len, struct ck_line_info *info);
/* Maps a box in layout coordinates to the screen (mirrored in a right-to-left language). */
SDL_Rect ck_ui_screen_rect(const struct ck_ui *ui, int x, int y, int w, int h);
/* Adds what a drawn line lacked to the frame's count of missing glyphs. */
void ck_text_note_missing(struct ck_ui *ui, size_t n, uint32_t cp, const char *s, size_t len);

/* font.c: faces through fontconfig, fonts opened on first use. */
enum ck_err ck_font_init(struct ck_ui *ui, char *err, size_t errlen);
void ck_font_deinit(struct ck_ui *ui);
/* The font of a face at a spec, opened if needed and set to the spec's size; NULL if the face
 * is not installed. Valid until the epoch moves on (ck_font_next_epoch) and a later call
 * evicts it; the big CJK and Nastaliq faces share one font across sizes, so call again (or
 * ck_bidi_prepare) before each use. */
TTF_Font *ck_font_get(struct ck_ui *ui, struct ck_fontspec spec, enum ck_face face);
/* True if the face exists and has a glyph for cp, by fontconfig's charset (no font opened). */
bool ck_font_covers(struct ck_ui *ui, enum ck_face face, uint32_t cp);
void ck_font_next_epoch(struct ck_ui *ui);
/* A number for a spec, for cache keys. */
int ck_font_key(struct ck_fontspec spec);

/* bidi.c: one logical line split into runs of one font, script and direction (UAX #9 by
 * FriBidi, with the paragraph direction of the UI language unless every strong character of
 * the line runs the other way), in visual order, left to right. */
struct ck_run {
    TTF_Font *font;
    struct ck_fontspec spec;
    enum ck_face face;
    bool rtl;
    char script[5]; /* ISO 15924, for TTF_SetFontScriptName */
    const char *text; /* UTF-8, bidi controls removed */
    size_t len;
    bool has_end; /* holds the logical end of the line (where the caret goes) */
};
struct ck_runs {
    const struct ck_run *run;
    size_t n;
    size_t missing;      /* code points no font has (or private use, unassigned) */
    uint32_t missing_cp; /* the first of them */
};
/* Valid until the next call. */
enum ck_err ck_bidi_runs(struct ck_ui *ui, struct ck_fontspec spec, const char *s, size_t len,
                         struct ck_runs *out);
/* Sets a run's size, direction and script on its font, before it is measured or rendered. */
void ck_bidi_prepare(struct ck_ui *ui, const struct ck_run *r);
void ck_bidi_deinit(struct ck_ui *ui);
/* Grapheme clusters: true if cp continues the cluster of prev (a combining mark, ZWJ/ZWNJ, a
 * variation selector, the consonant after a virama or a ZWJ, conjoining Hangul jamo). */
bool ck_bidi_extends(uint32_t prev, uint32_t cp);

#endif
