/* main.c: civic-kiosk's entry point. */
#include "app/app.h"
#include "platform/platform.h"

int main(int argc, char **argv)
{
    struct ck_options opts;
    int rc = ck_app_parse_args(argc, argv, &opts);
    if (rc)
        return rc == 1 ? 0 : 2;
    ck_journal_enable(); /* under systemd: structured lines in the journal; else stderr */
    return ck_app_run(&opts);
}
