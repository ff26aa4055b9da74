/* replay: the pcap replay workload; see replay.h. */
#include "model/guest/replay.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/sys.h"
#include "traces/pcapout.h"
#include "traces/pcapsrc.h"

enum { D_TX = 0, D_RX = 1 };

/* where a frame was dropped outside the virtual NIC */
enum HostDrop { HD_TXQ = 0, HD_LINK, HD_NIC_RING, HD_VMNET, HD_OVERSIZE, HD_DRIVER, HD_UNRESOLVED,
                HD_AFTER_TRACE, HD__N };
static const char *const HD_NAMES[HD__N] = {"guest_queue", "link_queue", "host_nic_ring",
                                            "vmnet_queue", "oversize", "guest_driver",
                                            "unresolved", "after_trace"};
enum VnicDrop { VD_MISSED = 0, VD_FILTERED, VD_REFUSED, VD_ERROR, VD__N };
static const char *const VD_NAMES[VD__N] = {"missed", "filtered", "refused", "error"};

#define KEY_BYTES 128
#define MIN_FRAME 60            /* without FCS */
#define DRAIN_CHECK (100 * SIM_MS)
#define DRAIN_GIVE_UP (2 * SIM_S)

/* Register counters for the by-register access report. */
#define REG_CSR 0
#define REG_BCR 128
#define REG_APROM 256
#define REG_RAP 257
#define REG_RESET 258
#define REG__N 259

typedef struct Flight {
    SimTime offer;
    uint64_t key;
    uint32_t len;     /* length on the wire */
    uint32_t caplen;  /* bytes known from the capture (<= len) */
    bool resolved;
} Flight;

typedef struct FlightRing {
    Flight *v;
    unsigned head, count, cap; /* count: slots used (resolved ones not yet popped included) */
    unsigned live;             /* unresolved */
} FlightRing;

typedef struct ReplayDir {
    uint64_t offered, delivered, dropped_vnic, dropped_host;
    uint64_t bytes_offered, bytes_delivered;
    SimTime first_offer, last_offer, last_delivery;
    bool any_offer;
    StatsHist *lat;
    FlightRing fl;
    uint64_t unmatched;
    uint64_t host_drop[HD__N];
} ReplayDir;

typedef struct TxSlot {
    uint32_t len;
    uint8_t *buf;
} TxSlot;

struct Replay {
    Sys *s;
    PcapsrcReader *src;
    PcapoutWriter *out;
    char *src_name, *wire_name;
    ReplayPace pace;
    uint64_t speed_ppm;          /* speed x 1e6 */
    uint8_t mac[6];
    PcapsrcMacFrom mac_from;
    bool mac_default;            /* empty capture: the model's default MAC */
    /* the next frame of the capture (lookahead) */
    bool head_valid, eof;
    PcapsrcFrame head;
    bool started, done;
    bool have_t0;
    uint64_t cap_t0, cap_last;   /* capture time of the first frame, latest seen */
    SimTime t_origin;            /* simulated time of the first frame's offer */
    EvqId feed_ev;
    bool pump_ev;
    /* guest transmit queue */
    TxSlot txq[REPLAY_TXQ];
    unsigned txq_head, txq_count;
    uint32_t max_frame;
    uint8_t *frame;              /* scratch: one full frame */
    ReplayDir d[2];
    uint64_t frames_read, frames_ignored, frames_truncated;
    uint64_t vnic_drop[VD__N];
    uint64_t link_queue;         /* RX frames on the wire toward the host, not arrived */
    uint64_t wire_written;
    WireRxFn host_rx;
    void *host_rx_opaque;
    uint64_t resolutions, drain_mark;
    SimTime drain_since;
    bool drain_ev;
    /* measurement: counters at the start of the replay (after the driver's open) */
    SysCounters n0;
    /* port accesses by register, and the driver's ports wrapped to count them */
    DrvPorts inner, ports;
    uint64_t reg_count[REG__N];
    uint64_t reg_count0[REG__N];
    char warn[PCAPSRC_ERR_MAX];
    /* frames supplied by the caller (replay_new_external) */
    bool ext;
    char ext_mac_from[32];
    SimTime give_up;             /* drain: unresolved after this long without progress */
};

/* ---- helpers ---------------------------------------------------------------- */

static SimTime now_cursor(const Sys *s)
{
    SimTime now = evq_now(s->q);
    return !s->cpu.idle && s->cpu.t > now ? s->cpu.t : now;
}

static uint64_t frame_key(const uint8_t *d, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < KEY_BYTES; i++) {
        h ^= i < n ? d[i] : 0;
        h *= 1099511628211ull;
    }
    return h;
}

static int ring_init(FlightRing *f, unsigned cap)
{
    f->v = calloc(cap, sizeof *f->v);
    f->cap = cap;
    return f->v ? 0 : -1;
}

static bool ring_push(FlightRing *f, const Flight *x)
{
    if (f->count == f->cap)
        return false;
    f->v[(f->head + f->count) % f->cap] = *x;
    f->count++;
    f->live++;
    return true;
}

