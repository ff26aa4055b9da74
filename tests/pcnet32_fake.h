/* Test helpers for the pcnet32 driver tests (tests/test_pcnet32_*.c), header-only.
 *
 *   RecTrace / rec_load     the condensed recording format of traces/recordings/ * /
 *                           pcnet-ports.txt ("t_us R|W offset size value register",
 *                           plus IRQ / EV / CON lines, which are skipped)
 *   Replay                  a scripted device: each access must be the next recorded
 *                           one (direction, offset, size, written value); reads return
 *                           the recorded value
 *   FakeChip                a small register-level stand-in for the Am79C970A: RAP,
 *                           CSRs, BCRs, APROM, CSR0 W1C/INIT/STRT/STOP, INTR, with
 *                           scripts that override CSR0 and SPND read-backs
 *   Log / log_*             records every access the driver makes (for comparisons)
 *   rec_glob                finds the committed recordings
 */
#ifndef VNICSIM_TESTS_PCNET32_FAKE_H
#define VNICSIM_TESTS_PCNET32_FAKE_H

#include <glob.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/gmem.h"
#include "model/guest/pcnet32.h"

typedef struct Acc {
    char dir;           /* 'R' or 'W' */
    uint32_t off, size, value;
} Acc;

/* ---- recordings ---- */
typedef struct RecTrace {
    Acc *a;
    size_t n, cap;
    char err[256];      /* first parse error, "" if none */
} RecTrace;

static inline void rec_free(RecTrace *t) { free(t->a); memset(t, 0, sizeof *t); }

/* Globs the committed recordings, traces/recordings/ * /pcnet-ports.txt under
 * $VNICSIM_SRCDIR (default "."); the pattern is left in pat for messages. Returns
 * glob()'s result; on 0 the caller globfree()s g. */
static inline int rec_glob(glob_t *g, char *pat, size_t patn)
{
    const char *dir = getenv("VNICSIM_SRCDIR");
    snprintf(pat, patn, "%s/traces/recordings/*/pcnet-ports.txt", dir ? dir : ".");
    return glob(pat, 0, NULL, g);
}

/* 0 ok; -1 with t->err naming file:line. */
static inline int rec_load(RecTrace *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(t->err, sizeof t->err, "%s: cannot open", path);
        return -1;
    }
    char line[512];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        unsigned long long ts;
        char kind[16];
        int used = 0;
        if (sscanf(line, "%llu %15s %n", &ts, kind, &used) < 2)
            continue; /* blank or foreign line */
        if (strcmp(kind, "R") != 0 && strcmp(kind, "W") != 0)
            continue; /* IRQ, EV, CON */
        unsigned off, size, value;
        if (sscanf(line + used, "%x %u %x", &off, &size, &value) != 3 ||
            (size != 1 && size != 2 && size != 4) || off > 0x1F) {
            snprintf(t->err, sizeof t->err, "%s:%u: malformed access line", path, lineno);
            fclose(f);
            return -1;
        }
        if (t->n == t->cap) {
            size_t nc = t->cap ? 2 * t->cap : 1024;
            Acc *na = realloc(t->a, nc * sizeof *na);
            if (!na) {
                snprintf(t->err, sizeof t->err, "%s: out of memory", path);
                fclose(f);
                return -1;
            }
            t->a = na;
            t->cap = nc;
        }
        t->a[t->n++] = (Acc){kind[0], off, size, value};
    }
    fclose(f);
    return 0;
}

/* Which driver entry point the recording shows next at rec[pos]:
 *   RESET read                          open (after a close)
 *   RAP <- 0;  RDP <- 0x0048            start_xmit
 *   RAP <- 0;  read RDP                 the interrupt handler
 *   RAP <- 3;  read RDP                 the NAPI completion (poll with work < budget)
 *   RAP <- 5;  read RDP                 the receive-mode update
 *   RAP <- 112; read; RAP <- 0; STOP    close
 *   RAP <- 112; read                    get_stats
 *   RAP <- 4;  read BDP                 the link watchdog */
