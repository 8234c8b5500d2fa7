/* ui.c: the UI context: window or off-screen surface, frames, text layout, widgets, input and
 * screenshots. UI thread only, except ck_ui_wake. */
#include <SDL2/SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "ui/theme.h"
#include "ui/ui_int.h"

static Uint32 wake_event = (Uint32)-1;

/* ------------------------------------------------------------------ lifecycle */

struct ck_ui *ck_ui_new(enum ck_ui_mode mode, int w, int h, char *err, size_t errlen)
{
    struct ck_ui *ui = calloc(1, sizeof *ui);
    if (!ui)
        return NULL;
    ui->mode = mode;
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    /* Headless needs no video driver at all: the software renderer draws into a surface, which
     * keeps a GPU stack (EGL, Mesa) out of tests and benchmarks. */
    Uint32 sub = mode == CK_UI_HEADLESS ? SDL_INIT_EVENTS : SDL_INIT_VIDEO | SDL_INIT_EVENTS;
    if (SDL_Init(sub) != 0) {
        ck_fail(err, errlen, CK_ERR_IO, "SDL: %s", SDL_GetError());
        goto fail;
    }
    wake_event = SDL_RegisterEvents(1);
    if (mode == CK_UI_HEADLESS) {
        ui->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_XRGB8888);
        if (!ui->surface || !(ui->r = SDL_CreateSoftwareRenderer(ui->surface))) {
            ck_fail(err, errlen, CK_ERR_IO, "SDL surface: %s", SDL_GetError());
            goto fail;
        }
    } else {
        /* Under X11 the software renderer's frames reach the window as shared-memory images;
         * left alone, SDL would put an OpenGL texture between them and load Mesa and LLVM for
         * nothing (102 MiB PSS instead of 22; docs/performance.md). Wayland (cage) and KMSDRM
         * have no such path: there SDL needs that texture, so the hint is for X11 only. */
        const char *driver = SDL_GetCurrentVideoDriver();
        /* With no display to reach SDL falls back to drivers that show nothing: the kiosk
         * would run unseen (and load Mesa for it). Better to stop, say why, and be restarted
         * by systemd once the display is up. */
        if (!driver || strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0 ||
            strcmp(driver, "evdev") == 0) {
            ck_fail(err, errlen, CK_ERR_IO, "no display: SDL found only its \"%s\" video driver "
                    "(is the compositor or X server up? DISPLAY, WAYLAND_DISPLAY)",
                    driver ? driver : "none");
            goto fail;
        }
        if (strcmp(driver, "x11") == 0)
            SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        Uint32 flags = mode == CK_UI_FULLSCREEN ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0;
        ui->win = SDL_CreateWindow("Civic Kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w,
                                   h, flags);
        if (!ui->win || !(ui->r = SDL_CreateRenderer(ui->win, -1, SDL_RENDERER_SOFTWARE))) {
            ck_fail(err, errlen, CK_ERR_IO, "SDL window: %s", SDL_GetError());
            goto fail;
        }
        if (mode == CK_UI_FULLSCREEN)
            SDL_ShowCursor(SDL_DISABLE);
        SDL_GetRendererOutputSize(ui->r, &w, &h);
        SDL_StartTextInput();
    }
    SDL_SetRenderDrawBlendMode(ui->r, SDL_BLENDMODE_BLEND);
    ui->w = w;
    ui->h = h;
    ui->base_scale = ui->scale = (w < h ? w : h) / 1080.0;
    ui->text_size = 100;
    if (ck_text_init(ui, err, errlen))
        goto fail;
    return ui;
fail:
    ck_ui_free(ui);
    return NULL;
}

void ck_ui_free(struct ck_ui *ui)
{
    if (!ui)
        return;
    ck_text_deinit(ui);
    ck_speech_free(ui);
    for (size_t i = 0; i < ui->nimages; i++) {
        free(ui->images[i].path);
        if (ui->images[i].tex)
            SDL_DestroyTexture(ui->images[i].tex);
    }
    free(ui->frame_text);
    if (ui->r)
        SDL_DestroyRenderer(ui->r);
    if (ui->surface)
        SDL_FreeSurface(ui->surface);
    if (ui->win)
        SDL_DestroyWindow(ui->win);
    SDL_Quit();
    free(ui);
}

