/* dtguest: a recorded guest driver replayed through the hosted model; see dtguest.h. */
#include "model/guest/dtguest.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/sys.h"
#include "traces/dtmem.h"
#include "traces/pcapin.h"
#include "traces/qemulog.h"

#define CSR0_INIT 0x0001u
#define CSR0_STRT 0x0002u
#define CSR0_TDMD 0x0008u
#define CSR0_INEA 0x0040u
#define CSR3_MASKS 0x5f00u
#define CSR3_RINTM 0x0400u

/* registers, for the counts: CSR0..127, BCR0..127, RAP, RESET, APROM */
#define R_CSR 0
#define R_BCR 128
#define R_RAP 256
#define R_RESET 257
#define R_APROM 258
#define R__N 259

enum { SEG_TASK = 0, SEG_ISR, SEG_POLL };

typedef struct Seg {
    size_t a_lo, a_hi;   /* accesses [a_lo, a_hi) */
    uint8_t kind;        /* SEG_* */
    bool tdmd;           /* holds a transmit demand (task runs only) */
} Seg;

struct Dtg {
    Sys *s;
    char *trace_path, *pcap_path;
    const char *pcap_from;   /* "option", "beside-trace", "none" */
    QemulogTrace tr;
    char (*names)[12];
    size_t *acc, nacc;       /* acc[a]: record index of access a */
    unsigned *reg;           /* reg[a]: register of access a */
    bool napi, have_init_events;
    /* frames */
    PcapinFrames pc;
    size_t *txf, ntx, *rxf, nrx;
    size_t *rx_rec;
    uint64_t *rx_t;
    size_t tx_next, rx_next, nrx_end;
    unsigned final_polls, final_idle;
    SimTime poll_since;
    uint8_t mac[6];
    const char *mac_from;
    /* segments */
    Seg *seg;
    size_t nseg, nboot, cur;
    bool booted, forced, final_ready, finished;
    /* the replay */
    Replay *replay;
    const DrvPorts *ports;
    DtMem dm;
    uint16_t csr3w;
    size_t mem_next;         /* next record to look at for MEM records */
    /* counts */
    uint64_t acc_done, acc_after, reads, mism, mem_errors;
    unsigned mism_line;
    char mism_what[96];
    uint64_t task_runs, poll_runs, irq_runs, irq_runs_boot, irq_model, irq_timeouts;
    uint64_t demands, demands_no_frame, synthesized;
    uint64_t reg_total[R__N], reg_after[R__N];
};

/* ---- loading ------------------------------------------------------------------ */

static bool is_acc(const Dtg *d, size_t a, DtraceKind k, const char *name)
{
    const DtraceRec *r = &d->tr.recs[d->acc[a]];
    return r->kind == k && !strcmp(d->names[d->acc[a]], name);
}

static uint32_t acc_val(const Dtg *d, size_t a) { return d->tr.recs[d->acc[a]].value; }

static bool is_tdmd(const Dtg *d, size_t a)
{
    return is_acc(d, a, DTRACE_WRITE, "CSR0") && (acc_val(d, a) & CSR0_TDMD);
}

/* -1: not a register */
static int reg_of(const char *name)
{
    if (!strncmp(name, "APROM", 5))
        return R_APROM;
    if (!strcmp(name, "RAP"))
        return R_RAP;
    if (!strcmp(name, "RESET"))
        return R_RESET;
    if (!strncmp(name, "CSR", 3))
        return R_CSR + (atoi(name + 3) & 127);
    if (!strncmp(name, "BCR", 3))
        return R_BCR + (atoi(name + 3) & 127);
    return -1;
}

static const char *reg_name(unsigned i, char *buf, size_t n)
{
    if (i == R_APROM)
        return "APROM";
    if (i == R_RAP)
        return "RAP";
    if (i == R_RESET)
        return "RESET";
    snprintf(buf, n, "%s%u", i >= R_BCR ? "BCR" : "CSR", i >= R_BCR ? i - R_BCR : i);
    return buf;
}