typedef enum RecCall {
    REC_NONE = 0, REC_OPEN, REC_XMIT, REC_ISR, REC_POLL, REC_RXMODE, REC_CLOSE, REC_STATS,
    REC_WATCHDOG
} RecCall;

static inline RecCall rec_next_call(const RecTrace *t, size_t pos)
{
    if (pos < t->n && t->a[pos].dir == 'R' && t->a[pos].off == 0x14)
        return REC_OPEN;
    if (pos + 1 >= t->n || t->a[pos].dir != 'W' || t->a[pos].off != 0x12)
        return REC_NONE;
    const Acc *n = &t->a[pos + 1];
    bool rd_rdp = n->dir == 'R' && n->off == 0x10;
    switch (t->a[pos].value) {
    case 0:
        if (n->dir == 'W' && n->off == 0x10 && n->value == 0x0048)
            return REC_XMIT;
        return rd_rdp ? REC_ISR : REC_NONE;
    case 3: return rd_rdp ? REC_POLL : REC_NONE;
    case 5: return rd_rdp ? REC_RXMODE : REC_NONE;
    case 4: return n->dir == 'R' && n->off == 0x16 ? REC_WATCHDOG : REC_NONE;
    case 112:
        if (!rd_rdp)
            return REC_NONE;
        if (pos + 3 < t->n && t->a[pos + 2].dir == 'W' && t->a[pos + 2].off == 0x12 &&
            t->a[pos + 2].value == 0 && t->a[pos + 3].dir == 'W' && t->a[pos + 3].off == 0x10 &&
            t->a[pos + 3].value == 0x0004)
            return REC_CLOSE;
        return REC_STATS;
    default: return REC_NONE;
    }
}

/* Filter words written to CSR8..11 among rec[from, to); true when all four seen. */
static inline bool rec_filter(const RecTrace *t, size_t from, size_t to, uint16_t f[4])
{
    unsigned seen = 0;
    for (size_t i = from; i + 1 < to && i + 1 < t->n; i++) {
        const Acc *a = &t->a[i], *b = &t->a[i + 1];
        if (a->dir == 'W' && a->off == 0x12 && a->value >= 8 && a->value <= 11 &&
            b->dir == 'W' && b->off == 0x10) {
            f[a->value - 8] = (uint16_t)b->value;
            seen |= 1u << (a->value - 8);
        }
    }
    return seen == 0xF;
}

/* A multicast address for every filter bit (01:00:5e:00:xx:yy), found by search
 * with the driver's hash (whose known answers are tested separately). */
static inline bool mc_bit_addrs(uint8_t tab[64][6])
{
    bool have[64] = {false};
    unsigned found = 0;
    for (unsigned x = 0; x < 65536 && found < 64; x++) {
        uint8_t a[6] = {0x01, 0x00, 0x5e, 0x00, (uint8_t)(x >> 8), (uint8_t)x};
        unsigned b = pcnet32_mc_hash_bit(a);
        if (!have[b]) {
            have[b] = true;
            memcpy(tab[b], a, 6);
            found++;
        }
    }
    return found == 64;
}

/* A multicast list whose hash gives exactly the filter f. */
static inline size_t mc_for_filter(const uint8_t tab[64][6], const uint16_t f[4], uint8_t (*mc)[6])
{
    size_t n = 0;
    for (unsigned b = 0; b < 64; b++)
        if (f[b >> 4] & (1u << (b & 15)))
            memcpy(mc[n++], tab[b], 6);
    return n;
}

/* Init-block address the recorded guest used (its probe's CSR1/CSR2 writes). */
static inline uint64_t rec_init_addr(const RecTrace *t)
{
    uint32_t lo = 0, hi = 0;
    for (size_t i = 0; i + 1 < 33 && i + 1 < t->n; i++) {
        const Acc *a = &t->a[i], *b = &t->a[i + 1];
        if (a->dir == 'W' && a->off == 0x12 && b->dir == 'W' && b->off == 0x10) {
            if (a->value == 1)
                lo = b->value;
            if (a->value == 2)
                hi = b->value;
        }
    }
    return (uint64_t)hi << 16 | lo;
}

