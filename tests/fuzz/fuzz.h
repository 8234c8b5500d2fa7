/* fuzz.h: what every harness in tests/fuzz shares.
 *
 * A harness is one LLVMFuzzerTestOneInput: libFuzzer calls it with mutated inputs (clang,
 * build-fuzz/, tools/dev fuzz), and replay.c calls it with each file of the harness's corpus
 * (any compiler, every test tree, ctest -L fuzz). It returns 0 and must not leak; FUZZ_CHECK
 * turns a broken promise of the code under test into a crash that both drivers report. */
#ifndef CK_FUZZ_H
#define CK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test that failed: report it and abort (a crash to libFuzzer). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of data[0..size) (the C APIs take strings); the caller frees it. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

/* The code under test logs what it refuses: millions of lines under a fuzzer. Call once. */
static inline void fuzz_discard_line(enum ck_log_level lvl, const char *module, const char *line)
{
    (void)lvl, (void)module, (void)line;
}
static inline void fuzz_quiet(void)
{
    ck_log_set_sink(fuzz_discard_line);
}

#endif