/* The oldest unresolved frame with this key (or, failing that, the oldest). */
static Flight *ring_find(FlightRing *f, uint64_t key, bool *matched)
{
    Flight *first = NULL;
    for (unsigned i = 0; i < f->count; i++) {
        Flight *x = &f->v[(f->head + i) % f->cap];
        if (x->resolved)
            continue;
        if (!first)
            first = x;
        if (x->key == key) {
            *matched = true;
            return x;
        }
    }
    *matched = false;
    return first;
}

static void ring_resolve(FlightRing *f, Flight *x)
{
    x->resolved = true;
    f->live--;
    while (f->count && f->v[f->head].resolved) {
        f->head = (f->head + 1) % f->cap;
        f->count--;
    }
}

static void schedule_pump(Replay *r);
static void check_done(Replay *r);

/* Resolve the frame (of direction dir) with these bytes. fate: 0 delivered,
 * 1 dropped by the vNIC, 2 dropped by the host (hd). */
static void resolve(Replay *r, int dir, const uint8_t *frame, size_t len, int fate, int hd,
                    SimTime when)
{
    ReplayDir *d = &r->d[dir];
    bool matched;
    Flight *x = ring_find(&d->fl, frame_key(frame, len), &matched);
    if (!x) {
        d->unmatched++; /* not a replayed frame */
        return;
    }
    if (!matched)
        d->unmatched++;
    if (fate == 0) {
        d->delivered++;
        d->bytes_delivered += x->len;
        d->last_delivery = when;
        stats_hist_add(d->lat, when >= x->offer ? when - x->offer : 0);
    } else if (fate == 1) {
        d->dropped_vnic++;
    } else {
        d->dropped_host++;
        d->host_drop[hd]++;
    }
    ring_resolve(&d->fl, x);
    r->resolutions++;
    if (r->pace == REPLAY_PACE_AFAP)
        schedule_pump(r);
    check_done(r);
}

/* A frame offered and dropped at once (never in flight). */
static void drop_at_offer(Replay *r, int dir, uint32_t len, int hd, SimTime now)
{
    ReplayDir *d = &r->d[dir];
    if (!d->any_offer) {
        d->any_offer = true;
        d->first_offer = now;
    }
    d->offered++;
    d->bytes_offered += len;
    d->last_offer = now;
    d->dropped_host++;
    d->host_drop[hd]++;
    r->resolutions++;
}

static bool offer_flight(Replay *r, int dir, const uint8_t *frame, uint32_t len, uint32_t caplen,
                         SimTime now)
{
    ReplayDir *d = &r->d[dir];
    Flight x = {.offer = now, .key = frame_key(frame, len), .len = len, .caplen = caplen};
    if (!ring_push(&d->fl, &x))
        return false;
    if (!d->any_offer) {
        d->any_offer = true;
        d->first_offer = now;
    }
    d->offered++;
    d->bytes_offered += len;
    d->last_offer = now;
    return true;
}

static void write_wire(Replay *r, int dir, const uint8_t *frame, size_t len, SimTime when)
{
    if (!r->out)
        return;
    bool matched;
    const Flight *x = ring_find(&r->d[dir].fl, frame_key(frame, len), &matched);
    uint32_t caplen = (uint32_t)len;
    if (x && matched && x->caplen < x->len && x->len == len)
        caplen = x->caplen; /* a snaplen-truncated input frame stays truncated */
    uint64_t t_ns = r->cap_t0 + when / SIM_NS;
    pcapout_write(r->out, t_ns, frame, caplen, (uint32_t)len);
    r->wire_written++;
}

/* ---- reading the capture ---------------------------------------------------------- */

static bool read_head(Replay *r)
{
    if (r->head_valid)
        return true;
    if (r->eof)
        return false;
    int rc = pcapsrc_next(r->src, &r->head);
    if (rc == 1) {
        r->head_valid = true;
        r->frames_read++;
        r->frames_truncated += r->head.caplen < r->head.len;
        if (!r->have_t0) {
            r->have_t0 = true;
            r->cap_t0 = r->cap_last = r->head.t_ns;
        }
        return true;
    }
    r->eof = true;
    if (rc < 0) {
        Sys *s = r->s;
        snprintf(s->err, sizeof s->err, "%s", pcapsrc_error(r->src));
        s->failed = true;
        evq_stop(s->q);
        return false;
    }
    const char *w = pcapsrc_warning(r->src);
    if (w[0] && !r->warn[0]) {
        snprintf(r->warn, sizeof r->warn, "%s", w);
        fprintf(stderr, "vnicsim: warning: %s\n", w);
    }
    return false;
}

static bool group_accepted(void *opaque, const uint8_t dst[6])
{
    Replay *r = opaque;
    return pcnet_accepts(r->s->dev, dst);
}

/* Simulated offer time of a capture timestamp (timed pace). */
static SimTime offer_time(Replay *r, uint64_t t_ns)
{
    if (t_ns < r->cap_last)
        t_ns = r->cap_last; /* a capture's clock may step back: keep file order */
    r->cap_last = t_ns;
    unsigned __int128 dt = (unsigned __int128)(t_ns - r->cap_t0) * SIM_NS * 1000000u;
    return r->t_origin + (SimTime)(dt / r->speed_ppm);
}

