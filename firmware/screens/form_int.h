/* form_int.h: what the parts of the form screen ask of each other: the step machine and the
 * words above the input (form.c), the option lists (form_choices.c), the date and time picker
 * (form_datetime.c), typing and the address list (form_text.c). Private to those four files.
 * UI thread only. */
#ifndef CK_FORM_INT_H
#define CK_FORM_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "screens/screen_int.h"

/* ---- form.c: what kind of input a field takes ---- */

enum form_input { IN_TEXT, IN_MULTILINE, IN_NUMBER, IN_PHONE, IN_SINGLE, IN_MULTI, IN_DATETIME };

enum form_input ck_form_input_of(const struct ck_field *f);
/* The most characters (code points) the field takes. */
size_t ck_form_max_chars(const struct ck_field *f);
/* The keyboard a typing step shows. */
enum kb_kind ck_form_kb_of(enum form_input in);

/* ---- form.c: measuring, for large text ---- */

/* True at a text size over 100 %: the page has less room than it was designed for. */
bool ck_form_large(struct ck_ui *ui);
/* The least height of a row of buttons: a touch target with its label whole in the small font. */
int ck_form_row_h_min(struct ck_ui *ui);
/* True when label shows whole on a button of w x h of this style (no word broken). */
bool ck_form_button_fits(struct ck_ui *ui, enum ck_button_style style, const char *label, int w,
                         int h);
/* The width of a (non-key) button with label on one line in the small font. */
int ck_form_button_w_one_line(struct ck_ui *ui, const char *label);
/* The width of a paging arrow ("<", ">"). */
int ck_form_arrow_width(struct ck_ui *ui);
/* Paging arrows at the sides of area, h tall, for a list with no room for a pager under it. */
void ck_form_side_arrows(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect area,
                         int arrow_w, int h, int page, int pages);

/* ---- form.c: the words above the input ---- */

/* What goes above the input: the step counter when it has no room beside the title (counter),
 * the city's notes on the service (on the first step), the hint and the error. The notes and
 * the hint are set in the body font, or in the small one where the input would not get the room
 * it needs, and then the error is compact too; a hint can also be left out (no_hint). */
struct form_head {
    enum ck_font font;
    bool no_hint;
    const char *counter;
};

/* Draws the head at the top of r (measures only, when draw is false); returns its height. */
int ck_form_head(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f,
                 struct ck_rect r, struct form_head h, bool draw);
/* The head that leaves the input need px of r: the body font, else the small one, else (large
 * text) no hint. */
struct form_head ck_form_head_for(struct ck_screens *sc, struct ck_ui *ui,
                                  const struct ck_field *f, struct ck_rect r, int need,
                                  const char *counter);
/* The step's hint, translated, or NULL. */
const char *ck_form_hint(struct ck_screens *sc, const struct ck_field *f);

/* ---- form_choices.c: a single or multi list (and Yes/No for updates) ---- */

/* Draws the options in area: the grid as designed, else rows as tall as their words, paged. */
void ck_form_choices_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                          struct ck_rect area, bool multi);
/* The least room the options need in width w: the tallest in one column, and the pager. */
int ck_form_choices_min_h(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f, int w);

/* ---- form_datetime.c: the date and time picker ---- */

/* Opens the picker on the field's value, or on the current month and time. */
void ck_form_picker_from_value(struct ck_screens *sc, const struct ck_field *f);
/* A tap on the picker (month, day, steppers, "Right now"); false when id is none of its. */
bool ck_form_picker_event(struct ck_screens *sc, struct ck_field *f, const char *id);
/* The least room the picker needs in width w. */
int ck_form_picker_min_h(struct ck_screens *sc, struct ck_ui *ui, const struct ck_field *f, int w);
/* Draws the picker in area: as designed, compact, or one part at a time, whichever fits. */
void ck_form_picker_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                         struct ck_rect area);

/* ---- form_text.c: typing, and the address step's suggestions ---- */

/* Searches the city's address list again when the typed text changed since the last search. */
void ck_form_suggest_refresh(struct ck_screens *sc, const struct ck_field *f);
/* A tapped suggestion (n: "1"...) fills the field and keeps its coordinates. */
void ck_form_suggest_choose(struct ck_screens *sc, struct ck_field *f, const char *n);
/* Draws a typing step in b: the head, the field, the suggestions, the keyboard; counter is the
 * step counter when it needs a line of its own (else NULL). */
void ck_form_typing_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_field *f,
                         struct ck_rect b, const char *counter);

#endif