/* Cuts the accesses into task and interrupt runs (dtguest.h). */
static int segment(Dtg *d)
{
    d->seg = calloc(d->nacc + 1, sizeof *d->seg);
    if (!d->seg)
        return -1;
    size_t lo = 0;
    int kind = SEG_TASK;
    bool rise = false, close_after = false;
    uint16_t csr3 = 0;
#define NEW_SEG(b, k)                                                                              \
    do {                                                                                           \
        if ((b) > lo) {                                                                            \
            d->seg[d->nseg++] = (Seg){.a_lo = lo, .a_hi = (b), .kind = (uint8_t)kind};            \
            lo = (b);                                                                              \
        }                                                                                          \
        kind = (k);                                                                                \
    } while (0)
    for (size_t a = 0; a < d->nacc; a++) {
        for (size_t ri = a ? d->acc[a - 1] + 1 : 0; ri < d->acc[a]; ri++)
            if (d->tr.recs[ri].kind == DTRACE_IRQ && d->tr.recs[ri].level)
                rise = true;
        bool rap_w = is_acc(d, a, DTRACE_WRITE, "RAP");
        bool isr_start = rise && is_acc(d, a, DTRACE_READ, "CSR0");
        bool tx_start = (rap_w && a + 1 < d->nacc && is_tdmd(d, a + 1)) ||
                        (is_tdmd(d, a) && !(a > 0 && is_acc(d, a - 1, DTRACE_WRITE, "RAP")));
        bool poll_end = d->napi && kind == SEG_ISR && rap_w && (acc_val(d, a) & 0x7f) == 3 &&
                        a + 1 < d->nacc && is_acc(d, a + 1, DTRACE_READ, "CSR3") && (csr3 & CSR3_RINTM);
        if (isr_start) {
            size_t b = a > lo && is_acc(d, a - 1, DTRACE_WRITE, "RAP") ? a - 1 : a;
            if (b + 1 == a && b > lo && is_acc(d, b - 1, DTRACE_READ, "RAP"))
                b--; /* the legacy (2.2/2.4) handler saves RAP first */
            NEW_SEG(b, SEG_ISR);
            rise = false;
        } else if (tx_start || close_after) {
            NEW_SEG(a, SEG_TASK);
        } else if (poll_end) {
            NEW_SEG(a, SEG_POLL);
        }
        if (is_acc(d, a, DTRACE_WRITE, "CSR3"))
            csr3 = (uint16_t)acc_val(d, a);
        close_after = kind != SEG_TASK && is_acc(d, a, DTRACE_WRITE, "CSR0") && acc_val(d, a) == CSR0_INEA;
    }
    NEW_SEG(d->nacc, SEG_TASK);
#undef NEW_SEG
    /* transmit demands; the boot: runs up to the one with the first CSR0 write with STRT */
    size_t strt = SIZE_MAX;
    for (size_t a = 0; a < d->nacc && strt == SIZE_MAX; a++)
        if (is_acc(d, a, DTRACE_WRITE, "CSR0") && (acc_val(d, a) & CSR0_STRT))
            strt = a;
    for (size_t i = 0; i < d->nseg; i++) {
        Seg *g = &d->seg[i];
        for (size_t a = g->a_lo; a < g->a_hi && g->kind == SEG_TASK; a++)
            g->tdmd = g->tdmd || is_tdmd(d, a);
        if (strt != SIZE_MAX && g->a_lo <= strt)
            d->nboot = i + 1;
    }
    return 0;
}

