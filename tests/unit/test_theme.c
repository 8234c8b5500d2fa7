/* The theme: every text colour on its background meets WCAG AA (4.5:1), and AAA (7:1) in
 * high contrast; focus rings and borders stand out (3:1) in both. */
#include "check.h"
#include "ui/theme.h"

int main(void)
{
    size_t n;
    const struct ck_theme_pair *pairs = ck_theme_text_pairs(&n);
    CHECK(n > 5);
    for (size_t i = 0; i < n; i++) {
        double ratio = ck_theme_contrast(ck_theme_color(pairs[i].fg), ck_theme_color(pairs[i].bg));
        printf("%-28s %5.2f:1\n", pairs[i].where, ratio);
        CHECK(ratio >= 4.5);
    }
    /* the focus ring and borders are components: 3:1 against the page (WCAG 1.4.11) */
    CHECK(ck_theme_contrast(ck_theme_color(CK_COL_FOCUS), ck_theme_color(CK_COL_BG)) >= 3.0);
    CHECK(ck_theme_contrast(ck_theme_color(CK_COL_BORDER), ck_theme_color(CK_COL_SURFACE)) >= 3.0);
    /* high contrast: 7:1 for every pair */
    ck_theme_set_high_contrast(true);
    CHECK(ck_theme_high_contrast());
    for (size_t i = 0; i < n; i++) {
        double ratio = ck_theme_contrast(ck_theme_color(pairs[i].fg), ck_theme_color(pairs[i].bg));
        printf("high contrast: %-28s %5.2f:1\n", pairs[i].where, ratio);
        CHECK(ratio >= 7.0);
    }
    CHECK(ck_theme_contrast(ck_theme_color(CK_COL_FOCUS), ck_theme_color(CK_COL_BG)) >= 3.0);
    CHECK(ck_theme_contrast(ck_theme_color(CK_COL_BORDER), ck_theme_color(CK_COL_SURFACE)) >= 3.0);
    CHECK(ck_theme_contrast(ck_theme_color(CK_COL_PRIMARY), ck_theme_color(CK_COL_BG)) >= 3.0);
    ck_theme_set_high_contrast(false);
    /* the formula itself: black on white is 21:1 */
    CHECK(ck_theme_contrast(ck_theme_color(CK_COL_BLACK), ck_theme_color(CK_COL_WHITE)) > 20.99);
    return ck_check_report();
}
