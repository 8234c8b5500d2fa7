/* faultvfs.c: a test switch: with CK_TEST_FAULT_VFS set, the process's SQLite files go through a
 * VFS that fails writes and syncs at random, so the tests can hold the kiosk to "never a receipt
 * for a request that was not committed" (docs/reliability.md, tests/integration/
 * test_vfs_faults.sh).
 *
 * Always compiled in, like CK_TEST_SEED, and inert without the variable: nothing is registered
 * and SQLite runs on its default VFS. With it, a shim over the default VFS (sqlite3_vfs_find(NULL))
 * becomes the default: every call is forwarded, except that an xWrite fails with probability
 * `write` (SQLITE_IOERR_WRITE, or SQLITE_FULL for a `full` share of them, the disk-full path)
 * and an xSync with probability `sync` (SQLITE_IOERR_FSYNC). A failed write writes nothing; a
 * failed sync has still written what came before it, as a real fsync error leaves the bytes in
 * the page cache. The first `skip` write and sync calls of the process always pass, so a kiosk
 * can open and migrate its database. Draws come from a generator seeded with `seed`: the same
 * sequence of calls fails at the same places.
 *
 * Installed once per process from ck_store_open (store_int.h), before its first connection, so
 * files opened earlier (the gazetteer at start-up) keep the plain VFS. Any thread: the generator
 * and the counts sit behind one mutex. Each fault is told on stderr as it lands, and the counts
 * in one line at exit. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

struct fault_cfg {
    uint64_t seed;
    double write, sync, full;
    unsigned long long skip;
};

static struct {
    pthread_mutex_t mu;
    uint64_t state; /* splitmix64 */
    struct fault_cfg cfg;
    unsigned long long calls, writes, syncs, failed_writes, failed_full, failed_syncs;
} fault = {.mu = PTHREAD_MUTEX_INITIALIZER};

static sqlite3_vfs *real_vfs;
static enum ck_err install_rc;
static char install_err[CK_ERR_LEN];

/* ------------------------------------------------------------ the variable */

/* "0", "1", "0.05", ".5": a probability in [0, 1] in the C locale's notation whatever the
 * locale, since a comma here would be a separator. */
static bool parse_probability(const char *s, double *out)
{
    double v = 0, scale = 1;
    bool digits = false, point = false;
    for (; *s; s++) {
        if (*s == '.' && !point) {
            point = true;
        } else if (*s >= '0' && *s <= '9') {
            digits = true;
            if (point)
                v += (*s - '0') * (scale /= 10);
            else
                v = v * 10 + (*s - '0');
        } else {
            return false;
        }
    }
    *out = v;
    return digits && v <= 1.0;
}

static bool parse_count(const char *s, unsigned long long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false; /* strtoull would take "-1" and " 7" */
    *out = strtoull(s, &end, 10);
    return *end == '\0';
}

/* One "name=value" of the variable into cfg. */
static enum ck_err parse_setting(char *item, struct fault_cfg *cfg, char *err, size_t errlen)
{
    char *eq = strchr(item, '=');
    if (!eq)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "CK_TEST_FAULT_VFS: a setting is name=value, not \"%s\"", item);
    *eq = '\0';
    const char *name = item, *value = eq + 1;
    double *p = strcmp(name, "write") == 0  ? &cfg->write
                : strcmp(name, "sync") == 0 ? &cfg->sync
                : strcmp(name, "full") == 0 ? &cfg->full
                                            : NULL;
    if (p) {
        if (!parse_probability(value, p))
            return ck_fail(err, errlen, CK_ERR_CONFIG,
                           "CK_TEST_FAULT_VFS: %s wants a probability from 0 to 1, not \"%s\"",
                           name, value);
        return CK_OK;
    }
    unsigned long long n;
    bool seed = strcmp(name, "seed") == 0;
    if (!seed && strcmp(name, "skip") != 0)
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "CK_TEST_FAULT_VFS: unknown setting \"%s\" (seed, write, sync, full, skip)",
                       name);
    if (!parse_count(value, &n))
        return ck_fail(err, errlen, CK_ERR_CONFIG,
                       "CK_TEST_FAULT_VFS: %s wants a whole number, not \"%s\"", name, value);
    if (seed)
        cfg->seed = n;
    else
        cfg->skip = n;
    return CK_OK;
}