int ck_ui_width(const struct ck_ui *ui)
{
    return ui->w;
}

int ck_ui_height(const struct ck_ui *ui)
{
    return ui->h;
}

int ck_ui_px(const struct ck_ui *ui, int design_px)
{
    int v = (int)(design_px * ui->scale + 0.5);
    return design_px > 0 && v < 1 ? 1 : v;
}

void ck_ui_set_text_size(struct ck_ui *ui, int percent)
{
    if (percent < 100)
        percent = 100;
    if (percent > 200)
        percent = 200;
    if (percent == ui->text_size)
        return;
    ui->text_size = percent;
    ui->scale = ui->base_scale * percent / 100.0;
    ck_text_rescale(ui);
}

int ck_ui_text_size(const struct ck_ui *ui)
{
    return ui->text_size;
}

void ck_ui_note_overflow(struct ck_ui *ui, const char *what, const char *utf8, int need, int room)
{
    if (!ui->overflows++)
        snprintf(ui->overflow_example, sizeof ui->overflow_example, "%s \"%.60s\" needs %d px, has %d",
                 what, utf8, need, room);
}

size_t ck_ui_overflows(const struct ck_ui *ui, char *example, size_t examplelen)
{
    if (example && examplelen)
        snprintf(example, examplelen, "%s", ui->overflows ? ui->overflow_example : "");
    return ui->overflows;
}

/* ------------------------------------------------------------------ frame */

/* An opaque colour is written, not blended: the software renderer blends pixel by pixel, while
 * a plain fill is a run of stores (the welcome screen drew in 18 ms, most of it blending
 * opaque fills; docs/performance.md). */
