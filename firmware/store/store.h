/* store.h: the kiosk's durable state in one SQLite file (kiosk.db in the data dir).
 *
 * The only interface to the database; sqlite3.h is included by store/ alone. Each thread that
 * touches the store opens its own struct ck_store (SQLite connections are not shared). The file
 * runs in WAL mode with synchronous=FULL: when ck_store_submit returns CK_OK the request and its
 * outbox row are on disk and survive a power cut. */
#ifndef CK_STORE_H
#define CK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "core/request.h"

struct ck_store;

#define CK_STORE_SCHEMA_VERSION 5

/* Opens (creating if needed) the database at path and migrates it to the current schema.
 * Returns NULL with the reason in err.
 *
 * Residents' contact details (first_name, last_name, email, phone) are sealed in the file with
 * the kiosk's key (XChaCha20-Poly1305; docs/privacy.md), which is never in the database. Each
 * connection reads the key at open, from the first of:
 *   $CK_KEY_FILE;
 *   /etc/civic-kiosk/pii.key, when it exists (a board; board/setup-board.sh provisions it);
 *   civic-kiosk-keys/pii.key beside the data dir (the folder holding path), made 0600 with a
 *   fresh random key when missing (a developer's machine; logged).
 * A key file must hold 32 bytes and be closed to other users. A missing or unusable key does not
 * fail the open: requests without contact details are stored and delivered as usual, a request
 * with them is refused (ck_store_submit), and requests sealed with another key wait in the
 * queue; ck_store_key_ok says so. Opening with a key also seals anything an earlier version
 * kept in clear. Closing truncates the WAL if contact details were wiped (see outbox.h). */
struct ck_store *ck_store_open(const char *path, char *err, size_t errlen);
void ck_store_close(struct ck_store *st);

/* False, with a sentence for staff in why (no personal data), when this connection has no key
 * for contact details or when requests sealed with another key wait for it. */
bool ck_store_key_ok(struct ck_store *st, char *why, size_t whylen);

/* Room for residents' requests (docs/reliability.md, "A full disk"). The kiosk stops taking
 * new requests while less than min_free_mb MiB is free on the file's filesystem or, with a page
 * limit (max_db_mb > 0: PRAGMA max_page_count on this connection only), under that limit; what is
 * queued is still delivered, and the worker's own connection has no limit, so deliveries can
 * always be recorded. Sessions already under way may still submit: the room kept is theirs. */
enum ck_err ck_store_set_limits(struct ck_store *st, long max_db_mb, long min_free_mb, char *err,
                                size_t errlen);
struct ck_store_room {
    long fs_free_mb;  /* free on the filesystem; -1 when it cannot be read */
    long db_used_mb;  /* pages in use in the file */
    long db_limit_mb; /* the page limit; 0 for none */
    bool full;        /* too little of either: no new requests */
};
/* Fills out; true when a new request may be taken. A few syscalls and pragmas: cheap enough for
 * each time the welcome screen is shown, not for every frame. */
bool ck_store_room(struct ck_store *st, struct ck_store_room *out);

/* The schema version recorded in the file (PRAGMA user_version). */
int ck_store_schema_version(struct ck_store *st);

/* Commits a request and its outbox row (state queued) in one transaction. Chooses a receipt
 * code unique in this database from kiosk_id and fresh random bytes, and writes it and the row
 * id into req. Contact details are sealed before they reach the file; without a key a request
 * that has any is refused (CK_ERR_CONFIG). On failure nothing is written and err says why. UI
 * thread. */
enum ck_err ck_store_submit(struct ck_store *st, const char *kiosk_id, struct ck_request *req,
                            char *err, size_t errlen);

/* What the kiosk knows of one request, for "Check a request" and staff. No personal data. */
struct ck_request_status {
    char receipt[CK_RECEIPT_LEN + 1];
    char service_code[64];
    char service_name[128];
    char requested_at[32];
    enum ck_outbox_state state;
    char service_request_id[64]; /* "" until upstream gave one */
    char last_error[256];
    int attempts;
    time_t updated_at;
    time_t delivered_at;         /* 0 until delivered */
    char upstream_status[16];    /* "open"/"closed" as last fetched, or "" */
    char status_notes[512];
    char upstream_updated[40];   /* upstream's updated_datetime, as it gave it */
    time_t status_fetched_at;    /* when the kiosk last asked upstream; 0 if never */
};

/* Looks up a canonical receipt code. CK_ERR_NOT_FOUND when this kiosk has no such request. */
enum ck_err ck_store_lookup(struct ck_store *st, const char *receipt, struct ck_request_status *out,
                            char *err, size_t errlen);

/* Reads a whole stored request (with attributes) by receipt into req (caller deinits), with its
 * contact details opened, for delivery. CK_ERR_CONFIG when they were sealed with a key this
 * connection does not have; CK_ERR_INVALID when they do not open (damaged): nothing is guessed. */
enum ck_err ck_store_load(struct ck_store *st, const char *receipt, struct ck_request *req,
                          char *err, size_t errlen);

/* Calls fn for every request, oldest first; stops early when fn returns false. Contact details
 * are not opened: a field that is there reads as "" (present), one that is not as NULL. */
enum ck_err ck_store_each(struct ck_store *st,
                          bool (*fn)(const struct ck_request *req,
                                     const struct ck_request_status *status, void *ctx),
                          void *ctx, char *err, size_t errlen);

/* Stores a one-tap rating (1..5) with only the day it was given: no link to any request. */
enum ck_err ck_store_add_rating(struct ck_store *st, int rating, char *err, size_t errlen);

/* Counts ratings by value: counts[0] is for rating 1. */
enum ck_err ck_store_rating_counts(struct ck_store *st, int counts[5], char *err, size_t errlen);

/* Customer-experience figures (no personal data): a session ends, completed (a request was
 * stored) or abandoned on last_screen, after `seconds`. */
enum ck_err ck_store_cx_session(struct ck_store *st, bool completed, const char *last_screen,
                                int seconds, char *err, size_t errlen);
#define CK_CX_SCREENS 12
struct ck_cx_stats {
    int started, completed;
    struct {
        char screen[24];
        int count;
    } abandoned[CK_CX_SCREENS]; /* per screen the session was abandoned on */
    size_t nscreens;
    int median_seconds; /* to submit, over the last 100 submitted; -1 when none */
    int ratings[5];
};
/* Totals since the database was made. */
enum ck_err ck_store_cx_stats(struct ck_store *st, struct ck_cx_stats *out, char *err,
                              size_t errlen);

#endif
