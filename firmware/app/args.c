/* args.c: the command line of DESIGN.md "Contracts". */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

static void usage(FILE *out)
{
    fputs("usage: civic-kiosk [--config FILE] [--data-dir DIR]\n"
          "                   [--windowed | --fullscreen | --headless] [--size WxH]\n"
          "                   [--lang CODE] [--printer URI]\n"
          "                   [--script FILE] [--screenshot-dir DIR]\n"
          "\n"
          "  --config FILE        the city configuration (default: the demo city)\n"
          "  --data-dir DIR       where kiosk.db lives (default: $XDG_DATA_HOME/civic-kiosk)\n"
          "  --windowed           a window on the desktop (default when there is a display)\n"
          "  --fullscreen         the whole screen, no cursor: how a kiosk runs\n"
          "  --headless           no display at all; drive it with --script\n"
          "  --size WxH           window or frame size (default 1920x1080)\n"
          "  --lang CODE          start in this language (default: English)\n"
          "  --printer URI        usb:/dev/usb/lp0, tcp:HOST:9100, file:PATH or none\n"
          "  --script FILE        run a headless script (see docs/headless-scripts.md)\n"
          "  --screenshot-dir DIR where the script's screenshots go (default: .)\n",
          out);
}

int ck_app_parse_args(int argc, char **argv, struct ck_options *o)
{
    static const struct option longs[] = {
        {"config", required_argument, 0, 'c'},     {"data-dir", required_argument, 0, 'd'},
        {"windowed", no_argument, 0, 'w'},         {"fullscreen", no_argument, 0, 'f'},
        {"headless", no_argument, 0, 'H'},         {"size", required_argument, 0, 's'},
        {"lang", required_argument, 0, 'l'},       {"printer", required_argument, 0, 'p'},
        {"script", required_argument, 0, 'S'},     {"screenshot-dir", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->config_path = CK_SOURCE_DIR "/assets/demo/city.json";
    o->mode = CK_UI_WINDOWED;
    o->width = 1920;
    o->height = 1080;
    o->printer = NULL; /* the config's printer.uri */
    o->screenshot_dir = ".";
    bool mode_set = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'c': o->config_path = optarg; break;
        case 'd': o->data_dir = optarg; break;
        case 'w': o->mode = CK_UI_WINDOWED, mode_set = true; break;
        case 'f': o->mode = CK_UI_FULLSCREEN, mode_set = true; break;
        case 'H': o->mode = CK_UI_HEADLESS, mode_set = true; break;
        case 's': {
            char x;
            if (sscanf(optarg, "%d%c%d", &o->width, &x, &o->height) != 3 || (x != 'x' && x != 'X') ||
                o->width < 320 || o->height < 320 || o->width > 8192 || o->height > 8192) {
                fprintf(stderr, "civic-kiosk: --size wants WIDTHxHEIGHT between 320 and 8192, like 1920x1080\n");
                return 2;
            }
            break;
        }
        case 'l': o->lang = optarg; break;
        case 'p': o->printer = optarg; break;
        case 'S': o->script = optarg; break;
        case 'o': o->screenshot_dir = optarg; break;
        case 'h': usage(stdout); return 1;
        default:
            fprintf(stderr, "civic-kiosk: unknown or incomplete option %s\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "civic-kiosk: unexpected argument %s\n", argv[optind]);
        return 2;
    }
    if (o->script && !mode_set)
        o->mode = CK_UI_HEADLESS;
    if (o->script && o->mode != CK_UI_HEADLESS) {
        fprintf(stderr, "civic-kiosk: --script runs only with --headless\n");
        return 2;
    }
    return 0;
}