static int plan_frames(Dtg *d, char *err, size_t errlen)
{
    d->txf = malloc((d->pc.n + 1) * sizeof *d->txf);
    d->rxf = malloc((d->pc.n + 1) * sizeof *d->rxf);
    d->rx_rec = malloc((d->pc.n + 1) * sizeof *d->rx_rec);
    d->rx_t = malloc((d->pc.n + 1) * sizeof *d->rx_t);
    int64_t *off = malloc((d->pc.n + 1) * sizeof *off);
    uint64_t *txt = malloc((d->pc.n + 1) * sizeof *txt), *rxt = malloc((d->pc.n + 1) * sizeof *rxt);
    if (!d->txf || !d->rxf || !d->rx_rec || !d->rx_t || !off || !txt || !rxt) {
        free(off);
        free(txt);
        free(rxt);
        snprintf(err, errlen, "driver trace: out of memory");
        return -1;
    }
    pcapin_mark_direction(&d->pc, d->mac);
    for (size_t i = 0; i < d->pc.n; i++) {
        if (d->pc.v[i].from_vm)
            d->txf[d->ntx++] = i;
        else
            d->rxf[d->nrx++] = i;
    }
    /* the k-th demand (its RAP write) pairs with the k-th frame the VM sent */
    size_t k = 0;
    for (size_t a = 0; a < d->nacc && k < d->ntx; a++) {
        if (!is_tdmd(d, a))
            continue;
        size_t p = a > 0 && is_acc(d, a - 1, DTRACE_WRITE, "RAP") ? a - 1 : a;
        txt[k] = d->pc.v[d->txf[k]].t_ns;
        off[k] = (int64_t)txt[k] - (int64_t)d->tr.recs[d->acc[p]].t_ns;
        k++;
    }
    int64_t base_off = 0;
    if (k == 0 && d->pc.n)
        base_off = (int64_t)d->pc.v[0].t_ns - (int64_t)d->tr.recs[d->acc[0]].t_ns;
    for (size_t j = 0; j < d->nrx; j++)
        rxt[j] = d->pc.v[d->rxf[j]].t_ns;
    dtmem_plan_rx(d->tr.recs, d->tr.n, off, txt, k, base_off, rxt, d->nrx, d->rx_t, d->rx_rec);
    free(off);
    free(txt);
    free(rxt);
    return 0;
}

static void on_rx(void *opaque, const uint8_t *frame, size_t len)
{
    Dtg *d = opaque;
    replay_guest_rx(d->replay, frame, len); /* the receive protocol path; delivered */
}

Dtg *dtg_new(Sys *s, const DtgOptions *o, char *err, size_t errlen)
{
    Dtg *d = calloc(1, sizeof *d);
    if (!d || !(d->trace_path = strdup(o->trace))) {
        free(d);
        snprintf(err, errlen, "driver trace: out of memory");
        return NULL;
    }
    d->s = s;
    if (qemulog_load(o->trace, &d->tr, err, errlen) < 0)
        goto fail;
    d->names = qemulog_reg_names(&d->tr);
    d->acc = malloc((d->tr.n + 1) * sizeof *d->acc);
    d->reg = malloc((d->tr.n + 1) * sizeof *d->reg);
    if (!d->names || !d->acc || !d->reg) {
        snprintf(err, errlen, "driver trace: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < d->tr.n; i++) {
        const DtraceRec *r = &d->tr.recs[i];
        if (r->kind == DTRACE_INIT)
            d->have_init_events = true;
        if (r->kind != DTRACE_READ && r->kind != DTRACE_WRITE)
            continue;
        int g = reg_of(d->names[i]);
        if (g < 0) {
            snprintf(err, errlen, "%s:%u: port %s at offset 0x%02x (%u bytes) is not a register of the "
                     "Am79C970A (APROM 0x00-0x0f; RDP, RAP, RESET, BDP at 0x10-0x16 in 16-bit or "
                     "0x10-0x1c in 32-bit mode)", o->trace, r->line,
                     r->kind == DTRACE_READ ? "read" : "write", r->off, r->size);
            goto fail;
        }
        d->reg[d->nacc] = (unsigned)g;
        d->acc[d->nacc++] = i;
    }
    if (d->nacc == 0) {
        snprintf(err, errlen, "%s: no pcnet port accesses in this %s trace", o->trace,
                 qemulog_format_name(d->tr.format));
        goto fail;
    }
    for (size_t a = 0; a < d->nacc; a++)
        if (is_acc(d, a, DTRACE_WRITE, "CSR3") && (acc_val(d, a) & CSR3_MASKS) == CSR3_MASKS)
            d->napi = true;
    /* the capture: given, else net.pcap beside the trace */
    d->pcap_from = "none";
    if (o->pcap && o->pcap[0]) {
        d->pcap_path = strdup(o->pcap);
        d->pcap_from = "option";
    } else {
        const char *slash = strrchr(o->trace, '/');
        size_t dl = slash ? (size_t)(slash - o->trace + 1) : 0;
        char *p = malloc(dl + 16);
        if (p) {
            memcpy(p, o->trace, dl);
            strcpy(p + dl, "net.pcap");
            FILE *f = fopen(p, "rb");
            if (f) {
                fclose(f);
                d->pcap_path = p;
                d->pcap_from = "beside-trace";
            } else {
                free(p);
            }
        }
    }
    if (d->pcap_path && pcapin_load(d->pcap_path, &d->pc, err, errlen) < 0)
        goto fail;
    /* the VM's MAC: given, the trace's probe, its header, the capture, the model's */
    if (o->has_mac) {
        memcpy(d->mac, o->vm_mac, 6);
        d->mac_from = "given";
    } else if (qemulog_probe_mac(&d->tr, d->mac) == 0) {
        d->mac_from = "trace-probe";
    } else if (d->tr.hdr.has_mac) {
        memcpy(d->mac, d->tr.hdr.mac, 6);
        d->mac_from = "trace-header";
    } else if (pcapin_guess_mac(&d->pc, d->mac) == 0) {
        d->mac_from = "pcap";
    } else {
        memcpy(d->mac, s->guest_mac, 6);
        d->mac_from = "model-default";
    }
    if (d->mac[0] & 1) {
        snprintf(err, errlen, "%s: the VM's MAC %02x:%02x:%02x:%02x:%02x:%02x is a group address",
                 o->trace, d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5]);
        goto fail;
    }
    if (segment(d) != 0 || plan_frames(d, err, errlen) != 0) {
        if (!d->seg)
            snprintf(err, errlen, "driver trace: out of memory");
        goto fail;
    }
    d->replay = replay_new_external(s, d->pcap_path ? d->pcap_path : "", d->mac, d->mac_from,
                                    o->wire_pcap, err, errlen);
    if (!d->replay)
        goto fail;
    return d;
fail:
    dtg_free(d);
    return NULL;
}

