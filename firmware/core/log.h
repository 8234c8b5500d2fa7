/* log.h: levelled logging. Lines go to stderr as "LEVEL module: message".
 * Never pass personal data (names, emails, phones, descriptions) or secrets to these.
 * Thread-safe: each line is written with one call. */
#ifndef CK_LOG_H
#define CK_LOG_H

enum ck_log_level { CK_LOG_DEBUG, CK_LOG_INFO, CK_LOG_WARN, CK_LOG_ERROR };

/* Lines below `min` are dropped. Default CK_LOG_INFO; CK_LOG_LEVEL=debug in the environment lowers it. */
void ck_log_set_level(enum ck_log_level min);

void ck_log(enum ck_log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define ck_debug(mod, ...) ck_log(CK_LOG_DEBUG, mod, __VA_ARGS__)
#define ck_info(mod, ...) ck_log(CK_LOG_INFO, mod, __VA_ARGS__)
#define ck_warn(mod, ...) ck_log(CK_LOG_WARN, mod, __VA_ARGS__)
#define ck_error(mod, ...) ck_log(CK_LOG_ERROR, mod, __VA_ARGS__)

#endif