/* The receive mode a recorded update (or open) at rec[from, from+len) programs. */
static inline void rec_rx_mode(const RecTrace *t, size_t from, size_t len, const uint8_t tab[64][6],
                               uint8_t (*mc)[6], DrvRxMode *m)
{
    uint16_t f[4] = {0};
    memset(m, 0, sizeof *m);
    for (size_t i = from; i + 1 < from + len && i + 1 < t->n; i++)
        if (t->a[i].dir == 'W' && t->a[i].off == 0x12 && t->a[i].value == 15 &&
            t->a[i + 1].dir == 'W' && t->a[i + 1].off == 0x10)
            m->promisc = (t->a[i + 1].value & 0x8000) != 0;
    if (rec_filter(t, from, from + len, f)) {
        m->allmulti = f[0] == 0xFFFF && f[1] == 0xFFFF && f[2] == 0xFFFF && f[3] == 0xFFFF;
        if (!m->allmulti) {
            m->n_mc = mc_for_filter(tab, f, mc);
            m->mc = (const uint8_t(*)[6])mc;
        }
    }
}

/* Drive the driver through the recording from *pos_of, one entry point per step,
 * until `upto` accesses or a pattern this replay does not know. Returns the
 * position reached (*pos_of is the device's position, advanced by the calls). */
static inline size_t rec_drive(const RecTrace *t, Pcnet32Drv *d, size_t upto, const size_t *pos_of,
                               const uint8_t tab[64][6])
{
    static uint8_t mc[64][6];
    static const uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    while (*pos_of < upto) {
        size_t pos = *pos_of;
        DrvRxMode m;
        switch (rec_next_call(t, pos)) {
        case REC_OPEN:
            rec_rx_mode(t, pos, 37, tab, mc, &m);
            m.promisc = false; /* open always writes the plain mode */
            pcnet32_set_rx_mode(d, &m);
            (void)pcnet32_open(d);
            break;
        case REC_XMIT:
            /* The stack only transmits on a running queue. A full ring during NAPI
             * was emptied by a poll that used its whole budget, which makes no port
             * access and so is not in the recording: run it (budget 0, TX reclaim). */
            if (pcnet32_queue_stopped(d) && pcnet32_napi_scheduled(d)) {
                (void)pcnet32_poll(d, 0);
                if (pcnet32_last_activity(d)->port_accesses != 0)
                    return pos;
            }
            if (pcnet32_start_xmit(d, frame, sizeof frame, pos) != 0)
                return pos;
            break;
        case REC_ISR:
            (void)pcnet32_interrupt(d);
            break;
        case REC_POLL:
            (void)pcnet32_poll(d, PCNET32_NAPI_WEIGHT);
            break;
        case REC_RXMODE:
            rec_rx_mode(t, pos, 22, tab, mc, &m);
            pcnet32_set_rx_mode(d, &m);
            break;
        case REC_CLOSE:
            pcnet32_close(d);
            break;
        case REC_STATS:
            pcnet32_get_stats(d);
            break;
        case REC_WATCHDOG:
            pcnet32_watchdog(d);
            break;
        default:
            return pos;
        }
        if (pcnet32_last_activity(d)->port_accesses == 0)
            return pos;
    }
    return *pos_of;
}

/* ---- access log ---- */
typedef struct Log {
    Acc a[4096];
    size_t n;
    uint32_t delays, delay_us;
} Log;

static inline void log_add(Log *l, char dir, uint32_t off, unsigned size, uint32_t v)
{
    if (l->n < sizeof l->a / sizeof l->a[0])
        l->a[l->n++] = (Acc){dir, off, size, v};
}

/* ---- replay device ---- */
typedef struct Replay {
    const RecTrace *t;
    size_t pos;
    /* optional device memory effect: a TDMD write hands every owned TX descriptor
     * back as sent, as QEMU does synchronously (ring from the init block at ib) */
    Gmem *mem;
    uint64_t ib;
    uint16_t rap;
    unsigned mismatches;
    char first[256];
    Log log;
} Replay;

