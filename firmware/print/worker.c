/* worker.c: the print worker (print.h). One thread owns the printer: it sends queued jobs and,
 * while idle, asks the printer how it is (DLE EOT 1, 2 and 4). Each exchange opens the printer
 * and closes it again, so a printer that is unplugged and plugged back, or a network printer
 * that takes one client at a time, recovers without help. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "print/print.h"
#include "print/transport.h"

#define QUEUE 4
#define OPEN_MS 3000
#define QUERY_MS 800
#define STALL_MS 6000

struct job {
    int id;
    struct ck_buf bytes;
};

struct ck_print {
    char *uri;
    enum ck_transport_kind kind;
    int idle_poll_ms;
    void (*notify)(void *);
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cond;
    bool stop;
    struct job queue[QUEUE];
    int nqueue, next_id;
    bool busy;
    bool stalled; /* the last job stopped mid-way and no status has answered since */
    bool asked;   /* the printer has been asked how it is at least once */
    struct ck_print_status status;
};

static void set_printer(struct ck_print *p, enum ck_printer_state st, const char *detail)
{
    pthread_mutex_lock(&p->mu);
    bool changed = p->status.printer != st || strcmp(p->status.printer_detail, detail) != 0;
    if (changed && p->status.printer != st)
        ck_info("print", "printer %s%s%s", ck_printer_state_name(st), *detail ? ": " : "", detail);
    p->status.printer = st;
    snprintf(p->status.printer_detail, sizeof p->status.printer_detail, "%.159s", detail);
    pthread_mutex_unlock(&p->mu);
    if (changed && p->notify)
        p->notify(p->ctx);
}

static void set_job(struct ck_print *p, int id, enum ck_job_state st, const char *detail)
{
    pthread_mutex_lock(&p->mu);
    if (p->status.job == id) {
        p->status.job_state = st;
        snprintf(p->status.job_detail, sizeof p->status.job_detail, "%.159s", detail);
    }
    pthread_mutex_unlock(&p->mu);
    if (p->notify)
        p->notify(p->ctx);
}

/* Asks an open printer for its state; `no_reply` when it did not answer at all. */
static enum ck_printer_state ask(struct ck_print *p, struct ck_transport *t, bool *no_reply)
{
    if (t->kind == CK_TR_FILE) {
        *no_reply = false;
        return CK_PRINTER_OK;
    }
    int s1 = ck_transport_query(t, 1, QUERY_MS);
    int s2 = s1 >= 0 ? ck_transport_query(t, 2, QUERY_MS) : -1;
    int s4 = s1 >= 0 ? ck_transport_query(t, 4, QUERY_MS) : -1;
    *no_reply = s1 < 0 && s2 < 0 && s4 < 0;
    enum ck_printer_state st = ck_escpos_status(s1, s2, s4);
    if (*no_reply && p->stalled)
        st = CK_PRINTER_OFFLINE; /* silent, and it stopped taking data: not usable */
    return st;
}

static void poll_status(struct ck_print *p)
{
    struct ck_transport t;
    char err[CK_ERR_LEN];
    if (ck_transport_open(&t, p->uri, OPEN_MS, err, sizeof err)) {
        set_printer(p, CK_PRINTER_OFFLINE, err);
        return;
    }
    bool silent;
    enum ck_printer_state st = ask(p, &t, &silent);
    ck_transport_close(&t);
    if (!silent)
        p->stalled = false;
    set_printer(p, st, silent && st == CK_PRINTER_OFFLINE ? "the printer does not answer" : "");
}

static void run_job(struct ck_print *p, struct job *j)
{
    struct ck_transport t;
    char err[CK_ERR_LEN], why[200];
    set_job(p, j->id, CK_JOB_PRINTING, "");
    if (ck_transport_open(&t, p->uri, OPEN_MS, err, sizeof err)) {
        set_printer(p, CK_PRINTER_OFFLINE, err);
        set_job(p, j->id, CK_JOB_FAILED, err);
        return;
    }
    bool silent;
    enum ck_printer_state st = ask(p, &t, &silent);
    if (!ck_printer_state_usable(st)) {
        ck_transport_close(&t);
        set_printer(p, st, "");
        snprintf(why, sizeof why, "printer %s", ck_printer_state_name(st));
        set_job(p, j->id, CK_JOB_FAILED, why);
        return;
    }
    if (ck_transport_write(&t, ck_buf_str(&j->bytes), j->bytes.len, STALL_MS, err, sizeof err) ||
        ck_transport_drain(&t, STALL_MS, err, sizeof err)) {
        /* Stopped mid-job: ask why (a printer with a full buffer may not answer). */
        p->stalled = true;
        st = ask(p, &t, &silent);
        ck_transport_close(&t);
        set_printer(p, st == CK_PRINTER_OK || st == CK_PRINTER_UNKNOWN ? CK_PRINTER_OFFLINE : st,
                    err);
        ck_warn("print", "job %d stopped: %s", j->id, err);
        set_job(p, j->id, CK_JOB_FAILED, err);
        return;
    }
    /* Status replies come in stream order: this one speaks for the job just sent. */
    st = ask(p, &t, &silent);
    ck_transport_close(&t);
    if (!silent)
        p->stalled = false;
    set_printer(p, st, "");
    if (!ck_printer_state_usable(st)) {
        snprintf(why, sizeof why, "the printer reported %s while printing", ck_printer_state_name(st));
        ck_warn("print", "job %d: %s", j->id, why);
        set_job(p, j->id, CK_JOB_FAILED, why);
        return;
    }
    ck_info("print", "job %d printed (%zu bytes)", j->id, j->bytes.len);
    set_job(p, j->id, CK_JOB_DONE, "");
}

