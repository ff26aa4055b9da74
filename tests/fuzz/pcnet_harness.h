/* pcnet_harness: turns a byte string into a run of the Am79C970A model against the
 * fake host (small guest RAM), checking the model's invariants after every step.
 * Shared by the libFuzzer target (tests/fuzz/fuzz_pcnet.c) and the corpus replay
 * test (tests/test_pcnet_corpus.c).
 *
 * Byte format. Byte 0 configures the run: bit 0 = qemu-7.2 profile (else datasheet),
 * bit 1 = asynchronous transmit (tx_pending + pcnet_tx_run), bit 2 = link down at start.
 * Then a sequence of operations; each starts with an op byte whose low 4 bits select
 * the operation and whose high 4 bits are a small argument (`hi`). Missing argument
 * bytes read as 0; the run ends with the input. Multi-byte values are little-endian.
 *
 *   0 IOW16  off val16        port write, 16 bits          (off & 0x1F)
 *   1 IOW32  off val32        port write, 32 bits
 *   2 IOW8   off val8         port write, 8 bits
 *   3 IOR    off [exp16]      port read, width by hi & 3: 1, 2, 4, 3 (invalid); with
 *                             hi & 4 the next 2 bytes are the value a recording saw:
 *                             a difference (low 16 bits) is counted in `mismatches`,
 *                             which is a conformance figure, not a violation
 *   4 CSRW   n val16          RAP <- n; RDP <- val (in the current I/O mode)
 *   5 BCRW   n val16          RAP <- n; BDP <- val
 *   6 CSRR   n                RAP <- n; read RDP (hi & 1: read BDP instead)
 *   7 FRAME  len16 kind seed  a frame from the wire: len % 9000; kind & 3 selects the
 *                             destination: own MAC, broadcast, 01:00:5e:00:00:01, or
 *                             the next 6 input bytes; payload from `seed`
 *   8 TIME   t16              advance the clock by t * 10 us (fires the poll timer)
 *   9 LINK                    link up if hi & 1, else down
 *  10 MEMW   addr24 len8 data write guest memory (addr % RAM); data from the input
 *  11 SETUP  style rlog tlog  STOP; BCR20 <- style; an init block at HARN_INIT with
 *                             rings at HARN_RX_RING / HARN_TX_RING, every RX descriptor
 *                             owned with a 1544-byte buffer; CSR4 <- 0x0915; INIT;
 *                             CSR0 <- STRT|INEA when hi & 1
 *  12 TXD    idx len16 fl     build TX descriptor idx (in the current SWSTYLE, ring from
 *                             CSR30/31) owning a buffer of len % 4097 bytes; fl bits:
 *                             0 STP, 1 ENP, 2 ADD_FCS, 3 LTINT, 4 no OWN; 7 write TDMD
 *  13 RXD    idx len16        build RX descriptor idx, owned
 *  14 TXRUN                   pcnet_tx_run (whether or not work is pending)
 *  15 RESET                   hi & 1: H_RESET; hi & 2: S_RESET by a port read;
 *                             hi & 4: the next 2 bytes are a quirk mask (bit i = the
 *                             i-th PcnetQuirks field, in declaration order)
 *
 * Invariants (a violation is reported and counted): INTA == INEA && INTR; the host's
 * line equals the device's and the edge counts agree; RAP < 128; ring lengths >= 1 and
 * 1 <= counter <= length for both rings; the descriptor reads of one operation are
 * bounded by the ring sizes and the polls it caused. DMA outside guest RAM is refused
 * by the fake host (gmem bounds) and frames out are bounded (the fake host aborts).
 */
#ifndef VNICSIM_TESTS_FUZZ_PCNET_HARNESS_H
#define VNICSIM_TESTS_FUZZ_PCNET_HARNESS_H

#include "tests/pcnet_fakehost.h"

#include <stdarg.h>

#define HARN_RAM      (256u * 1024u)
#define HARN_INIT     0x0100u
#define HARN_RX_RING  0x1000u
#define HARN_TX_RING  0x3000u
#define HARN_RX_BUFS  0x8000u
#define HARN_TX_BUFS  0x24000u
#define HARN_MAX_OPS  20000u

typedef struct HarnIn {
    const uint8_t *p;
    size_t n, i;
} HarnIn;