static inline void replay_fail(Replay *r, char dir, uint32_t off, unsigned size, uint32_t v)
{
    if (r->mismatches++ == 0) {
        if (r->pos < r->t->n) {
            const Acc *e = &r->t->a[r->pos];
            snprintf(r->first, sizeof r->first,
                     "access %zu: driver %c 0x%02x/%u 0x%04x, recorded %c 0x%02x/%u 0x%04x",
                     r->pos, dir, off, size, v, e->dir, e->off, e->size, e->value);
        } else {
            snprintf(r->first, sizeof r->first, "access %zu: driver %c 0x%02x beyond the recording",
                     r->pos, dir, off);
        }
    }
}

static inline uint32_t replay_in(void *o, uint32_t off, unsigned size)
{
    Replay *r = o;
    log_add(&r->log, 'R', off, size, 0);
    uint32_t v = size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFFFFFFu;
    if (r->pos >= r->t->n || r->t->a[r->pos].dir != 'R' || r->t->a[r->pos].off != off ||
        r->t->a[r->pos].size != size)
        replay_fail(r, 'R', off, size, 0);
    else
        v = r->t->a[r->pos].value;
    r->log.a[r->log.n - 1].value = v;
    r->pos++;
    return v;
}

static inline void replay_out(void *o, uint32_t off, unsigned size, uint32_t v)
{
    Replay *r = o;
    log_add(&r->log, 'W', off, size, v);
    if (off == 0x12)
        r->rap = (uint16_t)v;
    if (r->mem && off == 0x10 && r->rap == 0 && (v & 0x0008)) {
        uint64_t ring = gmem_ld32(r->mem, r->ib + 24);
        for (unsigned i = 0; i < PCNET32_TX_RING; i++) {
            uint16_t st = gmem_ld16(r->mem, ring + 16u * i + 6);
            if (st & 0x8000)
                gmem_st16(r->mem, ring + 16u * i + 6, (uint16_t)(st & 0x7FFF));
        }
    }
    if (r->pos >= r->t->n || r->t->a[r->pos].dir != 'W' || r->t->a[r->pos].off != off ||
        r->t->a[r->pos].size != size || r->t->a[r->pos].value != v)
        replay_fail(r, 'W', off, size, v);
    r->pos++;
}

static inline void replay_delay(void *o, uint32_t us)
{
    Replay *r = o;
    r->log.delays++;
    r->log.delay_us += us;
}

/* ---- fake chip ---- */
typedef struct FakeChip {
    uint16_t rap, csr[128], bcr[64];
    uint8_t prom[16];
    bool link, dwio;
    /* scripts: values returned by successive CSR0 reads before the stored value */
    uint16_t csr0_script[16];
    unsigned csr0_n, csr0_pos;
    unsigned spnd_lag;      /* CSR5 reads that still show SPND = 0 after it was set */
    bool no_idon;           /* INIT never completes */
    uint16_t stuck;         /* CSR0 status bits the chip keeps reporting */
    uint16_t id88;          /* CSR88 after reset (0: 0x1003, the 79C970A) */
    unsigned tdmd_writes, inits;
    Log log;
} FakeChip;

static inline void fake_sreset(FakeChip *c)
{
    c->csr[0] = 0x0004;
    c->csr[3] = 0;
    c->csr[4] = 0x0115;
    c->csr[5] = 0;
    c->csr[15] &= 0x21C4;
    for (int i = 0; i < 3; i++)
        c->csr[12 + i] = (uint16_t)(c->prom[2 * i] | c->prom[2 * i + 1] << 8);
    c->csr[88] = c->id88 ? c->id88 : 0x1003;
    c->csr[89] = 0x0262;
    c->csr[112] = 0;
    c->csr[124] = 0;
    c->rap = 0;
}

