/* platform.h: the firmware's seam to the operating system (files, randomness).
 *
 * Everything here may block briefly on the file system. Any thread. Includes only core. */
#ifndef CK_PLATFORM_H
#define CK_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Creates a directory and its parents with mode 0700 (the data dir holds personal data). */
enum ck_err ck_fs_mkdir_p(const char *path, char *err, size_t errlen);

/* The default data dir: $XDG_DATA_HOME/civic-kiosk or ~/.local/share/civic-kiosk. */
void ck_fs_default_data_dir(char *out, size_t outlen);

/* True if path exists and is readable. */
int ck_fs_readable(const char *path);

/* Reads a whole file (at most max bytes) into a new NUL-terminated buffer. */
enum ck_err ck_fs_read_all(const char *path, size_t max, char **out, size_t *len, char *err,
                           size_t errlen);

/* Fills buf with cryptographically random bytes from the kernel. When CK_TEST_SEED is set in
 * the environment the bytes come from a seeded generator instead, so that headless test runs
 * (receipt codes in reference screenshots) repeat exactly. */
void ck_random_bytes(void *buf, size_t n);

#endif