/* Offer the head frame now. */
static void offer(Replay *r, SimTime now)
{
    Sys *s = r->s;
    const PcapsrcFrame *f = &r->head;
    uint32_t caplen = f->caplen < f->len ? f->caplen : f->len;
    if (f->dir == PCAPSRC_TX) {
        if (f->len > r->max_frame) {
            drop_at_offer(r, D_TX, f->len, HD_OVERSIZE, now);
        } else if (r->txq_count == REPLAY_TXQ) {
            drop_at_offer(r, D_TX, f->len, HD_TXQ, now);
        } else {
            TxSlot *t = &r->txq[(r->txq_head + r->txq_count) % REPLAY_TXQ];
            memcpy(t->buf, f->data, caplen);
            memset(t->buf + caplen, 0, f->len - caplen);
            t->len = f->len;
            if (!offer_flight(r, D_TX, t->buf, f->len, caplen, now)) {
                drop_at_offer(r, D_TX, f->len, HD_TXQ, now);
            } else {
                r->txq_count++;
                cpu_kick(&s->cpu);
            }
        }
    } else {
        uint32_t len = f->len < MIN_FRAME ? MIN_FRAME : f->len;
        if (f->len > r->max_frame) {
            drop_at_offer(r, D_RX, f->len, HD_OVERSIZE, now);
        } else if (r->pace == REPLAY_PACE_TIMED && r->link_queue >= REPLAY_LINK_QUEUE) {
            drop_at_offer(r, D_RX, len, HD_LINK, now);
        } else {
            memcpy(r->frame, f->data, caplen);
            memset(r->frame + caplen, 0, len - caplen);
            /* known bytes: all of a padded frame, the captured part of a truncated one */
            uint32_t known = caplen < f->len ? caplen : len;
            if (!offer_flight(r, D_RX, r->frame, len, known, now)) {
                drop_at_offer(r, D_RX, len, HD_LINK, now);
            } else {
                r->link_queue++;
                wire_send(&s->wire, WIRE_TO_HOST, now, r->frame, len);
            }
        }
    }
    r->head_valid = false;
}

static void feed_event(void *opaque, uint64_t arg);

static void pump(Replay *r)
{
    Sys *s = r->s;
    if (!r->started || r->done || s->failed)
        return;
    if (r->ext) { /* the caller offers the frames */
        check_done(r);
        return;
    }
    SimTime now = evq_now(s->q);
    while (read_head(r)) {
        const PcapsrcFrame *f = &r->head;
        if (f->dir == PCAPSRC_IGNORED) {
            r->frames_ignored++;
            r->head_valid = false;
            continue;
        }
        if (r->pace == REPLAY_PACE_AFAP) {
            if (f->dir == PCAPSRC_TX &&
                (r->txq_count == REPLAY_TXQ || r->d[D_TX].fl.live >= REPLAY_TX_WINDOW))
                break;
            if (f->dir == PCAPSRC_RX && r->d[D_RX].fl.live >= REPLAY_RX_WINDOW)
                break;
        } else {
            SimTime at = offer_time(r, f->t_ns);
            if (at > now) {
                if (!r->feed_ev)
                    r->feed_ev = evq_at(s->q, at, feed_event, r, 0);
                break;
            }
        }
        offer(r, now);
    }
    check_done(r);
}

static void feed_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Replay *r = opaque;
    r->feed_ev = 0;
    pump(r);
}

static void pump_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Replay *r = opaque;
    r->pump_ev = false;
    pump(r);
}

static void schedule_pump(Replay *r)
{
    if (r->pump_ev || r->done)
        return;
    r->pump_ev = true;
    evq_at(r->s->q, now_cursor(r->s), pump_event, r, 0);
}

/* ---- the end ------------------------------------------------------------------------ */

static void finish_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Replay *r = opaque;
    Sys *s = r->s;
    if (s->done)
        return;
    s->done = true;
    /* the measured interval ends between pieces: inside one (a nested event), the
     * dispatcher ends it when the piece is over (model.c, as for nettest) */
    s->t_end = 0;
    if (!s->cpu.in_piece)
        s->t_end = cpu_close(&s->cpu, evq_now(s->q));
    evq_stop(s->q);
}

static void drain_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Replay *r = opaque;
    Sys *s = r->s;
    r->drain_ev = false;
    if (r->done || s->done)
        return;
    SimTime now = evq_now(s->q);
    if (r->resolutions != r->drain_mark) {
        r->drain_mark = r->resolutions;
        r->drain_since = now;
    } else if (now - r->drain_since >= r->give_up) {
        /* nothing moved for 2 s of simulated time: count what is left as lost */
        for (int dir = 0; dir < 2; dir++) {
            ReplayDir *d = &r->d[dir];
            for (unsigned i = 0; i < d->fl.count; i++) {
                Flight *x = &d->fl.v[(d->fl.head + i) % d->fl.cap];
                if (!x->resolved) {
                    d->dropped_host++;
                    d->host_drop[HD_UNRESOLVED]++;
                }
            }
            d->fl.count = d->fl.live = 0;
        }
        r->txq_count = 0;
        check_done(r);
        return;
    }
    r->drain_ev = true;
    evq_after(s->q, r->give_up < DRAIN_CHECK ? r->give_up : DRAIN_CHECK, drain_event, r, 0);
}

