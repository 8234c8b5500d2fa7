/* ui_int.h: private to ui/. The UI context and the text engine's internals. */
#ifndef CK_UI_INT_H
#define CK_UI_INT_H

#include <SDL2/SDL.h>
#include <SDL2/SDL_ttf.h>

#include "ui/ui.h"

#define CK_TARGET_MAX 512
#define CK_ID_LEN 96
#define CK_TEXT_CACHE 1024

struct ck_target {
    char id[CK_ID_LEN];
    struct ck_rect r;
    char label[200]; /* what speech says for it ("" until labelled) */
};

struct text_entry {
    char *text;
    int font;
    SDL_Color color;
    SDL_Texture *tex;
    int w, h;
    unsigned last_used;
};

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
    double scale; /* short side / 1080 */

    TTF_Font *fonts[CK_FONT_COUNT + 1]; /* the last slot: the receipt font in use (raster.c) */
    int font_px[CK_FONT_COUNT];
    char *font_file[2];                 /* regular, bold */
    struct print_font {
        int px;
        bool bold;
        TTF_Font *font;
    } print_fonts[8];
    struct text_entry cache[CK_TEXT_CACHE];
    unsigned tick;

    struct image_entry images[8];
    size_t nimages;

    struct ck_target targets[CK_TARGET_MAX];
    size_t ntargets;
    char *frame_text; /* every string drawn this frame, NUL-separated */
    size_t frame_text_len, frame_text_cap;

    char pressed[CK_ID_LEN]; /* the target under the finger at press time */
    char focus_id[CK_ID_LEN]; /* keypad focus (focus.c); "" for none */
    bool focus_on;            /* the focus ring shows (someone used the keypad) */
    struct ck_speech *speech; /* speech.c; NULL until first used */
    char tap_id[CK_ID_LEN];
    char text_in[64];
    bool damaged;
};

/* The font slot raster.c sets text in, for receipts. */
#define CK_FONT_PRINT ((enum ck_font)CK_FONT_COUNT)

/* ui.c: greedy line breaking at spaces (a word wider than the line breaks between code points);
 * calls fn for each line and returns the number of lines. */
typedef void (*ck_line_fn)(struct ck_ui *ui, const char *s, size_t len, int lineno, void *ctx);
int ck_ui_layout(struct ck_ui *ui, enum ck_font f, int width, const char *text, ck_line_fn fn,
                 void *ctx);

/* speech.c: frees the speech state (ck_ui_free). focus.c: draws the ring (ck_ui_end). */
void ck_speech_free(struct ck_ui *ui);
void ck_ui_focus_draw(struct ck_ui *ui);

/* text.c */
enum ck_err ck_text_init(struct ck_ui *ui, char *err, size_t errlen);
void ck_text_deinit(struct ck_ui *ui);
/* Draws one line at (x, y) (top-left); returns its width. */
int ck_text_line(struct ck_ui *ui, enum ck_font f, enum ck_color c, int x, int y, const char *s,
                 size_t len);
int ck_text_measure(struct ck_ui *ui, enum ck_font f, const char *s, size_t len);

#endif
