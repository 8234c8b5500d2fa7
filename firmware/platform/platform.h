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

/* Durable writes, for what must survive a power cut (config bundles):
 *   write_durable: the file written and fsynced (not atomic: use it inside a staging folder);
 *   write_atomic:  written to PATH.tmp, fsynced, renamed over PATH, the folder fsynced, so PATH
 *                  holds either the old bytes or the new ones;
 *   rename_durable: rename, then fsync the destination's folder;
 *   fsync_dir: makes a folder's entries (creations, renames) durable;
 *   remove_tree: deletes a file or a folder and everything in it (no error if absent). */
enum ck_err ck_fs_write_durable(const char *path, const void *data, size_t len, char *err,
                                size_t errlen);
enum ck_err ck_fs_write_atomic(const char *path, const void *data, size_t len, char *err,
                               size_t errlen);
enum ck_err ck_fs_rename_durable(const char *from, const char *to, char *err, size_t errlen);
enum ck_err ck_fs_fsync_dir(const char *dir, char *err, size_t errlen);
enum ck_err ck_fs_remove_tree(const char *path, char *err, size_t errlen);

/* Fills buf with cryptographically random bytes from the kernel. When CK_TEST_SEED is set in
 * the environment the bytes come from a seeded generator instead, so that headless test runs
 * (receipt codes in reference screenshots) repeat exactly. */
void ck_random_bytes(void *buf, size_t n);

/* ---- service manager: watchdog and state (watchdog.c, libsystemd's sd_notify) ----
 *
 * Under systemd (board/civic-kiosk.service: Type=notify, WatchdogSec=30s) the service waits for
 * READY=1 and restarts the kiosk when WATCHDOG=1 stops arriving. Without NOTIFY_SOCKET in the
 * environment (a developer's run, tests, headless) every function here returns at once and sends
 * nothing. Any thread; the environment is read once, at the first call.
 *
 *   ck_watchdog_ready:    READY=1 and STATUS=status (status may be NULL); call once, after the
 *                         first frame is on screen.
 *   ck_watchdog_status:   STATUS=status, the one line `systemctl status` shows (say what the
 *                         kiosk is doing: "serving", "out of service", "3 requests queued");
 *                         cut at the first line break.
 *   ck_watchdog_stopping: STOPPING=1 and STATUS=status, on a clean exit.
 *   ck_watchdog_interval_ms: the watchdog interval meant for this process, 0 when there is none
 *                         (no NOTIFY_SOCKET, no WATCHDOG_USEC, or WATCHDOG_PID names another
 *                         process; the kiosk's parent counts as itself, since under cage the
 *                         service's main process is cage).
 *   ck_watchdog_kick:     WATCHDOG=1, at most once per interval/4 (so cheap to call per frame).
 *
 * The contract for the caller (the app's main loop): kick after each frame drawn and after each
 * wake-up, from the loop itself and never from a helper thread, so a hung loop stops the kicks;
 * and when idle, never sleep longer than ck_watchdog_interval_ms() / 2 (if it is not 0), e.g.
 * cap the SDL_WaitEventTimeout timeout with it. */
void ck_watchdog_ready(const char *status);
void ck_watchdog_status(const char *status);
void ck_watchdog_stopping(const char *status);
uint64_t ck_watchdog_interval_ms(void);
void ck_watchdog_kick(void);

/* ---- logs to journald (journal.c, libsystemd's sd_journal_send) ----
 *
 * When journald runs (its socket exists) and either stderr is the journal ($JOURNAL_STREAM
 * matches it) or the process is a systemd service (INVOCATION_ID set, stderr not a terminal),
 * routes every ck_log line to journald as a structured entry: MESSAGE=<line>, PRIORITY (debug 7,
 * info 6, warn 4, error 3), SYSLOG_IDENTIFIER=civic-kiosk, CK_MODULE=<module>; a line journald
 * refuses goes to stderr instead. Returns true if it did; otherwise lines stay on stderr.
 * Read them with: journalctl -t civic-kiosk [-p warning] [CK_MODULE=sync].
 * Logs never hold personal data or secrets: ck_log's callers already obey that rule (log.h),
 * and this only carries their lines. Call once from main(), before other threads start. */
#include <stdbool.h>
bool ck_journal_enable(void);

/* ---- the machine (sysinfo.c) ---- */

/* Lowers the calling thread's CPU priority (nice 10): for the workers, so that when the cores
 * are busy the UI thread runs first and the screen keeps its frame rate. */
void ck_thread_background(void);

/* Describes the network interfaces other than loopback with their addresses ("eth0 10.0.0.9,
 * wlan0 fe80::1 (down)") into out; true when at least one is up and running. */
bool ck_net_describe(char *out, size_t outlen);
/* Free space for the kiosk under dir, in MiB (-1 if unknown). */
long ck_fs_free_mb(const char *dir);
/* This process's memory: bytes of heap in use (malloc's own count, which fragmentation does not
 * inflate) and its resident set in KiB; -1 for what cannot be read. For the soak test. */
void ck_mem_usage(long *heap_bytes, long *rss_kb);

#endif