static void *run(void *arg)
{
    struct ck_print *p = arg;
    if (p->kind != CK_TR_NONE)
        poll_status(p);
    pthread_mutex_lock(&p->mu);
    p->asked = true;
    while (!p->stop) {
        if (p->nqueue) {
            struct job j = p->queue[0];
            memmove(&p->queue[0], &p->queue[1], (size_t)(p->nqueue - 1) * sizeof p->queue[0]);
            p->nqueue--;
            p->busy = true;
            pthread_mutex_unlock(&p->mu);
            run_job(p, &j);
            ck_buf_deinit(&j.bytes);
            pthread_mutex_lock(&p->mu);
            p->busy = false;
            continue;
        }
        if (p->idle_poll_ms > 0 && p->kind != CK_TR_NONE) {
            /* A printer that is fine is asked a twelfth as often (a minute, not 5 s): paper
             * runs out while printing, which each job's own status check sees, and an idle
             * kiosk should not wake (docs/performance.md, CPU while idle). One that is not
             * fine is asked at the full rate, so a new roll shows at once. */
            int ms = p->status.printer == CK_PRINTER_OK ? 12 * p->idle_poll_ms : p->idle_poll_ms;
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += ms / 1000;
            ts.tv_nsec += (long)(ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L)
                ts.tv_sec++, ts.tv_nsec -= 1000000000L;
            if (pthread_cond_timedwait(&p->cond, &p->mu, &ts) != 0 && !p->stop && !p->nqueue) {
                pthread_mutex_unlock(&p->mu);
                poll_status(p);
                pthread_mutex_lock(&p->mu);
            }
        } else {
            pthread_cond_wait(&p->cond, &p->mu);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct ck_print *ck_print_start(const char *uri, int idle_poll_ms, void (*notify)(void *ctx),
                                void *ctx, char *err, size_t errlen)
{
    enum ck_transport_kind kind;
    char where[512];
    if (ck_transport_parse(uri, &kind, where, sizeof where, err, errlen))
        return NULL;
    struct ck_print *p = calloc(1, sizeof *p);
    if (!p || !(p->uri = strdup(uri ? uri : "none"))) {
        free(p);
        ck_fail(err, errlen, CK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    p->kind = kind;
    p->idle_poll_ms = idle_poll_ms;
    p->notify = notify;
    p->ctx = ctx;
    p->status.printer = kind == CK_TR_NONE ? CK_PRINTER_NONE : CK_PRINTER_UNKNOWN;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        ck_fail(err, errlen, CK_ERR_NOMEM, "cannot start the print thread");
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->mu);
        free(p->uri);
        free(p);
        return NULL;
    }
    return p;
}

void ck_print_stop(struct ck_print *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    for (int i = 0; i < p->nqueue; i++)
        ck_buf_deinit(&p->queue[i].bytes);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mu);
    free(p->uri);
    free(p);
}

enum ck_err ck_print_submit(struct ck_print *p, const struct ck_buf *bytes, int *job)
{
    if (!p || p->kind == CK_TR_NONE)
        return CK_ERR_NOT_FOUND;
    pthread_mutex_lock(&p->mu);
    enum ck_err rc = CK_OK;
    if (p->nqueue == QUEUE) {
        rc = CK_ERR_BUSY;
    } else {
        struct job *j = &p->queue[p->nqueue];
        ck_buf_init(&j->bytes);
        rc = ck_buf_append(&j->bytes, ck_buf_str(bytes), bytes->len);
        if (!rc) {
            j->id = ++p->next_id;
            p->nqueue++;
            p->status.job = j->id;
            p->status.job_state = CK_JOB_QUEUED;
            p->status.job_detail[0] = '\0';
            if (job)
                *job = j->id;
            pthread_cond_signal(&p->cond);
        } else {
            ck_buf_deinit(&j->bytes);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void ck_print_status(struct ck_print *p, struct ck_print_status *out)
{
    if (!p) {
        memset(out, 0, sizeof *out);
        out->printer = CK_PRINTER_NONE;
        return;
    }
    pthread_mutex_lock(&p->mu);
    *out = p->status;
    pthread_mutex_unlock(&p->mu);
}

bool ck_print_idle(struct ck_print *p)
{
    if (!p)
        return true;
    pthread_mutex_lock(&p->mu);
    bool idle = !p->nqueue && !p->busy && (p->asked || p->kind == CK_TR_NONE);
    pthread_mutex_unlock(&p->mu);
    return idle;
}
