/* Input methods (firmware/ui/ime.c), as a resident sees them in the field: Korean jamo become
 * syllables, Backspace takes back one jamo, Space finishes the syllable; zhuyin becomes a list
 * of characters to choose from; a wipe leaves nothing of what was typed; and nothing is learnt
 * on disk. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ui/ui.h"

/* A field: text committed so far and the composition after it, as the keyboard shows them. */
struct field {
    char done[256];
    char pre[64];
};

static void shown(const struct field *f, char *out, size_t n)
{
    snprintf(out, n, "%s%s", f->done, f->pre);
}

/* Taps one key the way the keyboard does: commit first, then the key if the IME left it. */
static bool tap(struct ck_ime *ime, struct field *f, const char *key)
{
    char commit[64];
    bool taken = ck_ime_key(ime, key, commit, sizeof commit, f->pre, sizeof f->pre);
    strncat(f->done, commit, sizeof f->done - strlen(f->done) - 1);
    if (!taken && strcmp(key, "space") == 0)
        strncat(f->done, " ", sizeof f->done - strlen(f->done) - 1);
    else if (!taken && strcmp(key, "backspace") != 0 && strcmp(key, "enter") != 0)
        strncat(f->done, key, sizeof f->done - strlen(f->done) - 1);
    return taken;
}

static void taps(struct ck_ime *ime, struct field *f, const char *const *keys)
{
    for (; *keys; keys++)
        tap(ime, f, *keys);
}

static void test_hangul(void)
{
    struct ck_ime *ime = ck_ime_new("ko");
    CHECK(ime != NULL);
    struct field f = {"", ""};
    char s[320];
    /* ㅎㅏㄴㄱㅡㄹ: 한 is finished when ㄱ starts the next syllable; 글 is still composing */
    taps(ime, &f, (const char *const[]){"ㅎ", "ㅏ", "ㄴ", NULL});
    CHECK_STR(f.done, "");
    CHECK_STR(f.pre, "한");
    CHECK(ck_ime_composing(ime));
    taps(ime, &f, (const char *const[]){"ㄱ", "ㅡ", "ㄹ", NULL});
    shown(&f, s, sizeof s);
    CHECK_STR(s, "한글");
    CHECK_STR(f.done, "한");
    CHECK_STR(f.pre, "글");
    CHECK(ck_ime_candidates(ime) == 0);
    /* Backspace inside a syllable takes back one jamo: 글 -> 그 -> ㄱ */
    CHECK(tap(ime, &f, "backspace"));
    CHECK_STR(f.pre, "그");
    CHECK(tap(ime, &f, "backspace"));
    CHECK_STR(f.pre, "ㄱ");
    taps(ime, &f, (const char *const[]){"ㅡ", "ㄹ", NULL});
    CHECK_STR(f.pre, "글");
    /* Space finishes the syllable and is typed after it */
    CHECK(!tap(ime, &f, "space"));
    CHECK_STR(f.done, "한글 ");
    CHECK_STR(f.pre, "");
    CHECK(!ck_ime_composing(ime));
    /* with nothing composing, Backspace is the field's (the keyboard deletes a character) */
    CHECK(!tap(ime, &f, "backspace"));
    /* the shifted keys: ㅆ ㅏ -> 싸; a double vowel ㅗ ㅏ -> ㅘ */
    taps(ime, &f, (const char *const[]){"ㅆ", "ㅏ", "ㄱ", "ㅗ", "ㅏ", NULL});
    shown(&f, s, sizeof s);
    CHECK_STR(s, "한글 싸과");
    /* a digit finishes the syllable and is typed */
    CHECK(!tap(ime, &f, "1"));
    CHECK_STR(f.done, "한글 싸과1");
    ck_ime_free(ime);
}