static inline unsigned harn_u8(HarnIn *in) { return in->i < in->n ? in->p[in->i++] : 0; }
static inline unsigned harn_u16(HarnIn *in)
{
    unsigned a = harn_u8(in);
    return a | harn_u8(in) << 8;
}
static inline uint32_t harn_u32(HarnIn *in)
{
    uint32_t a = harn_u16(in);
    return a | (uint32_t)harn_u16(in) << 16;
}

static inline void harn_quirks(Pcnet *d, unsigned mask)
{
    PcnetQuirks q;
    memset(&q, 0, sizeof q);
    bool *f[] = {&q.poll_on_access, &q.tdmd_sticky, &q.txon_after_stop, &q.txstrt_bit2, &q.rx_chain_max3,
                 &q.rx_resync_scan, &q.no_tx_pad, &q.rx_zero_fcs, &q.dwio_cleared_by_sreset,
                 &q.csr_writes_ungated, &q.tint_per_descriptor};
    for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++)
        *f[i] = (mask >> i) & 1;
    pcnet_set_quirks(d, &q);
}

static inline bool harn_style32(FakeHost *h) { return (pcnet_bcr(h->dev, 20) & 0x0100) != 0; }
static inline bool harn_swap(FakeHost *h) { return (pcnet_bcr(h->dev, 20) & 0xFF) == 3; }

/* Write one descriptor in the current software style (flags: the status byte in
 * TMD1/RMD1 bits 31:24; the buffer address fits 24 bits here). */
static inline void harn_desc(FakeHost *h, uint32_t ring, unsigned idx, uint32_t buf, unsigned len, uint8_t status)
{
    uint16_t bcnt = (uint16_t)(0xF000u | ((0x1000u - len) & 0x0FFFu));
    if (!harn_style32(h)) {
        uint32_t a = ring + 8 * idx;
        gmem_st16(h->mem, a, (uint16_t)buf);
        gmem_st16(h->mem, a + 4, bcnt);
        gmem_st16(h->mem, a + 6, 0);
        gmem_st16(h->mem, a + 2, (uint16_t)(status << 8 | ((buf >> 16) & 0xFF)));
        return;
    }
    uint32_t a = ring + 16 * idx;
    bool sw = harn_swap(h);
    gmem_st32(h->mem, a + (sw ? 8 : 0), buf);
    gmem_st32(h->mem, a + (sw ? 0 : 8), 0);
    gmem_st32(h->mem, a + 4, (uint32_t)status << 24 | bcnt);
}

static inline uint32_t harn_ring_base(FakeHost *h, unsigned lo)
{
    return (uint32_t)pcnet_csr(h->dev, lo) | (uint32_t)pcnet_csr(h->dev, lo + 1) << 16;
}

static inline void harn_setup(FakeHost *h, unsigned style, unsigned rlog, unsigned tlog, bool start)
{
    fh_csr_w(h, 0, 0x0004);
    fh_bcr_w(h, 20, (uint16_t)style);
    if (harn_style32(h)) {
        rlog %= 10, tlog %= 10;
        fh_write_init32(h, HARN_INIT, 0x0080, rlog, tlog, NULL, HARN_RX_RING, HARN_TX_RING);
    } else {
        rlog %= 8, tlog %= 8;
        gmem_st16(h->mem, HARN_INIT, 0x0080);
        gmem_write(h->mem, HARN_INIT + 2, fh_mac, 6);
        for (unsigned i = 0; i < 4; i++)
            gmem_st16(h->mem, HARN_INIT + 8 + 2 * i, 0);
        gmem_st16(h->mem, HARN_INIT + 16, (uint16_t)HARN_RX_RING);
        gmem_st16(h->mem, HARN_INIT + 18, (uint16_t)(rlog << 13));
        gmem_st16(h->mem, HARN_INIT + 20, (uint16_t)HARN_TX_RING);
        gmem_st16(h->mem, HARN_INIT + 22, (uint16_t)(tlog << 13));
    }
    for (unsigned i = 0; i < (1u << rlog); i++)
        harn_desc(h, HARN_RX_RING, i, HARN_RX_BUFS + (i % 64) * 0x800, 1544, 0x80);
    fh_csr_w(h, 1, HARN_INIT);
    fh_csr_w(h, 2, 0);
    fh_csr_w(h, 4, 0x0915);
    fh_csr_w(h, 0, 0x0001);
    if (start)
        fh_csr_w(h, 0, 0x0042);
}