void dtg_free(Dtg *d)
{
    if (!d)
        return;
    qemulog_trace_free(&d->tr);
    pcapin_frames_free(&d->pc);
    free(d->names);
    free(d->acc);
    free(d->reg);
    free(d->txf);
    free(d->rxf);
    free(d->rx_rec);
    free(d->rx_t);
    free(d->seg);
    free(d->trace_path);
    free(d->pcap_path);
    free(d);
}

Replay *dtg_replay(Dtg *d) { return d->replay; }
void dtg_vm_mac(const Dtg *d, uint8_t mac[6]) { memcpy(mac, d->mac, 6); }

void dtg_attach(Dtg *d, const DrvPorts *ports)
{
    d->ports = ports;
    dtmem_init(&d->dm, d->s->gmem, d->mac);
    d->dm.on_rx = on_rx;
    d->dm.on_rx_opaque = d;
}

/* ---- running ------------------------------------------------------------------- */

static SimTime cursor(const Sys *s)
{
    SimTime now = evq_now(s->q);
    return !s->cpu.idle && s->cpu.t > now ? s->cpu.t : now;
}

static void offer_rx(Dtg *d, size_t j)
{
    const PcapinFrame *f = &d->pc.v[d->rxf[j]];
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    bool for_vm = f->len >= 14 && (!memcmp(f->data, d->mac, 6) || !memcmp(f->data, bcast, 6) ||
                                   pcnet_accepts(d->s->dev, f->data));
    if (for_vm)
        replay_ext_offer_rx(d->replay, f->data, f->len);
    else
        replay_ext_ignored(d->replay);
}

/* Receives go on the wire at most a ring's worth at a time: the recording's NAPI
 * poll took them as they came (QEMU holds frames back while the ring is full), so
 * frames planned together are not all thrown at the ring at once. */
static unsigned rx_window(const Dtg *d) { return d->dm.rings && d->dm.nrxd ? d->dm.nrxd : DTG_RX_WINDOW; }

/* Offer the frames to the VM planned before record lim (SIZE_MAX: all), within the window. */
static void offer_planned(Dtg *d, size_t lim)
{
    while (d->rx_next < d->nrx && (lim == SIZE_MAX || d->rx_rec[d->rx_next] <= lim) &&
           replay_rx_in_flight(d->replay) < rx_window(d))
        offer_rx(d, d->rx_next++);
}

static void wait_event(void *opaque, uint64_t arg)
{
    Dtg *d = opaque;
    if (d->cur != arg || d->cur >= d->nseg || d->seg[d->cur].kind != SEG_ISR || d->s->done)
        return;
    d->forced = true; /* the model raised no interrupt: run it anyway */
    cpu_kick(&d->s->cpu);
}

/* The NAPI poll completes once the frames on their way have reached the ring (the
 * recorded poll took them as they came), or after DTG_IRQ_WAIT. */
