/* script.h: the headless script language (DESIGN.md "Contracts").
 *
 * One command a line; blank lines and lines starting with '#' are skipped:
 *   tap <widget-id>          press and release the widget
 *   hold <widget-id>         press the widget for 3 s, then release (a long press)
 *   type <text>              type text into the focused field (the rest of the line, verbatim)
 *   key <name>               a key: enter, backspace, escape, tab, up, down, left, right, space,
 *                            help, volume-up, volume-down, staff (Ctrl+Alt+S)
 *   expect-screen <name>     the current screen's name
 *   expect-text <text>       some text drawn on the current frame contains <text>
 *   expect-no-text <text>    no text drawn on the current frame contains <text>
 *   screenshot <name>        write <screenshot-dir>/<name>.png
 *   wait-idle                run every pending event and timer until nothing is left to do
 *   advance-clock <seconds>  move the clocks forward and run the timers that fall due
 *   key-to <id>              press Down until the keypad focus is on <id> (fails if the keypad
 *                            cannot reach it)
 *   page-to <id>             tap More (page-next) until <id> is on the page (fails if it never
 *                            is): what a resident does to find an item on a paged list
 *   fleet-poll               ask the fleet for a config bundle now and wait until it was
 *                            fetched and staged or refused (it applies at rest, as always)
 *   pause <seconds>          let real time pass with the kiosk running as usual
 *   hang <seconds>           block the UI thread for that long, running nothing (a test of
 *                            the systemd watchdog: its keep-alives must stop)
 *   wait-sync [SECONDS]      wait (up to 300 s) until the print worker is idle and the
 *                            delivery worker has nothing in flight and no retry due within
 *                            SECONDS (default 0: none due now), then show what they changed
 *   frame-stats              with CK_FRAME_STATS set, print the frames since the last one
 *   redraw <n>               draw the current screen again n times (1 to 100000), as if it had
 *                            changed each time: the frame time of one screen, for benchmarks
 * This file only parses; app/ executes. Pure C. Any thread. */
#ifndef CK_SCRIPT_H
#define CK_SCRIPT_H

#include <stddef.h>

#include "core/err.h"

enum ck_script_verb {
    CK_SCRIPT_NONE, /* a blank or comment line */
    CK_SCRIPT_TAP,
    CK_SCRIPT_TYPE,
    CK_SCRIPT_KEY,
    CK_SCRIPT_EXPECT_SCREEN,
    CK_SCRIPT_EXPECT_TEXT,
    CK_SCRIPT_EXPECT_NO_TEXT,
    CK_SCRIPT_SCREENSHOT,
    CK_SCRIPT_WAIT_IDLE,
    CK_SCRIPT_ADVANCE_CLOCK,
    CK_SCRIPT_WAIT_SYNC,
    CK_SCRIPT_KEY_TO,
    CK_SCRIPT_PAGE_TO,
    CK_SCRIPT_FLEET_POLL,
    CK_SCRIPT_HOLD,
    CK_SCRIPT_PAUSE,
    CK_SCRIPT_HANG,
    CK_SCRIPT_FRAME_STATS,
    CK_SCRIPT_MEM_STATS,
    CK_SCRIPT_REDRAW,
};

struct ck_script_cmd {
    enum ck_script_verb verb;
    const char *arg;    /* points into the parsed line; "" when the verb takes none */
    double seconds;     /* for advance-clock */
    int count;          /* for redraw */
};

/* Parses one line (without its newline; a trailing '\r' is ignored). The line is modified in
 * place. On error returns CK_ERR_SCRIPT with the reason in err. */
enum ck_err ck_script_parse_line(char *line, struct ck_script_cmd *cmd, char *err, size_t errlen);

/* The name of a verb as written in scripts. */
const char *ck_script_verb_name(enum ck_script_verb v);

#endif
