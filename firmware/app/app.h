/* app.h: the kiosk process: options, start-up wiring of the layers, the event loop, and the
 * headless script runner. Main (UI) thread. */
#ifndef CK_APP_H
#define CK_APP_H

#include <stdbool.h>

#include "ui/ui.h"

struct ck_options {
    const char *config_path;
    const char *data_dir;
    enum ck_ui_mode mode;
    int width, height;
    const char *lang;
    const char *printer;
    const char *script;
    const char *screenshot_dir;
};

/* Parses argv into opts (defaults filled in). Returns 0 to run, 1 after printing help or
 * version, 2 on a usage error (message printed). */
int ck_app_parse_args(int argc, char **argv, struct ck_options *opts);

/* Runs the kiosk until it is closed, or the script until its end. Returns the exit status. */
int ck_app_run(const struct ck_options *opts);

#endif