static void poll_event(void *opaque, uint64_t arg)
{
    Dtg *d = opaque;
    Sys *s = d->s;
    if (d->cur != arg || d->cur >= d->nseg || d->seg[d->cur].kind != SEG_POLL || s->done || d->forced)
        return;
    SimTime now = evq_now(s->q);
    if (dtmem_rx_filled(&d->dm) < replay_rx_in_flight(d->replay) && now - d->poll_since < DTG_IRQ_WAIT) {
        evq_at(s->q, now + DTG_POLL_CHECK, poll_event, d, arg);
        return;
    }
    d->forced = true;
    cpu_kick(&s->cpu);
}

static void final_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Dtg *d = opaque;
    if (d->s->done)
        return;
    d->final_ready = true;
    cpu_kick(&d->s->cpu);
}

/* The replay reached run d->cur: the frames to the VM planned before it go on the
 * wire; an interrupt run waits for the model's IRQ (bounded). */
static void arrive(Dtg *d)
{
    Sys *s = d->s;
    if (d->cur >= d->nseg) {
        /* the recording ends: frames it never reached are offered and dropped; those
         * planned inside it go on the wire and the final polls take them */
        for (; d->tx_next < d->ntx; d->tx_next++)
            replay_ext_after_trace(d->replay, true, d->pc.v[d->txf[d->tx_next]].len);
        size_t end = d->rx_next;
        while (end < d->nrx && d->rx_rec[end] < d->tr.n)
            end++;
        for (size_t j = end; j < d->nrx; j++) {
            const PcapinFrame *f = &d->pc.v[d->rxf[j]];
            if (f->len >= 14 && (!memcmp(f->data, d->mac, 6) || (f->data[0] & 1)))
                replay_ext_after_trace(d->replay, false, f->len);
            else
                replay_ext_ignored(d->replay);
        }
        d->nrx_end = end;
        offer_planned(d, d->tr.n - 1);
        evq_at(s->q, cursor(s) + DTG_FINAL_POLL, final_event, d, 0);
        return;
    }
    offer_planned(d, d->acc[d->seg[d->cur].a_lo]);
    if (d->seg[d->cur].kind == SEG_ISR) {
        evq_at(s->q, cursor(s) + DTG_IRQ_WAIT, wait_event, d, d->cur);
    } else if (d->seg[d->cur].kind == SEG_POLL) {
        d->poll_since = cursor(s);
        evq_at(s->q, d->poll_since, poll_event, d, d->cur);
    }
}

static void do_access(Dtg *d, size_t a, bool boot)
{
    Sys *s = d->s;
    size_t ri = d->acc[a];
    const DtraceRec *r = &d->tr.recs[ri];
    const char *name = d->names[ri];
    /* the guest's memory writes recorded before this access */
    for (; d->mem_next < ri; d->mem_next++) {
        const DtraceRec *m = &d->tr.recs[d->mem_next];
        if (m->kind == DTRACE_MEM && gmem_write(s->gmem, m->addr, m->data, m->len) < 0)
            d->mem_errors++;
    }
    d->mem_next = ri + 1;
    /* the driver's memory side around the access (as `vnicsim conform` does) */
    if (r->kind == DTRACE_WRITE)
        dtmem_note_write(&d->dm, name, (uint16_t)r->value);
    if (d->napi && r->kind == DTRACE_WRITE && !strcmp(name, "RAP") && (r->value & 0x7f) == 3 &&
        a + 1 < d->nacc && is_acc(d, a + 1, DTRACE_READ, "CSR3") && (d->csr3w & CSR3_RINTM))
        dtmem_recycle(&d->dm); /* the NAPI poll completes: frames up, transmits reclaimed */
    if (r->kind == DTRACE_WRITE && !strcmp(name, "CSR0") && (r->value & CSR0_INIT))
        dtmem_init_events(&d->dm, d->tr.recs, d->tr.n, ri, d->have_init_events);
    d->reg_total[d->reg[a]]++;
    d->acc_done++;
    if (!boot) {
        d->reg_after[d->reg[a]]++;
        d->acc_after++;
    }
    if (r->kind == DTRACE_READ) {
        uint32_t mask = r->size == 4 ? 0xffffffffu : (1u << (8 * r->size)) - 1;
        uint32_t v = d->ports->in(d->ports->opaque, r->off, r->size) & mask;
        d->reads++;
        if (v != r->value) {
            if (!d->mism++) {
                d->mism_line = r->line;
                snprintf(d->mism_what, sizeof d->mism_what, "%s read 0x%0*x, model 0x%0*x", name,
                         2 * r->size, r->value, 2 * r->size, v);
            }
        }
    } else {
        d->ports->out(d->ports->opaque, r->off, r->size, r->value);
    }
    if (r->kind == DTRACE_WRITE && !strcmp(name, "CSR3"))
        d->csr3w = (uint16_t)r->value;
    if (!d->napi && r->kind == DTRACE_WRITE && !strcmp(name, "CSR0") && (r->value & 0x0600))
        dtmem_recycle(&d->dm); /* legacy driver: RX/TX work in the ISR after the acknowledge */
}

