/* log.h: levelled logging. Lines go to stderr as "LEVEL module: message", or to a sink that
 * replaces stderr (platform routes them to journald on a board: ck_journal_enable).
 * Never pass personal data (names, emails, phones, descriptions) or secrets to these.
 * Thread-safe: each line is written with one call. */
#ifndef CK_LOG_H
#define CK_LOG_H

enum ck_log_level { CK_LOG_DEBUG, CK_LOG_INFO, CK_LOG_WARN, CK_LOG_ERROR };

/* Lines below `min` are dropped. Default CK_LOG_INFO; CK_LOG_LEVEL=debug in the environment lowers it. */
void ck_log_set_level(enum ck_log_level min);

/* Sends every line that passes the level to `sink` instead of stderr; NULL goes back to stderr.
 * `line` is the formatted message alone (no level, module or newline), valid during the call.
 * The sink is called from whichever thread logs, so it must be thread-safe; core keeps no lock
 * around it. Set it once at startup, before other threads log. */
void ck_log_set_sink(void (*sink)(enum ck_log_level lvl, const char *module, const char *line));

void ck_log(enum ck_log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The last CK_LOG_RECENT lines logged (at the level in force), oldest first, as
 * "level module: message", for maintenance mode. Returns how many were copied. */
#define CK_LOG_RECENT 40
#define CK_LOG_RECENT_LEN 200
#include <stddef.h>
size_t ck_log_recent(char (*out)[CK_LOG_RECENT_LEN], size_t max);

#define ck_debug(mod, ...) ck_log(CK_LOG_DEBUG, mod, __VA_ARGS__)
#define ck_info(mod, ...) ck_log(CK_LOG_INFO, mod, __VA_ARGS__)
#define ck_warn(mod, ...) ck_log(CK_LOG_WARN, mod, __VA_ARGS__)
#define ck_error(mod, ...) ck_log(CK_LOG_ERROR, mod, __VA_ARGS__)

#endif