static void test_zhuyin(void)
{
    struct ck_ime *ime = ck_ime_new("zh-hant");
    CHECK(ime != NULL);
    struct field f = {"", ""};
    /* ㄓㄨㄥ shows as typed; Space (the first tone) converts it */
    taps(ime, &f, (const char *const[]){"ㄓ", "ㄨ", "ㄥ", NULL});
    CHECK_STR(f.pre, "ㄓㄨㄥ");
    CHECK(ck_ime_candidates(ime) == 0); /* nothing to choose until the tone */
    CHECK(tap(ime, &f, "space"));
    CHECK_STR(f.done, "");
    CHECK_STR(f.pre, "中");
    size_t n = ck_ime_candidates(ime);
    CHECK(n >= 8);
    size_t at = n;
    for (size_t i = 0; i < n; i++)
        if (strcmp(ck_ime_candidate(ime, i), "中") == 0 && at == n)
            at = i;
    CHECK(at < n);
    bool has_bell = false; /* 鐘, a homophone, is offered too */
    for (size_t i = 0; i < n; i++)
        has_bell = has_bell || strcmp(ck_ime_candidate(ime, i), "鐘") == 0;
    CHECK(has_bell);
    CHECK(ck_ime_candidate(ime, n) == NULL);
    /* choosing commits */
    char commit[64];
    CHECK(ck_ime_choose(ime, at, commit, sizeof commit, f.pre, sizeof f.pre));
    CHECK_STR(commit, "中");
    CHECK_STR(f.pre, "");
    CHECK(!ck_ime_composing(ime));
    CHECK(ck_ime_candidates(ime) == 0);
    strncat(f.done, commit, sizeof f.done - strlen(f.done) - 1);
    /* the light tone ˙ ends a syllable too: ㄌㄚ˙ -> 啦 */
    taps(ime, &f, (const char *const[]){"ㄌ", "ㄚ", "˙", NULL});
    CHECK_STR(f.pre, "啦");
    /* a second syllable and a choice of a homophone: ㄓㄨㄥ then the 2nd single character */
    taps(ime, &f, (const char *const[]){"ㄓ", "ㄨ", "ㄥ", "space", NULL});
    CHECK(ck_ime_candidates(ime) > 1);
    /* Backspace takes back the last character of the composition */
    CHECK(tap(ime, &f, "backspace"));
    CHECK_STR(f.pre, "啦");
    /* Enter commits what is composed, without a new line */
    CHECK(tap(ime, &f, "enter"));
    CHECK_STR(f.done, "中啦");
    CHECK_STR(f.pre, "");
    /* punctuation after a conversion commits it, then is typed */
    taps(ime, &f, (const char *const[]){"ㄏ", "ㄠ", "ˇ", NULL});
    CHECK(!tap(ime, &f, "。"));
    CHECK_STR(f.done, "中啦好。");
    ck_ime_free(ime);
}

static void test_wipe(void)
{
    /* A reset (the session was wiped) drops the composition: nothing of it comes back. */
    struct ck_ime *ko = ck_ime_new("ko");
    struct field f = {"", ""};
    taps(ko, &f, (const char *const[]){"ㅎ", "ㅏ", NULL});
    CHECK(ck_ime_composing(ko));
    ck_ime_reset(ko);
    CHECK(!ck_ime_composing(ko));
    struct field g = {"", ""};
    taps(ko, &g, (const char *const[]){"ㄴ", NULL});
    CHECK_STR(g.pre, "ㄴ"); /* not 한: the ㅎㅏ is gone */
    ck_ime_free(ko);

    struct ck_ime *zh = ck_ime_new("zh-hant");
    struct field h = {"", ""};
    taps(zh, &h, (const char *const[]){"ㄓ", "ㄨ", "ㄥ", "space", "ㄨ", NULL});
    CHECK(ck_ime_composing(zh));
    CHECK(ck_ime_candidates(zh) == 0 || ck_ime_candidates(zh) > 0);
    ck_ime_reset(zh);
    CHECK(!ck_ime_composing(zh));
    CHECK(ck_ime_candidates(zh) == 0);
    struct field k = {"", ""};
    CHECK(tap(zh, &k, "ㄅ"));
    CHECK_STR(k.pre, "ㄅ"); /* nothing of 中 or ㄨ before it */
    CHECK(tap(zh, &k, "enter"));
    CHECK_STR(k.done, ""); /* a lone symbol converts to nothing */
    ck_ime_free(zh);

    /* Languages typed letter by letter have no input method; NULL is safe everywhere. */
    CHECK(ck_ime_new("ru") == NULL);
    CHECK(ck_ime_new("en") == NULL);
    CHECK(ck_ime_new(NULL) == NULL);
    char c[8], p[8];
    CHECK(!ck_ime_key(NULL, "a", c, sizeof c, p, sizeof p));
    CHECK(!ck_ime_composing(NULL));
    ck_ime_reset(NULL);
    ck_ime_free(NULL);
}

int main(void)
{
    /* libchewing keeps learnt phrases under $HOME unless told otherwise: prove it is not. */
    char home[] = "/tmp/ck-test-ime-XXXXXX";
    CHECK(mkdtemp(home) != NULL);
    setenv("HOME", home, 1);
    test_hangul();
    test_zhuyin();
    test_wipe();
    CHECK(rmdir(home) == 0); /* still empty: nothing was written */
    return ck_check_report();
}