static void check_done(Replay *r)
{
    Sys *s = r->s;
    if (r->done || !r->eof || r->head_valid || s->failed)
        return;
    if (r->txq_count || r->d[D_TX].fl.live || r->d[D_RX].fl.live) {
        if (!r->drain_ev) {
            r->drain_ev = true;
            r->drain_mark = r->resolutions;
            r->drain_since = evq_now(s->q);
            evq_after(s->q, r->give_up < DRAIN_CHECK ? r->give_up : DRAIN_CHECK, drain_event, r, 0);
        }
        return;
    }
    r->done = true;
    evq_at(s->q, now_cursor(s), finish_event, r, 0);
}

/* ---- wire callbacks ------------------------------------------------------------------- */

static void peer_rx(void *opaque, const uint8_t *frame, size_t len)
{
    Replay *r = opaque;
    SimTime now = evq_now(r->s->q);
    write_wire(r, D_TX, frame, len, now);
    resolve(r, D_TX, frame, len, 0, 0, now);
}

static void host_rx(void *opaque, const uint8_t *frame, size_t len)
{
    Replay *r = opaque;
    Sys *s = r->s;
    SimTime now = evq_now(s->q);
    if (r->link_queue)
        r->link_queue--;
    write_wire(r, D_RX, frame, len, now);
    uint64_t drops = s->vmnet.nic_rx.drops;
    r->host_rx(r->host_rx_opaque, frame, len);
    if (s->hosted && s->vmnet.nic_rx.drops != drops)
        resolve(r, D_RX, frame, len, 2, len > VMNET_FRAME_MAX ? HD_OVERSIZE : HD_NIC_RING, now);
}

/* ---- ports wrapper: accesses by register ---------------------------------------------- */

static unsigned reg_index(const Sys *s, uint32_t off)
{
    bool dwio = pcnet_dwio(s->dev);
    uint32_t rap = pcnet_rap(s->dev);
    if (off < 0x10)
        return REG_APROM;
    if (off == 0x10)
        return REG_CSR + (rap & 0x7f);
    if (off == (dwio ? 0x14u : 0x12u))
        return REG_RAP;
    if (off == (dwio ? 0x18u : 0x14u))
        return REG_RESET;
    if (off == (dwio ? 0x1cu : 0x16u))
        return REG_BCR + (rap & 0x7f);
    return REG_APROM; /* not decoded: counted with the PROM window */
}

static uint32_t ports_in(void *opaque, uint32_t off, unsigned size)
{
    Replay *r = opaque;
    r->reg_count[reg_index(r->s, off)]++;
    return r->inner.in(r->inner.opaque, off, size);
}

static void ports_out(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    Replay *r = opaque;
    r->reg_count[reg_index(r->s, off)]++;
    r->inner.out(r->inner.opaque, off, size, v);
}

static void ports_delay(void *opaque, uint32_t us)
{
    Replay *r = opaque;
    if (r->inner.delay_us)
        r->inner.delay_us(r->inner.opaque, us);
}

/* ---- life cycle ------------------------------------------------------------------------ */

Replay *replay_new(Sys *s, const ReplayOptions *o, char *err, size_t errlen)
{
    if (!o->pcap || !o->pcap[0]) {
        snprintf(err, errlen, "replay.pcap: no capture given");
        return NULL;
    }
    if (!(o->speed > 0)) {
        snprintf(err, errlen, "replay.speed: must be positive");
        return NULL;
    }
    Replay *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "replay: out of memory");
        return NULL;
    }
    r->s = s;
    r->pace = o->pace;
    r->give_up = DRAIN_GIVE_UP;
    double ppm = o->speed * 1e6 + 0.5;
    r->speed_ppm = ppm < 1 ? 1 : (uint64_t)ppm;
    r->max_frame = 14 + (uint32_t)cfg_int(s->cfg, CFG_LINK_MTU_BYTES);
    if (r->max_frame > VMNET_FRAME_MAX - 4)
        r->max_frame = VMNET_FRAME_MAX - 4;
    r->src_name = strdup(o->pcap);
    r->frame = calloc(1, 65536);
    bool oom = !r->src_name || !r->frame;
    for (int i = 0; i < 2 && !oom; i++)
        oom = !(r->d[i].lat = stats_hist_new()) || ring_init(&r->d[i].fl, REPLAY_INFLIGHT_MAX);
    for (int i = 0; i < REPLAY_TXQ && !oom; i++)
        oom = !(r->txq[i].buf = malloc(r->max_frame > MIN_FRAME ? r->max_frame : MIN_FRAME));
    if (oom) {
        snprintf(err, errlen, "replay: out of memory");
        replay_free(r);
        return NULL;
    }
    r->src = pcapsrc_open(o->pcap, o->has_mac ? o->vm_mac : NULL, err, errlen);
    if (!r->src) {
        replay_free(r);
        return NULL;
    }
    r->mac_from = pcapsrc_mac_from(r->src);
    if (!pcapsrc_vm_mac(r->src, r->mac)) {
        /* standard input without a MAC: the first frame's source */
        if (r->mac_from != PCAPSRC_MAC_NONE && !read_head(r) && s->failed) {
            snprintf(err, errlen, "%s", s->err);
            s->failed = false;
            s->err[0] = 0;
            replay_free(r);
            return NULL;
        }
        if (!pcapsrc_vm_mac(r->src, r->mac)) {
            /* no frames at all: the model's own station address */
            memcpy(r->mac, s->guest_mac, 6);
            r->mac_default = true;
        }
    }
    if (r->mac[0] & 1) {
        snprintf(err, errlen, "%s: the VM's MAC %02x:%02x:%02x:%02x:%02x:%02x is a group address",
                 pcapsrc_path(r->src), r->mac[0], r->mac[1], r->mac[2], r->mac[3], r->mac[4],
                 r->mac[5]);
        replay_free(r);
        return NULL;
    }
    pcapsrc_set_filter(r->src, group_accepted, r);
    if (o->wire_pcap && o->wire_pcap[0]) {
        r->out = pcapout_open(o->wire_pcap, err, errlen);
        if (!r->out || !(r->wire_name = strdup(o->wire_pcap))) {
            replay_free(r);
            return NULL;
        }
    }
    return r;
}

