/* screen_int.h: private to screens/. The screen manager, the session, and shared pieces of
 * layout (header, footer, keyboards) that every screen uses. UI thread only. */
#ifndef CK_SCREEN_INT_H
#define CK_SCREEN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bitmap.h"
#include "core/buf.h"
#include "core/catalog.h"
#include "core/receipt.h"
#include "screens/screens.h"
#include "store/gazetteer.h"

/* Marks a string for translation extraction without translating it here. */
#define N_(s) s
/* Translates a UI or catalog string into the session's language. */
#define T(s) ck_i18n_tr(sc->i18n, sc->session.lang, (s))

enum ck_scr_id { SCR_WELCOME, SCR_SERVICES, SCR_FORM, SCR_REVIEW, SCR_DONE, SCR_CHECK,
                 SCR_STAFF_PIN, SCR_STAFF, SCR_COUNT };

struct ck_screens;

struct ck_screen {
    const char *name;
    void (*enter)(struct ck_screens *sc);
    void (*event)(struct ck_screens *sc, const struct ck_input *in);
    void (*draw)(struct ck_screens *sc, struct ck_ui *ui);
    /* Optional: the worker changed something (status_event: it answered a status request). */
    void (*refresh)(struct ck_screens *sc, bool status_event);
};

extern const struct ck_screen ck_scr_welcome, ck_scr_services, ck_scr_form, ck_scr_review,
    ck_scr_done, ck_scr_check, ck_scr_staff_pin, ck_scr_staff;

/* Maintenance mode's state (staff.c). */
struct ck_staff {
    bool active;           /* signed in */
    int page;
    char pin[16];          /* digits typed so far; wiped after each try */
    size_t pin_len;
    int failures;          /* wrong PINs in a row (kiosk.db) */
    long locked_until;     /* epoch seconds */
    char note[200];        /* what the last action did */
    bool out_of_service;   /* kiosk.db: survives a restart */
    char oos_message[300]; /* shown to residents while out of service */
    bool restart;
    unsigned long long touched; /* display test: cells touched */
    int body_bottom;
    struct ck_staff_facts facts;
    void (*probe)(void *ctx, struct ck_staff_facts *out);
    void *probe_ctx;
};

/* ---- the session: everything one resident typed; wiped when they leave ---- */

enum ck_field_kind {
    FIELD_ATTR,        /* an Open311 attribute of the service */
    FIELD_ADDRESS,     /* address_string */
    FIELD_DESCRIPTION, /* description */
    FIELD_UPDATES,     /* "do you want updates?" yes/no */
    FIELD_FIRST_NAME,
    FIELD_LAST_NAME,
    FIELD_EMAIL,
    FIELD_PHONE,
};

#define CK_FIELDS_MAX 48
#define CK_VALUES_MAX 32
#define CK_SUGGEST_MAX 5        /* address suggestions shown at most */
#define CK_SUGGEST_TEXT_MAX 400 /* longer typed text is no address: no suggestions */

struct ck_field {
    enum ck_field_kind kind;
    const struct ck_attribute *attr; /* FIELD_ATTR */
    struct ck_buf value;             /* text; a key for single lists; ISO for datetime */
    bool chosen[CK_VALUES_MAX];      /* multivaluelist */
    bool visited;
};

enum kb_layer { KB_LETTERS, KB_SYMBOLS, KB_ACCENTS };
/* The letters a text keyboard shows: the language's own, Latin, or AUTO: its own except Latin
 * on an address or email step. */
enum kb_script { KB_SCRIPT_AUTO, KB_SCRIPT_NATIVE, KB_SCRIPT_LATIN };

/* keyboard.c's part of the session: the script chosen, and the composition of an input method
 * (Korean, Chinese). The composition is shown, and stored, at the end of the field being typed
 * in (`field`, whose text ends with `preedit`); it is part of what the resident typed. */
struct kb_state {
    enum kb_script script;
    struct ck_ime *ime; /* made when a layout needs it; freed by ck_keyboard_wipe */
    char ime_lang[8];
    const struct ck_buf *field;
    char preedit[96];
    /* the candidates row: pages as wide as their candidates; where each page starts and how
     * many the page on screen shows */
    size_t cand_page, cand_shown;
    unsigned short cand_start[64];
};

