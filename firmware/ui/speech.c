/* speech.c: the kiosk speaks, offline, through espeak-ng, in the session's language.
 *
 * Synthesis runs asynchronously inside espeak-ng (it plays on its own thread), so ck_ui_say
 * returns at once. espeak-ng is started on first use; a machine with no audio device logs it
 * once and stays silent. CK_SPEECH_SINK=FILE replaces the loudspeaker by a file of utterances,
 * one "lang<TAB>text" a line, which is how the tests hear the kiosk. UI thread.
 *
 * The library is opened (dlopen) the first time a resident turns speech on, not at start-up:
 * with its audio stack it is 34 shared libraries, 1.6 MiB of memory and a share of every cold
 * start for a feature most sessions do not use (docs/performance.md). */
#include <dlfcn.h>
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ui/ui_int.h"

#define DEFAULT_VOLUME 70

/* The six calls the kiosk makes, found in libespeak-ng when it is opened. */
static struct {
    void *lib;
    int (*initialize)(espeak_AUDIO_OUTPUT, int, const char *, int);
    espeak_ERROR (*cancel)(void);
    espeak_ERROR (*set_voice)(const char *);
    espeak_ERROR (*set_parameter)(espeak_PARAMETER, int, int);
    espeak_ERROR (*synth)(const void *, size_t, unsigned int, espeak_POSITION_TYPE, unsigned int,
                          unsigned int, unsigned int *, void *);
    espeak_ERROR (*terminate)(void);
} es;

/* Opens libespeak-ng and finds its calls; false (with the reason logged) when it cannot. */
static bool load_espeak(void)
{
    if (es.lib)
        return true;
    void *lib = dlopen("libespeak-ng.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        ck_warn("speech", "espeak-ng cannot be loaded (%s): the kiosk stays silent", dlerror());
        return false;
    }
    /* POSIX's way from a data pointer to a function pointer: through the object's bytes. */
    struct {
        const char *name;
        void *fn;
    } SYMS[] = {{"espeak_Initialize", &es.initialize}, {"espeak_Cancel", &es.cancel},
                {"espeak_SetVoiceByName", &es.set_voice}, {"espeak_SetParameter", &es.set_parameter},
                {"espeak_Synth", &es.synth}, {"espeak_Terminate", &es.terminate}};
    for (size_t i = 0; i < sizeof SYMS / sizeof SYMS[0]; i++) {
        void *sym = dlsym(lib, SYMS[i].name);
        if (!sym) {
            ck_warn("speech", "libespeak-ng has no %s: the kiosk stays silent", SYMS[i].name);
            dlclose(lib);
            memset(&es, 0, sizeof es);
            return false;
        }
        memcpy(SYMS[i].fn, &sym, sizeof sym);
    }
    es.lib = lib;
    return true;
}

struct ck_speech {
    bool on, paused, started, broken;
    int volume;
    char last_lang[16];
    char *last;
    FILE *sink;
};

/* espeak-ng voice names for the kiosk's language codes. */
static const char *voice_for(const char *lang)
{
    static const struct {
        const char *lang, *voice;
    } VOICES[] = {
        {"en", "en-us"}, {"es", "es-419"}, {"zh-hant", "cmn"}, {"ru", "ru"}, {"bn", "bn"},
        {"ht", "ht"},    {"ko", "ko"},     {"ar", "ar"},       {"ur", "ur"}, {"fr", "fr"},
        {"pl", "pl"},
    };
    for (size_t i = 0; i < sizeof VOICES / sizeof VOICES[0]; i++)
        if (strcmp(VOICES[i].lang, lang) == 0)
            return VOICES[i].voice;
    return lang;
}

static struct ck_speech *get(struct ck_ui *ui)
{
    if (!ui->speech) {
        ui->speech = calloc(1, sizeof *ui->speech);
        if (ui->speech)
            ui->speech->volume = DEFAULT_VOLUME;
    }
    return ui->speech;
}

static bool start(struct ck_speech *s)
{
    if (s->started || s->broken)
        return s->started;
    const char *sink = getenv("CK_SPEECH_SINK");
    if (sink && *sink) {
        s->sink = fopen(sink, "a");
        if (!s->sink) {
            ck_warn("speech", "%s: cannot write the speech sink", sink);
            s->broken = true;
            return false;
        }
        setvbuf(s->sink, NULL, _IOLBF, 0);
        s->started = true;
        return true;
    }
    if (!load_espeak()) {
        s->broken = true;
        return false;
    }
    if (es.initialize(AUDIO_OUTPUT_PLAYBACK, 0, NULL, 0) < 0) {
        ck_warn("speech", "espeak-ng could not start (no audio device?): the kiosk stays silent");
        s->broken = true;
        return false;
    }
    s->started = true;
    return true;
}

void ck_ui_speech_on(struct ck_ui *ui, bool on)
{
    struct ck_speech *s = get(ui);
    if (!s)
        return;
    if (!on && s->on)
        ck_ui_speech_stop(ui);
    s->on = on;
    if (on)
        start(s);
}

bool ck_ui_speech_is_on(const struct ck_ui *ui)
{
    return ui->speech && ui->speech->on;
}

void ck_ui_say(struct ck_ui *ui, const char *lang, const char *text, bool interrupt)
{
    struct ck_speech *s = ui->speech;
    if (!s || !s->on || !text || !*text || !start(s))
        return;
    char *copy = strdup(text);
    if (copy) {
        free(s->last);
        s->last = copy;
        snprintf(s->last_lang, sizeof s->last_lang, "%s", lang);
    }
    if (s->sink) {
        fprintf(s->sink, "%s\t%s%s\n", lang, interrupt ? "" : "+ ", text);
        return;
    }
    if (interrupt)
        es.cancel();
    es.set_voice(voice_for(lang));
    es.set_parameter(espeakVOLUME, s->volume, 0);
    es.synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
}

void ck_ui_speech_stop(struct ck_ui *ui)
{
    struct ck_speech *s = ui->speech;
    if (!s || !s->started)
        return;
    if (s->sink)
        fprintf(s->sink, "-\t(stop)\n");
    else
        es.cancel();
}

void ck_ui_speech_pause(struct ck_ui *ui, bool paused)
{
    struct ck_speech *s = ui->speech;
    if (!s)
        return;
    s->paused = paused;
    if (paused)
        ck_ui_speech_stop(ui); /* espeak-ng has no pause: stop, and "repeat" says it again */
}

void ck_ui_speech_repeat(struct ck_ui *ui)
{
    struct ck_speech *s = ui->speech;
    if (s && s->last) {
        char *text = strdup(s->last);
        char lang[16];
        snprintf(lang, sizeof lang, "%s", s->last_lang);
        if (text)
            ck_ui_say(ui, lang, text, true);
        free(text);
    }
}

void ck_ui_speech_volume(struct ck_ui *ui, int volume)
{
    struct ck_speech *s = get(ui);
    if (s)
        s->volume = volume < 0 ? 0 : volume > 100 ? 100 : volume;
}

int ck_ui_speech_get_volume(const struct ck_ui *ui)
{
    return ui->speech ? ui->speech->volume : DEFAULT_VOLUME;
}

void ck_speech_free(struct ck_ui *ui)
{
    struct ck_speech *s = ui->speech;
    if (!s)
        return;
    if (s->sink)
        fclose(s->sink);
    else if (s->started)
        es.terminate(); /* the library stays loaded: espeak-ng is not made to be unloaded */
    free(s->last);
    free(s);
    ui->speech = NULL;
}