void replay_free(Replay *r)
{
    if (!r)
        return;
    pcapsrc_close(r->src);
    if (r->out)
        pcapout_abort(r->out);
    for (int i = 0; i < 2; i++) {
        if (r->d[i].lat)
            stats_hist_free(r->d[i].lat);
        free(r->d[i].fl.v);
    }
    for (int i = 0; i < REPLAY_TXQ; i++)
        free(r->txq[i].buf);
    free(r->frame);
    free(r->src_name);
    free(r->wire_name);
    free(r);
}

void replay_vm_mac(const Replay *r, uint8_t mac[6]) { memcpy(mac, r->mac, 6); }

const DrvPorts *replay_ports(Replay *r, const DrvPorts *inner)
{
    r->inner = *inner;
    r->ports.opaque = r;
    r->ports.in = ports_in;
    r->ports.out = ports_out;
    r->ports.delay_us = ports_delay;
    return &r->ports;
}

void replay_attach(Replay *r)
{
    Sys *s = r->s;
    r->host_rx = s->wire.rx[WIRE_TO_HOST];
    r->host_rx_opaque = s->wire.rx_opaque[WIRE_TO_HOST];
    wire_set_rx(&s->wire, WIRE_TO_PEER, peer_rx, r);
    wire_set_rx(&s->wire, WIRE_TO_HOST, host_rx, r);
    /* no nettest */
    s->tcp.app_left = 0;
    s->tcp.call_left = 0;
}

void replay_booted(Replay *r)
{
    Sys *s = r->s;
    r->started = true;
    r->t_origin = now_cursor(s);
    r->n0 = s->n;
    memcpy(r->reg_count0, r->reg_count, sizeof r->reg_count);
    /* the first offer happens after the open routine has ended */
    if (r->feed_ev)
        evq_cancel(s->q, r->feed_ev);
    r->feed_ev = evq_at(s->q, r->t_origin, feed_event, r, 0);
}

/* ---- frames supplied by the caller (driver-trace replay) -------------------------------- */

Replay *replay_new_external(Sys *s, const char *name, const uint8_t mac[6], const char *mac_from,
                            const char *wire_pcap, char *err, size_t errlen)
{
    Replay *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "replay: out of memory");
        return NULL;
    }
    r->s = s;
    r->ext = true;
    r->pace = REPLAY_PACE_TRACE;
    r->speed_ppm = 1000000;
    r->give_up = DRAIN_GIVE_UP;
    memcpy(r->mac, mac, 6);
    snprintf(r->ext_mac_from, sizeof r->ext_mac_from, "%s", mac_from);
    r->max_frame = 14 + (uint32_t)cfg_int(s->cfg, CFG_LINK_MTU_BYTES);
    if (r->max_frame > VMNET_FRAME_MAX - 4)
        r->max_frame = VMNET_FRAME_MAX - 4;
    r->src_name = strdup(name ? name : "");
    r->frame = calloc(1, 65536);
    bool oom = !r->src_name || !r->frame;
    for (int i = 0; i < 2 && !oom; i++)
        oom = !(r->d[i].lat = stats_hist_new()) || ring_init(&r->d[i].fl, REPLAY_INFLIGHT_MAX);
    if (oom) {
        snprintf(err, errlen, "replay: out of memory");
        replay_free(r);
        return NULL;
    }
    if (wire_pcap && wire_pcap[0]) {
        r->out = pcapout_open(wire_pcap, err, errlen);
        if (!r->out || !(r->wire_name = strdup(wire_pcap))) {
            replay_free(r);
            return NULL;
        }
    }
    return r;
}

void replay_ext_ignored(Replay *r)
{
    r->frames_read++;
    r->frames_ignored++;
}

bool replay_ext_offer_tx(Replay *r, const uint8_t *frame, uint32_t len)
{
    SimTime now = now_cursor(r->s);
    r->frames_read++;
    if (len > r->max_frame) {
        drop_at_offer(r, D_TX, len, HD_OVERSIZE, now);
        return false;
    }
    if (!offer_flight(r, D_TX, frame, len, len, now)) {
        drop_at_offer(r, D_TX, len, HD_TXQ, now);
        return false;
    }
    return true;
}

