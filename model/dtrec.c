/* dtrec: the guest driver's register traffic as a vnicsim-dtrace trace; see dtrec.h. */
#include "model/dtrec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/lance/pcnet_regs.h"
#include "model/sys.h"
#include "traces/dtrace.h"
#include "traces/pcapout.h"

#define DTREC_PENDING 16 /* events one access can cause (INIT, RLEN, RINGS, edges) */
#define DTREC_DEMANDS 256 /* transmit demands whose frame the device has not sent yet */

struct Dtrec {
    Sys *s;
    DtraceWriter *w;
    char *path, *tmp;
    DrvPorts inner, ports;
    uint64_t last_ns, accesses;
    int line;                 /* last level written, -1: none yet */
    bool in_access, in_rx, failed;
    /* the frames' pcap (optional) */
    PcapoutWriter *pc;
    uint64_t rap_w_ns;        /* time of the last access if it was a RAP write, else ~0 */
    uint64_t demand[DTREC_DEMANDS];   /* demands waiting for their frame (ring) */
    unsigned d_head, d_n;
    struct DtrecFrame { uint8_t *data; size_t len; uint64_t t; } frame[DTREC_DEMANDS];
    unsigned f_head, f_n;             /* frames sent before their demand (ring) */
    DtraceRec pend[DTREC_PENDING];
    unsigned npend;
};

/* The simulated time now, in ns (the CPU's cursor while it runs). */
static uint64_t now_ns(Dtrec *r)
{
    const Sys *s = r->s;
    SimTime t = evq_now(s->q);
    if (!s->cpu.idle && s->cpu.t > t)
        t = s->cpu.t;
    return (uint64_t)(t / SIM_NS); /* put() keeps the trace's records non-decreasing */
}

static void put(Dtrec *r, const DtraceRec *rec, const char *comment)
{
    if (r->failed)
        return;
    DtraceRec c = *rec;
    if (c.t_ns < r->last_ns) /* an async edge written during the access came first */
        c.t_ns = r->last_ns;
    r->last_ns = c.t_ns;
    rec = &c;
    if (dtrace_write(r->w, rec, comment) < 0)
        r->failed = true;
}

static void pcap_put(Dtrec *r, uint64_t t, const uint8_t *data, size_t len)
{
    if (r->pc && pcapout_write(r->pc, t, data, (uint32_t)len, (uint32_t)len) != 0)
        r->failed = true;
}

/* Frames still waiting for a demand at the end: at the time they were sent. */
static void flush_frames(Dtrec *r)
{
    for (; r->f_n; r->f_n--, r->f_head = (r->f_head + 1) % DTREC_DEMANDS) {
        struct DtrecFrame *f = &r->frame[r->f_head];
        pcap_put(r, f->t, f->data, f->len);
        free(f->data);
        f->data = NULL;
    }
}

static void flush_pending(Dtrec *r)
{
    for (unsigned i = 0; i < r->npend; i++)
        put(r, &r->pend[i], NULL);
    r->npend = 0;
}

static void pend(Dtrec *r, const DtraceRec *rec)
{
    if (r->npend == DTREC_PENDING)
        flush_pending(r); /* cannot happen with one device: order kept anyway */
    r->pend[r->npend++] = *rec;
}

/* The register an access reaches, as the trace readers name it (the comment). */
static const char *reg_name(const Dtrec *r, uint32_t off, char *buf, size_t n)
{
    const Pcnet *d = r->s->dev;
    bool dw = pcnet_dwio(d);
    unsigned rap = pcnet_rap(d) & 0x7f;
    if (off < 0x10)
        snprintf(buf, n, "APROM[%u]", (unsigned)off);
    else if (off == 0x10)
        snprintf(buf, n, "CSR%u", rap);
    else if (off == (dw ? PCNET_DWIO_RAP : PCNET_WIO_RAP))
        snprintf(buf, n, "RAP");
    else if (off == (dw ? PCNET_DWIO_RESET : PCNET_WIO_RESET))
        snprintf(buf, n, "RESET");
    else if (off == (dw ? PCNET_DWIO_BDP : PCNET_WIO_BDP))
        snprintf(buf, n, "BCR%u", rap);
    else
        buf[0] = 0;
    return buf;
}

