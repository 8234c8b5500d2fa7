/* fs.c: directories, whole-file reads, durable and atomic writes, the data dir default. */
#include "platform/platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

enum ck_err ck_fs_fsync_dir(const char *dir, char *err, size_t errlen)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", dir, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    return rc ? ck_fail(err, errlen, CK_ERR_IO, "%s: fsync: %s", dir, strerror(e)) : CK_OK;
}

enum ck_err ck_fs_write_durable(const char *path, const void *data, size_t len, char *err,
                                size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            close(fd);
            return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(e));
        }
        p += n, left -= (size_t)n;
    }
    if (fsync(fd)) {
        int e = errno;
        close(fd);
        return ck_fail(err, errlen, CK_ERR_IO, "%s: fsync: %s", path, strerror(e));
    }
    if (close(fd))
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno));
    return CK_OK;
}

enum ck_err ck_fs_write_atomic(const char *path, const void *data, size_t len, char *err,
                               size_t errlen)
{
    char tmp[4200], dir[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    enum ck_err rc = ck_fs_write_durable(tmp, data, len, err, errlen);
    if (rc)
        return rc;
    if (rename(tmp, path)) {
        int e = errno;
        unlink(tmp);
        return ck_fail(err, errlen, CK_ERR_IO, "%s: rename: %s", path, strerror(e));
    }
    return ck_fs_fsync_dir(dir, err, errlen);
}

enum ck_err ck_fs_rename_durable(const char *from, const char *to, char *err, size_t errlen)
{
    if (rename(from, to))
        return ck_fail(err, errlen, CK_ERR_IO, "%s -> %s: %s", from, to, strerror(errno));
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", to);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    return ck_fs_fsync_dir(dir, err, errlen);
}

enum ck_err ck_fs_remove_tree(const char *path, char *err, size_t errlen)
{
    DIR *d = opendir(path);
    if (!d) {
        if (errno == ENOENT)
            return CK_OK;
        if (errno == ENOTDIR)
            return unlink(path) ? ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno))
                                : CK_OK;
        return ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno));
    }
    struct dirent *e;
    enum ck_err rc = CK_OK;
    while (!rc && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[4200];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            rc = ck_fs_remove_tree(sub, err, errlen);
        else if (unlink(sub))
            rc = ck_fail(err, errlen, CK_ERR_IO, "%s: %s", sub, strerror(errno));
    }
    closedir(d);
    if (!rc && rmdir(path))
        rc = ck_fail(err, errlen, CK_ERR_IO, "%s: %s", path, strerror(errno));
    return rc;
}
