/* transport.h: print/'s private pipe to the printer (transport.c). */
#ifndef CK_TRANSPORT_H
#define CK_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum ck_transport_kind { CK_TR_NONE, CK_TR_USB, CK_TR_TCP, CK_TR_FILE };

struct ck_transport {
    enum ck_transport_kind kind;
    int fd;
};

/* Splits a printer URI into its kind and the rest (path, or host:port). */
enum ck_err ck_transport_parse(const char *uri, enum ck_transport_kind *kind, char *where,
                               size_t wherelen, char *err, size_t errlen);
/* Opens the printer, connecting within timeout_ms for tcp:. */
enum ck_err ck_transport_open(struct ck_transport *t, const char *uri, int timeout_ms, char *err,
                              size_t errlen);
void ck_transport_close(struct ck_transport *t);
/* Writes all n bytes; fails when none could be written for stall_ms (CK_ERR_BUSY) or the
 * printer went away (CK_ERR_IO). */
enum ck_err ck_transport_write(struct ck_transport *t, const void *buf, size_t n, int stall_ms,
                               char *err, size_t errlen);
/* Waits until what was written has left for the printer (the socket's or tty's output queue
 * is empty; for usblp, the last transfer completed); fails like ck_transport_write when
 * nothing moves for stall_ms. */
enum ck_err ck_transport_drain(struct ck_transport *t, int stall_ms, char *err, size_t errlen);
/* Sends DLE EOT n and returns the reply byte, or -1 when none came within timeout_ms (or the
 * transport cannot answer: file:). */
int ck_transport_query(struct ck_transport *t, uint8_t n, int timeout_ms);

#endif
