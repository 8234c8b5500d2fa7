/* check.h: the few assertions the unit tests need. Each failed check prints file:line and the
 * expression; the test ends with "N passed, N failed" and exits non-zero on any failure. */
#ifndef CK_CHECK_H
#define CK_CHECK_H

#include <stdio.h>
#include <string.h>

static int ck_checks_passed, ck_checks_failed;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            ck_checks_passed++;                                                     \
        } else {                                                                    \
            ck_checks_failed++;                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_STR(a, b)                                                                     \
    do {                                                                                    \
        const char *a_ = (a), *b_ = (b);                                                    \
        if (a_ && b_ && strcmp(a_, b_) == 0) {                                              \
            ck_checks_passed++;                                                             \
        } else {                                                                            \
            ck_checks_failed++;                                                             \
            fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, a_ ? a_ : "(null)", \
                    b_ ? b_ : "(null)");                                                    \
        }                                                                                   \
    } while (0)

static inline int ck_check_report(void)
{
    printf("%d passed, %d failed\n", ck_checks_passed, ck_checks_failed);
    return ck_checks_failed ? 1 : 0;
}

#endif