static inline void fake_init(FakeChip *c, const uint8_t mac[6])
{
    memset(c, 0, sizeof *c);
    memcpy(c->prom, mac, 6);
    c->prom[9] = 0x11;
    c->prom[14] = c->prom[15] = 0x57;
    c->bcr[2] = 0x0002;
    c->bcr[4] = 0x00C0;
    c->bcr[18] = 0x9001;
    c->bcr[20] = 0x0200;
    c->link = true;
    fake_sreset(c);
}

static inline uint16_t fake_csr0_value(const FakeChip *c)
{
    uint16_t v = (c->csr[0] | c->stuck) & 0x7F7F;
    if (v & 0x5F00 & ~c->csr[3])
        v |= 0x0080;
    if (v & 0x5800)
        v |= 0x8000;
    return v;
}

static inline uint32_t fake_in(void *o, uint32_t off, unsigned size)
{
    FakeChip *c = o;
    uint32_t v = 0xFFFF;
    unsigned want = c->dwio ? 4 : 2;
    uint32_t rdp = 0x10, rap = c->dwio ? 0x14 : 0x12, reset = c->dwio ? 0x18 : 0x14,
             bdp = c->dwio ? 0x1C : 0x16;
    if (size == 1 && off < 16) {
        v = c->prom[off];
    } else if (size != want) {
        v = size == 4 ? 0xFFFFFFFFu : 0xFFFFu;
    } else if (off == reset) {
        fake_sreset(c);
        v = 0;
    } else if (off == rap) {
        v = c->rap;
    } else if (off == rdp) {
        if (c->rap == 0) {
            v = c->csr0_pos < c->csr0_n ? c->csr0_script[c->csr0_pos++] : fake_csr0_value(c);
        } else if (c->rap == 5 && (c->csr[5] & 1) && c->spnd_lag) {
            c->spnd_lag--;
            v = c->csr[5] & ~1u;
        } else {
            v = c->csr[c->rap];
        }
    } else if (off == bdp) {
        v = c->rap == 4 ? (c->link ? 0x80C0 : 0x00C0) : c->bcr[c->rap & 63];
    }
    log_add(&c->log, 'R', off, size, v);
    return v;
}

static inline void fake_out(void *o, uint32_t off, unsigned size, uint32_t v)
{
    FakeChip *c = o;
    log_add(&c->log, 'W', off, size, v);
    if (!c->dwio && size == 4 && off == 0x10) {
        c->dwio = true;
        return;
    }
    unsigned want = c->dwio ? 4 : 2;
    uint32_t rap = c->dwio ? 0x14 : 0x12, bdp = c->dwio ? 0x1C : 0x16;
    if (size != want)
        return;
    if (off == rap) {
        c->rap = (uint16_t)(v & 0x7F);
    } else if (off == 0x10) {
        if (c->rap != 0) {
            c->csr[c->rap] = (uint16_t)v;
            return;
        }
        uint16_t *c0 = &c->csr[0];
        *c0 &= (uint16_t)~(v & 0x7F00);
        *c0 = (uint16_t)((*c0 & ~0x0040u) | (v & 0x0040u));
        if (v & 0x0004) {
            *c0 = 0x0004;
            return;
        }
        if ((v & 0x0001) && !(*c0 & 0x0001)) {
            *c0 = (uint16_t)((*c0 & ~0x0004u) | (c->no_idon ? 0x0001u : 0x0101u));
            c->inits++;
        }
        if ((v & 0x0002) && !(*c0 & 0x0002))
            *c0 = (uint16_t)((*c0 & ~0x0004u) | 0x0032u);
        if (v & 0x0008)
            c->tdmd_writes++;
    } else if (off == bdp) {
        c->bcr[c->rap & 63] = (uint16_t)v;
    }
}

static inline void fake_delay(void *o, uint32_t us)
{
    FakeChip *c = o;
    c->log.delays++;
    c->log.delay_us += us;
}

static inline void fake_script_csr0(FakeChip *c, const uint16_t *vals, unsigned n)
{
    for (unsigned i = 0; i < n && i < 16; i++)
        c->csr0_script[i] = vals[i];
    c->csr0_n = n < 16 ? n : 16;
    c->csr0_pos = 0;
}

#endif