typedef struct HarnReport {
    unsigned violations;
    char first[200];
    unsigned mismatches;    /* reads that differ from the recorded value (IOR with hi & 4) */
    char first_mismatch[120];
    PcnetCounters counters; /* at the end of the run */
    unsigned ops, frames_out, guest_errors, dma_refused;
} HarnReport;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline void harn_fail(HarnReport *r, const char *fmt, ...)
{
    if (r->violations++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->first, sizeof r->first, fmt, ap);
        va_end(ap);
    }
}

/* `rings` is the sum of both ring lengths before the operation (the bound uses the
 * larger of that and the sum after it, since an operation may resize a ring). */
static inline void harn_check(FakeHost *h, HarnReport *r, unsigned op, uint64_t dreads, uint64_t polls,
                              unsigned rings)
{
    Pcnet *d = h->dev;
    uint16_t c0 = pcnet_csr(d, 0);
    int want = (c0 & 0x0040) && (c0 & 0x0080);
    if (pcnet_irq_level(d) != want)
        harn_fail(r, "op %u: INTA %d but CSR0 0x%04x", op, pcnet_irq_level(d), c0);
    if (h->irq != pcnet_irq_level(d))
        harn_fail(r, "op %u: host line %d, device %d", op, h->irq, pcnet_irq_level(d));
    const PcnetCounters *c = pcnet_counters(d);
    if (c->irq_edges != h->irq_edges)
        harn_fail(r, "op %u: %llu edges counted, host saw %u", op, (unsigned long long)c->irq_edges, h->irq_edges);
    if (pcnet_rap(d) >= 128)
        harn_fail(r, "op %u: RAP %u", op, (unsigned)pcnet_rap(d));
    unsigned rl = pcnet_csr(d, 76), rc = pcnet_csr(d, 72), tl = pcnet_csr(d, 78), tc = pcnet_csr(d, 74);
    if (rl == 0 || rc == 0 || rc > rl)
        harn_fail(r, "op %u: RX ring counter %u, length %u", op, rc, rl);
    if (tl == 0 || tc == 0 || tc > tl)
        harn_fail(r, "op %u: TX ring counter %u, length %u", op, tc, tl);
    unsigned sum = rl + tl > rings ? rl + tl : rings;
    uint64_t bound = (c->polls - polls + 2) * (3ull * sum + 16);
    if (c->desc_reads - dreads > bound)
        harn_fail(r, "op %u: %llu descriptor reads (bound %llu)", op,
                  (unsigned long long)(c->desc_reads - dreads), (unsigned long long)bound);
}

