/* conform: closed-loop replay of a real driver recording against the device model.
 * See conform.h for the command and traces/README.md ("conform") for the method:
 * how frames are aligned with the trace, how the driver's memory side is emulated,
 * what is compared and which differences are tolerated (named quirks). */
#include "traces/conform.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/gmem.h"
#include "model/lance/pcnet.h"
#include "traces/dtmem.h"
#include "traces/dtrace.h"
#include "traces/pcapin.h"
#include "traces/qemulog.h"

enum { CF_EXIT_OK = 0, CF_EXIT_MISMATCH = 1, CF_EXIT_INPUT = 2 };

#define CF_GMEM_SIZE     (1ull << 32)  /* guest RAM seen by the model (sparse) */
#define CF_MIN_FRAME     60u           /* shortest frame on the wire without FCS */
#define CF_PULL_NS       5000000ull    /* how far an RX frame may move to meet the trace */
#define CF_DEFAULT_SHOW  20
#define CF_REG_ROWS      (2 + 128 + 128 + 2)

/* CSR0 bits the driver side needs (data sheet names) */
#define CF_CSR0_INIT 0x0001u
#define CF_CSR0_TDMD 0x0008u
#define CF_CSR0_RINT 0x0400u
#define CF_CSR3_MASKS 0x5f00u
#define CF_CSR3_RINTM 0x0400u

/* ---- tolerated differences: each a named quirk, a bit mask or a ±1 window ---- */
typedef enum CfTolId {
    TOL_ASYNC_EDGE,     /* ±1 access: an edge raised outside any port access */
    TOL_POLL_ON_ACCESS, /* ±1 access: model without QEMU's poll on every access */
    TOL_TDMD_STICKY,    /* CSR0 mask 0x0008 */
    TOL_TXON_AFTER_STOP,/* CSR0 mask 0x0010 */
    TOL_TXSTRT_BIT2,    /* CSR4 mask 0x000c */
    TOL_NO_TX_PAD,      /* frame = recorded frame + zero padding to 60 bytes */
    TOL_COUNT
} CfTolId;

typedef struct CfTol {
    const char *name;
    const char *what;
    bool enabled;
    unsigned long count;
} CfTol;

typedef struct CfEdge {
    size_t pos;        /* accesses completed before the edge (see README) */
    uint8_t level;
    bool async;
    unsigned line;     /* trace line (trace edges) */
} CfEdge;

typedef struct CfEdges {
    CfEdge *v;
    size_t n, cap;
} CfEdges;

typedef struct CfReg {
    unsigned long acc, reads, compared, mism, tol;
} CfReg;

typedef struct Cf {
    /* options */
    const char *trace_path, *pcap_path;
    PcnetProfile profile;
    int show;
    bool quiet, mac_given;
    uint8_t mac[6];
    /* inputs */
    QemulogTrace tr;
    char (*names)[12];
    size_t *acc;          /* acc[a] = record index of access a */
    size_t nacc;
    size_t *done_before;  /* per record: accesses before it */
    PcapinFrames pc;
    size_t *txf, ntx;     /* pcap indices of frames the VM sent */
    size_t *rxf, nrx;     /* ... and received */
    /* plan */
    size_t *tx_rec;       /* record before which TX frame k is placed */
    size_t *rx_rec;       /* record before which RX frame j is injected (planned) */
    uint64_t *rx_t;       /* its time on the trace's clock */
    size_t *next_csr0_read, *next_rint_ack; /* per access, SIZE_MAX: none */
    bool napi, have_init_events;
    /* model */
    Pcnet *dev;
    Gmem *mem;
    PcnetQuirks q;
    uint64_t now, deadline;
    bool armed;
    size_t done;          /* accesses completed */
    int mode;             /* 0 between accesses, 1 in a read, 2 in a write */
    size_t cur_rec;
    CfEdges tedges, medges;
    /* driver side: the emulated memory (traces/dtmem.h) and the CSR3 the driver wrote */
    DtMem dm;
    uint16_t csr3w;
    bool napi_active;     /* between the ISR's CSR3 mask write and the poll's unmask */
    size_t tx_placed, tx_emitted, rx_next;
    size_t *tx_placed_k;  /* frame index of each placement, in placement order */
    /* results */
    unsigned long A, R, M, T, E, F;
    unsigned long tx_matched, tx_missing, tx_extra, tx_no_frame;
    unsigned long rx_ok, rx_bad, rx_filtered, rx_missed, rx_refused, rx_pulled, rx_postponed;
    unsigned long guest_errors, listed;
    CfReg reg[CF_REG_ROWS];
    CfTol tol[TOL_COUNT];
} Cf;

/* ------------------------------------------------------------------ helpers */

static void cf_mismatch(Cf *c, unsigned line, const char *fmt, ...)
{
    c->M++;
    if ((int)c->listed >= c->show)
        return;
    c->listed++;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line)
        printf("mismatch %s:%u: %s\n", c->trace_path, line, msg);
    else
        printf("mismatch: %s\n", msg);
}