void replay_ext_offer_rx(Replay *r, const uint8_t *frame, uint32_t flen)
{
    Sys *s = r->s;
    SimTime now = now_cursor(s);
    r->frames_read++;
    uint32_t len = flen < MIN_FRAME ? MIN_FRAME : flen;
    if (flen > r->max_frame) {
        drop_at_offer(r, D_RX, flen, HD_OVERSIZE, now);
        return;
    }
    memcpy(r->frame, frame, flen);
    memset(r->frame + flen, 0, len - flen);
    if (!offer_flight(r, D_RX, r->frame, len, len, now)) {
        drop_at_offer(r, D_RX, len, HD_LINK, now);
        return;
    }
    r->link_queue++;
    wire_send(&s->wire, WIRE_TO_HOST, now, r->frame, len);
}

void replay_ext_after_trace(Replay *r, bool tx, uint32_t len)
{
    r->frames_read++;
    drop_at_offer(r, tx ? D_TX : D_RX, !tx && len < MIN_FRAME ? MIN_FRAME : len, HD_AFTER_TRACE,
                  now_cursor(r->s));
}

void replay_ext_tx_failed(Replay *r, const uint8_t *frame, uint32_t len)
{
    resolve(r, D_TX, frame, len, 2, HD_DRIVER, now_cursor(r->s));
}

void replay_ext_eof(Replay *r, SimTime give_up)
{
    r->eof = true;
    r->give_up = give_up;
    check_done(r);
}

/* ---- guest side ------------------------------------------------------------------------- */

bool replay_guest_has_work(const Replay *r)
{
    return r->txq_count > 0 && !pcnet32_queue_stopped(r->s->drv);
}

void replay_guest_step(Replay *r)
{
    Sys *s = r->s;
    if (!replay_guest_has_work(r))
        return;
    TxSlot *t = &r->txq[r->txq_head];
    /* an application send(): system call, copy, per-packet protocol and driver code */
    s->n.syscalls++;
    vmm_guest_code(s, s->costs.guest_syscall);
    vmm_guest_code(s, costs_per_kib(s->costs.guest_copy_per_kib, t->len));
    vmm_guest_code(s, s->costs.guest_segment);
    vmm_priv_insns(s, COST_PRIV_PER_TX_SEGMENT);
    int rc = pcnet32_start_xmit(s->drv, t->buf, t->len, r->d[D_TX].offered);
    sys_drv_done(s);
    if (rc == 1)
        return; /* queue stopped: stays queued */
    r->txq_head = (r->txq_head + 1) % REPLAY_TXQ;
    r->txq_count--;
    s->n.tx_segments++;
    if (rc != 0)
        resolve(r, D_TX, t->buf, t->len, 2, HD_DRIVER, now_cursor(s));
}

void replay_guest_rx(Replay *r, const uint8_t *frame, size_t len)
{
    Sys *s = r->s;
    vmm_guest_code(s, s->costs.guest_segment); /* the receive protocol path */
    vmm_priv_insns(s, COST_PRIV_PER_RX_PACKET);
    resolve(r, D_RX, frame, len, 0, 0, now_cursor(s));
}

void replay_vnic_rx_result(Replay *r, const uint8_t *frame, size_t len, PcnetRxResult res)
{
    int vd;
    switch (res) {
    case PCNET_RX_OK: return;
    case PCNET_RX_MISSED: vd = VD_MISSED; break;
    case PCNET_RX_FILTERED: vd = VD_FILTERED; break;
    case PCNET_RX_REFUSED: vd = VD_REFUSED; break;
    default: vd = VD_ERROR; break;
    }
    r->vnic_drop[vd]++;
    resolve(r, D_RX, frame, len, 1, 0, now_cursor(r->s));
}

void replay_host_rx_drop(Replay *r, const uint8_t *frame, size_t len)
{
    resolve(r, D_RX, frame, len, 2, HD_VMNET, now_cursor(r->s));
}

/* ---- results ----------------------------------------------------------------------------- */

bool replay_done(const Replay *r) { return r->done; }

unsigned replay_rx_in_flight(const Replay *r) { return r->d[D_RX].fl.live; }

void replay_delivered(const Replay *r, uint64_t *tx, uint64_t *rx)
{
    *tx = r->d[D_TX].delivered;
    *rx = r->d[D_RX].delivered;
}

double replay_progress(const Replay *r)
{
    uint64_t off = r->d[0].offered + r->d[1].offered;
    uint64_t res = off - r->d[0].fl.live - r->d[1].fl.live;
    if (!r->frames_read)
        return -1;
    return (double)res / (double)(r->frames_read - r->frames_ignored + (r->eof ? 0 : 1));
}

const char *replay_warning(const Replay *r) { return r->warn; }

int replay_finish(Replay *r, char *err, size_t errlen)
{
    if (!r->out)
        return 0;
    PcapoutWriter *w = r->out;
    r->out = NULL;
    return pcapout_close(w, err, errlen);
}

static const char *pace_name(ReplayPace p)
{
    return p == REPLAY_PACE_AFAP ? "afap" : p == REPLAY_PACE_TRACE ? "driver-trace" : "timed";
}

static json_t *ps_us(SimTime ps) { return json_real((double)ps / (double)SIM_US); }

