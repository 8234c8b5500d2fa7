/* ime.c: input methods for the scripts that are composed rather than typed letter by letter:
 * Korean (dubeolsik jamo composed into syllables by libhangul) and Chinese Traditional (zhuyin
 * syllables converted to characters by libchewing, with a list of candidates). The on-screen
 * keyboard hands each key to ck_ime_key and shows the composition ("preedit") at the end of the
 * field. The only code that includes hangul.h and chewing.h. UI thread only.
 *
 * Privacy: what a resident types must not outlive their session. libchewing learns phrases into
 * a user database; we give it an in-memory one (":memory:"), so nothing reaches the disk, and the
 * screens free the whole engine when the session is wiped (ck_ime_free), so nothing it learned
 * passes to the next resident. */
#include <hangul.h>
#include <chewing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "ui/ui.h"

enum ime_kind { IME_HANGUL, IME_ZHUYIN };

#define CAND_MAX 256    /* candidates kept of one list (the rest are never shown) */
#define CAND_BYTES 8192 /* their text */
/* Characters chewing converts before it commits the oldest on its own: a phrase or two. */
#define ZHUYIN_MAX_CHARS 10

struct ck_ime {
    enum ime_kind kind;
    HangulInputContext *hic;
    ChewingContext *chewing;
    /* chewing's candidates, flattened over its lists (longest phrase first, then characters) */
    size_t ncand;
    const char *cand[CAND_MAX];
    unsigned char cand_list[CAND_MAX];   /* which of chewing's lists... */
    unsigned short cand_index[CAND_MAX]; /* ...and where in it */
    char pool[CAND_BYTES];
    size_t pool_len;
};

/* ---- UTF-8 out ---- */

/* Appends UCS-4 text (libhangul's) to out as UTF-8, whole code points only. */
static void cat_ucs(char *out, size_t outlen, const ucschar *s)
{
    size_t n = strlen(out);
    for (; s && *s; s++) {
        char tmp[4];
        size_t k = ck_utf8_encode(*s, tmp);
        if (n + k >= outlen)
            break;
        memcpy(out + n, tmp, k);
        n += k;
    }
    out[n] = '\0';
}

/* Appends UTF-8 to out, cutting only between code points. */
static void cat_utf8(char *out, size_t outlen, const char *s)
{
    size_t n = strlen(out), len = s ? strlen(s) : 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = ck_utf8_decode(s + i, len - i, &cp);
        if (n + k >= outlen)
            break;
        memcpy(out + n, s + i, k);
        n += k;
        i += k;
    }
    out[n] = '\0';
}

static uint32_t first_cp(const char *key)
{
    uint32_t cp = 0;
    size_t len = strlen(key);
    if (len && ck_utf8_decode(key, len, &cp) != len)
        return 0; /* more than one character: no composing key */
    return cp;
}

/* ---- Korean ---- */

/* Dubeolsik: each jamo on the screen is the key libhangul's keyboard "2" reads at that place of
 * a QWERTY keyboard; the doubled consonants and ㅒ ㅖ are the shifted keys. */
static const struct {
    uint32_t jamo;
    char key;
} DUBEOLSIK[] = {
    {0x3142, 'q'}, {0x3148, 'w'}, {0x3137, 'e'}, {0x3131, 'r'}, {0x3145, 't'}, {0x315B, 'y'},
    {0x3155, 'u'}, {0x3151, 'i'}, {0x3150, 'o'}, {0x3154, 'p'}, {0x3141, 'a'}, {0x3134, 's'},
    {0x3147, 'd'}, {0x3139, 'f'}, {0x314E, 'g'}, {0x3157, 'h'}, {0x3153, 'j'}, {0x314F, 'k'},
    {0x3163, 'l'}, {0x314B, 'z'}, {0x314C, 'x'}, {0x314A, 'c'}, {0x314D, 'v'}, {0x3160, 'b'},
    {0x315C, 'n'}, {0x3161, 'm'}, {0x3143, 'Q'}, {0x3149, 'W'}, {0x3138, 'E'}, {0x3132, 'R'},
    {0x3146, 'T'}, {0x3152, 'O'}, {0x3156, 'P'},
};

static char hangul_key(uint32_t cp)
{
    for (size_t i = 0; i < sizeof DUBEOLSIK / sizeof DUBEOLSIK[0]; i++)
        if (DUBEOLSIK[i].jamo == cp)
            return DUBEOLSIK[i].key;
    return 0;
}

static bool hangul_handle(struct ck_ime *ime, const char *key, char *commit, size_t clen,
                          char *preedit, size_t plen)
{
    HangulInputContext *hic = ime->hic;
    bool taken;
    char k = hangul_key(first_cp(key));
    if (strcmp(key, "backspace") == 0) {
        taken = hangul_ic_backspace(hic);
    } else if (k) {
        taken = hangul_ic_process(hic, k);
        cat_ucs(commit, clen, hangul_ic_get_commit_string(hic));
        if (!taken) /* libhangul declined it: what was composed is done */
            cat_ucs(commit, clen, hangul_ic_flush(hic));
    } else {
        /* Space, Enter, digits, punctuation: the syllable is finished and the key is typed. */
        cat_ucs(commit, clen, hangul_ic_flush(hic));
        taken = false;
    }
    cat_ucs(preedit, plen, hangul_ic_get_preedit_string(hic));
    return taken;
}