/* "seed=7,write=0.02,sync=0.05,skip=200" into cfg; a setting left out keeps its default. */
static enum ck_err parse_cfg(const char *text, struct fault_cfg *cfg, char *err, size_t errlen)
{
    *cfg = (struct fault_cfg){.full = 0.25};
    char *copy = strdup(text), *save = NULL;
    if (!copy)
        return ck_fail(err, errlen, CK_ERR_NOMEM, "out of memory");
    enum ck_err rc = CK_OK;
    for (char *item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save))
        rc = parse_setting(item, cfg, err, errlen);
    free(copy);
    return rc;
}

/* ------------------------------------------------------------ the dice */

static uint64_t next(void)
{
    uint64_t z = (fault.state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double)(next() >> 11) * 0x1.0p-53;
}

/* Each fault on stderr as it happens, so a test's log shows where it landed. */
static void tell(const char *what, const char *path, int rc)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    fprintf(stderr, "fault-vfs: %s to %s failed: %s\n", what,
            slash  ? slash + 1
            : path ? path
                   : "a temporary file",
            rc == SQLITE_FULL          ? "SQLITE_FULL"
            : rc == SQLITE_IOERR_WRITE ? "SQLITE_IOERR_WRITE"
                                       : "SQLITE_IOERR_FSYNC");
}

/* SQLITE_OK, or the error this write to `path` returns instead of writing. */
static int write_fault(const char *path)
{
    int rc = SQLITE_OK;
    pthread_mutex_lock(&fault.mu);
    fault.writes++;
    if (++fault.calls > fault.cfg.skip && uniform() < fault.cfg.write) {
        fault.failed_writes++;
        rc = SQLITE_IOERR_WRITE;
        if (uniform() < fault.cfg.full) {
            fault.failed_full++;
            rc = SQLITE_FULL;
        }
    }
    pthread_mutex_unlock(&fault.mu);
    if (rc)
        tell("a write", path, rc);
    return rc;
}

static int sync_fault(const char *path)
{
    int rc = SQLITE_OK;
    pthread_mutex_lock(&fault.mu);
    fault.syncs++;
    if (++fault.calls > fault.cfg.skip && uniform() < fault.cfg.sync) {
        fault.failed_syncs++;
        rc = SQLITE_IOERR_FSYNC;
    }
    pthread_mutex_unlock(&fault.mu);
    if (rc)
        tell("a sync", path, rc);
    return rc;
}

static void report(void)
{
    pthread_mutex_lock(&fault.mu);
    fprintf(stderr,
            "fault-vfs: %llu of %llu writes and %llu of %llu syncs failed (%llu of the "
            "writes as disk full)\n",
            fault.failed_writes, fault.writes, fault.failed_syncs, fault.syncs, fault.failed_full);
    pthread_mutex_unlock(&fault.mu);
}

/* ------------------------------------------------------------ the file: forwards */

struct fault_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, allocated right after this struct */
    const char *name;   /* SQLite keeps it valid until xClose; NULL for a temporary file */
};

#define REAL(f) (((struct fault_file *)(f))->real)
#define REAL_VERSION(f) (REAL(f)->pMethods->iVersion)

