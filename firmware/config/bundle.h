/* bundle.h: signed configuration bundles from the fleet (docs/fleet.md).
 *
 * A bundle is one JSON file and its minisign signature. Staging checks it from end to end
 * without touching the running config: the signature against the pinned keys, the trusted
 * comment against the bundle's version and expiry, rollback, expiry and targets, then the
 * bundle merged over the kiosk's own config (section by section) and written out as a folder
 * that holds everything the kiosk needs (city.json, the bundle's files, translations), and
 * that folder loaded through the same schema table as any city file. Committing makes the
 * staged folder the one the kiosk runs, durably: a power cut at any moment leaves either the
 * old config or the new one.
 *
 * Layout in the data dir:
 *   config/stage/      the bundle being staged (removed first, each time)
 *   config/v<N>/       an applied bundle; "current" names the running one, and the one before
 *                      it is kept as well
 *   config/current     "v<N>\n", replaced atomically
 * A worker thread stages; the UI thread commits between residents. No SDL, no curl. */
#ifndef CK_BUNDLE_H
#define CK_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CK_BUNDLE_COMMENT_PREFIX "civic-kiosk-bundle "

/* What a bundle says about itself. */
struct ck_bundle_info {
    long version;
    long expires;        /* epoch seconds */
    bool for_this_kiosk; /* its targets include this kiosk */
    char note[200];
};

/* Who is staging: the kiosk's identity, what it runs, whom it trusts, and now. */
struct ck_bundle_ctx {
    const char *data_dir;
    const char *base_path;          /* the kiosk's own city file */
    const char *const *public_keys; /* minisign "RW..." strings */
    size_t nkeys;
    long current_version;           /* 0: no bundle applied yet */
    long now;                       /* epoch seconds */
    const char *kiosk_id, *group;
    size_t max_bytes;
};

/* Stages a fetched bundle (bundle: len bytes; sig: the .minisig text, siglen bytes). On
 * success returns CK_OK with the staged city file's path in city_path and what the bundle
 * says in *info. A bundle for other kiosks returns CK_ERR_NOT_FOUND with info->for_this_kiosk
 * false (not an error to report). Anything else wrong returns its reason in err, written for
 * an admin ("rollback: version 11 is not newer than the running version 12"); nothing of the
 * running config is touched either way. */
enum ck_err ck_bundle_stage(const struct ck_bundle_ctx *ctx, const uint8_t *bundle, size_t len,
                            const char *sig, size_t siglen, struct ck_bundle_info *info,
                            char *city_path, size_t pathlen, char *err, size_t errlen);

/* Makes the staged bundle (version) the running config, durably, and drops versions older than
 * the one it replaces. */
enum ck_err ck_bundle_commit(const char *data_dir, long version, char *err, size_t errlen);

/* Points "current" back at version (0: no bundle, the kiosk's own config), durably: for a
 * committed bundle that then failed to load. */
enum ck_err ck_bundle_set_current(const char *data_dir, long version, char *err, size_t errlen);

/* The city file of the bundle the kiosk runs ("<data>/config/v<N>/city.json") into path, or ""
 * when none is applied (or "current" is unreadable). */
void ck_bundle_current(const char *data_dir, char *path, size_t pathlen);

/* Checks a bundle's own content without a signature (for the admin's tools): its "bundle"
 * object, its files, and its settings merged over base_path (may be NULL: the bundle alone
 * must then be a complete city file) through the schema table. Errors name the bundle file
 * and the line ("bundle.json:14: session.idle_seconds: 5 is outside 15..900"). */
enum ck_err ck_bundle_check(const char *bundle_path, const char *base_path, char *err,
                            size_t errlen);

#endif