static void set_color(struct ck_ui *ui, enum ck_color c)
{
    struct ck_rgba k = ck_theme_color(c);
    SDL_SetRenderDrawBlendMode(ui->r, k.a == 0xFF ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(ui->r, k.r, k.g, k.b, k.a);
}

void ck_ui_begin(struct ck_ui *ui)
{
    ui->ntargets = 0;
    ui->frame_text_len = 0;
    ui->overflows = 0;
    ui->overflow_example[0] = '\0';
    ck_text_frame_begin(ui);
    set_color(ui, CK_COL_BG);
    SDL_RenderClear(ui->r);
}

void ck_ui_end(struct ck_ui *ui)
{
    ck_ui_focus_draw(ui);
    SDL_RenderPresent(ui->r);
}

static void remember_text(struct ck_ui *ui, const char *s)
{
    size_t n = strlen(s) + 1;
    if (ui->frame_text_len + n > ui->frame_text_cap) {
        size_t cap = ui->frame_text_cap ? ui->frame_text_cap : 4096;
        while (cap < ui->frame_text_len + n)
            cap *= 2;
        char *p = realloc(ui->frame_text, cap);
        if (!p)
            return;
        ui->frame_text = p;
        ui->frame_text_cap = cap;
    }
    memcpy(ui->frame_text + ui->frame_text_len, s, n);
    ui->frame_text_len += n;
}

bool ck_ui_frame_has_text(const struct ck_ui *ui, const char *needle)
{
    for (size_t i = 0; i < ui->frame_text_len; i += strlen(ui->frame_text + i) + 1)
        if (strstr(ui->frame_text + i, needle))
            return true;
    return false;
}

/* ------------------------------------------------------------------ drawing */

/* Right-to-left languages mirror the layout: screens place everything as if for a
 * left-to-right language, and every primitive maps x to w - x - r.w on its way to the screen
 * (text inside a box is not mirrored, only where the box goes; so START-aligned text ends up
 * on the right). Tap targets are stored mirrored, where they were drawn. */
struct ck_rect ck_ui_mirror(const struct ck_ui *ui, struct ck_rect r)
{
    if (ui->lang.rtl)
        r.x = ui->w - r.x - r.w;
    return r;
}

SDL_Rect ck_ui_screen_rect(const struct ck_ui *ui, int x, int y, int w, int h)
{
    return (SDL_Rect){ui->lang.rtl ? ui->w - x - w : x, y, w, h};
}

/* A translucent fill of a large area (a dialog's backdrop over the whole screen), blended here
 * through lookup tables with the software renderer's own arithmetic (each channel
 * v * (255 - a) / 255 + c * a / 255), so the pixels are the same at a fraction of the cost: SDL
 * spent 27 instructions a pixel, 85 % of a dialog's frame (docs/performance.md). False when the
 * target is not a 32-bit surface this can reach; SDL then blends it. */
static bool blend_fill(struct ck_ui *ui, SDL_Rect r, struct ck_rgba k)
{
    SDL_Surface *s = ui->surface ? ui->surface : ui->win ? SDL_GetWindowSurface(ui->win) : NULL;
    if (!s || (s->format->format != SDL_PIXELFORMAT_XRGB8888 &&
               s->format->format != SDL_PIXELFORMAT_ARGB8888))
        return false;
    SDL_Rect all = {0, 0, s->w, s->h};
    if (!SDL_IntersectRect(&r, &all, &r))
        return true;
    if (SDL_RenderFlush(ui->r) != 0 || (SDL_MUSTLOCK(s) && SDL_LockSurface(s) != 0))
        return false;
    uint8_t lut[3][256];
    unsigned inva = 255u - k.a, add[3] = {k.r * k.a / 255u, k.g * k.a / 255u, k.b * k.a / 255u};
    for (unsigned v = 0; v < 256; v++)
        for (int ch = 0; ch < 3; ch++)
            lut[ch][v] = (uint8_t)(v * inva / 255u + add[ch]);
    for (int y = r.y; y < r.y + r.h; y++) {
        uint32_t *p = (uint32_t *)((uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch) + r.x;
        for (int x = 0; x < r.w; x++) {
            uint32_t v = p[x];
            p[x] = (v & 0xFF000000u) | (uint32_t)lut[0][(v >> 16) & 0xFF] << 16 |
                   (uint32_t)lut[1][(v >> 8) & 0xFF] << 8 | lut[2][v & 0xFF];
        }
    }
    if (SDL_MUSTLOCK(s))
        SDL_UnlockSurface(s);
    return true;
}

void ck_ui_fill(struct ck_ui *ui, struct ck_rect r, enum ck_color c)
{
    SDL_Rect sr = {ck_ui_mirror(ui, r).x, r.y, r.w, r.h};
    struct ck_rgba k = ck_theme_color(c);
    if (k.a != 0xFF && (long)r.w * r.h >= 65536L && blend_fill(ui, sr, k))
        return;
    set_color(ui, c);
    SDL_RenderFillRect(ui->r, &sr);
}

/* A filled rectangle with rounded corners, drawn as horizontal spans. */
static void fill_round(struct ck_ui *ui, struct ck_rect r, int rad, enum ck_color c)
{
    set_color(ui, c);
    r = ck_ui_mirror(ui, r);
    if (rad * 2 > r.h)
        rad = r.h / 2;
    if (rad * 2 > r.w)
        rad = r.w / 2;
    SDL_RenderFillRect(ui->r, &(SDL_Rect){r.x, r.y + rad, r.w, r.h - 2 * rad});
    for (int i = 0; i < rad; i++) {
        double dy = rad - i - 0.5;
        int inset = rad - (int)(SDL_sqrt((double)rad * rad - dy * dy) + 0.5);
        SDL_RenderFillRect(ui->r, &(SDL_Rect){r.x + inset, r.y + i, r.w - 2 * inset, 1});
        SDL_RenderFillRect(ui->r, &(SDL_Rect){r.x + inset, r.y + r.h - 1 - i, r.w - 2 * inset, 1});
    }
}

void ck_ui_outline(struct ck_ui *ui, struct ck_rect r, enum ck_color c, int t)
{
    set_color(ui, c);
    r = ck_ui_mirror(ui, r);
    SDL_Rect rs[4] = {{r.x, r.y, r.w, t}, {r.x, r.y + r.h - t, r.w, t},
                      {r.x, r.y, t, r.h}, {r.x + r.w - t, r.y, t, r.h}};
    SDL_RenderFillRects(ui->r, rs, 4);
}

int ck_ui_line_height(struct ck_ui *ui, enum ck_font f)
{
    return ck_text_line_height(ui, f, NULL);
}

struct draw_ctx {
    struct ck_rect r;
    enum ck_font f;
    enum ck_color c;
    enum ck_align align;
    int lh;
    int first_line; /* lines before this are skipped (field scrolling) */
    int max_lines;
};

static void draw_line(struct ck_ui *ui, const char *s, size_t len, int lineno, void *vctx)
{
    struct draw_ctx *d = vctx;
    if (lineno < d->first_line || (d->max_lines && lineno >= d->first_line + d->max_lines))
        return;
    int w = ck_text_measure(ui, d->f, s, len);
    int x = d->align == CK_ALIGN_CENTER ? d->r.x + (d->r.w - w) / 2
            : d->align == CK_ALIGN_END  ? d->r.x + d->r.w - w
                                        : d->r.x;
    ck_text_line(ui, d->f, d->c, x, d->r.y + (lineno - d->first_line) * d->lh, s, len);
}

int ck_ui_text(struct ck_ui *ui, struct ck_rect r, enum ck_font f, enum ck_color c,
               enum ck_align align, const char *utf8)
{
    if (!utf8 || !*utf8)
        return 0;
    remember_text(ui, utf8);
    struct draw_ctx d = {r, f, c, align, ck_text_line_height_for(ui, f, utf8), 0, 0};
    int used = ck_ui_layout(ui, f, r.w, utf8, draw_line, &d) * d.lh;
    /* Cut off: taller than the box it was given (h 0: as tall as it needs), or off the screen. */
    struct ck_rect s = ck_ui_mirror(ui, (struct ck_rect){r.x, r.y, r.w, used});
    if (r.h > 0 && used > r.h)
        ck_ui_note_overflow(ui, "text", utf8, used, r.h);
    else if (s.y < 0 || s.y + used > ui->h || s.x < 0 || s.x + s.w > ui->w)
        ck_ui_note_overflow(ui, "text off the screen:", utf8, s.y + used, ui->h);
    return used;
}

int ck_ui_text_height(struct ck_ui *ui, enum ck_font f, int width, const char *utf8)
{
    if (!utf8 || !*utf8)
        return 0;
    return ck_ui_layout(ui, f, width, utf8, NULL, NULL) * ck_text_line_height_for(ui, f, utf8);
}

int ck_ui_text_width(struct ck_ui *ui, enum ck_font f, const char *utf8)
{
    return ck_text_measure(ui, f, utf8, strlen(utf8));
}

void ck_ui_bitmap(struct ck_ui *ui, struct ck_rect r, const struct ck_bitmap *bm, int quiet)
{
    int modules = bm->w + 2 * quiet;
    int side = r.w < r.h ? r.w : r.h;
    int m = side / modules;
    if (m < 1)
        m = 1;
    int total = m * modules;
    int x0 = r.x + (r.w - total) / 2, y0 = r.y + (r.h - total) / 2;
    ck_ui_fill(ui, (struct ck_rect){x0, y0, total, total}, CK_COL_WHITE);
    /* A QR code is mirrored in where it goes, never in its modules. */
    x0 = ck_ui_mirror(ui, (struct ck_rect){x0, y0, total, total}).x;
    set_color(ui, CK_COL_BLACK);
    for (int y = 0; y < bm->h; y++) {
        for (int x = 0; x < bm->w;) {
            if (!bm->px[y * bm->w + x]) {
                x++;
                continue;
            }
            int run = x;
            while (run < bm->w && bm->px[y * bm->w + run])
                run++;
            SDL_RenderFillRect(ui->r, &(SDL_Rect){x0 + (quiet + x) * m, y0 + (quiet + y) * m,
                                                  (run - x) * m, m});
            x = run;
        }
    }
}

void ck_ui_image(struct ck_ui *ui, struct ck_rect r, const char *path)
{
    if (!path)
        return;
    struct image_entry *e = NULL;
    for (size_t i = 0; i < ui->nimages; i++)
        if (strcmp(ui->images[i].path, path) == 0)
            e = &ui->images[i];
    if (!e && ui->nimages < sizeof ui->images / sizeof ui->images[0]) {
        e = &ui->images[ui->nimages++];
        e->path = strdup(path);
        SDL_Surface *s = IMG_Load(path);
        if (s) {
            e->tex = SDL_CreateTextureFromSurface(ui->r, s);
            e->w = s->w;
            e->h = s->h;
            SDL_FreeSurface(s);
        } else {
            ck_warn("ui", "image %s: %s", path, IMG_GetError());
        }
    }
    if (!e || !e->tex || !e->w || !e->h)
        return;
    double k = (double)r.w / e->w < (double)r.h / e->h ? (double)r.w / e->w : (double)r.h / e->h;
    int w = (int)(e->w * k), h = (int)(e->h * k);
    SDL_Rect dst = ck_ui_screen_rect(ui, r.x + (r.w - w) / 2, r.y + (r.h - h) / 2, w, h);
    SDL_RenderCopy(ui->r, e->tex, NULL, &dst); /* the picture itself is not flipped */
}

/* ------------------------------------------------------------------ widgets */

void ck_ui_target(struct ck_ui *ui, const char *id, struct ck_rect r)
{
    if (ui->ntargets == CK_TARGET_MAX) {
        ck_warn("ui", "too many targets on one screen; %s is not tappable", id);
        return;
    }
    struct ck_target *t = &ui->targets[ui->ntargets++];
    snprintf(t->id, sizeof t->id, "%s", id);
    t->r = ck_ui_mirror(ui, r); /* screen coordinates: where it was drawn */
}

static void button_colors(enum ck_button_style s, enum ck_color *bg, enum ck_color *fg,
                          enum ck_color *border)
{
    switch (s) {
    case CK_BTN_PRIMARY: *bg = CK_COL_PRIMARY, *fg = CK_COL_PRIMARY_TEXT, *border = CK_COL_PRIMARY; break;
    case CK_BTN_CHOSEN: *bg = CK_COL_SELECTED, *fg = CK_COL_SELECTED_TEXT, *border = CK_COL_SELECTED; break;
    case CK_BTN_DISABLED: *bg = CK_COL_BG, *fg = CK_COL_MUTED, *border = CK_COL_BORDER; break;
    default: *bg = CK_COL_SURFACE, *fg = CK_COL_SURFACE_TEXT, *border = CK_COL_BORDER; break;
    }
}

/* The width of the longest unbreakable piece of s (a word; one CJK character): a label whose
 * longest piece does not fit is set smaller rather than broken inside a word. */
static int widest_word(struct ck_ui *ui, enum ck_font f, const char *s)
{
    return ck_text_widest_unit(ui, f, s);
}

/* The font a button's label is set in: the button's own, or the small one when a word of the
 * label is wider than the button (or, with max_h > 0, the label is taller than max_h). */
static enum ck_font label_font(struct ck_ui *ui, enum ck_button_style style, int inner_w,
                               int max_h, const char *label)
{
    enum ck_font lf = style == CK_BTN_KEY ? CK_FONT_BODY : CK_FONT_BUTTON;
    if (widest_word(ui, lf, label) > inner_w)
        return CK_FONT_SMALL;
    if (max_h > 0 && ck_ui_text_height(ui, lf, inner_w, label) > max_h)
        return CK_FONT_SMALL;
    return lf;
}

int ck_ui_button_height(struct ck_ui *ui, int w, enum ck_button_style style, const char *label,
                        const char *detail)
{
    int bw = ck_ui_px(ui, 3), pad = ck_ui_px(ui, style == CK_BTN_KEY ? 4 : 24);
    int inner_w = w - 2 * pad;
    int h = ck_ui_text_height(ui, label_font(ui, style, inner_w, 0, label), inner_w, label);
    if (detail && *detail)
        h += ck_ui_px(ui, 6) + ck_ui_text_height(ui, CK_FONT_SMALL, inner_w, detail);
    return h + 2 * bw + ck_ui_px(ui, 16);
}

void ck_ui_button2(struct ck_ui *ui, const char *id, struct ck_rect r, enum ck_button_style style,
                   const char *label, const char *detail)
{
    enum ck_color bg, fg, border;
    button_colors(style, &bg, &fg, &border);
    int rad = ck_ui_px(ui, style == CK_BTN_KEY ? 10 : 16);
    int bw = ck_ui_px(ui, 3);
    fill_round(ui, r, rad, border);
    fill_round(ui, (struct ck_rect){r.x + bw, r.y + bw, r.w - 2 * bw, r.h - 2 * bw}, rad - bw, bg);
    int pad = ck_ui_px(ui, style == CK_BTN_KEY ? 4 : 24);
    int inner_w = r.w - 2 * pad;
    /* Tall scripts (Nastaliq) or long words: a label that does not fit the button's height
     * is set smaller rather than spilling out of it. */
    int dh0 = detail && *detail ? ck_ui_text_height(ui, CK_FONT_SMALL, inner_w, detail) : 0;
    enum ck_font lf = label_font(ui, style, inner_w, r.h - 2 * bw - dh0, label);
    int lh = ck_ui_text_height(ui, lf, inner_w, label);
    int dh = detail && *detail ? ck_ui_text_height(ui, CK_FONT_SMALL, inner_w, detail) : 0;
    int gap = dh ? ck_ui_px(ui, 6) : 0;
    if (lh + gap + dh > r.h - 2 * bw)
        ck_ui_note_overflow(ui, "button label", label, lh + gap + dh, r.h - 2 * bw);
    else if (widest_word(ui, lf, label) > inner_w)
        ck_ui_note_overflow(ui, "a word broken in button label", label, widest_word(ui, lf, label),
                            inner_w);
    int y = r.y + (r.h - lh - gap - dh) / 2;
    enum ck_align align = detail && *detail ? CK_ALIGN_START : CK_ALIGN_CENTER;
    ck_ui_text(ui, (struct ck_rect){r.x + pad, y, inner_w, 0}, lf, fg, align, label);
    if (dh)
        ck_ui_text(ui, (struct ck_rect){r.x + pad, y + lh + gap, inner_w, 0}, CK_FONT_SMALL,
                   style == CK_BTN_CHOSEN || style == CK_BTN_PRIMARY ? fg : CK_COL_MUTED, align,
                   detail);
    if (style != CK_BTN_DISABLED) {
        ck_ui_target(ui, id, r);
        ck_ui_label(ui, label, detail);
    }
}

void ck_ui_button(struct ck_ui *ui, const char *id, struct ck_rect r, enum ck_button_style style,
                  const char *label)
{
    ck_ui_button2(ui, id, r, style, label, NULL);
}

struct count_ctx {
    int n;
    const char *last; /* the last line, where the caret goes */
    size_t last_len;
};

static void count_line(struct ck_ui *ui, const char *s, size_t len, int lineno, void *ctx)
{
    (void)ui;
    struct count_ctx *c = ctx;
    c->n = lineno + 1;
    c->last = s;
    c->last_len = len;
}

void ck_ui_field(struct ck_ui *ui, const char *id, struct ck_rect r, const char *value,
                 const char *placeholder, bool multiline, bool error)
{
    int bw = ck_ui_px(ui, error ? 5 : 3);
    ck_ui_fill(ui, r, error ? CK_COL_ERROR : CK_COL_BORDER);
    ck_ui_fill(ui, (struct ck_rect){r.x + bw, r.y + bw, r.w - 2 * bw, r.h - 2 * bw},
               CK_COL_SURFACE);
    int pad = ck_ui_px(ui, 18);
    struct ck_rect in = {r.x + pad, r.y + pad, r.w - 2 * pad, r.h - 2 * pad};
    int lh = ck_ui_line_height(ui, CK_FONT_BODY);
    int max_lines = multiline ? in.h / lh : 1;
    if (max_lines < 1)
        max_lines = 1;
    if (!multiline)
        in.y = r.y + (r.h - lh) / 2;
    bool empty = !value || !*value;
    const char *shown = empty ? placeholder : value;
    struct count_ctx cc = {0, NULL, 0};
    if (shown && *shown) {
        remember_text(ui, shown);
        ck_ui_layout(ui, CK_FONT_BODY, in.w, shown, count_line, &cc);
        /* Keep the end of the text, where the caret is, in view. */
        struct draw_ctx d = {in, CK_FONT_BODY, empty ? CK_COL_MUTED : CK_COL_SURFACE_TEXT,
                             CK_ALIGN_START, lh, cc.n > max_lines ? cc.n - max_lines : 0,
                             max_lines};
        ck_ui_layout(ui, CK_FONT_BODY, in.w, shown, draw_line, &d);
    }
    if (value) { /* the caret after the logical end: right of LTR text, left of RTL text */
        int line = empty ? 0 : (cc.n > max_lines ? max_lines : cc.n) - 1;
        int cw = ck_ui_px(ui, 3), x = in.x + 2;
        if (!empty) {
            bool rtl_end;
            int w = ck_text_measure(ui, CK_FONT_BODY, cc.last, cc.last_len);
            int sx = ck_text_caret(ui, CK_FONT_BODY, CK_COL_SURFACE_TEXT, cc.last, cc.last_len,
                                   &rtl_end);
            sx += rtl_end ? -2 - cw : 2; /* from the line's left edge on screen */
            x = ui->lang.rtl ? in.x + w - sx - cw : in.x + sx; /* back to layout coordinates */
        }
        ck_ui_fill(ui, (struct ck_rect){x, in.y + line * lh + lh / 8, cw, lh * 3 / 4}, CK_COL_TEXT);
    }
    ck_ui_target(ui, id, r);
}

/* ------------------------------------------------------------------ input */

static const struct ck_target *hit(const struct ck_ui *ui, int x, int y)
{
    /* Later targets are drawn on top (dialogs), so search from the end. */
    for (size_t i = ui->ntargets; i-- > 0;) {
        const struct ck_rect *r = &ui->targets[i].r;
        if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
            return &ui->targets[i];
    }
    return NULL;
}

static enum ck_key map_key(SDL_Keycode k)
{
    switch (k) {
    case SDLK_RETURN: case SDLK_KP_ENTER: return CK_KEY_ENTER;
    case SDLK_BACKSPACE: return CK_KEY_BACKSPACE;
    case SDLK_ESCAPE: case SDLK_AC_BACK: return CK_KEY_ESCAPE;
    case SDLK_TAB: return CK_KEY_TAB;
    case SDLK_UP: return CK_KEY_UP;
    case SDLK_DOWN: return CK_KEY_DOWN;
    case SDLK_LEFT: return CK_KEY_LEFT;
    case SDLK_RIGHT: return CK_KEY_RIGHT;
    case SDLK_F1: case SDLK_HELP: return CK_KEY_HELP;
    /* Keypads' and keyboards' volume keys; F11/F12 on a plain USB keyboard. */
    case SDLK_VOLUMEUP: case SDLK_F12: return CK_KEY_VOLUME_UP;
    case SDLK_VOLUMEDOWN: case SDLK_F11: return CK_KEY_VOLUME_DOWN;
    default: return CK_KEY_NONE;
    }
}

bool ck_ui_wait(struct ck_ui *ui, int timeout_ms, struct ck_input *in, bool *quit)
{
    SDL_Event ev;
    *quit = false;
    if (!SDL_WaitEventTimeout(&ev, timeout_ms))
        return false;
    switch (ev.type) {
    case SDL_QUIT:
        *quit = true;
        return false;
    case SDL_WINDOWEVENT:
        if (ev.window.event == SDL_WINDOWEVENT_EXPOSED ||
            ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            SDL_GetRendererOutputSize(ui->r, &ui->w, &ui->h);
            ui->damaged = true;
        }
        return false;
    case SDL_MOUSEBUTTONDOWN: {
        const struct ck_target *t = hit(ui, ev.button.x, ev.button.y);
        snprintf(ui->pressed, sizeof ui->pressed, "%s", t ? t->id : "");
        ui->pressed_at = ev.button.timestamp;
        return false;
    }
    case SDL_MOUSEBUTTONUP: {
        /* Act on release, and only if the finger is still on what it pressed (WCAG 2.5.2). */
        const struct ck_target *t = hit(ui, ev.button.x, ev.button.y);
        bool same = t && ui->pressed[0] && strcmp(t->id, ui->pressed) == 0;
        ui->pressed[0] = '\0';
        if (!same)
            return false;
        snprintf(ui->tap_id, sizeof ui->tap_id, "%s", t->id);
        bool held = ev.button.timestamp - ui->pressed_at >= CK_HOLD_MS;
        *in = (struct ck_input){.kind = held ? CK_IN_HOLD : CK_IN_TAP, .id = ui->tap_id};
        return true;
    }
    case SDL_TEXTINPUT:
        snprintf(ui->text_in, sizeof ui->text_in, "%s", ev.text.text);
        *in = (struct ck_input){.kind = CK_IN_TEXT, .text = ui->text_in};
        return true;
    case SDL_KEYDOWN: {
        if (ev.key.repeat) /* no key repeat for residents (Section 508 407.4) */
            return false;
        enum ck_key k = map_key(ev.key.keysym.sym);
        /* Staff: Ctrl+Alt+S on a service keyboard (residents have no modifier keys). */
        if (ev.key.keysym.sym == SDLK_s && (ev.key.keysym.mod & KMOD_CTRL) &&
            (ev.key.keysym.mod & KMOD_ALT))
            k = CK_KEY_STAFF;
        if (k == CK_KEY_NONE)
            return false;
        *in = (struct ck_input){.kind = CK_IN_KEY, .key = k};
        return true;
    }
    default:
        return false; /* wake-ups and other events just end the wait */
    }
}

bool ck_ui_find(const struct ck_ui *ui, const char *id, struct ck_rect *r)
{
    for (size_t i = 0; i < ui->ntargets; i++) {
        if (strcmp(ui->targets[i].id, id) == 0) {
            if (r)
                *r = ui->targets[i].r;
            return true;
        }
    }
    return false;
}

void ck_ui_each_target(const struct ck_ui *ui, void (*fn)(const char *, struct ck_rect, void *),
                       void *ctx)
{
    for (size_t i = 0; i < ui->ntargets; i++)
        fn(ui->targets[i].id, ui->targets[i].r, ctx);
}

bool ck_ui_take_damage(struct ck_ui *ui)
{
    bool d = ui->damaged;
    ui->damaged = false;
    return d;
}

void ck_ui_wake(void)
{
    if (wake_event == (Uint32)-1)
        return;
    SDL_Event ev = {.type = wake_event};
    SDL_PushEvent(&ev);
}

/* ------------------------------------------------------------------ output */

enum ck_err ck_ui_screenshot(struct ck_ui *ui, const char *path, char *err, size_t errlen)
{
    SDL_Surface *s = ui->surface;
    bool own = false;
    if (!s) {
        s = SDL_CreateRGBSurfaceWithFormat(0, ui->w, ui->h, 32, SDL_PIXELFORMAT_XRGB8888);
        if (!s || SDL_RenderReadPixels(ui->r, NULL, SDL_PIXELFORMAT_XRGB8888, s->pixels, s->pitch)) {
            if (s)
                SDL_FreeSurface(s);
            return ck_fail(err, errlen, CK_ERR_IO, "reading the frame: %s", SDL_GetError());
        }
        own = true;
    }
    int rc = IMG_SavePNG(s, path);
    if (own)
        SDL_FreeSurface(s);
    if (rc != 0)
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, IMG_GetError());
    return CK_OK;
}