/* pcnet32_start_xmit's frame: the next one the VM sent, or a synthesized one. */
static void place_tx(Dtg *d)
{
    Sys *s = d->s;
    d->demands++;
    uint8_t syn[60];
    const uint8_t *f;
    uint32_t len;
    if (d->tx_next < d->ntx) {
        const PcapinFrame *p = &d->pc.v[d->txf[d->tx_next++]];
        f = p->data;
        len = p->len;
    } else if (!d->pcap_path) {
        memset(syn, 0, sizeof syn);
        memcpy(syn, s->peer_mac, 6);
        memcpy(syn + 6, d->mac, 6);
        syn[12] = 0x88; /* local experimental EtherType, the demand's number as payload */
        syn[13] = 0xb5;
        for (int i = 0; i < 8; i++)
            syn[14 + i] = (uint8_t)(d->synthesized >> (8 * i));
        d->synthesized++;
        f = syn;
        len = sizeof syn;
    } else {
        d->demands_no_frame++; /* more demands than frames in the capture */
        return;
    }
    /* an application send(): system call, copy, per-packet protocol and driver code */
    s->n.syscalls++;
    vmm_guest_code(s, s->costs.guest_syscall);
    vmm_guest_code(s, costs_per_kib(s->costs.guest_copy_per_kib, len));
    vmm_guest_code(s, s->costs.guest_segment);
    vmm_priv_insns(s, COST_PRIV_PER_TX_SEGMENT);
    s->n.tx_segments++;
    if (!replay_ext_offer_tx(d->replay, f, len))
        return;
    if (dtmem_place_tx(&d->dm, f, len) != 0)
        replay_ext_tx_failed(d->replay, f, len);
}

static void run_seg(Dtg *d, bool as_irq)
{
    Sys *s = d->s;
    const Seg *g = &d->seg[d->cur];
    bool boot = d->cur < d->nboot;
    if (g->kind == SEG_POLL) {
        d->poll_runs++;
    } else if (g->kind == SEG_TASK) {
        d->task_runs++;
        if (g->tdmd) {
            place_tx(d);
        } else { /* probe, open, ioctl, get_stats: one system call's worth */
            s->n.syscalls++;
            vmm_guest_code(s, s->costs.guest_syscall);
        }
    } else {
        if (boot)
            d->irq_runs_boot++;
        else
            d->irq_runs++;
        if (as_irq) {
            d->irq_model++;
        } else {
            d->irq_timeouts++;
            vmm_guest_code(s, s->costs.guest_irq); /* the handler's code, without an interrupt */
        }
    }
    for (size_t a = g->a_lo; a < g->a_hi && !s->failed; a++)
        do_access(d, a, boot);
    d->cur++;
    d->forced = false;
    arrive(d);
}

void dtg_boot(Dtg *d)
{
    while (d->cur < d->nboot && !d->s->failed) {
        if (d->cur == 0)
            arrive(d); /* frames planned before the first access */
        run_seg(d, false);
    }
    if (d->nboot == 0)
        arrive(d);
    d->booted = true;
}

bool dtg_irq_wanted(const Dtg *d)
{
    return d->booted && d->cur < d->nseg && d->seg[d->cur].kind == SEG_ISR;
}

bool dtg_has_work(const Dtg *d)
{
    if (!d->booted || d->finished)
        return false;
    if (d->cur >= d->nseg)
        return d->final_ready;
    return d->seg[d->cur].kind == SEG_TASK || d->forced;
}