static uint32_t mask_of(unsigned size) { return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }

static uint32_t rec_in(void *opaque, uint32_t offset, unsigned size)
{
    Dtrec *r = opaque;
    char nb[16];
    reg_name(r, offset, nb, sizeof nb);
    bool reset = !strcmp(nb, "RESET");
    uint64_t t = now_ns(r);
    r->in_access = true;
    uint32_t v = r->inner.in(r->inner.opaque, offset, size);
    r->in_access = false;
    r->accesses++;
    if (reset)
        put(r, &(DtraceRec){.t_ns = t, .kind = DTRACE_SRESET}, NULL);
    for (unsigned i = 0; i < r->npend; i++) /* caused by the read: before it */
        r->pend[i].t_ns = t;
    flush_pending(r);
    r->rap_w_ns = UINT64_MAX;
    put(r, &(DtraceRec){.t_ns = t, .kind = DTRACE_READ, .off = (uint8_t)offset, .size = (uint8_t)size,
                        .value = v & mask_of(size)},
        nb[0] ? nb : NULL);
    return v;
}

static void rec_out(void *opaque, uint32_t offset, unsigned size, uint32_t value)
{
    Dtrec *r = opaque;
    const Pcnet *d = r->s->dev;
    char nb[16];
    reg_name(r, offset, nb, sizeof nb);
    bool csr0 = !strcmp(nb, "CSR0");
    bool init_before = (pcnet_csr(d, 0) & PCNET_CSR0_INIT) != 0;
    uint64_t t = now_ns(r);
    r->in_access = true;
    r->inner.out(r->inner.opaque, offset, size, value);
    r->in_access = false;
    r->accesses++;
    put(r, &(DtraceRec){.t_ns = t, .kind = DTRACE_WRITE, .off = (uint8_t)offset, .size = (uint8_t)size,
                        .value = value & mask_of(size)},
        nb[0] ? nb : NULL);
    if (csr0 && (value & 0x0008u)) { /* a transmit demand (TDMD): its frame's time in the pcap */
        uint64_t td = r->rap_w_ns != UINT64_MAX ? r->rap_w_ns : t;
        if (r->f_n) { /* the device polled the ring and sent it already */
            struct DtrecFrame *f = &r->frame[r->f_head];
            r->f_head = (r->f_head + 1) % DTREC_DEMANDS;
            r->f_n--;
            pcap_put(r, td, f->data, f->len);
            free(f->data);
            f->data = NULL;
        } else {
            if (r->d_n == DTREC_DEMANDS) { /* demands that sent nothing: forget the oldest */
                r->d_head = (r->d_head + 1) % DTREC_DEMANDS;
                r->d_n--;
            }
            r->demand[(r->d_head + r->d_n++) % DTREC_DEMANDS] = td;
        }
    }
    r->rap_w_ns = !strcmp(nb, "RAP") ? t : UINT64_MAX;
    if (csr0 && !init_before && (pcnet_csr(d, 0) & PCNET_CSR0_INIT)) {
        /* the device ran INIT: what it took, as QEMU logs it */
        bool ss32 = (pcnet_bcr(d, PCNET_BCR_SWS) & PCNET_BCR20_SSIZE32) != 0;
        uint64_t ia = (uint64_t)pcnet_csr(d, PCNET_CSR_IADR0) | (uint64_t)pcnet_csr(d, PCNET_CSR_IADR1) << 16;
        if (!ss32)
            ia &= 0xffffff;
        uint16_t lens = pcnet_csr(d, PCNET_CSR_RXTXLEN);
        put(r, &(DtraceRec){.t_ns = t, .kind = DTRACE_INIT, .addr = ia}, NULL);
        put(r, &(DtraceRec){.t_ns = t, .kind = DTRACE_RLEN, .rlen = (uint8_t)((lens >> PCNET_CSR6_RLEN_SHIFT) & 0xf),
                            .tlen = (uint8_t)((lens >> PCNET_CSR6_TLEN_SHIFT) & 0xf)},
            NULL);
        put(r, &(DtraceRec){.t_ns = t, .kind = DTRACE_RINGS, .ss32 = ss32,
                            .rdra = (uint32_t)pcnet_csr(d, PCNET_CSR_BADRL) |
                                    (uint32_t)pcnet_csr(d, PCNET_CSR_BADRU) << 16,
                            .rcvrl = pcnet_csr(d, PCNET_CSR_RCVRL),
                            .tdra = (uint32_t)pcnet_csr(d, PCNET_CSR_BADXL) |
                                    (uint32_t)pcnet_csr(d, PCNET_CSR_BADXU) << 16,
                            .xmtrl = pcnet_csr(d, PCNET_CSR_XMTRL)},
            NULL);
    }
    for (unsigned i = 0; i < r->npend; i++) /* caused by the write: after it */
        r->pend[i].t_ns = t;
    flush_pending(r);
}