static void cf_tolerate(Cf *c, CfTolId id)
{
    c->M++;
    c->T++;
    c->tol[id].count++;
}

static int cf_reg_row(const char *name)
{
    if (!strncmp(name, "APROM", 5))
        return 0;
    if (!strcmp(name, "RAP"))
        return 1;
    if (!strncmp(name, "CSR", 3))
        return 2 + (atoi(name + 3) & 127);
    if (!strncmp(name, "BCR", 3))
        return 130 + (atoi(name + 3) & 127);
    if (!strcmp(name, "RESET"))
        return 258;
    return 259;
}

static void cf_reg_name(int row, char *buf, size_t n)
{
    if (row == 0)
        snprintf(buf, n, "APROM");
    else if (row == 1)
        snprintf(buf, n, "RAP");
    else if (row < 130)
        snprintf(buf, n, "CSR%d", row - 2);
    else if (row < 258)
        snprintf(buf, n, "BCR%d", row - 130);
    else
        snprintf(buf, n, row == 258 ? "RESET" : "other");
}

static void cf_edge_push(CfEdges *e, CfEdge x)
{
    if (e->n == e->cap) {
        size_t nc = e->cap ? 2 * e->cap : 256;
        CfEdge *nv = realloc(e->v, nc * sizeof *nv);
        if (!nv)
            return; /* out of memory: the edge is lost and shows up as a mismatch */
        e->v = nv;
        e->cap = nc;
    }
    e->v[e->n++] = x;
}