static json_t *rate_or_null(double v, bool ok) { return ok ? json_real(v) : json_null(); }

static json_t *dir_json(const Replay *r, int dir)
{
    const ReplayDir *d = &r->d[dir];
    json_t *o = json_object();
    json_object_set_new(o, "offered", json_integer((json_int_t)d->offered));
    json_object_set_new(o, "delivered", json_integer((json_int_t)d->delivered));
    json_object_set_new(o, "dropped_vnic", json_integer((json_int_t)d->dropped_vnic));
    json_object_set_new(o, "dropped_host", json_integer((json_int_t)d->dropped_host));
    json_t *hd = json_object();
    for (int i = 0; i < HD__N; i++)
        json_object_set_new(hd, HD_NAMES[i], json_integer((json_int_t)d->host_drop[i]));
    json_object_set_new(o, "dropped_host_where", hd);
    if (dir == D_RX) {
        json_t *vd = json_object();
        for (int i = 0; i < VD__N; i++)
            json_object_set_new(vd, VD_NAMES[i], json_integer((json_int_t)r->vnic_drop[i]));
        json_object_set_new(o, "dropped_vnic_why", vd);
    }
    json_object_set_new(o, "bytes_offered", json_integer((json_int_t)d->bytes_offered));
    json_object_set_new(o, "bytes_delivered", json_integer((json_int_t)d->bytes_delivered));
    SimTime span_off = d->last_offer - d->first_offer;
    SimTime span_del = d->delivered ? d->last_delivery - d->first_offer : 0;
    json_object_set_new(o, "offered_mbps", rate_or_null((double)d->bytes_offered * 8.0 * 1e6 /
                                                            (double)span_off, span_off > 0));
    json_object_set_new(o, "achieved_mbps", rate_or_null((double)d->bytes_delivered * 8.0 * 1e6 /
                                                              (double)span_del, span_del > 0));
    json_object_set_new(o, "offered_frames_per_s",
                        rate_or_null((double)(d->offered - 1) * 1e12 / (double)span_off, span_off > 0));
    json_object_set_new(o, "achieved_frames_per_s",
                        rate_or_null((double)d->delivered * 1e12 / (double)span_del, span_del > 0));
    json_t *lat = json_object();
    uint64_t n = stats_hist_count(d->lat);
    json_object_set_new(lat, "count", json_integer((json_int_t)n));
    if (n) {
        json_object_set_new(lat, "p50", ps_us(stats_hist_quantile(d->lat, 0.50)));
        json_object_set_new(lat, "p90", ps_us(stats_hist_quantile(d->lat, 0.90)));
        json_object_set_new(lat, "p99", ps_us(stats_hist_quantile(d->lat, 0.99)));
        json_object_set_new(lat, "max", ps_us(stats_hist_max(d->lat)));
        json_object_set_new(lat, "mean", json_real(stats_hist_mean(d->lat) / (double)SIM_US));
    } else {
        json_object_set_new(lat, "p50", json_null());
        json_object_set_new(lat, "p90", json_null());
        json_object_set_new(lat, "p99", json_null());
        json_object_set_new(lat, "max", json_null());
        json_object_set_new(lat, "mean", json_null());
    }
    json_object_set_new(o, "latency_us", lat);
    size_t nb = stats_hist_buckets(d->lat, NULL, NULL, 0);
    uint64_t *up = nb ? calloc(nb, sizeof *up) : NULL, *cnt = nb ? calloc(nb, sizeof *cnt) : NULL;
    json_t *hu = json_array(), *hc = json_array();
    if (up && cnt) {
        nb = stats_hist_buckets(d->lat, up, cnt, nb);
        for (size_t i = 0; i < nb; i++) {
            json_array_append_new(hu, ps_us(up[i]));
            json_array_append_new(hc, json_integer((json_int_t)cnt[i]));
        }
    }
    free(up);
    free(cnt);
    json_t *h = json_object();
    json_object_set_new(h, "upper_us", hu);
    json_object_set_new(h, "count", hc);
    json_object_set_new(o, "latency_hist", h);
    json_object_set_new(o, "unmatched", json_integer((json_int_t)d->unmatched));
    return o;
}

static const char *reg_name(unsigned i, char *buf, size_t n)
{
    if (i == REG_APROM)
        return "APROM";
    if (i == REG_RAP)
        return "RAP";
    if (i == REG_RESET)
        return "RESET";
    snprintf(buf, n, "%s%u", i >= REG_BCR ? "BCR" : "CSR", i >= REG_BCR ? i - REG_BCR : i);
    return buf;
}