static void rec_delay(void *opaque, uint32_t us)
{
    Dtrec *r = opaque;
    r->inner.delay_us(r->inner.opaque, us);
}

void dtrec_irq(Dtrec *r, int level)
{
    if (!r)
        return;
    uint8_t l = level != 0;
    if (r->line == l)
        return; /* not an edge */
    r->line = l;
    /* Caused by the access: inside its device call (cpu_hold: no event runs then),
     * not by a frame the VMApp hands the device meanwhile. An edge while the access's
     * charges let events run (a frame arriving) is async,
     * written when it happens, before the access's own record. */
    bool sync = r->in_access && r->s->cpu.hold > 0 && !r->in_rx;
    DtraceRec e = {.kind = DTRACE_IRQ, .level = l, .async = !sync};
    if (sync) {
        pend(r, &e);
    } else {
        e.t_ns = now_ns(r);
        put(r, &e, NULL);
    }
}

Dtrec *dtrec_new(Sys *s, const char *path, const char *pcap, const char *source, char *err, size_t errlen)
{
    if (!strcmp(path, "-") || (pcap && !strcmp(pcap, "-"))) {
        snprintf(err, errlen, "%s: \"-\": standard output carries the run's summary; give a file name",
                 strcmp(path, "-") ? "replay.record_driver_pcap" : "replay.record_driver_trace");
        return NULL;
    }
    Dtrec *r = calloc(1, sizeof *r);
    size_t n = strlen(path) + 40;
    if (!r || !(r->path = strdup(path)) || !(r->tmp = malloc(n))) {
        snprintf(err, errlen, "replay.record_driver_trace: out of memory");
        dtrec_free(r);
        return NULL;
    }
    r->s = s;
    r->line = -1;
    size_t pl = strlen(path);
    bool gz = pl > 3 && !strcmp(path + pl - 3, ".gz");
    /* the writer compresses by the name's suffix: the temporary keeps it */
    snprintf(r->tmp, n, "%s.tmp-%ld%s", path, (long)getpid(), gz ? ".gz" : "");
    DtraceHeader h;
    memset(&h, 0, sizeof h);
    h.version = DTRACE_VERSION;
    snprintf(h.source, sizeof h.source, "%s", source);
    h.has_mac = true;
    memcpy(h.mac, s->guest_mac, 6);
    char e[DTRACE_ERR_MAX];
    r->w = dtrace_create(r->tmp, &h, e, sizeof e);
    if (!r->w) {
        snprintf(err, errlen, "replay.record_driver_trace: %s", e);
        free(r->tmp);
        r->tmp = NULL; /* nothing to remove */
        dtrec_free(r);
        return NULL;
    }
    r->rap_w_ns = UINT64_MAX;
    if (pcap && pcap[0] && !(r->pc = pcapout_open(pcap, e, sizeof e))) {
        snprintf(err, errlen, "replay.record_driver_pcap: %s", e);
        dtrec_free(r);
        return NULL;
    }
    return r;
}