static inline void harn_frame(FakeHost *h, HarnIn *in, unsigned len, unsigned kind, unsigned seed)
{
    static uint8_t f[9000];
    static const uint8_t dsts[3][6] = {
        {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
    len %= sizeof f;
    for (unsigned i = 0; i < len; i++)
        f[i] = (uint8_t)(seed + i * 13);
    uint8_t dst[6];
    if ((kind & 3) < 3)
        memcpy(dst, dsts[kind & 3], 6);
    else
        for (unsigned i = 0; i < 6; i++)
            dst[i] = (uint8_t)harn_u8(in);
    memcpy(f, dst, len < 6 ? len : 6);
    (void)pcnet_receive(h->dev, f, len);
}

/* Run one input; returns the number of invariant violations (0: fine). */
static inline unsigned pcnet_harness_run(const uint8_t *data, size_t size, HarnReport *rep)
{
    HarnReport local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    HarnIn in = {data, size, 0};
    unsigned cfg = harn_u8(&in);
    FakeHost *h = fh_new(HARN_RAM, (cfg & 1) ? PCNET_PROFILE_QEMU72 : PCNET_PROFILE_DATASHEET, (cfg & 2) != 0);
    if (cfg & 4)
        pcnet_set_link(h->dev, false);
    unsigned txbuf_next = 0;
    for (unsigned op = 0; in.i < in.n && op < HARN_MAX_OPS; op++) {
        const PcnetCounters *c = pcnet_counters(h->dev);
        uint64_t dreads = c->desc_reads, polls = c->polls;
        unsigned rings = pcnet_csr(h->dev, 76) + pcnet_csr(h->dev, 78);
        unsigned b = harn_u8(&in), hi = b >> 4;
        switch (b & 15) {
        case 0: { unsigned off = harn_u8(&in); pcnet_io_write(h->dev, off & 0x1F, 2, harn_u16(&in)); break; }
        case 1: { unsigned off = harn_u8(&in); pcnet_io_write(h->dev, off & 0x1F, 4, harn_u32(&in)); break; }
        case 2: { unsigned off = harn_u8(&in); pcnet_io_write(h->dev, off & 0x1F, 1, harn_u8(&in)); break; }
        case 3: {
            static const unsigned w[4] = {1, 2, 4, 3};
            unsigned off = harn_u8(&in) & 0x1F;
            uint32_t v = pcnet_io_read(h->dev, off, w[hi & 3]);
            if (hi & 4) {
                unsigned exp = harn_u16(&in);
                if ((v & 0xFFFF) != exp && rep->mismatches++ == 0)
                    snprintf(rep->first_mismatch, sizeof rep->first_mismatch,
                             "op %u: read 0x%02x gave 0x%04x, recording 0x%04x", op, off, (unsigned)(v & 0xFFFF), exp);
            }
            break;
        }
        case 4: { unsigned n = harn_u8(&in); fh_csr_w(h, n, (uint16_t)harn_u16(&in)); break; }
        case 5: { unsigned n = harn_u8(&in); fh_bcr_w(h, n, (uint16_t)harn_u16(&in)); break; }
        case 6: { unsigned n = harn_u8(&in); (void)((hi & 1) ? fh_bcr_r(h, n) : fh_csr_r(h, n)); break; }
        case 7: {
            unsigned len = harn_u16(&in), kind = harn_u8(&in), seed = harn_u8(&in);
            harn_frame(h, &in, len, kind, seed);
            break;
        }
        case 8: fh_advance(h, (uint64_t)harn_u16(&in) * 10000u); break;
        case 9: pcnet_set_link(h->dev, hi & 1); break;
        case 10: {
            uint32_t addr = (harn_u16(&in) | (uint32_t)harn_u8(&in) << 16) % HARN_RAM;
            unsigned len = harn_u8(&in);
            for (unsigned i = 0; i < len && in.i < in.n; i++) {
                uint8_t v = (uint8_t)harn_u8(&in);
                gmem_write(h->mem, (addr + i) % HARN_RAM, &v, 1);
            }
            break;
        }
        case 11: {
            unsigned style = harn_u8(&in), rlog = harn_u8(&in), tlog = harn_u8(&in);
            harn_setup(h, style, rlog, tlog, hi & 1);
            break;
        }
        case 12: {
            unsigned idx = harn_u8(&in), len = harn_u16(&in) % 4097, fl = harn_u8(&in);
            uint32_t base = harn_ring_base(h, 30);
            unsigned tl = pcnet_csr(h->dev, 78);
            uint8_t st = (uint8_t)(((fl & 16) ? 0 : 0x80) | ((fl & 1) ? 0x02 : 0) | ((fl & 2) ? 0x01 : 0) |
                                   ((fl & 4) ? 0x20 : 0) | ((fl & 8) ? 0x10 : 0));
            uint32_t buf = HARN_TX_BUFS + (txbuf_next++ % 16) * 0x1000;
            harn_desc(h, base, idx % (tl ? tl : 1), buf, len ? len : 4096, st);
            if (fl & 0x80)
                fh_csr_w(h, 0, 0x0048);
            break;
        }
        case 13: {
            unsigned idx = harn_u8(&in), len = harn_u16(&in) % 4097;
            unsigned rl = pcnet_csr(h->dev, 76);
            unsigned i = idx % (rl ? rl : 1);
            harn_desc(h, harn_ring_base(h, 24), i, HARN_RX_BUFS + (i % 64) * 0x800, len ? len : 4096, 0x80);
            break;
        }
        case 14: pcnet_tx_run(h->dev); break;
        case 15:
            if (hi & 1)
                pcnet_hard_reset(h->dev);
            if (hi & 2)
                fh_sreset(h);
            if (hi & 4)
                harn_quirks(h->dev, harn_u16(&in));
            break;
        }
        harn_check(h, rep, op, dreads, polls, rings);
        rep->ops = op + 1;
    }
    rep->counters = *pcnet_counters(h->dev);
    rep->frames_out = h->frames_out;
    rep->guest_errors = h->guest_errors;
    rep->dma_refused = h->dma_refused;
    fh_free(h);
    return rep->violations;
}

#endif
