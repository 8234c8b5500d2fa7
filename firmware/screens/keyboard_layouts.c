/* keyboard_layouts.c: the letters of each language's on-screen keyboard. Positions follow the
 * standard layouts residents know from computers and phones (xkeyboard-config's ru, ara,
 * pk(urd-phonetic), in(ben_probhat), kr dubeolsik and the Dai Chien zhuyin keyboard), folded
 * into four rows of at most 12 keys with a shifted layer for the rest, so every key stays a
 * full-size touch target. UI thread only; data only. */
#include <string.h>

#include "screens/keyboard_layouts.h"

/* The tables keep one row of keys a line. */
/* clang-format off */
#define DIGITS "1 2 3 4 5 6 7 8 9 0"

/* The generic accents layer (English, Spanish): the letters of the city's common languages. */
#define ACCENTS_ALL                                                                          \
    {"á é í ó ú ü ñ ç", "à è ì ò ù â ê ô", "ä ë ï ö ¿ ¡ « »", "ą ę ł ń ś ź ż ć"}

static const struct kb_layout LAYOUTS[] = {
    {.lang = "en",
     .name = "ABC",
     .rows = {DIGITS, "q w e r t y u i o p", "a s d f g h j k l '", "z x c v b n m , ."},
     .shift_label = {"ABC", "abc"},
     .accents = ACCENTS_ALL,
     .accents_label = "áéñ",
     .latin = true},
    {.lang = "es",
     .name = "ABC",
     .rows = {DIGITS, "q w e r t y u i o p", "a s d f g h j k l ñ", "z x c v b n m , ."},
     .shift_label = {"ABC", "abc"},
     .accents = ACCENTS_ALL,
     .accents_label = "áéñ",
     .latin = true},
    {.lang = "fr",
     .name = "ABC",
     .rows = {DIGITS, "q w e r t y u i o p", "a s d f g h j k l '", "z x c v b n m , ."},
     .shift_label = {"ABC", "abc"},
     .accents = {"é è ê ë à â", "î ï ô û ù ü", "ç œ æ ÿ ’ -", "« » € …"},
     .accents_label = "éçà",
     .latin = true},
    {.lang = "pl",
     .name = "ABC",
     .rows = {DIGITS, "q w e r t y u i o p", "a s d f g h j k l '", "z x c v b n m , ."},
     .shift_label = {"ABC", "abc"},
     .accents = {"ą ć ę ł ń", "ó ś ź ż", "„ ” « » –", "…"},
     .accents_label = "ąęł",
     .latin = true},
    {.lang = "ht",
     .name = "ABC",
     .rows = {DIGITS, "q w e r t y u i o p", "a s d f g h j k l '", "z x c v b n m , ."},
     .shift_label = {"ABC", "abc"},
     .accents = {"è ò à", "é ê ô", "ç ’ -", "« »"},
     .accents_label = "èò",
     .latin = true},
    /* Russian: ЙЦУКЕН; shift upper-cases. */
    {.lang = "ru",
     .name = "АБВ",
     .rows = {DIGITS, "й ц у к е н г ш щ з х ъ", "ф ы в а п р о л д ж э ё", "я ч с м и т ь б ю"},
     .shift_label = {"АБВ", "абв"},
     .comma = ",",
     .period = "."},
    /* Arabic: the standard (101) keyboard's letters; ذ from the key left of 1 ends row 3.
     * Shift: Arabic-Indic digits, the harakat, hamza forms and the letters of borrowed names. */
    {.lang = "ar",
     .name = "عربي",
     .rows = {DIGITS, "ض ص ث ق ف غ ع ه خ ح ج د", "ش س ي ب ل ا ت ن م ك ط ذ",
              "ئ ء ؤ ر ى ة و ز ظ"},
     .shift_rows = {"١ ٢ ٣ ٤ ٥ ٦ ٧ ٨ ٩ ٠", "َ ً ُ ٌ ِ ٍ ْ ّ ٰ ـ", "أ إ آ ٱ پ چ گ ژ ڤ",
                    "؛ ؟ ! « » ( ) :"},
     .shift_label = {"أإآ", "أإآ"},
     .comma = "،",
     .period = "."},
    /* Urdu: phonetic (pk urd-phonetic): ق و ع ر ت on q w e r t, ا س د on a s d...; the
     * retroflex ٹ ڑ ڈ, ں and ھ get their own keys; shift holds the rest (آ ص ض خ غ ذ ژ ث ظ) and
     * the marks. */
    {.lang = "ur",
     .name = "اردو",
     .rows = {DIGITS, "ق و ع ر ت ے ء ی ہ پ ٹ ڑ", "ا س د ف گ ح ج ک ل ڈ ں",
              "ز ش چ ط ب ن م ھ"},
     .shift_rows = {"۱ ۲ ۳ ۴ ۵ ۶ ۷ ۸ ۹ ۰", "ْ ؤ ٰ ڑ ٹ َ ئ ِ ۃ ُ", "آ ص ڈ ّ غ ھ ض خ ٔ",
                    "ذ ژ ث ظ ں ً ؛ ؟"},
     .shift_label = {"آصذ", "آصذ"},
     .comma = "،",
     .period = "۔"},
    /* Bengali: Probhat. Vowel signs and ্ (hasanta, to join consonants into conjuncts) are keys
     * of their own; the independent vowels and aspirated consonants are on shift (with ঞ ৎ ঁ,
     * which Probhat puts on the digit row: here the top rows hold only digits and symbols). */
    {.lang = "bn",
     .name = "বাংলা",
     .rows = {"১ ২ ৩ ৪ ৫ ৬ ৭ ৮ ৯ ০", "দ ূ ী র ট এ ু ি ও প ে ো", "া স ড ত গ হ জ ক ল ং",
              "য় শ চ আ ব ন ম ্ ।"},
     .shift_rows = {"! @ # ৳ % ( ) : ; ?", "ধ ঊ ঈ ড় ঠ ঐ উ ই ঔ ফ ৈ ৌ", "অ ষ ঢ থ ঘ ঃ ঝ খ ং ঞ ৎ",
                    "য ঢ় ছ ঋ ভ ণ ঙ ৃ ঁ"},
     .shift_label = {"অআ", "অআ"},
     .comma = ",",
     .period = "."},
    /* Korean: dubeolsik jamo, composed into syllables by the input method (ime.c); shift gives
     * the doubled consonants and ㅒ ㅖ. */
    {.lang = "ko",
     .name = "한글",
     .rows = {DIGITS, "ㅂ ㅈ ㄷ ㄱ ㅅ ㅛ ㅕ ㅑ ㅐ ㅔ", "ㅁ ㄴ ㅇ ㄹ ㅎ ㅗ ㅓ ㅏ ㅣ", "ㅋ ㅌ ㅊ ㅍ ㅠ ㅜ ㅡ"},
     .shift_rows = {DIGITS, "ㅃ ㅉ ㄸ ㄲ ㅆ ㅛ ㅕ ㅑ ㅒ ㅖ", "ㅁ ㄴ ㅇ ㄹ ㅎ ㅗ ㅓ ㅏ ㅣ",
                    "ㅋ ㅌ ㅊ ㅍ ㅠ ㅜ ㅡ"},
     .shift_label = {"ㅃㄲㅆ", "ㅃㄲㅆ"},
     .comma = ",",
     .period = ".",
     .ime = true},
    /* Chinese Traditional: zhuyin on the Dai Chien keyboard's places, tones on the digit row
     * (the space bar is the first tone); the input method converts, candidates show above. */
    {.lang = "zh",
     .name = "注音",
     .rows = {"ㄅ ㄉ ˇ ˋ ㄓ ˊ ˙ ㄚ ㄞ ㄢ ㄦ", "ㄆ ㄊ ㄍ ㄐ ㄔ ㄗ ㄧ ㄛ ㄟ ㄣ",
              "ㄇ ㄋ ㄎ ㄑ ㄕ ㄘ ㄨ ㄜ ㄠ ㄤ", "ㄈ ㄌ ㄏ ㄒ ㄖ ㄙ ㄩ ㄝ ㄡ ㄥ"},
     .comma = "，",
     .period = "。",
     .ime = true,
     .candidates = true},
};
/* clang-format on */

const struct kb_layout *ck_kb_layout_native(const char *lang)
{
    for (size_t i = 0; i < sizeof LAYOUTS / sizeof LAYOUTS[0]; i++) {
        size_t n = strlen(LAYOUTS[i].lang);
        if (strncmp(lang, LAYOUTS[i].lang, n) == 0 && (lang[n] == '\0' || lang[n] == '-'))
            return &LAYOUTS[i];
    }
    return &LAYOUTS[0];
}

const struct kb_layout *ck_kb_layout_latin(void)
{
    return &LAYOUTS[0];
}
