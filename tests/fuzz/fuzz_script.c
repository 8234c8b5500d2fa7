/* fuzz_script.c: lines of the headless script language (core/script.h), as a test author or a
 * broken file writes them.
 *
 * Each line of the input is parsed as the runner parses it (in place, in a NUL-terminated copy).
 * A parsed command's argument points into the line, and a refusal says why. */
#include <math.h>
#include <string.h>

#include "core/script.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    char *end = text + size, *line = text;
    while (line <= end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        if (nl)
            *nl = '\0';
        size_t len = strlen(line);
        struct ck_script_cmd cmd;
        char err[CK_ERR_LEN] = "";
        if (ck_script_parse_line(line, &cmd, err, sizeof err) == CK_OK) {
            FUZZ_CHECK(cmd.arg != NULL);
            FUZZ_CHECK(*cmd.arg == '\0' || (cmd.arg >= line && cmd.arg < line + len));
            FUZZ_CHECK(isfinite(cmd.seconds) && cmd.seconds >= 0);
            FUZZ_CHECK(cmd.verb == CK_SCRIPT_NONE || *ck_script_verb_name(cmd.verb));
        } else {
            FUZZ_CHECK(err[0] != '\0');
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    free(text);
    return 0;
}