json_t *replay_results(const Replay *r)
{
    const Sys *s = r->s;
    json_t *o = json_object();
    json_object_set_new(o, "pcap", json_string(r->src ? pcapsrc_path(r->src) : r->src_name));
    char mac[18];
    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", r->mac[0], r->mac[1], r->mac[2],
             r->mac[3], r->mac[4], r->mac[5]);
    json_object_set_new(o, "vm_mac", json_string(mac));
    json_object_set_new(o, "vm_mac_from", json_string(r->ext ? r->ext_mac_from : r->mac_default ? "model-default"
                                                    : pcapsrc_mac_from_name(r->mac_from)));
    json_object_set_new(o, "pace", json_string(pace_name(r->pace)));
    json_object_set_new(o, "speed", json_real((double)r->speed_ppm / 1e6));
    json_object_set_new(o, "frames_read", json_integer((json_int_t)r->frames_read));
    json_object_set_new(o, "frames_ignored", json_integer((json_int_t)r->frames_ignored));
    json_object_set_new(o, "frames_truncated", json_integer((json_int_t)r->frames_truncated));
    json_object_set_new(o, "warning", json_string(r->warn));
    json_object_set_new(o, "tx", dir_json(r, D_TX));
    json_object_set_new(o, "rx", dir_json(r, D_RX));
    json_object_set_new(o, "wire_frames_written", json_integer((json_int_t)r->wire_written));

    /* per frame moved (delivered, both directions), since the driver was open */
    uint64_t frames = r->d[0].delivered + r->d[1].delivered;
    const SysCounters *n = &s->n, *z = &r->n0;
    json_t *pf = json_object();
#define PER(key, v) json_object_set_new(pf, key, frames ? json_real((double)(v) / (double)frames) : json_null())
    PER("port_accesses", n->port_accesses - z->port_accesses);
    PER("port_accesses_in_vmm", n->port_in_vmm - z->port_in_vmm);
    PER("port_accesses_switching", n->port_switching - z->port_switching);
    PER("pic_accesses", n->pic_accesses - z->pic_accesses);
    PER("virtual_irqs", n->virqs - z->virqs);
    PER("host_irqs", n->host_irqs - z->host_irqs);
    PER("guest_nic_irqs", (n->guest_irqs - n->guest_ticks) - (z->guest_irqs - z->guest_ticks));
    PER("syscalls", n->syscalls - z->syscalls);
#undef PER
    json_object_set_new(pf, "world_switches",
                        frames ? json_real((double)s->cpu.world_switches / (double)frames) : json_null());
    json_object_set_new(o, "per_frame", pf);

    /* port accesses by register, per frame and per NIC interrupt */
    uint64_t nic_irqs = (n->guest_irqs - n->guest_ticks) - (z->guest_irqs - z->guest_ticks);
    json_t *br = json_object();
    for (unsigned i = 0; i < REG__N; i++) {
        uint64_t c = r->reg_count[i] - r->reg_count0[i];
        if (!c)
            continue;
        char nb[16];
        json_t *e = json_object();
        json_object_set_new(e, "count", json_integer((json_int_t)c));
        json_object_set_new(e, "per_frame", frames ? json_real((double)c / (double)frames) : json_null());
        json_object_set_new(e, "per_interrupt",
                            nic_irqs ? json_real((double)c / (double)nic_irqs) : json_null());
        json_object_set_new(br, reg_name(i, nb, sizeof nb), e);
    }
    json_object_set_new(o, "port_accesses_by_register", br);
    json_object_set_new(o, "nic_interrupts", json_integer((json_int_t)nic_irqs));
    return o;
}

void replay_print_summary(const Replay *r, FILE *out)
{
    fprintf(out, "\nreplay of %s (VM %02x:%02x:%02x:%02x:%02x:%02x, %s, pace %s",
            r->src ? pcapsrc_path(r->src) : r->src_name[0] ? r->src_name : "synthesized frames", r->mac[0], r->mac[1], r->mac[2],
            r->mac[3], r->mac[4], r->mac[5],
            r->ext ? r->ext_mac_from : r->mac_default ? "model-default" : pcapsrc_mac_from_name(r->mac_from),
            pace_name(r->pace));
    if (r->pace == REPLAY_PACE_TIMED)
        fprintf(out, ", speed %g", (double)r->speed_ppm / 1e6);
    fprintf(out, ")\n  frames read %" PRIu64 ", ignored %" PRIu64 ", truncated %" PRIu64 "\n",
            r->frames_read, r->frames_ignored, r->frames_truncated);
    fprintf(out, "  %-3s %9s %9s %9s %9s %10s %10s %9s %9s %9s\n", "dir", "offered", "delivered",
            "drop_vnic", "drop_host", "off Mb/s", "got Mb/s", "lat p50", "p99 us", "max us");
    for (int dir = 0; dir < 2; dir++) {
        const ReplayDir *d = &r->d[dir];
        SimTime so = d->last_offer - d->first_offer;
        SimTime sd = d->delivered ? d->last_delivery - d->first_offer : 0;
        bool any = stats_hist_count(d->lat) > 0;
        fprintf(out, "  %-3s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %10.2f %10.2f %9.1f %9.1f %9.1f\n",
                dir ? "rx" : "tx", d->offered, d->delivered, d->dropped_vnic, d->dropped_host,
                so ? (double)d->bytes_offered * 8e6 / (double)so : 0.0,
                sd ? (double)d->bytes_delivered * 8e6 / (double)sd : 0.0,
                any ? (double)stats_hist_quantile(d->lat, 0.5) / (double)SIM_US : 0.0,
                any ? (double)stats_hist_quantile(d->lat, 0.99) / (double)SIM_US : 0.0,
                any ? (double)stats_hist_max(d->lat) / (double)SIM_US : 0.0);
    }
    if (r->warn[0])
        fprintf(out, "  warning: %s\n", r->warn);
}