/* ---- Chinese (zhuyin) ---- */

/* The symbols in the order of libchewing's default (Dai Chien) keyboard string, then the keys
 * it reads for them; tone 1 is the space bar. */
static const uint32_t ZHUYIN[] = {
    0x3105, 0x3106, 0x3107, 0x3108, 0x3109, 0x310A, 0x310B, 0x310C, 0x310D, 0x310E, 0x310F,
    0x3110, 0x3111, 0x3112, 0x3113, 0x3114, 0x3115, 0x3116, 0x3117, 0x3118, 0x3119, 0x3127,
    0x3128, 0x3129, 0x311A, 0x311B, 0x311C, 0x311D, 0x311E, 0x311F, 0x3120, 0x3121, 0x3122,
    0x3123, 0x3124, 0x3125, 0x3126, 0x02D9, 0x02CA, 0x02C7, 0x02CB,
};
static const char ZHUYIN_KEYS[] = "1qaz2wsxedcrfv5tgbyhnujm8ik,9ol.0p;/-7634";

static char zhuyin_key(uint32_t cp)
{
    for (size_t i = 0; i < sizeof ZHUYIN / sizeof ZHUYIN[0]; i++)
        if (ZHUYIN[i] == cp)
            return ZHUYIN_KEYS[i];
    return 0;
}

static bool zhuyin_pending(const ChewingContext *c)
{
    return chewing_bopomofo_Check(c) != 0;
}

static bool zhuyin_composing(const ChewingContext *c)
{
    return zhuyin_pending(c) || chewing_buffer_Check(c) != 0;
}

static void zhuyin_preedit(struct ck_ime *ime, char *preedit, size_t plen)
{
    if (chewing_buffer_Check(ime->chewing))
        cat_utf8(preedit, plen, chewing_buffer_String_static(ime->chewing));
    if (zhuyin_pending(ime->chewing))
        cat_utf8(preedit, plen, chewing_bopomofo_String_static(ime->chewing));
}

static void zhuyin_take_commit(struct ck_ime *ime, char *commit, size_t clen)
{
    if (chewing_commit_Check(ime->chewing))
        cat_utf8(commit, clen, chewing_commit_String_static(ime->chewing));
}

/* Reads chewing's candidates for the phrase before the cursor (the end of what is composed):
 * every list, longest phrase first, into one list we page through ourselves. */
static void zhuyin_load_candidates(struct ck_ime *ime)
{
    ChewingContext *c = ime->chewing;
    ime->ncand = 0;
    ime->pool_len = 0;
    if (zhuyin_pending(c) || !chewing_buffer_Check(c) || chewing_cand_open(c) != 0)
        return;
    chewing_cand_list_first(c);
    for (int list = 0; list < 8 && ime->ncand < CAND_MAX; list++) {
        int total = chewing_cand_TotalChoice(c);
        for (int i = 0; i < total && ime->ncand < CAND_MAX; i++) {
            const char *s = chewing_cand_string_by_index_static(c, i);
            size_t n = s ? strlen(s) : 0;
            if (!n || ime->pool_len + n + 1 > sizeof ime->pool)
                break;
            memcpy(ime->pool + ime->pool_len, s, n + 1);
            ime->cand[ime->ncand] = ime->pool + ime->pool_len;
            ime->cand_list[ime->ncand] = (unsigned char)list;
            ime->cand_index[ime->ncand] = (unsigned short)i;
            ime->ncand++;
            ime->pool_len += n + 1;
        }
        if (!chewing_cand_list_has_next(c) || chewing_cand_list_next(c) != 0)
            break;
    }
    chewing_cand_close(c); /* with the list open, keys 1-9 would choose instead of type */
}

static bool zhuyin_handle(struct ck_ime *ime, const char *key, char *commit, size_t clen,
                          char *preedit, size_t plen)
{
    ChewingContext *c = ime->chewing;
    bool taken = true;
    char k = zhuyin_key(first_cp(key));
    if (k) {
        chewing_handle_Default(c, k);
    } else if (strcmp(key, "space") == 0 && zhuyin_pending(c)) {
        chewing_handle_Space(c); /* the first tone: the syllable is converted */
    } else if (strcmp(key, "backspace") == 0 && zhuyin_composing(c)) {
        chewing_handle_Backspace(c);
    } else if (strcmp(key, "enter") == 0 && zhuyin_composing(c)) {
        chewing_handle_Enter(c); /* commits what is composed; no new line */
    } else {
        /* Anything else (space or punctuation after a conversion, a digit, Enter with nothing
         * composed): what was composed is committed as it stands, then the key is typed. */
        if (zhuyin_composing(c)) {
            chewing_handle_Enter(c);
            zhuyin_take_commit(ime, commit, clen);
        }
        chewing_clean_bopomofo_buf(c);
        zhuyin_load_candidates(ime);
        return false;
    }
    zhuyin_take_commit(ime, commit, clen);
    zhuyin_preedit(ime, preedit, plen);
    zhuyin_load_candidates(ime);
    return taken;
}