bool dtg_task_next(const Dtg *d)
{
    return d->cur < d->nseg && d->seg[d->cur].kind == SEG_TASK;
}

void dtg_isr(Dtg *d)
{
    if (dtg_irq_wanted(d))
        run_seg(d, true);
}

void dtg_step(Dtg *d)
{
    if (!dtg_has_work(d))
        return;
    if (d->cur < d->nseg) {
        run_seg(d, false);
        return;
    }
    /* after the last run: the driver's poll takes what arrives (a ring's worth of
     * frames at a time) until nothing more comes, then the end */
    Sys *s = d->s;
    d->final_ready = false;
    d->final_polls++;
    unsigned long up = d->dm.rx_up;
    dtmem_recycle(&d->dm);
    offer_planned(d, d->tr.n - 1);
    d->final_idle = d->dm.rx_up == up ? d->final_idle + 1 : 0;
    if ((d->rx_next < d->nrx_end || replay_rx_in_flight(d->replay)) && d->final_idle < DTG_FINAL_IDLE) {
        evq_at(s->q, cursor(s) + DTG_FINAL_POLL, final_event, d, 0);
        return;
    }
    d->finished = true;
    for (; d->rx_next < d->nrx_end; d->rx_next++) /* never offered: the ring stayed full */
        replay_ext_after_trace(d->replay, false, d->pc.v[d->rxf[d->rx_next]].len);
    replay_ext_eof(d->replay, DTG_GIVE_UP);
}

/* ---- results ------------------------------------------------------------------------ */

static json_t *ratio(uint64_t a, uint64_t b) { return b ? json_real((double)a / (double)b) : json_null(); }

json_t *dtg_results(const Dtg *d)
{
    const Sys *s = d->s;
    uint64_t txd, rxd;
    replay_delivered(d->replay, &txd, &rxd);
    uint64_t frames = txd + rxd;
    json_t *o = json_object();
    json_object_set_new(o, "trace", json_string(d->trace_path));
    json_object_set_new(o, "format", json_string(qemulog_format_name(d->tr.format)));
    json_object_set_new(o, "pcap", json_string(d->pcap_path ? d->pcap_path : ""));
    json_object_set_new(o, "pcap_from", json_string(d->pcap_from));
    json_object_set_new(o, "records", json_integer((json_int_t)d->tr.n));
    json_object_set_new(o, "accesses", json_integer((json_int_t)d->nacc));
    json_object_set_new(o, "accesses_replayed", json_integer((json_int_t)d->acc_done));
    json_object_set_new(o, "accesses_boot", json_integer((json_int_t)(d->acc_done - d->acc_after)));
    json_object_set_new(o, "accesses_after_open", json_integer((json_int_t)d->acc_after));
    json_object_set_new(o, "napi", json_boolean(d->napi));
    json_object_set_new(o, "reads", json_integer((json_int_t)d->reads));
    json_object_set_new(o, "read_mismatches", json_integer((json_int_t)d->mism));
    if (d->mism) {
        char buf[160];
        snprintf(buf, sizeof buf, "%s:%u: %s", d->trace_path, d->mism_line, d->mism_what);
        json_object_set_new(o, "first_mismatch", json_string(buf));
    } else {
        json_object_set_new(o, "first_mismatch", json_null());
    }
    json_object_set_new(o, "mem_record_errors", json_integer((json_int_t)d->mem_errors));
    json_object_set_new(o, "runs", json_integer((json_int_t)d->nseg));
    json_object_set_new(o, "boot_runs", json_integer((json_int_t)d->nboot));
    json_object_set_new(o, "task_runs", json_integer((json_int_t)d->task_runs));
    json_object_set_new(o, "poll_runs", json_integer((json_int_t)d->poll_runs));
    json_object_set_new(o, "interrupt_runs", json_integer((json_int_t)d->irq_runs));
    json_object_set_new(o, "interrupt_runs_boot", json_integer((json_int_t)d->irq_runs_boot));
    json_object_set_new(o, "irq_delivered", json_integer((json_int_t)d->irq_model));
    json_object_set_new(o, "irq_timeouts", json_integer((json_int_t)d->irq_timeouts));
    json_object_set_new(o, "tx_demands", json_integer((json_int_t)d->demands));
    json_object_set_new(o, "tx_demands_without_frame", json_integer((json_int_t)d->demands_no_frame));
    json_object_set_new(o, "frames_synthesized", json_integer((json_int_t)d->synthesized));
    json_object_set_new(o, "rx_passed_up", json_integer((json_int_t)d->dm.rx_up));
    json_object_set_new(o, "final_polls", json_integer((json_int_t)d->final_polls));
    json_object_set_new(o, "frames", json_integer((json_int_t)frames));
    json_object_set_new(o, "world_switches", json_integer((json_int_t)s->cpu.world_switches));
    json_t *pf = json_object();
    json_object_set_new(pf, "port_accesses", ratio(d->acc_after, frames));
    json_object_set_new(pf, "world_switches", ratio(s->cpu.world_switches, frames));
    json_object_set_new(pf, "interrupts", ratio(d->irq_runs, frames));
    json_object_set_new(o, "per_frame", pf);
    json_t *pi = json_object();
    json_object_set_new(pi, "port_accesses", ratio(d->acc_after, d->irq_runs));
    json_object_set_new(pi, "world_switches", ratio(s->cpu.world_switches, d->irq_runs));
    json_object_set_new(o, "per_interrupt", pi);
    json_t *br = json_object();
    for (unsigned i = 0; i < R__N; i++) {
        if (!d->reg_total[i])
            continue;
        char nb[16];
        json_t *e = json_object();
        json_object_set_new(e, "count", json_integer((json_int_t)d->reg_total[i]));
        json_object_set_new(e, "after_open", json_integer((json_int_t)d->reg_after[i]));
        json_object_set_new(e, "per_frame", ratio(d->reg_after[i], frames));
        json_object_set_new(e, "per_interrupt", ratio(d->reg_after[i], d->irq_runs));
        json_object_set_new(br, reg_name(i, nb, sizeof nb), e);
    }
    json_object_set_new(o, "by_register", br);
    return o;
}

