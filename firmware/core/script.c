/* script.c: parsing of headless script lines. */
#include "core/script.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

static const struct {
    const char *name;
    enum ck_script_verb verb;
    int arg; /* 0 none, 1 required word, 2 required rest-of-line, 3 seconds, 4 optional seconds,
              * 5 a count */
} VERBS[] = {
    {"tap", CK_SCRIPT_TAP, 1},
    {"hold", CK_SCRIPT_HOLD, 1},
    {"type", CK_SCRIPT_TYPE, 2},
    {"key", CK_SCRIPT_KEY, 1},
    {"expect-screen", CK_SCRIPT_EXPECT_SCREEN, 1},
    {"expect-text", CK_SCRIPT_EXPECT_TEXT, 2},
    {"expect-no-text", CK_SCRIPT_EXPECT_NO_TEXT, 2},
    {"screenshot", CK_SCRIPT_SCREENSHOT, 1},
    {"wait-idle", CK_SCRIPT_WAIT_IDLE, 0},
    {"advance-clock", CK_SCRIPT_ADVANCE_CLOCK, 3},
    {"pause", CK_SCRIPT_PAUSE, 3},
    {"hang", CK_SCRIPT_HANG, 3},
    {"wait-sync", CK_SCRIPT_WAIT_SYNC, 4}, /* optional seconds */
    {"key-to", CK_SCRIPT_KEY_TO, 1},
    {"page-to", CK_SCRIPT_PAGE_TO, 1},
    {"fleet-poll", CK_SCRIPT_FLEET_POLL, 0},
    {"frame-stats", CK_SCRIPT_FRAME_STATS, 0},
    {"mem-stats", CK_SCRIPT_MEM_STATS, 0},
    {"redraw", CK_SCRIPT_REDRAW, 5},
};

const char *ck_script_verb_name(enum ck_script_verb v)
{
    for (size_t i = 0; i < sizeof VERBS / sizeof VERBS[0]; i++)
        if (VERBS[i].verb == v)
            return VERBS[i].name;
    return "";
}

enum ck_err ck_script_parse_line(char *line, struct ck_script_cmd *cmd, char *err, size_t errlen)
{
    cmd->verb = CK_SCRIPT_NONE;
    cmd->arg = "";
    cmd->seconds = 0;
    cmd->count = 0;
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[--len] = '\0';
    if (!ck_utf8_valid(line, len))
        return ck_fail(err, errlen, CK_ERR_SCRIPT, "the line is not valid UTF-8");
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return CK_OK;
    char *word_end = p + strcspn(p, " \t");
    size_t wlen = (size_t)(word_end - p);
    for (size_t i = 0; i < sizeof VERBS / sizeof VERBS[0]; i++) {
        if (strlen(VERBS[i].name) != wlen || strncmp(VERBS[i].name, p, wlen) != 0)
            continue;
        char *arg = word_end;
        if (*arg)
            arg++; /* exactly one separator: the rest of a type line is verbatim */
        if (VERBS[i].arg != 2) {
            while (*arg == ' ' || *arg == '\t')
                arg++;
            char *e = arg + strlen(arg);
            while (e > arg && (e[-1] == ' ' || e[-1] == '\t'))
                *--e = '\0';
        }
        if (VERBS[i].arg == 0 && *arg)
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "%s takes no argument", VERBS[i].name);
        if (VERBS[i].arg && VERBS[i].arg != 4 && !*arg)
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "%s needs an argument", VERBS[i].name);
        if (VERBS[i].arg == 1 && strpbrk(arg, " \t"))
            return ck_fail(err, errlen, CK_ERR_SCRIPT, "%s takes one word, got \"%s\"",
                           VERBS[i].name, arg);
        if (VERBS[i].arg == 3 || (VERBS[i].arg == 4 && *arg)) {
            char *end;
            double s = strtod(arg, &end);
            if (end == arg || *end || !isfinite(s) || s < 0 || s > 86400 * 366)
                return ck_fail(err, errlen, CK_ERR_SCRIPT,
                               "%s needs seconds between 0 and a year, got \"%s\"", VERBS[i].name,
                               arg);
            cmd->seconds = s;
        }
        if (VERBS[i].arg == 5) {
            char *end;
            long n = strtol(arg, &end, 10);
            if (end == arg || *end || n < 1 || n > 100000)
                return ck_fail(err, errlen, CK_ERR_SCRIPT,
                               "%s needs a count between 1 and 100000, got \"%s\"", VERBS[i].name,
                               arg);
            cmd->count = (int)n;
        }
        cmd->verb = VERBS[i].verb;
        cmd->arg = arg;
        return CK_OK;
    }
    *word_end = '\0';
    return ck_fail(err, errlen, CK_ERR_SCRIPT, "unknown command \"%.40s\"", p);
}