static const char *cf_mac_str(const uint8_t *m, char *buf)
{
    sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

/* ------------------------------------------------------------------ device ops */

static int cf_dma_read(void *o, uint64_t addr, void *buf, size_t len)
{
    Cf *c = o;
    return gmem_read(c->mem, addr, buf, len);
}

static int cf_dma_write(void *o, uint64_t addr, const void *buf, size_t len)
{
    Cf *c = o;
    return gmem_write(c->mem, addr, buf, len);
}

static void cf_set_irq(void *o, int level)
{
    Cf *c = o;
    CfEdge e = {0};
    e.level = (uint8_t)(level != 0);
    e.pos = c->mode == 2 ? c->done + 1 : c->done;
    e.async = c->mode == 0;
    e.line = c->cur_rec < c->tr.n ? c->tr.recs[c->cur_rec].line : 0;
    cf_edge_push(&c->medges, e);
}

static bool cf_pad_equal(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen)
{
    if (wlen >= CF_MIN_FRAME || glen != CF_MIN_FRAME || memcmp(got, want, wlen) != 0)
        return false;
    for (size_t i = wlen; i < glen; i++)
        if (got[i])
            return false;
    return true;
}

static void cf_frame_out(void *o, const uint8_t *frame, size_t len, bool fcs)
{
    Cf *c = o;
    size_t k = c->tx_emitted++;
    unsigned line = c->cur_rec < c->tr.n ? c->tr.recs[c->cur_rec].line : 0;
    if (k >= c->ntx) {
        c->tx_extra++;
        cf_mismatch(c, line, "the model sent frame %zu (%zu bytes) but the pcap has only %zu from the VM",
                    k + 1, len, c->ntx);
        return;
    }
    const PcapinFrame *f = &c->pc.v[c->txf[k]];
    if (len == f->len && memcmp(frame, f->data, len) == 0) {
        c->tx_matched++;
        c->F++;
        return;
    }
    if (c->tol[TOL_NO_TX_PAD].enabled && cf_pad_equal(frame, len, f->data, f->len)) {
        cf_tolerate(c, TOL_NO_TX_PAD);
        c->tx_matched++;
        c->F++;
        return;
    }
    size_t d = 0;
    while (d < len && d < f->len && frame[d] == f->data[d])
        d++;
    cf_mismatch(c, line, "transmitted frame %zu differs from pcap packet %u: %zu vs %u bytes, first "
                "difference at byte %zu", k + 1, f->index, len, f->len, d);
    (void)fcs;
}

static uint64_t cf_now(void *o)
{
    return ((Cf *)o)->now;
}

static void cf_timer_arm(void *o, uint64_t delay)
{
    Cf *c = o;
    c->armed = true;
    c->deadline = c->now + delay;
}

static void cf_timer_cancel(void *o)
{
    ((Cf *)o)->armed = false;
}

/* The model's guest-error log: listed (the first few) and counted, not a mismatch:
 * the real driver does things the data sheet calls reserved (pcnet32_close writes
 * BCR20 <- 4), and the recorded device logged those too. Whether an access had the
 * recorded effect is judged by the reads, edges and frames that follow. */
static void cf_guest_error(void *o, const char *msg)
{
    Cf *c = o;
    c->guest_errors++;
    if (c->guest_errors > 5 || c->quiet)
        return;
    unsigned line = c->cur_rec < c->tr.n ? c->tr.recs[c->cur_rec].line : 0;
    printf("note %s:%u: model guest-error log: %s\n", c->trace_path, line, msg);
}

/* Model time follows the trace: fire the poll timer at its deadlines up to t. */
static void cf_advance(Cf *c, uint64_t t)
{
    int guard = 0;
    while (c->armed && c->deadline <= t && guard++ < 100000) {
        c->now = c->deadline > c->now ? c->deadline : c->now;
        c->armed = false;
        int m = c->mode;
        c->mode = 0;
        pcnet_timer_expired(c->dev);
        c->mode = m;
    }
    if (t > c->now)
        c->now = t;
}

/* ------------------------------------------------------------------ driver memory side */

/* pcnet32_start_xmit's memory side for TX frame k (traces/dtmem.h). */
static void cf_place_tx(Cf *c, size_t k)
{
    if (!c->dm.rings)
        return;
    if (k >= c->ntx) {
        c->tx_no_frame++;
        return;
    }
    const PcapinFrame *f = &c->pc.v[c->txf[k]];
    c->tx_placed_k[c->tx_placed++] = k;
    dtmem_place_tx(&c->dm, f->data, f->len);
}

/* ------------------------------------------------------------------ receive side */

static void cf_check_rx(Cf *c, const PcapinFrame *f, PcnetRxResult res, unsigned line)
{
    switch (res) {
    case PCNET_RX_FILTERED:
        c->rx_filtered++;
        return;
    case PCNET_RX_MISSED:
        c->rx_missed++;
        return;
    case PCNET_RX_REFUSED:
        c->rx_refused++;
        return;
    case PCNET_RX_ERROR:
        c->rx_bad++;
        cf_mismatch(c, line, "received frame (pcap packet %u, %u bytes) stored with an error status",
                    f->index, f->len);
        if (c->dm.rings)
            c->dm.rx_hw = (c->dm.rx_hw + 1) % c->dm.nrxd;
        return;
    case PCNET_RX_OK:
        break;
    }
    if (!c->dm.rings) {
        c->rx_bad++;
        cf_mismatch(c, line, "frame received before any ring was set up (pcap packet %u)", f->index);
        return;
    }
    unsigned i = c->dm.rx_hw;
    c->dm.rx_hw = (c->dm.rx_hw + 1) % c->dm.nrxd;
    uint16_t st;
    uint32_t misc;
    dtmem_get_rx_desc(&c->dm, i, &st, &misc);
    unsigned want_mcnt = (f->len < CF_MIN_FRAME ? CF_MIN_FRAME : f->len) + DTMEM_FCS;
    unsigned mcnt = misc & 0xfff;
    uint8_t buf[DTMEM_RX_BUF];
    size_t n = f->len < DTMEM_RX_BUF ? f->len : DTMEM_RX_BUF;
    bool data_ok = gmem_read(c->mem, dtmem_rx_buf(&c->dm, i), buf, n) == 0 && memcmp(buf, f->data, n) == 0;
    if ((st >> 8) != 0x03 || mcnt != want_mcnt || !data_ok) {
        c->rx_bad++;
        cf_mismatch(c, line, "RX descriptor %u for pcap packet %u: status 0x%04x (want 0x03xx), MCNT %u "
                    "(want %u), data %s", i, f->index, st, mcnt, want_mcnt, data_ok ? "equal" : "differs");
        return;
    }
    c->rx_ok++;
    c->F++;
}

static void cf_inject(Cf *c, size_t j, uint64_t t)
{
    const PcapinFrame *f = &c->pc.v[c->rxf[j]];
    /* While the NAPI poll runs (interrupts masked in CSR3) the driver consumes frames
     * as they come, without port I/O: hand back what the chip has filled so far. */
    if (c->napi_active)
        dtmem_recycle(&c->dm);
    cf_advance(c, t);
    int m = c->mode;
    c->mode = 0;
    PcnetRxResult res = pcnet_receive(c->dev, f->data, f->len);
    c->mode = m;
    cf_check_rx(c, f, res, c->cur_rec < c->tr.n ? c->tr.recs[c->cur_rec].line : 0);
}

/* ------------------------------------------------------------------ planning */

static bool cf_is(const Cf *c, size_t a, DtraceKind k, const char *name)
{
    const DtraceRec *r = &c->tr.recs[c->acc[a]];
    return r->kind == k && !strcmp(c->names[c->acc[a]], name);
}

static int cf_plan(Cf *c, char *err, size_t errlen)
{
    const QemulogTrace *t = &c->tr;
    c->names = qemulog_reg_names(t);
    c->acc = malloc((t->n + 1) * sizeof *c->acc);
    c->done_before = malloc((t->n + 1) * sizeof *c->done_before);
    if (!c->names || !c->acc || !c->done_before)
        goto oom;
    for (size_t i = 0; i < t->n; i++) {
        c->done_before[i] = c->nacc;
        const DtraceRec *r = &t->recs[i];
        if (r->kind == DTRACE_READ || r->kind == DTRACE_WRITE)
            c->acc[c->nacc++] = i;
        if (r->kind == DTRACE_INIT)
            c->have_init_events = true;
        if (r->kind == DTRACE_IRQ) {
            CfEdge e = {c->done_before[i], r->level, r->async, r->line};
            cf_edge_push(&c->tedges, e);
        }
    }
    c->done_before[t->n] = c->nacc;
    for (size_t a = 0; a < c->nacc; a++)
        if (cf_is(c, a, DTRACE_WRITE, "CSR3") && (t->recs[c->acc[a]].value & CF_CSR3_MASKS) == CF_CSR3_MASKS)
            c->napi = true;
    /* lookahead tables */
    c->next_csr0_read = malloc((c->nacc + 1) * sizeof(size_t));
    c->next_rint_ack = malloc((c->nacc + 1) * sizeof(size_t));
    if (!c->next_csr0_read || !c->next_rint_ack)
        goto oom;
    c->next_csr0_read[c->nacc] = c->next_rint_ack[c->nacc] = SIZE_MAX;
    for (size_t a = c->nacc; a-- > 0;) {
        const DtraceRec *r = &t->recs[c->acc[a]];
        c->next_csr0_read[a] = cf_is(c, a, DTRACE_READ, "CSR0") ? a : c->next_csr0_read[a + 1];
        c->next_rint_ack[a] = cf_is(c, a, DTRACE_WRITE, "CSR0") && (r->value & CF_CSR0_RINT)
                                  ? a : c->next_rint_ack[a + 1];
    }
    /* TX: the k-th transmit demand sends the k-th frame the VM sent; the frame is in
     * the ring from the first port access of start_xmit (the RAP write just before
     * the CSR0 write), which is where the driver has just written the descriptor. */
    c->tx_rec = malloc((c->ntx + 1) * sizeof *c->tx_rec);
    c->tx_placed_k = malloc((c->ntx + 1) * sizeof *c->tx_placed_k);
    c->rx_rec = malloc((c->nrx + 1) * sizeof *c->rx_rec);
    c->rx_t = malloc((c->nrx + 1) * sizeof *c->rx_t);
    if (!c->tx_rec || !c->tx_placed_k || !c->rx_rec || !c->rx_t)
        goto oom;
    size_t k = 0, ndemand = 0;
    int64_t *off = malloc((c->ntx + 1) * sizeof *off);
    if (!off)
        goto oom;
    for (size_t a = 0; a < c->nacc; a++) {
        if (!(cf_is(c, a, DTRACE_WRITE, "CSR0") && (t->recs[c->acc[a]].value & CF_CSR0_TDMD)))
            continue;
        ndemand++;
        if (k >= c->ntx)
            continue;
        size_t p = a;
        if (a > 0 && cf_is(c, a - 1, DTRACE_WRITE, "RAP"))
            p = a - 1;
        c->tx_rec[k] = c->acc[p];
        off[k] = (int64_t)c->pc.v[c->txf[k]].t_ns - (int64_t)t->recs[c->acc[p]].t_ns;
        k++;
    }
    size_t nplaced = k;
    for (; k < c->ntx; k++)
        c->tx_rec[k] = SIZE_MAX;
    if (ndemand != c->ntx && c->pc.n)
        fprintf(stderr, "conform: note: %zu transmit demands in the trace, %zu frames from the VM in the pcap\n",
                ndemand, c->ntx);
    /* RX: the pcap's clock is mapped onto the trace's by the transmit pairs (median
     * offset of the nearest five); each received frame is planned at its mapped time. */
    int64_t base_off = 0;
    if (nplaced == 0 && c->pc.n && c->nacc)
        base_off = (int64_t)c->pc.v[0].t_ns - (int64_t)t->recs[c->acc[0]].t_ns;
    uint64_t *txt = malloc((nplaced + 1) * sizeof *txt), *rxt = malloc((c->nrx + 1) * sizeof *rxt);
    if (!txt || !rxt) {
        free(txt);
        free(rxt);
        free(off);
        goto oom;
    }
    for (size_t x = 0; x < nplaced; x++)
        txt[x] = c->pc.v[c->txf[x]].t_ns;
    for (size_t j = 0; j < c->nrx; j++)
        rxt[j] = c->pc.v[c->rxf[j]].t_ns;
    dtmem_plan_rx(t->recs, t->n, off, txt, nplaced, base_off, rxt, c->nrx, c->rx_t, c->rx_rec);
    free(txt);
    free(rxt);
    free(off);
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* An RX frame planned before record r: if the trace reads CSR0 with RINT clear
 * before the driver acknowledges any RINT, the frame cannot have arrived yet:
 * move it just after that read (within CF_PULL_NS of its mapped time). */
static size_t cf_postpone(Cf *c, size_t j, size_t r)
{
    const QemulogTrace *t = &c->tr;
    for (int guard = 0; guard < 64; guard++) {
        size_t a = c->done_before[r];
        if (a >= c->nacc)
            return r;
        size_t rd = c->next_csr0_read[a];
        if (rd == SIZE_MAX)
            return r;
        size_t ack = c->next_rint_ack[a];
        if (ack != SIZE_MAX && ack < rd)
            return r;
        const DtraceRec *rr = &t->recs[c->acc[rd]];
        if (rr->value & CF_CSR0_RINT)
            return r;
        if (rr->t_ns > c->rx_t[j] + CF_PULL_NS)
            return r;
        r = c->acc[rd] + 1;
        c->rx_postponed++;
    }
    return r;
}

/* ------------------------------------------------------------------ replay */

static void cf_do_events_for_init(Cf *c, size_t ri)
{
    dtmem_init_events(&c->dm, c->tr.recs, c->tr.n, ri, c->have_init_events);
}

static void cf_read(Cf *c, const DtraceRec *r, const char *name, CfReg *row)
{
    c->R++;
    row->compared++;
    uint32_t got = pcnet_io_read(c->dev, r->off, r->size);
    uint32_t mask = r->size == 4 ? 0xffffffffu : (1u << (8 * r->size)) - 1;
    got &= mask;
    if (got == r->value)
        return;
    uint32_t diff = got ^ r->value;
    CfTolId id = TOL_COUNT;
    if (!strcmp(name, "CSR0")) {
        uint32_t m = 0;
        if (c->tol[TOL_TDMD_STICKY].enabled)
            m |= 0x0008;
        if (c->tol[TOL_TXON_AFTER_STOP].enabled)
            m |= 0x0010;
        if ((diff & ~m) == 0)
            id = (diff & 0x0008) ? TOL_TDMD_STICKY : TOL_TXON_AFTER_STOP;
    } else if (!strcmp(name, "CSR4") && c->tol[TOL_TXSTRT_BIT2].enabled && (diff & ~0x000cu) == 0) {
        id = TOL_TXSTRT_BIT2;
    }
    row->mism++;
    if (id != TOL_COUNT) {
        row->tol++;
        cf_tolerate(c, id);
        return;
    }
    cf_mismatch(c, r->line, "%s read 0x%0*x, model 0x%0*x (access #%zu)", name, 2 * r->size, r->value,
                2 * r->size, got, c->done + 1);
}

static void cf_access(Cf *c, size_t ri)
{
    const DtraceRec *r = &c->tr.recs[ri];
    const char *name = c->names[ri];
    size_t a = c->done;
    CfReg *row = &c->reg[cf_reg_row(name)];
    row->acc++;
    c->A++;
    /* driver-side bookkeeping from what the driver wrote */
    if (r->kind == DTRACE_WRITE)
        dtmem_note_write(&c->dm, name, (uint16_t)r->value);
    /* NAPI completion (read CSR3 while the masks are set): the poll has consumed
     * the received frames and reclaimed the sent ones before this point. */
    if (c->napi && cf_is(c, a, DTRACE_WRITE, "RAP") && (r->value & 0x7f) == 3 && a + 1 < c->nacc &&
        cf_is(c, a + 1, DTRACE_READ, "CSR3") && (c->csr3w & CF_CSR3_RINTM))
        dtmem_recycle(&c->dm);
    if (r->kind == DTRACE_WRITE && !strcmp(name, "CSR0") && (r->value & CF_CSR0_INIT))
        cf_do_events_for_init(c, ri);
    c->mode = r->kind == DTRACE_READ ? 1 : 2;
    if (r->kind == DTRACE_READ) {
        row->reads++;
        /* The latest moment the recording allows a frame to arrive: before the read
         * that reports its RINT. */
        if (!strcmp(name, "CSR0") && (r->value & CF_CSR0_RINT) && !(pcnet_csr(c->dev, 0) & CF_CSR0_RINT)) {
            int m = c->mode;
            c->mode = 0;
            while (c->rx_next < c->nrx && c->rx_t[c->rx_next] <= r->t_ns + CF_PULL_NS &&
                   !(pcnet_csr(c->dev, 0) & CF_CSR0_RINT)) {
                c->rx_pulled++;
                cf_inject(c, c->rx_next, r->t_ns);
                c->rx_next++;
            }
            c->mode = m;
        }
        cf_read(c, r, name, row);
    } else {
        pcnet_io_write(c->dev, r->off, r->size, r->value);
    }
    c->mode = 0;
    c->done++;
    if (r->kind == DTRACE_WRITE && !strcmp(name, "CSR3")) {
        c->csr3w = (uint16_t)r->value;
        c->napi_active = c->napi && (c->csr3w & CF_CSR3_RINTM);
    }
    if (!c->napi && r->kind == DTRACE_WRITE && !strcmp(name, "CSR0") && (r->value & 0x0600))
        dtmem_recycle(&c->dm); /* legacy driver: RX/TX work inside the ISR after the acknowledge */
}

/* Pairs recorded and model edges in order: a pair matches when the levels agree and
 * the positions are equal, or differ by one access under a tolerated quirk. An edge
 * that cannot be paired is a mismatch; the earlier of two unpaired edges is
 * reported first, which resynchronises the two sequences after an extra pulse. */
static bool cf_edge_pair(Cf *c, const CfEdge *t, const CfEdge *m)
{
    if (t->level != m->level)
        return false;
    size_t d = t->pos > m->pos ? t->pos - m->pos : m->pos - t->pos;
    if (d == 0)
        return true;
    if (d > 1)
        return false;
    if (t->async || m->async) {
        cf_tolerate(c, TOL_ASYNC_EDGE);
        return true;
    }
    if (c->tol[TOL_POLL_ON_ACCESS].enabled) {
        cf_tolerate(c, TOL_POLL_ON_ACCESS);
        return true;
    }
    return false;
}

static void cf_compare_edges(Cf *c)
{
    size_t i = 0, j = 0;
    CfEdges *te = &c->tedges, *me = &c->medges;
    c->E = te->n;
    while (i < te->n || j < me->n) {
        if (i < te->n && j < me->n && cf_edge_pair(c, &te->v[i], &me->v[j])) {
            i++, j++;
            continue;
        }
        if (j >= me->n || (i < te->n && te->v[i].pos <= me->v[j].pos)) {
            cf_mismatch(c, te->v[i].line, "recorded IRQ %s after access #%zu: not at this place in the model",
                        te->v[i].level ? "rise" : "fall", te->v[i].pos);
            i++;
        } else {
            cf_mismatch(c, me->v[j].line, "model IRQ %s after access #%zu: not in the recording",
                        me->v[j].level ? "rise" : "fall", me->v[j].pos);
            j++;
        }
    }
}

static void cf_report(Cf *c)
{
    if (!c->quiet) {
        printf("\n%-8s %9s %9s %9s %10s %9s\n", "register", "accesses", "reads", "compared", "mismatches",
               "tolerated");
        for (int i = 0; i < CF_REG_ROWS; i++) {
            CfReg *g = &c->reg[i];
            if (!g->acc)
                continue;
            char nm[16];
            cf_reg_name(i, nm, sizeof nm);
            printf("%-8s %9lu %9lu %9lu %10lu %9lu\n", nm, g->acc, g->reads, g->compared, g->mism, g->tol);
        }
        printf("\nirq edges: %zu recorded, %zu from the model\n", c->tedges.n, c->medges.n);
        printf("frames: tx %lu/%zu matched (%lu not sent, %lu extra, %lu demands without a frame), "
               "rx %lu/%zu delivered as the chip would (%lu filtered, %lu missed, %lu refused, %lu bad)\n",
               c->tx_matched, c->ntx, c->tx_missing, c->tx_extra, c->tx_no_frame, c->rx_ok, c->nrx,
               c->rx_filtered, c->rx_missed, c->rx_refused, c->rx_bad);
        printf("model guest-error log lines: %lu\n", c->guest_errors);
        printf("alignment: %lu rx frames moved up to the read reporting RINT, %lu moved past a read "
               "showing RINT clear; %lu rx descriptors recycled\n", c->rx_pulled, c->rx_postponed,
               c->dm.recycled);
        printf("tolerated quirks:");
        bool any = false;
        for (int i = 0; i < TOL_COUNT; i++) {
            if (!c->tol[i].enabled)
                continue;
            printf("%s %s (%s) %lu", any ? "," : "", c->tol[i].name, c->tol[i].what, c->tol[i].count);
            any = true;
        }
        printf("%s\n", any ? "" : " none enabled");
        if (c->M - c->T > (unsigned long)c->listed)
            printf("(%lu more mismatches not listed; --show N lists more)\n", c->M - c->T - c->listed);
    }
    printf("conform: %lu accesses, %lu reads compared, %lu mismatches (%lu tolerated), %lu irq edges compared, "
           "%lu frames matched\n", c->A, c->R, c->M, c->T, c->E, c->F);
}

static void cf_init_tols(Cf *c)
{
    static const struct { const char *name, *what; } def[TOL_COUNT] = {
        [TOL_ASYNC_EDGE] = {"async_edge", "+-1 access, edge outside a port access"},
        [TOL_POLL_ON_ACCESS] = {"poll_on_access", "+-1 access"},
        [TOL_TDMD_STICKY] = {"tdmd_sticky", "CSR0 mask 0x0008"},
        [TOL_TXON_AFTER_STOP] = {"txon_after_stop", "CSR0 mask 0x0010"},
        [TOL_TXSTRT_BIT2] = {"txstrt_bit2", "CSR4 mask 0x000c"},
        [TOL_NO_TX_PAD] = {"no_tx_pad", "frame zero-padded to 60"},
    };
    for (int i = 0; i < TOL_COUNT; i++) {
        c->tol[i].name = def[i].name;
        c->tol[i].what = def[i].what;
    }
    /* A recording of QEMU 7.2 shows QEMU's behaviours: where the model does not
     * reproduce one (its quirk switch is off), the difference it causes is tolerated
     * by name; asynchronous host-thread timing is always tolerated by one access. */
    c->tol[TOL_ASYNC_EDGE].enabled = true;
    c->tol[TOL_POLL_ON_ACCESS].enabled = !c->q.poll_on_access;
    c->tol[TOL_TDMD_STICKY].enabled = !c->q.tdmd_sticky;
    c->tol[TOL_TXON_AFTER_STOP].enabled = !c->q.txon_after_stop;
    c->tol[TOL_TXSTRT_BIT2].enabled = !c->q.txstrt_bit2;
    c->tol[TOL_NO_TX_PAD].enabled = !c->q.no_tx_pad;
}

static int cf_run(Cf *c)
{
    char err[DTRACE_ERR_MAX];
    if (qemulog_load(c->trace_path, &c->tr, err, sizeof err) < 0) {
        fprintf(stderr, "conform: %s\n", err);
        return CF_EXIT_INPUT;
    }
    size_t nports = 0;
    for (size_t i = 0; i < c->tr.n; i++)
        nports += c->tr.recs[i].kind == DTRACE_READ || c->tr.recs[i].kind == DTRACE_WRITE;
    if (nports == 0) {
        fprintf(stderr, "conform: %s: no pcnet port accesses in this %s trace\n", c->trace_path,
                qemulog_format_name(c->tr.format));
        return CF_EXIT_INPUT;
    }
    if (c->pcap_path && pcapin_load(c->pcap_path, &c->pc, err, sizeof err) < 0) {
        fprintf(stderr, "conform: %s\n", err);
        return CF_EXIT_INPUT;
    }
    if (!c->mac_given && qemulog_probe_mac(&c->tr, c->mac) < 0) {
        if (c->tr.hdr.has_mac)
            memcpy(c->mac, c->tr.hdr.mac, 6);
        else if (pcapin_guess_mac(&c->pc, c->mac) < 0) {
            fprintf(stderr, "conform: %s: no station address in the trace (no probe) and no pcap to guess "
                    "it from; give --mac\n", c->trace_path);
            return CF_EXIT_INPUT;
        }
    }
    pcapin_mark_direction(&c->pc, c->mac);
    c->txf = malloc((c->pc.n + 1) * sizeof *c->txf);
    c->rxf = malloc((c->pc.n + 1) * sizeof *c->rxf);
    if (!c->txf || !c->rxf) {
        fprintf(stderr, "conform: out of memory\n");
        return CF_EXIT_INPUT;
    }
    for (size_t i = 0; i < c->pc.n; i++) {
        if (c->pc.v[i].from_vm)
            c->txf[c->ntx++] = i;
        else
            c->rxf[c->nrx++] = i;
    }
    if (cf_plan(c, err, sizeof err) < 0) {
        fprintf(stderr, "conform: %s\n", err);
        return CF_EXIT_INPUT;
    }
    c->mem = gmem_new(CF_GMEM_SIZE);
    PcnetOps ops = {
        .opaque = c, .dma_read = cf_dma_read, .dma_write = cf_dma_write, .set_irq = cf_set_irq,
        .frame_out = cf_frame_out, .tx_pending = NULL, .now_ns = cf_now, .timer_arm = cf_timer_arm,
        .timer_cancel = cf_timer_cancel, .guest_error = cf_guest_error,
    };
    c->dev = c->mem ? pcnet_new(&ops, c->mac, c->profile) : NULL;
    if (!c->dev) {
        fprintf(stderr, "conform: cannot create the device model\n");
        return CF_EXIT_INPUT;
    }
    dtmem_init(&c->dm, c->mem, c->mac);
    pcnet_get_quirks(c->dev, &c->q);
    cf_init_tols(c);
    char ms[20];
    if (!c->quiet)
        printf("conform: %s (%s, %zu records, %zu accesses), pcap %s (%zu from the VM, %zu to it), "
               "VM MAC %s, profile %s\n", c->trace_path, qemulog_format_name(c->tr.format), c->tr.n,
               c->nacc, c->pcap_path ? c->pcap_path : "none", c->ntx, c->nrx, cf_mac_str(c->mac, ms),
               c->profile == PCNET_PROFILE_QEMU72 ? "qemu-7.2" : "datasheet");
    size_t txk = 0;
    for (size_t ri = 0; ri < c->tr.n; ri++) {
        const DtraceRec *r = &c->tr.recs[ri];
        c->cur_rec = ri;
        /* received frames planned before this record */
        while (c->rx_next < c->nrx && c->rx_rec[c->rx_next] <= ri) {
            size_t j = c->rx_next;
            const uint8_t *dst = c->pc.v[c->rxf[j]].data;
            if (pcnet_accepts(c->dev, dst)) {
                size_t np = cf_postpone(c, j, ri);
                if (np > ri) {
                    c->rx_rec[j] = np;
                    for (size_t x = j + 1; x < c->nrx && c->rx_rec[x] < np; x++)
                        c->rx_rec[x] = np;
                    break;
                }
            }
            uint64_t tj = c->rx_t[j] < r->t_ns ? c->rx_t[j] : r->t_ns;
            cf_inject(c, j, tj);
            c->rx_next++;
        }
        while (txk < c->ntx && c->tx_rec[txk] == ri) {
            cf_advance(c, r->t_ns);
            cf_place_tx(c, txk++);
        }
        cf_advance(c, r->t_ns);
        if (r->kind == DTRACE_READ || r->kind == DTRACE_WRITE)
            cf_access(c, ri);
        else if (r->kind == DTRACE_MEM && gmem_write(c->mem, r->addr, r->data, r->len) < 0)
            cf_mismatch(c, r->line, "MEM record outside the %llu-byte guest memory",
                        (unsigned long long)CF_GMEM_SIZE);
    }
    c->cur_rec = c->tr.n;
    if (c->tx_emitted < c->tx_placed) {
        c->tx_missing = c->tx_placed - c->tx_emitted;
        for (size_t x = c->tx_emitted; x < c->tx_placed; x++) {
            size_t k = c->tx_placed_k[x];
            cf_mismatch(c, c->tr.recs[c->tx_rec[k]].line, "frame %zu (pcap packet %u) was placed in the ring "
                        "but the model never sent it", k + 1, c->pc.v[c->txf[k]].index);
        }
    }
    cf_compare_edges(c);
    cf_report(c);
    return c->M == c->T ? CF_EXIT_OK : CF_EXIT_MISMATCH;
}

static void cf_free(Cf *c)
{
    if (c->dev)
        pcnet_free(c->dev);
    gmem_free(c->mem);
    qemulog_trace_free(&c->tr);
    pcapin_frames_free(&c->pc);
    free(c->names);
    free(c->acc);
    free(c->done_before);
    free(c->txf);
    free(c->rxf);
    free(c->tx_rec);
    free(c->tx_placed_k);
    free(c->rx_rec);
    free(c->rx_t);
    free(c->next_csr0_read);
    free(c->next_rint_ack);
    free(c->tedges.v);
    free(c->medges.v);
}

static const char cf_usage[] =
    "usage: vnicsim conform TRACE [--pcap PCAP] [--profile qemu-7.2|datasheet] [--mac MAC]\n"
    "                             [--show N] [--quiet]\n"
    "       vnicsim conform --import IN -o OUT\n"
    "TRACE: vnicsim-dtrace, raw QEMU log (-msg timestamp=on) or pcnet-ports.txt, plain or gzip.\n"
    "PCAP defaults to net.pcap next to TRACE. Exit: 0 when every mismatch is a tolerated quirk,\n"
    "1 otherwise, 2 for unreadable input. See traces/README.md.\n";

int conform_main(int argc, char **argv)
{
    Cf *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "conform: out of memory\n");
        return CF_EXIT_INPUT;
    }
    c->show = CF_DEFAULT_SHOW;
    c->profile = PCNET_PROFILE_DATASHEET;
    const char *import = NULL, *out = NULL;
    char *pcap_default = NULL;
    int rc = CF_EXIT_INPUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cf_usage, stdout);
            rc = CF_EXIT_OK;
            goto done;
        } else if (!strcmp(a, "--pcap") && v) {
            c->pcap_path = v, i++;
        } else if (!strcmp(a, "--profile") && v) {
            int p = pcnet_profile_parse(v);
            if (p < 0) {
                fprintf(stderr, "conform: unknown profile '%s' (datasheet, qemu-7.2)\n", v);
                goto done;
            }
            c->profile = (PcnetProfile)p;
            i++;
        } else if (!strcmp(a, "--mac") && v) {
            if (dtrace_parse_mac(v, c->mac) < 0) {
                fprintf(stderr, "conform: bad --mac '%s' (aa:bb:cc:dd:ee:ff)\n", v);
                goto done;
            }
            c->mac_given = true;
            i++;
        } else if (!strcmp(a, "--show") && v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 0 || n > 1000000) {
                fprintf(stderr, "conform: bad --show '%s'\n", v);
                goto done;
            }
            c->show = (int)n;
            i++;
        } else if (!strcmp(a, "--quiet")) {
            c->quiet = true;
        } else if (!strcmp(a, "--import") && v) {
            import = v, i++;
        } else if (!strcmp(a, "-o") && v) {
            out = v, i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "conform: unknown option or missing value: %s\n%s", a, cf_usage);
            goto done;
        } else if (!c->trace_path) {
            c->trace_path = a;
        } else {
            fprintf(stderr, "conform: more than one trace given ('%s')\n%s", a, cf_usage);
            goto done;
        }
    }
    if (import) {
        if (!out || c->trace_path) {
            fprintf(stderr, "conform: --import IN needs -o OUT and no TRACE\n");
            goto done;
        }
        char err[DTRACE_ERR_MAX];
        if (qemulog_convert(import, out, err, sizeof err) < 0) {
            fprintf(stderr, "conform: %s\n", err);
            goto done;
        }
        rc = CF_EXIT_OK;
        goto done;
    }
    if (!c->trace_path) {
        fputs(cf_usage, stderr);
        goto done;
    }
    if (!c->pcap_path) {
        const char *slash = strrchr(c->trace_path, '/');
        size_t dl = slash ? (size_t)(slash - c->trace_path + 1) : 0;
        pcap_default = malloc(dl + 16);
        if (pcap_default) {
            memcpy(pcap_default, c->trace_path, dl);
            strcpy(pcap_default + dl, "net.pcap");
            FILE *f = fopen(pcap_default, "rb");
            if (f) {
                fclose(f);
                c->pcap_path = pcap_default;
            }
        }
    }
    rc = cf_run(c);
done:
    cf_free(c);
    free(pcap_default);
    free(c);
    return rc;
}
