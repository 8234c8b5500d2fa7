/* speech.c: the kiosk speaks, offline, through espeak-ng, in the session's language.
 *
 * Synthesis runs asynchronously inside espeak-ng (it plays on its own thread), so ck_ui_say
 * returns at once. espeak-ng is started on first use; a machine with no audio device logs it
 * once and stays silent. CK_SPEECH_SINK=FILE replaces the loudspeaker by a file of utterances,
 * one "lang<TAB>text" a line, which is how the tests hear the kiosk. UI thread. */
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ui/ui_int.h"

#define DEFAULT_VOLUME 70

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
    if (espeak_Initialize(AUDIO_OUTPUT_PLAYBACK, 0, NULL, 0) < 0) {
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
        espeak_Cancel();
    espeak_SetVoiceByName(voice_for(lang));
    espeak_SetParameter(espeakVOLUME, s->volume, 0);
    espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
}

void ck_ui_speech_stop(struct ck_ui *ui)
{
    struct ck_speech *s = ui->speech;
    if (!s || !s->started)
        return;
    if (s->sink)
        fprintf(s->sink, "-\t(stop)\n");
    else
        espeak_Cancel();
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
        espeak_Terminate();
    free(s->last);
    free(s);
    ui->speech = NULL;
}