static int f_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int rc = write_fault(((struct fault_file *)f)->name);
    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    int rc = sync_fault(((struct fault_file *)f)->name);
    return rc ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int f_check_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_file_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector_size(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device_characteristics(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

/* Shared memory (version 2) and memory mapping (version 3): WAL needs the first. A real file of
 * an older version answers as SQLite expects of one without them. */
static int f_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **pp)
{
    if (REAL_VERSION(f) < 2)
        return SQLITE_IOERR_SHMMAP;
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, pp);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    if (REAL_VERSION(f) < 2)
        return SQLITE_IOERR_SHMLOCK;
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
    if (REAL_VERSION(f) >= 2)
        REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
    if (REAL_VERSION(f) < 2)
        return SQLITE_OK;
    return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    if (REAL_VERSION(f) < 3) {
        *pp = NULL;
        return SQLITE_OK;
    }
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    if (REAL_VERSION(f) < 3)
        return SQLITE_OK;
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fault_io = {
    .iVersion = 3,
    .xClose = f_close,
    .xRead = f_read,
    .xWrite = f_write,
    .xTruncate = f_truncate,
    .xSync = f_sync,
    .xFileSize = f_file_size,
    .xLock = f_lock,
    .xUnlock = f_unlock,
    .xCheckReservedLock = f_check_reserved,
    .xFileControl = f_file_control,
    .xSectorSize = f_sector_size,
    .xDeviceCharacteristics = f_device_characteristics,
    .xShmMap = f_shm_map,
    .xShmLock = f_shm_lock,
    .xShmBarrier = f_shm_barrier,
    .xShmUnmap = f_shm_unmap,
    .xFetch = f_fetch,
    .xUnfetch = f_unfetch,
};

/* ------------------------------------------------------------ the VFS: forwards */

static int v_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
                  int *out_flags)
{
    (void)vfs;
    struct fault_file *f = (struct fault_file *)file;
    f->real = (sqlite3_file *)(f + 1);
    f->name = name;
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    /* SQLite calls xClose whenever pMethods is set, failed open or not: mirror the real file. */
    f->base.pMethods = f->real->pMethods ? &fault_io : NULL;
    return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *v_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs->xDlOpen(real_vfs, name);
}

static void v_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
    (void)vfs;
    real_vfs->xDlError(real_vfs, n, msg);
}

static void (*v_dl_sym(sqlite3_vfs *vfs, void *lib, const char *sym))(void)
{
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, lib, sym);
}

static void v_dl_close(sqlite3_vfs *vfs, void *lib)
{
    (void)vfs;
    real_vfs->xDlClose(real_vfs, lib);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int v_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}

static int v_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    if (real_vfs->iVersion >= 2 && real_vfs->xCurrentTimeInt64)
        return real_vfs->xCurrentTimeInt64(real_vfs, out);
    double days;
    int rc = real_vfs->xCurrentTime(real_vfs, &days);
    *out = (sqlite3_int64)(days * 86400000.0);
    return rc;
}

static sqlite3_vfs fault_vfs = {
    .iVersion = 2,
    .zName = "ck-fault",
    .xOpen = v_open,
    .xDelete = v_delete,
    .xAccess = v_access,
    .xFullPathname = v_full_pathname,
    .xDlOpen = v_dl_open,
    .xDlError = v_dl_error,
    .xDlSym = v_dl_sym,
    .xDlClose = v_dl_close,
    .xRandomness = v_randomness,
    .xSleep = v_sleep,
    .xCurrentTime = v_current_time,
    .xGetLastError = v_last_error,
    .xCurrentTimeInt64 = v_current_time64,
};

/* ------------------------------------------------------------ installing */

static void install(void)
{
    const char *text = getenv("CK_TEST_FAULT_VFS");
    if (!text || !*text)
        return; /* the switch is off: SQLite as shipped */
    struct fault_cfg cfg;
    install_rc = parse_cfg(text, &cfg, install_err, sizeof install_err);
    if (install_rc)
        return;
    if (sqlite3_initialize() != SQLITE_OK || !(real_vfs = sqlite3_vfs_find(NULL))) {
        install_rc = ck_fail(install_err, sizeof install_err, CK_ERR_DB,
                             "CK_TEST_FAULT_VFS: SQLite has no default VFS to wrap");
        return;
    }
    fault.cfg = cfg;
    fault.state = cfg.seed;
    fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
    fault_vfs.mxPathname = real_vfs->mxPathname;
    if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK) {
        install_rc = ck_fail(install_err, sizeof install_err, CK_ERR_DB,
                             "CK_TEST_FAULT_VFS: cannot register the fault-injecting VFS");
        return;
    }
    fprintf(stderr,
            "fault-vfs: on over \"%s\": seed=%llu write=%g sync=%g full=%g skip=%llu "
            "(CK_TEST_FAULT_VFS, a test switch)\n",
            real_vfs->zName, (unsigned long long)cfg.seed, cfg.write, cfg.sync, cfg.full, cfg.skip);
    atexit(report);
}

enum ck_err ck_faultvfs_install(char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install);
    if (install_rc)
        return ck_fail(err, errlen, install_rc, "%s", install_err);
    return CK_OK;
}
