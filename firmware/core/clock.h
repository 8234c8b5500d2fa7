/* clock.h: the firmware's one notion of time.
 *
 * Monotonic milliseconds drive timers (idle, countdowns); wall-clock seconds stamp requests.
 * Both can be moved forward by a headless script ("advance-clock") so idle behaviour is tested
 * without sleeping, and the wall clock can be pinned at start (CK_TEST_NOW=<epoch seconds>) so
 * reference screenshots do not change with the date. Pure C. The offset is set only by the UI
 * thread; reads from other threads see it atomically. */
#ifndef CK_CLOCK_H
#define CK_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on a monotonic clock, plus any advance. */
uint64_t ck_clock_mono_ms(void);

/* Seconds since the epoch, plus any advance (pinned by CK_TEST_NOW when set). */
time_t ck_clock_wall(void);

/* Moves both clocks forward by ms (headless scripts only). */
void ck_clock_advance_ms(uint64_t ms);

/* Formats t as local time in ISO 8601 with its UTC offset, e.g. "2026-11-24T10:00:00-05:00".
 * out must hold at least 26 bytes. */
void ck_clock_iso8601(time_t t, char *out, size_t outlen);

#endif