void dtg_print_summary(const Dtg *d, FILE *out)
{
    const Sys *s = d->s;
    uint64_t txd, rxd;
    replay_delivered(d->replay, &txd, &rxd);
    uint64_t frames = txd + rxd;
    fprintf(out, "\ndriver trace %s (%s, %zu records, %zu accesses: %" PRIu64 " in probe/open, %" PRIu64
            " after), pcap %s\n", d->trace_path, qemulog_format_name(d->tr.format), d->tr.n, d->nacc,
            d->acc_done - d->acc_after, d->acc_after, d->pcap_path ? d->pcap_path : "none");
    fprintf(out, "  runs: %" PRIu64 " task, %" PRIu64 " interrupt after the open (%" PRIu64
            " on the model's IRQ, %" PRIu64 " timed out), %" PRIu64 " NAPI poll ends; %" PRIu64
            " transmit demands (%" PRIu64 " without a frame, %" PRIu64 " synthesized)\n", d->task_runs,
            d->irq_runs, d->irq_model, d->irq_timeouts, d->poll_runs, d->demands, d->demands_no_frame,
            d->synthesized);
    fprintf(out, "  reads %" PRIu64 ", differing from the recording %" PRIu64, d->reads, d->mism);
    if (d->mism)
        fprintf(out, " (first %s:%u: %s)", d->trace_path, d->mism_line, d->mism_what);
    fprintf(out, "\n");
    if (frames)
        fprintf(out, "  per frame: %.2f port accesses, %.2f world switches", (double)d->acc_after / (double)frames,
                (double)s->cpu.world_switches / (double)frames);
    else
        fprintf(out, "  no frame delivered");
    if (d->irq_runs)
        fprintf(out, "; per interrupt: %.2f port accesses", (double)d->acc_after / (double)d->irq_runs);
    fprintf(out, "\n  %-8s %8s %10s %9s %9s\n", "register", "count", "after open", "per frame", "per irq");
    for (unsigned i = 0; i < R__N; i++) {
        if (!d->reg_total[i])
            continue;
        char nb[16];
        fprintf(out, "  %-8s %8" PRIu64 " %10" PRIu64 " %9.2f %9.2f\n", reg_name(i, nb, sizeof nb),
                d->reg_total[i], d->reg_after[i],
                frames ? (double)d->reg_after[i] / (double)frames : 0.0,
                d->irq_runs ? (double)d->reg_after[i] / (double)d->irq_runs : 0.0);
    }
}