void dtrec_tx_frame(Dtrec *r, const uint8_t *frame, size_t len)
{
    if (!r)
        return;
    if (r->d_n) { /* the k-th demand sent the k-th frame: conform pairs them so */
        uint64_t t = r->demand[r->d_head];
        r->d_head = (r->d_head + 1) % DTREC_DEMANDS;
        r->d_n--;
        pcap_put(r, t, frame, len);
        return;
    }
    uint64_t t = now_ns(r);
    uint8_t *copy = r->pc && r->f_n < DTREC_DEMANDS ? malloc(len ? len : 1) : NULL;
    if (!copy) { /* no pcap, or too many frames without a demand */
        pcap_put(r, t, frame, len);
        return;
    }
    memcpy(copy, frame, len);
    r->frame[(r->f_head + r->f_n++) % DTREC_DEMANDS] = (struct DtrecFrame){copy, len, t};
}

void dtrec_rx_begin(Dtrec *r, const uint8_t *frame, size_t len)
{
    if (!r)
        return;
    r->in_rx = true;
    pcap_put(r, now_ns(r), frame, len);
}

void dtrec_rx_end(Dtrec *r)
{
    if (r)
        r->in_rx = false;
}

const DrvPorts *dtrec_ports(Dtrec *r, const DrvPorts *inner)
{
    r->inner = *inner;
    r->ports.opaque = r;
    r->ports.in = rec_in;
    r->ports.out = rec_out;
    r->ports.delay_us = rec_delay;
    return &r->ports;
}

uint64_t dtrec_accesses(const Dtrec *r) { return r ? r->accesses : 0; }

int dtrec_finish(Dtrec *r, char *err, size_t errlen)
{
    char e[DTRACE_ERR_MAX];
    flush_pending(r);
    flush_frames(r);
    bool failed = r->failed;
    int rc = dtrace_finish(r->w, e, sizeof e);
    r->w = NULL;
    if (r->pc) {
        char pe[512];
        PcapoutWriter *pc = r->pc;
        r->pc = NULL;
        if (rc == 0 && !failed && pcapout_close(pc, pe, sizeof pe) != 0) {
            snprintf(err, errlen, "replay.record_driver_pcap: %s", pe);
            dtrec_free(r);
            return -1;
        } else if (rc != 0 || failed) {
            pcapout_abort(pc);
        }
    }
    if (rc != 0 || failed) {
        snprintf(err, errlen, "replay.record_driver_trace: %s", rc != 0 ? e : "a record (trace or pcap) could not be written");
    } else if (rename(r->tmp, r->path) != 0) {
        snprintf(err, errlen, "replay.record_driver_trace: cannot rename %s to %s: %s", r->tmp, r->path,
                 strerror(errno));
        rc = -1;
    } else {
        free(r->tmp);
        r->tmp = NULL; /* in place */
    }
    if (failed)
        rc = -1;
    dtrec_free(r);
    return rc;
}

void dtrec_free(Dtrec *r)
{
    if (!r)
        return;
    if (r->w) {
        char e[DTRACE_ERR_MAX];
        dtrace_finish(r->w, e, sizeof e);
    }
    for (unsigned i = 0; i < DTREC_DEMANDS; i++)
        free(r->frame[i].data);
    if (r->pc)
        pcapout_abort(r->pc);
    if (r->tmp)
        unlink(r->tmp); /* unfinished: discarded */
    free(r->tmp);
    free(r->path);
    free(r);
}