struct ck_session {
    char lang[8];
    const struct ck_service *svc;
    struct ck_field fields[CK_FIELDS_MAX];
    size_t nfields;
    size_t step;       /* index of the field on screen */
    bool from_review;  /* a "Change" from review: Next returns there */
    const char *error; /* msgid of the message shown on the current screen, or NULL */
    char error_arg[64];
    int page;          /* paging on services, options and review */
    size_t group;      /* the chosen group on services */
    bool lang_list;    /* welcome shows the languages as a list (large text) */
    bool group_open;   /* services in two steps (large text): the group's services show */
    enum kb_layer kb;
    bool shift;
    struct kb_state kbs;
    int cal_year, cal_month; /* the month the date picker shows */
    int hour, minute;
    /* after submit */
    char receipt[CK_RECEIPT_LEN + 1];
    char service_name[128];
    char done_address[256];   /* for the printed receipt; wiped with the session */
    char done_when[32];       /* requested_at */
    int print_job;            /* the receipt's print job (0: none yet) */
    int prints;               /* receipts printed this session (one "Print again") */
    int rating;
    /* check a request */
    struct ck_buf check_code;
    bool check_done;
    enum ck_receipt_check check_result;
    bool check_found;
    struct ck_request_status check_status;
    int check_pages;       /* pages the result takes (large text) */
    bool check_fetching;   /* the worker is asking upstream for the status */
    time_t check_asked_at; /* status_fetched_at when it was asked */
    /* the address step: suggestions from the gazetteer for the text in suggest_for */
    struct ck_address suggest[CK_SUGGEST_MAX];
    size_t nsuggest;
    char suggest_for[CK_SUGGEST_TEXT_MAX];
    bool suggest_fresh;
    /* the address tapped in the list: its coordinates hold while the field shows chosen */
    bool has_latlon;
    double lat, lon;
    char chosen[CK_ADDRESS_LEN + 16];
};

/* ---- the manager ---- */

enum dialog { DLG_NONE, DLG_IDLE, DLG_CANCEL, DLG_ACCESS };

struct ck_screens {
    struct ck_ui *ui;
    const struct ck_config *cfg;
    const struct ck_i18n *i18n;
    struct ck_store *store;
    struct ck_sync *sync; /* the delivery worker, or NULL */
    struct ck_print *print; /* the print worker, or NULL */
    struct ck_gazetteer *gazetteer; /* the city's address points, or NULL: free text only */
    enum ck_scr_id cur;
    enum dialog dialog;
    bool dirty;
    uint64_t last_input_ms;
    uint64_t warning_started_ms;
    int countdown_shown;
    struct ck_session session;
    struct ck_bitmap qr; /* the done screen's QR */
    /* Access (access.c); reset for each resident. */
    bool explore;         /* touch-and-hear: a first touch speaks, a second one acts */
    char explored[96];    /* the target the last touch spoke */
    struct ck_staff staff;
    uint64_t cx_started_ms; /* when this resident left welcome; 0: no session running */
    bool was_open;          /* within the city's opening hours at the last tick */
    bool storage_full;      /* too little room for new requests (ck_store_room) */
    uint64_t room_checked_ms;
    char heading[512];    /* what this frame's screen or dialog says first (its title) */
    char said_heading[512];
    const char *said_error;
};

/* access.c */
/* Keys, access buttons and touch-and-hear; true when the input was used up here. */
bool ck_access_input(struct ck_screens *sc, const struct ck_input *in);
/* After a frame: speaks a new screen's title and how to go on, and new errors. */
void ck_access_after_draw(struct ck_screens *sc);
/* The access button in the header's right end; returns the x where it starts. */
int ck_access_buttons(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect header);
/* The accessibility panel (DLG_ACCESS): text size, high contrast, speech, volume. */
void ck_access_panel_draw(struct ck_screens *sc, struct ck_ui *ui);
/* Speech volume up or down by step (percent), said aloud. */
void ck_access_volume(struct ck_screens *sc, int step);
/* Back to the defaults for the next resident. */
void ck_access_reset(struct ck_screens *sc);

void ck_nav_go(struct ck_screens *sc, enum ck_scr_id to);
/* A resident's session ends: completed (a request stored) or abandoned (wiped). */
void ck_screens_cx_end(struct ck_screens *sc, bool completed);
/* Wipes the session and returns to welcome. */
void ck_nav_reset(struct ck_screens *sc);
/* Cancel: asks first when the resident has typed something. */
void ck_nav_cancel(struct ck_screens *sc);

/* staff.c: maintenance mode. Loads what survives a restart (out of service, PIN failures);
 * opens the PIN pad (wiping any resident's session); ends a staff session idle too long. */
void ck_staff_load(struct ck_screens *sc);
void ck_staff_enter(struct ck_screens *sc);
bool ck_staff_idle_over(struct ck_screens *sc, uint64_t now);

/* receipt.c: renders the receipt of a request and queues it on the printer. lang is the
 * language to print in. */
struct ck_receipt_facts {
    const char *receipt, *service_name, *address, *requested_at, *lang;
};
enum ck_err ck_receipt_print(struct ck_screens *sc, const struct ck_receipt_facts *f, int *job,
                             char *err, size_t errlen);
/* A test receipt for staff: the city, the kiosk, the time, a QR of the status page's start. */
enum ck_err ck_receipt_print_test(struct ck_screens *sc, int *job, char *err, size_t errlen);

