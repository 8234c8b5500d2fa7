/* fs.c: directories, whole-file reads and the data dir default. */
#include "platform/platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum ck_err ck_fs_mkdir_p(const char *path, char *err, size_t errlen)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return ck_fail(err, errlen, CK_ERR_IO, "path too long: %s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return ck_fail(err, errlen, CK_ERR_IO, "mkdir %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return ck_fail(err, errlen, CK_ERR_IO, "mkdir %s: %s", tmp, strerror(errno));
    return CK_OK;
}

void ck_fs_default_data_dir(char *out, size_t outlen)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(out, outlen, "%s/civic-kiosk", xdg);
    else
        snprintf(out, outlen, "%s/.local/share/civic-kiosk", home && *home ? home : "/tmp");
}

int ck_fs_readable(const char *path)
{
    return access(path, R_OK) == 0;
}

enum ck_err ck_fs_read_all(const char *path, size_t max, char **out, size_t *len, char *err,
                           size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    enum ck_err rc = CK_OK;
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > max) {
                rc = ck_fail(err, errlen, CK_ERR_FULL, "%s: larger than %zu bytes", path, max);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    if (!buf)
        rc = CK_ERR_NOMEM;
    else if (!rc && ferror(f))
        rc = ck_fail(err, errlen, CK_ERR_IO, "%s: read error", path);
    else if (!rc && n > max)
        rc = ck_fail(err, errlen, CK_ERR_FULL, "%s: larger than %zu bytes", path, max);
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return CK_OK;
}
