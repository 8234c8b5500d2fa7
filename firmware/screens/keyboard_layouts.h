/* keyboard_layouts.h: the letter layouts of the on-screen keyboard, one per language, as data.
 * Private to keyboard.c and keyboard_layouts.c. UI thread only. */
#ifndef CK_KEYBOARD_LAYOUTS_H
#define CK_KEYBOARD_LAYOUTS_H

#include <stdbool.h>

#define KB_ROWS 4 /* rows of character keys; the last is flanked by shift and delete */

/* A row is its keys separated by single spaces; each key types the text it shows (a combining
 * mark is shown on a dotted circle). At most 12 keys in rows 1-3 and 9 in row 4 keep every key
 * at full width. */
struct kb_layout {
    const char *lang; /* "ru", "zh" (a prefix of the session language), "" */
    const char *name; /* the label of the key that switches to it */
    const char *rows[KB_ROWS];
    const char *shift_rows[KB_ROWS]; /* the shifted layer; NULL: shift upper-cases rows */
    const char *shift_label[2];      /* off, on; NULL: no shift key */
    const char *accents[KB_ROWS];    /* the accents layer (Latin layouts); NULL: none */
    const char *accents_label;
    const char *comma, *period; /* beside the space bar (native-script layouts) */
    bool latin;                 /* Latin letters: keeps "@" beside the space bar */
    bool ime;                   /* typed through an input method (ui/ime.c) */
    bool candidates;            /* a row of conversion candidates above the keys */
};

/* The layout of a language's own letters (its accents layer for Latin languages). */
const struct kb_layout *ck_kb_layout_native(const char *lang);
/* The Latin (ABC) layout that every language can switch to for addresses and emails. */
const struct kb_layout *ck_kb_layout_latin(void);

#endif