/* session.c */
void ck_session_init(struct ck_session *s, const char *lang);
void ck_session_wipe(struct ck_session *s, const char *lang);
void ck_session_start_service(struct ck_session *s, const struct ck_service *svc);
bool ck_session_has_input(const struct ck_session *s);
/* True when the step applies (contact fields only when the resident wants updates). */
bool ck_session_step_active(const struct ck_session *s, size_t i);
/* The first field of this kind, or NULL. */
const struct ck_field *ck_session_field(const struct ck_session *s, enum ck_field_kind kind);
/* Label (msgid, or catalog text) of a field. */
const char *ck_field_label(const struct ck_field *f);
/* Checks the field; returns NULL or an error msgid. */
const char *ck_field_validate(const struct ck_screens *sc, const struct ck_field *f);
/* True when the address field holds an address chosen from the gazetteer (with lat/long). */
bool ck_session_address_chosen(const struct ck_session *s);
/* Builds the request to store from the session. */
enum ck_err ck_session_to_request(const struct ck_screens *sc, struct ck_request *req);

/* chrome.c: the frame every screen shares */
struct ck_layout {
    struct ck_rect header, body, footer;
    int pad;
    int footer_rows; /* 2: the way forward above Back and Cancel (large text, narrow screen) */
};
/* Draws header (logo, city, title) and returns the regions. */
struct ck_layout ck_chrome(struct ck_screens *sc, struct ck_ui *ui, const char *title);
/* The same, with the footer's labels known, so that a footer whose words do not fit one row
 * gets two; pass the same labels to ck_chrome_footer. */
struct ck_layout ck_chrome_page(struct ck_screens *sc, struct ck_ui *ui, const char *title,
                                const char *back_label, bool show_cancel,
                                const char *primary_label);
/* The footer's height at the current text size. */
int ck_chrome_footer_height(struct ck_ui *ui);
/* The height of one row of the footer's buttons (a two-row footer has two). */
int ck_chrome_footer_button_height(struct ck_ui *ui);
/* The width the footer gives its primary button with this label. */
int ck_chrome_footer_primary_width(struct ck_ui *ui, const struct ck_layout *l, const char *label);
/* Footer buttons: back (may be NULL), cancel (if show_cancel), primary (id, label; may be NULL). */
void ck_chrome_footer(struct ck_screens *sc, struct ck_ui *ui, const struct ck_layout *l,
                      const char *back_label, bool show_cancel, const char *primary_id,
                      const char *primary_label);
/* An error banner at the top of r; returns its height (0 when no error). */
int ck_chrome_error(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r);
/* A grid of cells for n items of at least min_h high; returns items per page. */
int ck_grid(struct ck_rect area, int cols, int min_h, int gap, int n, struct ck_rect *cells,
            int *pages);
/* Paging buttons under a grid, and the height they need in a given width. */
void ck_pager(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r, int page, int pages);
int ck_pager_height(struct ck_screens *sc, struct ck_ui *ui, int width);

/* keyboard.c: on-screen keyboards; each key is a target "key:<text>" or "key:<name>" */
enum kb_kind { KB_TEXT, KB_NUMBER, KB_CODE };
/* The least height a keyboard of this kind needs in width w, and the least width it needs:
 * every key a touch target with its label whole (narrow gaps). */
int ck_keyboard_min_height(struct ck_screens *sc, struct ck_ui *ui, enum kb_kind kind, int w);
int ck_keyboard_min_width(struct ck_screens *sc, struct ck_ui *ui, enum kb_kind kind,
                          bool multiline);
/* Draws a keyboard filling r. */
void ck_keyboard_draw(struct ck_screens *sc, struct ck_ui *ui, struct ck_rect r, enum kb_kind kind,
                      bool multiline);
/* Applies a tap on a key or typed text/keys to buf (max_chars code points). Returns true if the
 * input was a keyboard input; *enter set when Enter ended a single-line field. */
bool ck_keyboard_input(struct ck_screens *sc, const struct ck_input *in, struct ck_buf *buf,
                       enum kb_kind kind, bool multiline, size_t max_chars, bool *enter);
/* The resident leaves a field (Next, Back, another step): a composition in progress stays in
 * the field as it shows (committed) and the input method starts afresh; the next step opens on
 * the language's own letters (Latin for an address or an email). */
void ck_keyboard_leave(struct ck_screens *sc);
/* True when the text keyboard now shows letters that have capitals (Latin, Cyrillic), so that
 * shift means a capital rather than a second layer of letters. */
bool ck_keyboard_cased(struct ck_screens *sc);
/* Frees the input method and forgets its composition; ck_session_wipe calls it. */
void ck_keyboard_wipe(struct ck_session *s);

/* The name of a month (0-11) in the session language. */
const char *ck_month_name(struct ck_screens *sc, int month0);
/* Formats an ISO datetime for the resident, in the session language. */
void ck_format_datetime(struct ck_screens *sc, const char *iso, char *out, size_t outlen);

#endif