/* ---- the API ---- */

struct ck_ime *ck_ime_new(const char *lang)
{
    enum ime_kind kind;
    if (!lang)
        return NULL;
    if (strcmp(lang, "ko") == 0 || strncmp(lang, "ko-", 3) == 0)
        kind = IME_HANGUL;
    else if (strcmp(lang, "zh") == 0 || strncmp(lang, "zh-", 3) == 0)
        kind = IME_ZHUYIN;
    else
        return NULL;
    struct ck_ime *ime = calloc(1, sizeof *ime);
    if (!ime)
        return NULL;
    ime->kind = kind;
    if (kind == IME_HANGUL) {
        ime->hic = hangul_ic_new("2");
        if (!ime->hic) {
            ck_warn("ime", "libhangul has no dubeolsik keyboard");
            free(ime);
            return NULL;
        }
        return ime;
    }
    /* The system dictionary where the package put it; user phrases in memory only. */
    ime->chewing = chewing_new2(NULL, ":memory:", NULL, NULL);
    if (!ime->chewing) {
        ck_warn("ime", "libchewing could not start (is libchewing3-data installed?)");
        free(ime);
        return NULL;
    }
    chewing_set_KBType(ime->chewing, chewing_KBStr2Num("KB_DEFAULT"));
    chewing_set_ChiEngMode(ime->chewing, CHINESE_MODE);
    chewing_set_ShapeMode(ime->chewing, HALFSHAPE_MODE);
    chewing_set_maxChiSymbolLen(ime->chewing, ZHUYIN_MAX_CHARS);
    chewing_set_candPerPage(ime->chewing, 10);
    chewing_set_phraseChoiceRearward(ime->chewing, 1);
    chewing_set_addPhraseDirection(ime->chewing, 0);
    chewing_set_spaceAsSelection(ime->chewing, 0);
    chewing_set_escCleanAllBuf(ime->chewing, 1);
    return ime;
}

void ck_ime_free(struct ck_ime *ime)
{
    if (!ime)
        return;
    if (ime->hic)
        hangul_ic_delete(ime->hic);
    if (ime->chewing)
        chewing_delete(ime->chewing);
    explicit_bzero(ime, sizeof *ime);
    free(ime);
}

bool ck_ime_key(struct ck_ime *ime, const char *key, char *commit, size_t commitlen, char *preedit,
                size_t preeditlen)
{
    if (commitlen)
        commit[0] = '\0';
    if (preeditlen)
        preedit[0] = '\0';
    if (!ime || !key || !commitlen || !preeditlen)
        return false;
    if (ime->kind == IME_HANGUL)
        return hangul_handle(ime, key, commit, commitlen, preedit, preeditlen);
    return zhuyin_handle(ime, key, commit, commitlen, preedit, preeditlen);
}

bool ck_ime_composing(const struct ck_ime *ime)
{
    if (!ime)
        return false;
    if (ime->kind == IME_HANGUL)
        return !hangul_ic_is_empty(ime->hic);
    return zhuyin_composing(ime->chewing);
}

size_t ck_ime_candidates(const struct ck_ime *ime)
{
    return ime ? ime->ncand : 0;
}

const char *ck_ime_candidate(const struct ck_ime *ime, size_t i)
{
    return ime && i < ime->ncand ? ime->cand[i] : NULL;
}

bool ck_ime_choose(struct ck_ime *ime, size_t i, char *commit, size_t commitlen, char *preedit,
                   size_t preeditlen)
{
    if (commitlen)
        commit[0] = '\0';
    if (preeditlen)
        preedit[0] = '\0';
    if (!ime || ime->kind != IME_ZHUYIN || i >= ime->ncand || !commitlen || !preeditlen)
        return false;
    ChewingContext *c = ime->chewing;
    bool ok = chewing_cand_open(c) == 0;
    if (ok) {
        chewing_cand_list_first(c);
        for (unsigned l = 0; ok && l < ime->cand_list[i]; l++)
            ok = chewing_cand_list_next(c) == 0;
    }
    ok = ok && chewing_cand_choose_by_index(c, ime->cand_index[i]) == 0;
    chewing_cand_close(c);
    /* Chosen or not, the resident is done with this phrase: it goes into the field. */
    chewing_handle_Enter(c);
    zhuyin_take_commit(ime, commit, commitlen);
    zhuyin_preedit(ime, preedit, preeditlen);
    zhuyin_load_candidates(ime);
    return ok;
}

void ck_ime_reset(struct ck_ime *ime)
{
    if (!ime)
        return;
    if (ime->kind == IME_HANGUL) {
        hangul_ic_reset(ime->hic);
        return;
    }
    chewing_cand_close(ime->chewing);
    chewing_clean_bopomofo_buf(ime->chewing);
    chewing_clean_preedit_buf(ime->chewing);
    chewing_Reset(ime->chewing);
    explicit_bzero(ime->pool, sizeof ime->pool);
    ime->ncand = 0;
    ime->pool_len = 0;
}
