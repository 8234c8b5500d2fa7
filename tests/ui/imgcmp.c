/* imgcmp: compares a screenshot with its reference PNG, with a tolerance.
 *   imgcmp REF GOT
 * Pixels whose channels differ by more than 24 count as different; more than 0.2% different
 * pixels (or a different size) is a mismatch: exit 1, and GOT_err.png shows the differences in
 * red. With CK_UPDATE_REFS=1, or when REF does not exist yet, GOT becomes the new REF. */
#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) {
        fprintf(stderr, "imgcmp: cannot copy %s to %s\n", from, to);
        return 1;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    return fclose(out) ? 1 : 0;
}

/* Every surface this run loads or makes, freed at exit so leak checkers stay quiet. */
static SDL_Surface *owned[8];
static int nowned;

static SDL_Surface *own(SDL_Surface *s)
{
    if (s && nowned < 8)
        owned[nowned++] = s;
    return s;
}

static void free_owned(void)
{
    while (nowned)
        SDL_FreeSurface(owned[--nowned]);
}

int main(int argc, char **argv)
{
    atexit(free_owned);
    if (argc != 3) {
        fprintf(stderr, "usage: imgcmp REF GOT\n");
        return 2;
    }
    const char *ref_path = argv[1], *got_path = argv[2];
    const char *update = getenv("CK_UPDATE_REFS");
    FILE *exists = fopen(ref_path, "rb");
    if ((update && *update == '1') || !exists) {
        if (exists)
            fclose(exists);
        printf("imgcmp: %s %s\n", exists ? "updated" : "created", ref_path);
        return copy_file(got_path, ref_path);
    }
    fclose(exists);
    SDL_Surface *a0 = own(IMG_Load(ref_path)), *b0 = own(IMG_Load(got_path));
    if (!a0 || !b0) {
        fprintf(stderr, "imgcmp: cannot read %s or %s: %s\n", ref_path, got_path, IMG_GetError());
        return 2;
    }
    SDL_Surface *a = own(SDL_ConvertSurfaceFormat(a0, SDL_PIXELFORMAT_ABGR8888, 0));
    SDL_Surface *b = own(SDL_ConvertSurfaceFormat(b0, SDL_PIXELFORMAT_ABGR8888, 0));
    if (a->w != b->w || a->h != b->h) {
        fprintf(stderr, "imgcmp: %s is %dx%d but %s is %dx%d\n", got_path, b->w, b->h, ref_path,
                a->w, a->h);
        return 1;
    }
    long diff = 0;
    SDL_Surface *err = own(SDL_ConvertSurfaceFormat(b, SDL_PIXELFORMAT_ABGR8888, 0));
    for (int y = 0; y < a->h; y++) {
        Uint8 *pa = (Uint8 *)a->pixels + y * a->pitch, *pb = (Uint8 *)b->pixels + y * b->pitch;
        Uint8 *pe = (Uint8 *)err->pixels + y * err->pitch;
        for (int x = 0; x < a->w; x++) {
            int d = 0;
            for (int c = 0; c < 3; c++) {
                int v = abs(pa[4 * x + c] - pb[4 * x + c]);
                d = v > d ? v : d;
            }
            if (d > 24) {
                diff++;
                pe[4 * x] = 255, pe[4 * x + 1] = 0, pe[4 * x + 2] = 0;
            } else {
                for (int c = 0; c < 3; c++)
                    pe[4 * x + c] = (Uint8)(pe[4 * x + c] / 3 + 170);
            }
        }
    }
    double share = (double)diff / ((double)a->w * a->h);
    if (share > 0.002) {
        char path[4096];
        snprintf(path, sizeof path, "%.*s_err.png", (int)(strlen(got_path) - 4), got_path);
        IMG_SavePNG(err, path);
        fprintf(stderr, "imgcmp: %s differs from %s in %ld pixels (%.2f%%); see %s\n", got_path,
                ref_path, diff, share * 100, path);
        return 1;
    }
    return 0;
}
