/* pcnet: functional model of the AMD Am79C970A (PCnet-PCI II).
 *
 * Facts: AMD Am79C970A data sheet, pub. 19436 Rev E (June 2000), through the
 * project's reference notes (shared/docs/am79c970a.md, cited as "note §n"). Register
 * and bit names are the data sheet's (pcnet_regs.h). docs/device.md describes the
 * model, its profiles, every quirk switch and every choice made on open points.
 *
 * Shape:
 *   - all guest-visible state lives in struct Pcnet (CSR/BCR arrays, APROM, RAP); the
 *     ring bases, lengths and counters are read from their CSRs (24/25, 30/31, 72-78),
 *     never cached, so a direct CSR write and INIT act on the same state;
 *   - one switch for CSR writes (csr_write), one for BCR writes (bcr_write);
 *   - reset is h_reset() (BCRs, APROM) and s_reset() (CSRs), each setting every field;
 *   - update_irq() recomputes INTR, ERR and the INTA# level from register state and is
 *     the last thing every public entry point does; set_irq only sees level changes;
 *   - descriptors are normalised at the boundary by desc_load()/desc_store(), which
 *     handle SWSTYLE 0/1/2/3; everything else works on the 32-bit layout;
 *   - every loop that walks guest memory is bounded by the ring length, and frames are
 *     bounded by PCNET_MAX_FRAME; loopback never recurses (the TX loop stages one
 *     looped frame and delivers it after the frame's descriptors are handed back).
 *
 * Quirk switches (PcnetQuirks, pcnet.h); the datasheet profile has all of them off,
 * the qemu-7.2 profile all on:
 *   poll_on_access        QEMU runs its poll routine at the start of every register
 *                         access: transmits if TDMD is set, then a full poll.
 *   tdmd_sticky           TDMD is cleared only when an owned TDTE is found (QEMU);
 *                         the data sheet clears it when the TDTE is fetched.
 *   txon_after_stop       STOP leaves CSR0 reading 0x0014 (QEMU) instead of 0x0004.
 *   txstrt_bit2           after a frame starts, set CSR4 bit 2 (TXSTRTM) instead of
 *                         TXSTRT (bit 3), as QEMU does.
 *   rx_chain_max3         a received frame spans at most 3 descriptors; the rest is
 *                         lost with OFLO|BUFF|ERR (QEMU).
 *   rx_resync_scan        when the current RDTE is not owned, scan the whole ring for
 *                         an owned one and continue there (QEMU).
 *   no_tx_pad             APAD_XMT is ignored on transmit (QEMU, VBox).
 *   rx_zero_fcs           the 4 FCS bytes stored after a received frame are zeros
 *                         (QEMU) instead of the CRC-32.
 *   dwio_cleared_by_sreset  a read of the RESET port also leaves DWIO mode (QEMU).
 *   csr_writes_ungated    CSRs other than CSR112 can be written while running (QEMU).
 *   tint_per_descriptor   TINT after every descriptor handed back, not per frame.
 */
#include "model/lance/pcnet.h"
#include "model/lance/pcnet_regs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest staged receive length including FCS: MCNT is a 12-bit field. */
#define PCNET_RX_STAGE_MAX  (PCNET_MAX_FRAME - 1u)
/* Largest assembled transmit frame: room is kept for the FCS (CVE-2015-7504). */
#define PCNET_TX_MAX        (PCNET_MAX_FRAME - PCNET_ETH_FCS_LEN)

/* Receive-descriptor status bits the chip writes (cleared before it sets its own). */
#define PCNET_RMD1_CHIP_BITS (PCNET_DESC_OWN | PCNET_DESC_ERR | PCNET_RMD1_FRAM | PCNET_RMD1_OFLO | \
                              PCNET_RMD1_CRC | PCNET_RMD1_BUFF | PCNET_DESC_STP | PCNET_DESC_ENP | \
                              PCNET_DESC_BPE | PCNET_RMD1_PAM | PCNET_RMD1_LAFM | PCNET_RMD1_BAM)

/* One descriptor in the normalised 32-bit layout (TMD0-2 / RMD0-2). */
typedef struct PcnetDesc {
    uint32_t addr;   /* buffer address as stored (24 bits in SWSTYLE 0) */
    uint32_t flags;  /* OWN, ERR, ..., STP, ENP, ONES, BCNT */
    uint32_t misc;   /* TMD2 error bits / RMD2 MCNT */
} PcnetDesc;

struct Pcnet {
    PcnetOps ops;
    PcnetProfile profile;
    PcnetQuirks q;
    uint8_t mac[PCNET_ETH_ALEN];
    uint8_t prom[PCNET_APROM_SIZE];
    uint16_t csr[PCNET_NUM_CSR];
    uint16_t bcr[PCNET_NUM_BCR];
    uint32_t rap;
    int irq_level;          /* last level given to set_irq */
    bool link_up;
    bool tx_requested;      /* tx_pending() called, pcnet_tx_run() not yet */
    bool timer_armed;
    size_t loop_len;        /* a looped-back frame staged in rxbuf (0: none), FCS included */
    size_t loop_data;       /* its length without the FCS */
    PcnetCounters cnt;
    uint32_t crc_table[8][256];
    uint8_t txbuf[PCNET_MAX_FRAME];
    uint8_t rxbuf[PCNET_MAX_FRAME];
};

/* ------------------------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------------------- */

static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void guest_err(Pcnet *d, const char *fmt, ...)
{
    d->cnt.guest_errors++;
    if (!d->ops.guest_error)
        return;
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    d->ops.guest_error(d->ops.opaque, msg);
}

static int dma_rd(Pcnet *d, uint64_t addr, void *buf, size_t len)
{
    if (!d->ops.dma_read || d->ops.dma_read(d->ops.opaque, addr, buf, len) < 0)
        return -1;
    d->cnt.dma_read_bytes += len;
    return 0;
}

static int dma_wr(Pcnet *d, uint64_t addr, const void *buf, size_t len)
{
    if (!d->ops.dma_write || d->ops.dma_write(d->ops.opaque, addr, buf, len) < 0)
        return -1;
    d->cnt.dma_write_bytes += len;
    return 0;
}

/* CRC-32, reflected polynomial 0xEDB88320 (IEEE 802.3), sliced by 8 bytes: table[0]
 * is the byte table, table[k] advances a byte's contribution by k more bytes. */
static void crc_init(uint32_t table[8][256])
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ PCNET_CRC32_POLY : c >> 1;
        table[0][i] = c;
    }
    for (unsigned k = 1; k < 8; k++)
        for (uint32_t i = 0; i < 256; i++)
            table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xFF];
}

/* Running CRC over `len` bytes, starting from all-ones, without the final inversion:
 * the multicast hash index is its top 6 bits (Linux ether_crc_le(6, addr) >> 26), and
 * the FCS is its complement, sent low byte first. */
static uint32_t crc_le(const uint32_t table[8][256], const uint8_t *p, size_t len)
{
    uint32_t c = 0xFFFFFFFFu;
    for (; len >= 8; p += 8, len -= 8) {
        uint32_t a = ld32(p) ^ c, b = ld32(p + 4);
        c = table[7][a & 0xFF] ^ table[6][(a >> 8) & 0xFF] ^ table[5][(a >> 16) & 0xFF] ^ table[4][a >> 24] ^
            table[3][b & 0xFF] ^ table[2][(b >> 8) & 0xFF] ^ table[1][(b >> 16) & 0xFF] ^ table[0][b >> 24];
    }
    while (len--)
        c = table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c;
}

/* ------------------------------------------------------------------------------------
 * Register-derived state
 * ---------------------------------------------------------------------------------- */

static unsigned swstyle(const Pcnet *d) { return d->bcr[PCNET_BCR_SWS] & PCNET_BCR20_SWSTYLE_MASK; }
static bool ssize32(const Pcnet *d) { return (d->bcr[PCNET_BCR_SWS] & PCNET_BCR20_SSIZE32) != 0; }
static bool dwio(const Pcnet *d) { return (d->bcr[PCNET_BCR_BSBC] & PCNET_BCR18_DWIO) != 0; }
static unsigned desc_size(const Pcnet *d) { return ssize32(d) ? PCNET_DESC32_SIZE : PCNET_DESC16_SIZE; }

static bool stopped(const Pcnet *d) { return (d->csr[0] & PCNET_CSR0_STOP) != 0; }
static bool suspended(const Pcnet *d) { return (d->csr[PCNET_CSR_EXTCTL1] & PCNET_CSR5_SPND) != 0; }
static bool running(const Pcnet *d)
{
    return (d->csr[0] & PCNET_CSR0_STRT) && !stopped(d);
}
static bool tx_on(const Pcnet *d)
{
    return (d->csr[0] & PCNET_CSR0_TXON) && running(d) && !suspended(d);
}
static bool rx_on(const Pcnet *d)
{
    return (d->csr[0] & PCNET_CSR0_RXON) && running(d) && !suspended(d) &&
           !(d->csr[PCNET_CSR_MODE] & PCNET_CSR15_DRX);
}

/* A DMA address: in 16-bit software style (SSIZE32 = 0), bits 31:24 of every bus-master
 * address come from CSR2[15:8] (note §2.2, §3.1). */
static uint64_t bus_addr(const Pcnet *d, uint32_t a)
{
    if (ssize32(d))
        return a;
    return (a & PCNET_ADDR24_MASK) |
           (uint32_t)(d->csr[PCNET_CSR_IADR1] & PCNET_CSR2_UPPER_MASK) << PCNET_CSR2_UPPER_SHIFT;
}

/* Rings: base from CSR24/25 (RX) or CSR30/31 (TX); length in CSR76/78 as a positive
 * count; counter CSR72/74 counting down from the length to 1, so the current index is
 * length - counter (the emulators' convention; docs/device.md). Invariant kept by every
 * writer: 1 <= counter <= length. */
typedef struct PcnetRing {
    unsigned base_lo, rc, rl;
} PcnetRing;

static const PcnetRing ring_rx = {PCNET_CSR_BADRL, PCNET_CSR_RCVRC, PCNET_CSR_RCVRL};
static const PcnetRing ring_tx = {PCNET_CSR_BADXL, PCNET_CSR_XMTRC, PCNET_CSR_XMTRL};

static unsigned ring_len(const Pcnet *d, const PcnetRing *r) { return d->csr[r->rl]; }
static unsigned ring_index(const Pcnet *d, const PcnetRing *r) { return d->csr[r->rl] - d->csr[r->rc]; }

static unsigned ring_next(const Pcnet *d, const PcnetRing *r, unsigned idx)
{
    return idx + 1 < ring_len(d, r) ? idx + 1 : 0;
}

static void ring_set_index(Pcnet *d, const PcnetRing *r, unsigned idx)
{
    d->csr[r->rc] = (uint16_t)(d->csr[r->rl] - idx);
}

static uint64_t ring_desc_addr(const Pcnet *d, const PcnetRing *r, unsigned idx)
{
    uint32_t base = (uint32_t)d->csr[r->base_lo] | (uint32_t)d->csr[r->base_lo + 1] << 16;
    uint32_t a = base + idx * desc_size(d);
    return bus_addr(d, a);
}

/* Descriptor buffer size: BCNT is the 12-bit two's complement, 0 means 4096. */
static size_t desc_bcnt(const PcnetDesc *t)
{
    return PCNET_DESC_BUF_MAX - (t->flags & PCNET_DESC_BCNT_MASK);
}

/* ------------------------------------------------------------------------------------
 * Descriptor load/store: the one place that knows the SWSTYLE layouts (note §3.4, §3.5)
 * ---------------------------------------------------------------------------------- */

static int desc_load(Pcnet *d, uint64_t a, PcnetDesc *t, bool is_tx)
{
    uint8_t b[PCNET_DESC32_SIZE];
    d->cnt.desc_reads++;
    if (!ssize32(d)) {
        if (dma_rd(d, a, b, PCNET_DESC16_SIZE) < 0)
            return -1;
        uint16_t w1 = ld16(b + 2), w3 = ld16(b + 6);
        t->addr = ld16(b) | (uint32_t)(w1 & PCNET_DESC16_HADR_MASK) << 16;
        t->flags = (uint32_t)(w1 & PCNET_DESC16_STATUS_MASK) << 16 | ld16(b + 4);
        /* TMD3 keeps the TMD2 error bits and TDR in one word; RMD3 is MCNT. */
        t->misc = is_tx ? (uint32_t)w3 << 16 : w3;
        return 0;
    }
    if (dma_rd(d, a, b, PCNET_DESC32_SIZE) < 0)
        return -1;
    if (swstyle(d) == PCNET_SWSTYLE_PCNET_SWAP) {
        t->misc = ld32(b);
        t->flags = ld32(b + 4);
        t->addr = ld32(b + 8);
    } else {
        t->addr = ld32(b);
        t->flags = ld32(b + 4);
        t->misc = ld32(b + 8);
    }
    return 0;
}

/* Write back what the chip changes: the misc word first, then the word holding OWN, so
 * the host never sees OWN clear before the status is complete. */
static int desc_store(Pcnet *d, uint64_t a, const PcnetDesc *t, bool is_tx)
{
    uint8_t b[4];
    d->cnt.desc_writes++;
    if (!ssize32(d)) {
        st16(b, (uint16_t)(is_tx ? t->misc >> 16 : t->misc));
        if (dma_wr(d, a + 6, b, 2) < 0)
            return -1;
        st16(b, (uint16_t)(((t->flags >> 16) & PCNET_DESC16_STATUS_MASK) |
                           ((t->addr >> 16) & PCNET_DESC16_HADR_MASK)));
        return dma_wr(d, a + 2, b, 2);
    }
    st32(b, t->misc);
    if (dma_wr(d, a + (swstyle(d) == PCNET_SWSTYLE_PCNET_SWAP ? 0 : 8), b, 4) < 0)
        return -1;
    st32(b, t->flags);
    return dma_wr(d, a + 4, b, 4);
}

static void desc_check_ones(Pcnet *d, const PcnetDesc *t, const char *ring, unsigned idx)
{
    if ((t->flags & PCNET_DESC_ONES) != PCNET_DESC_ONES)
        guest_err(d, "%s descriptor %u: ONES field is 0x%x, not 0xF (BCNT[11:0] used)", ring, idx,
                  (unsigned)((t->flags & PCNET_DESC_ONES) >> 12));
}

/* ------------------------------------------------------------------------------------
 * Interrupt line (note §1.3)
 * ---------------------------------------------------------------------------------- */

static void update_irq(Pcnet *d)
{
    uint16_t c0 = d->csr[0], c3 = d->csr[PCNET_CSR_IMASK];
    uint16_t c4 = d->csr[PCNET_CSR_TFEAT], c5 = d->csr[PCNET_CSR_EXTCTL1];
    const uint16_t c4_status = PCNET_CSR4_JAB | PCNET_CSR4_TXSTRT | PCNET_CSR4_RCVCCO | PCNET_CSR4_MFCO;
    const uint16_t c5_enable = PCNET_CSR5_MPINTE | PCNET_CSR5_EXDINTE | PCNET_CSR5_SLPINTE | PCNET_CSR5_SINTE;
    bool intr = (c0 & PCNET_CSR0_INTSRC & ~c3) != 0 ||
                (c4 & c4_status & ~((c4 & ~c4_status) << 1)) != 0 || /* status, mask just below */
                (c4 & PCNET_CSR4_UINT) != 0 ||
                (c5 & ((c5 & c5_enable) << 1)) != 0;                  /* status, enable just below */
    c0 &= (uint16_t)~(PCNET_CSR0_INTR | PCNET_CSR0_ERR);
    if (intr)
        c0 |= PCNET_CSR0_INTR;
    if (c0 & PCNET_CSR0_ERRSRC)
        c0 |= PCNET_CSR0_ERR;
    d->csr[0] = c0;
    int level = (c0 & PCNET_CSR0_INEA) && intr;
    if (level != d->irq_level) {
        d->irq_level = level;
        d->cnt.irq_edges++;
        if (d->ops.set_irq)
            d->ops.set_irq(d->ops.opaque, level);
    }
}

/* ------------------------------------------------------------------------------------
 * Poll timer (note §4.7)
 * ---------------------------------------------------------------------------------- */

static uint64_t poll_interval_ns(const Pcnet *d)
{
    uint32_t v = d->csr[PCNET_CSR_POLLINT];
    uint64_t clocks = v ? PCNET_POLL_CLOCKS - v : PCNET_POLL_CLOCKS; /* two's complement */
    return clocks * 1000000000u / PCNET_PCI_CLOCK_HZ;
}

static void timer_stop(Pcnet *d)
{
    if (d->timer_armed && d->ops.timer_cancel)
        d->ops.timer_cancel(d->ops.opaque);
    d->timer_armed = false;
}

static void timer_start(Pcnet *d)
{
    timer_stop(d);
    if (d->ops.timer_arm) {
        d->ops.timer_arm(d->ops.opaque, poll_interval_ns(d));
        d->timer_armed = true;
    }
}

/* ------------------------------------------------------------------------------------
 * Error paths shared by transmit, receive and INIT
 * ---------------------------------------------------------------------------------- */

/* A bus-master access failed (address outside guest RAM). The chip reports MERR; as
 * the LANCE family does, the transmitter and receiver are turned off until the driver
 * re-initialises (docs/device.md, open point). */
static void bus_error(Pcnet *d, const char *what, uint64_t addr)
{
    d->csr[0] |= PCNET_CSR0_MERR;
    d->csr[0] &= (uint16_t)~(PCNET_CSR0_TXON | PCNET_CSR0_RXON);
    guest_err(d, "bus error: %s at 0x%llx is outside guest memory (MERR)", what, (unsigned long long)addr);
}

static void missc_increment(Pcnet *d)
{
    if (++d->csr[PCNET_CSR_MISSC] == 0)
        d->csr[PCNET_CSR_TFEAT] |= PCNET_CSR4_MFCO;
}

/* ------------------------------------------------------------------------------------
 * Receive (note §4.6)
 * ---------------------------------------------------------------------------------- */

/* Address filter: 0 = reject; else 1 with the match flags for the ENP descriptor. */
static int rx_filter(const Pcnet *d, const uint8_t *dst, uint32_t *match)
{
    uint16_t mode = d->csr[PCNET_CSR_MODE];
    *match = 0;
    if (mode & PCNET_CSR15_PROM)
        return 1;
    uint8_t padr[PCNET_ETH_ALEN];
    for (unsigned i = 0; i < 3; i++)
        st16(padr + 2 * i, d->csr[PCNET_CSR_PADR0 + i]);
    if (!(mode & PCNET_CSR15_DRCVPA) && memcmp(dst, padr, PCNET_ETH_ALEN) == 0) {
        *match = PCNET_RMD1_PAM;
        return 1;
    }
    static const uint8_t bcast[PCNET_ETH_ALEN] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    bool is_bcast = memcmp(dst, bcast, PCNET_ETH_ALEN) == 0;
    if (is_bcast && !(mode & PCNET_CSR15_DRCVBC)) {
        *match = PCNET_RMD1_BAM;
        return 1;
    }
    /* Multicast, and broadcast with DRCVBC ("except as a function of multicast"). */
    if (dst[0] & 1) {
        unsigned h = crc_le(d->crc_table, dst, PCNET_ETH_ALEN) >> 26;
        if (d->csr[PCNET_CSR_LADRF0 + h / 16] & (1u << (h % 16))) {
            *match = PCNET_RMD1_LAFM;
            return 1;
        }
    }
    return 0;
}

/* Store the staged frame rxbuf[0..mlen) (FCS included) into the receive ring. */
static PcnetRxResult rx_store(Pcnet *d, size_t mlen, uint32_t match)
{
    unsigned rl = ring_len(d, &ring_rx);
    unsigned idx = ring_index(d, &ring_rx);
    uint64_t a = ring_desc_addr(d, &ring_rx, idx);
    PcnetDesc r;
    if (desc_load(d, a, &r, false) < 0) {
        bus_error(d, "receive descriptor", a);
        d->cnt.rx_errors++;
        return PCNET_RX_ERROR;
    }
    if (!(r.flags & PCNET_DESC_OWN) && d->q.rx_resync_scan) {
        for (unsigned i = 1; i < rl; i++) {
            unsigned j = (idx + i) % rl;
            uint64_t aj = ring_desc_addr(d, &ring_rx, j);
            PcnetDesc rj;
            if (desc_load(d, aj, &rj, false) < 0) {
                bus_error(d, "receive descriptor", aj);
                d->cnt.rx_errors++;
                return PCNET_RX_ERROR;
            }
            if (rj.flags & PCNET_DESC_OWN) {
                idx = j, a = aj, r = rj;
                ring_set_index(d, &ring_rx, idx);
                break;
            }
        }
    }
    if (!(r.flags & PCNET_DESC_OWN)) {
        d->csr[0] |= PCNET_CSR0_MISS;
        missc_increment(d);
        d->cnt.rx_missed++;
        return PCNET_RX_MISSED;
    }
    size_t off = 0;
    for (unsigned used = 1;; used++) {
        desc_check_ones(d, &r, "RX", idx);
        size_t n = desc_bcnt(&r);
        if (n > mlen - off)
            n = mlen - off;
        uint64_t ba = bus_addr(d, r.addr);
        if (dma_wr(d, ba, d->rxbuf + off, n) < 0) {
            bus_error(d, "receive buffer", ba);
            d->cnt.rx_errors++;
            return PCNET_RX_ERROR;
        }
        off += n;
        r.flags &= ~PCNET_RMD1_CHIP_BITS;
        if (used == 1)
            r.flags |= PCNET_DESC_STP;
        if (off == mlen) {
            r.flags |= PCNET_DESC_ENP | (ssize32(d) ? match : 0);
            r.misc = (uint32_t)mlen & PCNET_RMD2_MCNT_MASK; /* RCC, RPC = 0 */
            if (desc_store(d, a, &r, false) < 0) {
                bus_error(d, "receive descriptor", a);
                d->cnt.rx_errors++;
                return PCNET_RX_ERROR;
            }
            ring_set_index(d, &ring_rx, ring_next(d, &ring_rx, idx));
            d->csr[0] |= PCNET_CSR0_RINT;
            return PCNET_RX_OK;
        }
        /* Data remains: chain into the next descriptor if the chip owns it. */
        unsigned nidx = ring_next(d, &ring_rx, idx);
        uint64_t na = ring_desc_addr(d, &ring_rx, nidx);
        PcnetDesc nr = {0, 0, 0};
        bool limit = (d->q.rx_chain_max3 && used >= 3) || used >= rl;
        if (!limit && desc_load(d, na, &nr, false) < 0) {
            bus_error(d, "receive descriptor", na);
            d->cnt.rx_errors++;
            return PCNET_RX_ERROR;
        }
        if (limit || !(nr.flags & PCNET_DESC_OWN)) {
            /* No buffer for the rest of the frame: BUFF (data sheet); QEMU adds OFLO. */
            r.flags |= PCNET_DESC_ERR | PCNET_RMD1_BUFF | (d->q.rx_chain_max3 ? PCNET_RMD1_OFLO : 0);
            if (desc_store(d, a, &r, false) < 0)
                bus_error(d, "receive descriptor", a);
            ring_set_index(d, &ring_rx, nidx);
            d->csr[0] |= PCNET_CSR0_RINT;
            d->cnt.rx_errors++;
            return PCNET_RX_ERROR;
        }
        if (desc_store(d, a, &r, false) < 0) {
            bus_error(d, "receive descriptor", a);
            d->cnt.rx_errors++;
            return PCNET_RX_ERROR;
        }
        ring_set_index(d, &ring_rx, nidx);
        idx = nidx, a = na, r = nr;
    }
}

/* Deliver a staged frame (rxbuf, FCS included) through the filter into the ring. */
static PcnetRxResult rx_deliver(Pcnet *d, size_t mlen, size_t data_len)
{
    uint32_t match;
    if (!rx_filter(d, d->rxbuf, &match)) {
        d->cnt.rx_filtered++;
        return PCNET_RX_FILTERED;
    }
    PcnetRxResult r = rx_store(d, mlen, match);
    if (r == PCNET_RX_OK) {
        d->cnt.rx_frames++;
        d->cnt.rx_bytes += data_len;
    }
    return r;
}

/* ------------------------------------------------------------------------------------
 * Transmit (note §4.5)
 * ---------------------------------------------------------------------------------- */

static void tx_set_tint(Pcnet *d, const PcnetDesc *t, bool error)
{
    uint16_t c5 = d->csr[PCNET_CSR_EXTCTL1];
    if (!(c5 & PCNET_CSR5_TOKINTD) || error ||
        ((c5 & PCNET_CSR5_LTINTEN) && (t->flags & PCNET_TMD1_LTINT)))
        d->csr[0] |= PCNET_CSR0_TINT;
}

/* Hand a transmit descriptor back (OWN cleared) and advance the ring. */
static int tx_release(Pcnet *d, uint64_t a, PcnetDesc *t, unsigned idx)
{
    t->flags &= ~PCNET_DESC_OWN;
    if (desc_store(d, a, t, true) < 0) {
        bus_error(d, "transmit descriptor", a);
        return -1;
    }
    ring_set_index(d, &ring_tx, ring_next(d, &ring_tx, idx));
    if (d->q.tint_per_descriptor)
        d->csr[0] |= PCNET_CSR0_TINT;
    return 0;
}

/* Emit an assembled frame of `len` bytes (FCS not included) from txbuf. */
static void tx_emit(Pcnet *d, size_t len, bool fcs)
{
    uint16_t mode = d->csr[PCNET_CSR_MODE];
    if ((d->csr[PCNET_CSR_TFEAT] & PCNET_CSR4_APAD_XMT) && !d->q.no_tx_pad && len < PCNET_ETH_MIN_NOFCS) {
        memset(d->txbuf + len, 0, PCNET_ETH_MIN_NOFCS - len);
        len = PCNET_ETH_MIN_NOFCS;
        fcs = true; /* APAD_XMT overrides DXMTFCS/ADD_FCS for padded frames */
    }
    if (len + (fcs ? PCNET_ETH_FCS_LEN : 0) > PCNET_ETH_MAX_WIRE)
        d->csr[0] |= PCNET_CSR0_BABL; /* transmitted anyway, as the chip does */
    d->cnt.tx_frames++;
    d->cnt.tx_bytes += len;
    if (mode & PCNET_CSR15_LOOP) {
        /* Stage for the receive path; delivered after this frame is finished. */
        size_t n = len;
        if (n > PCNET_RX_STAGE_MAX)
            n = PCNET_RX_STAGE_MAX;
        memcpy(d->rxbuf, d->txbuf, n);
        if (fcs && n + PCNET_ETH_FCS_LEN <= PCNET_RX_STAGE_MAX) {
            st32(d->rxbuf + n, ~crc_le(d->crc_table, d->txbuf, n));
            n += PCNET_ETH_FCS_LEN;
        }
        d->loop_len = n;
        d->loop_data = len < n ? len : n;
        return;
    }
    if (d->ops.frame_out)
        d->ops.frame_out(d->ops.opaque, d->txbuf, len, fcs);
}

/* Transmit one frame (or skip one stray descriptor). Returns 1 when descriptors were
 * consumed, 0 when the current TDTE is not owned, -1 when the transmitter stopped.
 * `budget` bounds the descriptors looked at in this call. */
static int tx_one(Pcnet *d, unsigned *budget)
{
    unsigned tl = ring_len(d, &ring_tx);
    unsigned idx = ring_index(d, &ring_tx);
    uint64_t a = ring_desc_addr(d, &ring_tx, idx);
    PcnetDesc t;
    if (desc_load(d, a, &t, true) < 0) {
        bus_error(d, "transmit descriptor", a);
        return -1;
    }
    if (!(t.flags & PCNET_DESC_OWN))
        return 0;
    if (d->q.tdmd_sticky)
        d->csr[0] &= (uint16_t)~PCNET_CSR0_TDMD;
    (*budget)--;
    if (!(t.flags & PCNET_DESC_STP)) {
        /* OWN without STP and no frame open (e.g. ENP alone): skipped and handed back. */
        guest_err(d, "TX descriptor %u owned without STP: skipped", idx);
        return tx_release(d, a, &t, idx) < 0 ? -1 : 1;
    }
    d->csr[PCNET_CSR_TFEAT] |= d->q.txstrt_bit2 ? PCNET_CSR4_TXSTRTM : PCNET_CSR4_TXSTRT;
    uint32_t first_flags = t.flags;
    size_t len = 0;
    bool oversize = false;
    for (unsigned used = 1;; used++) {
        desc_check_ones(d, &t, "TX", idx);
        size_t n = desc_bcnt(&t);
        if (!oversize && len + n <= PCNET_TX_MAX) {
            uint64_t ba = bus_addr(d, t.addr);
            if (dma_rd(d, ba, d->txbuf + len, n) < 0) {
                bus_error(d, "transmit buffer", ba);
                return -1;
            }
            len += n;
        } else if (!oversize) {
            oversize = true;
            guest_err(d, "TX frame longer than %u bytes: dropped (BABL)", (unsigned)PCNET_TX_MAX);
        }
        if (t.flags & PCNET_DESC_ENP)
            break;
        unsigned nidx = ring_next(d, &ring_tx, idx);
        uint64_t na = ring_desc_addr(d, &ring_tx, nidx);
        PcnetDesc nt = {0, 0, 0};
        bool wrapped = used >= tl; /* no ENP anywhere in the ring */
        if (!wrapped && desc_load(d, na, &nt, true) < 0) {
            bus_error(d, "transmit descriptor", na);
            return -1;
        }
        if (wrapped || !(nt.flags & PCNET_DESC_OWN)) {
            /* Underflow: the next buffer of the frame is not ours. */
            guest_err(d, "TX descriptor %u: frame without ENP (next not owned): UFLO", idx);
            t.flags |= PCNET_DESC_ERR;
            t.misc |= PCNET_TMD2_BUFF | PCNET_TMD2_UFLO;
            if (tx_release(d, a, &t, idx) < 0)
                return -1;
            tx_set_tint(d, &t, true);
            d->cnt.tx_errors++;
            if (!(d->csr[PCNET_CSR_IMASK] & PCNET_CSR3_DXSUFLO)) {
                d->csr[0] &= (uint16_t)~PCNET_CSR0_TXON;
                return -1;
            }
            return 1;
        }
        if (tx_release(d, a, &t, idx) < 0)
            return -1;
        if (*budget)
            (*budget)--;
        if (nt.flags & PCNET_DESC_STP)
            guest_err(d, "TX descriptor %u: STP inside a frame ignored", nidx);
        idx = nidx, a = na, t = nt;
    }

    bool fcs;
    uint16_t mode = d->csr[PCNET_CSR_MODE];
    if (swstyle(d) == PCNET_SWSTYLE_ILACC)
        fcs = !(mode & PCNET_CSR15_DXMTFCS) && !(first_flags & PCNET_TMD1_ADD_FCS); /* NO_FCS */
    else
        fcs = !(mode & PCNET_CSR15_DXMTFCS) || (first_flags & PCNET_TMD1_ADD_FCS);
    bool error = false;
    bool intl_loop = (mode & PCNET_CSR15_LOOP) && (mode & PCNET_CSR15_INTL);
    if (oversize) {
        d->csr[0] |= PCNET_CSR0_BABL;
        d->cnt.tx_errors++;
    } else if (!d->link_up && !intl_loop) {
        t.flags |= PCNET_DESC_ERR;
        t.misc |= PCNET_TMD2_LCAR;
        d->csr[0] |= PCNET_CSR0_CERR;
        d->cnt.tx_errors++;
        error = true;
    } else {
        tx_emit(d, len, fcs);
    }
    if (tx_release(d, a, &t, idx) < 0)
        return -1;
    tx_set_tint(d, &t, error);
    return 1;
}

/* The transmit engine: process owned frames, bounded by the ring length per call. */
static void tx_work(Pcnet *d)
{
    if (!tx_on(d)) {
        if (!suspended(d) || stopped(d)) /* a TDMD waits out a suspension */
            d->csr[0] &= (uint16_t)~PCNET_CSR0_TDMD;
        return;
    }
    if (!d->q.tdmd_sticky)
        d->csr[0] &= (uint16_t)~PCNET_CSR0_TDMD; /* the TDTE is being fetched */
    unsigned budget = ring_len(d, &ring_tx);
    while (budget > 0 && tx_on(d)) {
        int r = tx_one(d, &budget);
        if (d->loop_len) {
            size_t n = d->loop_len;
            d->loop_len = 0;
            if (rx_on(d)) /* a looped frame the receiver cannot take is lost */
                rx_deliver(d, n, d->loop_data);
        }
        if (r <= 0)
            break;
    }
}

/* Transmit work is due (TDMD or a poll found an owned TDTE). */
static void tx_trigger(Pcnet *d)
{
    if (!tx_on(d)) {
        if (!suspended(d) || stopped(d))
            d->csr[0] &= (uint16_t)~PCNET_CSR0_TDMD;
        return;
    }
    if (d->ops.tx_pending) {
        if (!d->tx_requested) {
            d->tx_requested = true;
            d->ops.tx_pending(d->ops.opaque);
        }
        return;
    }
    tx_work(d);
}

/* One descriptor poll (note §4.7): re-read the current RDTE, and look at the TDTE. */
static void poll(Pcnet *d)
{
    d->cnt.polls++;
    if (!running(d) || suspended(d))
        return;
    if (rx_on(d)) {
        uint64_t a = ring_desc_addr(d, &ring_rx, ring_index(d, &ring_rx));
        PcnetDesc r;
        if (desc_load(d, a, &r, false) < 0)
            bus_error(d, "receive descriptor", a);
    }
    if (!tx_on(d) || (d->csr[PCNET_CSR_TFEAT] & PCNET_CSR4_DPOLL))
        return;
    if (d->csr[0] & PCNET_CSR0_TDMD) {
        tx_trigger(d);
        return;
    }
    uint64_t a = ring_desc_addr(d, &ring_tx, ring_index(d, &ring_tx));
    PcnetDesc t;
    if (desc_load(d, a, &t, true) < 0)
        bus_error(d, "transmit descriptor", a);
    else if (t.flags & PCNET_DESC_OWN)
        tx_trigger(d);
}

/* QEMU's poll-at-every-register-access (quirk poll_on_access). QEMU keeps its poll
 * clock in "33 ticks per ns" and never resets its start time, so once the chip has run
 * for ~2 us its full poll is due at every register access: transmit if TDMD is set,
 * then re-read the RDTE and poll the TDTE. */
static void access_poll(Pcnet *d)
{
    if (!d->q.poll_on_access || !running(d) || suspended(d) ||
        (d->csr[PCNET_CSR_TFEAT] & PCNET_CSR4_DPOLL))
        return;
    if (d->csr[0] & PCNET_CSR0_TDMD)
        tx_trigger(d);
    poll(d);
}

/* ------------------------------------------------------------------------------------
 * Reset (note §2.4)
 * ---------------------------------------------------------------------------------- */

static void aprom_build(Pcnet *d)
{
    memset(d->prom, 0, sizeof d->prom);
    memcpy(d->prom, d->mac, PCNET_ETH_ALEN);
    d->prom[PCNET_APROM_HWID] = PCNET_APROM_HWID_PCI;
    d->prom[PCNET_APROM_WW] = PCNET_APROM_W_CHAR;
    d->prom[PCNET_APROM_WW + 1] = PCNET_APROM_W_CHAR;
    uint16_t sum = 0;
    for (unsigned i = 0; i < PCNET_APROM_SIZE; i++)
        if (i != PCNET_APROM_CKSUM && i != PCNET_APROM_CKSUM + 1)
            sum = (uint16_t)(sum + d->prom[i]);
    st16(d->prom + PCNET_APROM_CKSUM, sum);
}

/* S_RESET: a read of the RESET port, and the second half of H_RESET. CSR1/2 (IADR)
 * keep their value; CSR15 keeps only the bits in PCNET_CSR15_SRESET_KEEP. */
static void s_reset(Pcnet *d)
{
    uint16_t iadr0 = d->csr[PCNET_CSR_IADR0], iadr1 = d->csr[PCNET_CSR_IADR1];
    uint16_t mode = d->csr[PCNET_CSR_MODE];
    timer_stop(d);
    memset(d->csr, 0, sizeof d->csr);
    d->rap = 0;
    d->csr[0] = PCNET_CSR0_RESET;
    d->csr[PCNET_CSR_IADR0] = iadr0;
    d->csr[PCNET_CSR_IADR1] = iadr1;
    d->csr[PCNET_CSR_IMASK] = 0;
    d->csr[PCNET_CSR_TFEAT] = PCNET_CSR4_RESET;
    d->csr[PCNET_CSR_EXTCTL1] = 0;
    d->csr[PCNET_CSR_RXTXLEN] = 0;
    for (unsigned i = 0; i < 4; i++)
        d->csr[PCNET_CSR_LADRF0 + i] = 0;
    for (unsigned i = 0; i < 3; i++)
        d->csr[PCNET_CSR_PADR0 + i] = ld16(d->prom + 2 * i);
    d->csr[PCNET_CSR_MODE] = mode & PCNET_CSR15_SRESET_KEEP;
    d->csr[PCNET_CSR_BADRL] = d->csr[PCNET_CSR_BADRU] = 0;
    d->csr[PCNET_CSR_BADXL] = d->csr[PCNET_CSR_BADXU] = 0;
    d->csr[PCNET_CSR_POLL] = d->csr[PCNET_CSR_POLLINT] = 0;
    d->csr[PCNET_CSR_RCVRC] = d->csr[PCNET_CSR_XMTRC] = 1;
    d->csr[PCNET_CSR_RCVRL] = d->csr[PCNET_CSR_XMTRL] = 1;
    d->csr[PCNET_CSR_DMATC] = PCNET_CSR80_RESET;
    d->csr[PCNET_CSR_CHIPID0] = PCNET_CHIPID_LOW;
    d->csr[PCNET_CSR_CHIPID1] = PCNET_CHIPID_HIGH;
    d->csr[PCNET_CSR_XMTTDR] = 0;
    d->csr[PCNET_CSR_MERRTO] = PCNET_CSR100_RESET;
    d->csr[PCNET_CSR_SRI] = PCNET_CSR103_RESET;
    d->csr[PCNET_CSR_MISSC] = d->csr[PCNET_CSR_RCVCC] = 0;
    d->csr[PCNET_CSR_RCVALGN] = d->csr[PCNET_CSR_TEST1] = 0;
    if (d->q.dwio_cleared_by_sreset)
        d->bcr[PCNET_BCR_BSBC] &= (uint16_t)~PCNET_BCR18_DWIO;
    d->tx_requested = false;
    d->loop_len = 0;
}

/* H_RESET: BCRs to their defaults (WIO mode), APROM rebuilt, IADR and CSR15 cleared,
 * then S_RESET. The link state belongs to the wire and is kept. */
static void h_reset(Pcnet *d)
{
    memset(d->bcr, 0, sizeof d->bcr);
    d->bcr[PCNET_BCR_MSRDA] = PCNET_BCR_MSRDA_RESET;
    d->bcr[PCNET_BCR_MSWRA] = PCNET_BCR_MSWRA_RESET;
    d->bcr[PCNET_BCR_MC] = PCNET_BCR_MC_RESET;
    d->bcr[PCNET_BCR_LNKST] = PCNET_BCR_LED0_RESET;
    d->bcr[PCNET_BCR_LED1] = PCNET_BCR_LED1_RESET;
    d->bcr[PCNET_BCR_LED2] = PCNET_BCR_LED2_RESET;
    d->bcr[PCNET_BCR_LED3] = PCNET_BCR_LED3_RESET;
    d->bcr[PCNET_BCR_FDC] = 0;
    d->bcr[PCNET_BCR_BSBC] = PCNET_BCR_BSBC_RESET;
    d->bcr[PCNET_BCR_EECAS] = PCNET_BCR_EECAS_RESET;
    d->bcr[PCNET_BCR_SWS] = PCNET_BCR_SWS_RESET;
    d->bcr[PCNET_BCR_PCILAT] = PCNET_BCR_PCILAT_RESET;
    aprom_build(d);
    d->csr[PCNET_CSR_IADR0] = d->csr[PCNET_CSR_IADR1] = 0;
    d->csr[PCNET_CSR_MODE] = 0;
    s_reset(d);
}

/* ------------------------------------------------------------------------------------
 * CSR0 actions (note §4.2-4.4)
 * ---------------------------------------------------------------------------------- */

static void do_stop(Pcnet *d)
{
    d->csr[0] = PCNET_CSR0_STOP | (d->q.txon_after_stop ? PCNET_CSR0_TXON : 0);
    d->csr[PCNET_CSR_TFEAT] &= (uint16_t)~PCNET_CSR4_STOP_CLR;
    d->csr[PCNET_CSR_EXTCTL1] &= (uint16_t)~PCNET_CSR5_STOP_CLR;
    timer_stop(d);
    d->tx_requested = false;
    d->loop_len = 0;
}

static unsigned ring_entries(unsigned log2)
{
    return 1u << (log2 > PCNET_RING_MAX_LOG2 ? PCNET_RING_MAX_LOG2 : log2);
}

static void do_init(Pcnet *d)
{
    uint32_t iadr = (uint32_t)d->csr[PCNET_CSR_IADR0] | (uint32_t)d->csr[PCNET_CSR_IADR1] << 16;
    uint64_t ia = bus_addr(d, iadr);
    uint8_t ib[PCNET_IB32_SIZE];
    uint32_t rdra, tdra;
    unsigned rlog, tlog;
    uint16_t mode;
    if (ssize32(d)) {
        if (dma_rd(d, ia, ib, PCNET_IB32_SIZE) < 0) {
            bus_error(d, "init block", ia);
            return;
        }
        mode = ld16(ib + PCNET_IB32_MODE);
        uint16_t lens = ld16(ib + PCNET_IB32_LEN);
        rlog = (lens >> PCNET_IB32_RLEN_SHIFT) & PCNET_IB32_LEN_MASK;
        tlog = (lens >> PCNET_IB32_TLEN_SHIFT) & PCNET_IB32_LEN_MASK;
        for (unsigned i = 0; i < 3; i++)
            d->csr[PCNET_CSR_PADR0 + i] = ld16(ib + PCNET_IB32_PADR + 2 * i);
        for (unsigned i = 0; i < 4; i++)
            d->csr[PCNET_CSR_LADRF0 + i] = ld16(ib + PCNET_IB32_LADRF + 2 * i);
        rdra = ld32(ib + PCNET_IB32_RDRA);
        tdra = ld32(ib + PCNET_IB32_TDRA);
    } else {
        if (dma_rd(d, ia, ib, PCNET_IB16_SIZE) < 0) {
            bus_error(d, "init block", ia);
            return;
        }
        mode = ld16(ib + PCNET_IB16_MODE);
        for (unsigned i = 0; i < 3; i++)
            d->csr[PCNET_CSR_PADR0 + i] = ld16(ib + PCNET_IB16_PADR + 2 * i);
        for (unsigned i = 0; i < 4; i++)
            d->csr[PCNET_CSR_LADRF0 + i] = ld16(ib + PCNET_IB16_LADRF + 2 * i);
        uint16_t rhi = ld16(ib + PCNET_IB16_RDRA + 2), thi = ld16(ib + PCNET_IB16_TDRA + 2);
        rdra = ld16(ib + PCNET_IB16_RDRA) | (uint32_t)(rhi & PCNET_IB16_HADR_MASK) << 16;
        tdra = ld16(ib + PCNET_IB16_TDRA) | (uint32_t)(thi & PCNET_IB16_HADR_MASK) << 16;
        rlog = (rhi >> PCNET_IB16_LEN_SHIFT) & PCNET_IB16_LEN_MASK;
        tlog = (thi >> PCNET_IB16_LEN_SHIFT) & PCNET_IB16_LEN_MASK;
    }
    uint32_t align = desc_size(d) - 1;
    if ((rdra | tdra) & align) {
        guest_err(d, "INIT: ring base misaligned (RDRA 0x%x, TDRA 0x%x): low bits ignored",
                  (unsigned)rdra, (unsigned)tdra);
        rdra &= ~align;
        tdra &= ~align;
    }
    if (rlog > PCNET_RING_MAX_LOG2 || tlog > PCNET_RING_MAX_LOG2)
        guest_err(d, "INIT: ring length code above 9 (RLEN %u, TLEN %u): 512 used", rlog, tlog);
    d->csr[PCNET_CSR_MODE] = mode;
    d->csr[PCNET_CSR_BADRL] = (uint16_t)rdra;
    d->csr[PCNET_CSR_BADRU] = (uint16_t)(rdra >> 16);
    d->csr[PCNET_CSR_BADXL] = (uint16_t)tdra;
    d->csr[PCNET_CSR_BADXU] = (uint16_t)(tdra >> 16);
    unsigned rl = ring_entries(rlog), tl = ring_entries(tlog);
    d->csr[PCNET_CSR_RCVRL] = d->csr[PCNET_CSR_RCVRC] = (uint16_t)rl;
    d->csr[PCNET_CSR_XMTRL] = d->csr[PCNET_CSR_XMTRC] = (uint16_t)tl;
    d->csr[PCNET_CSR_RXTXLEN] = (uint16_t)((tlog > PCNET_RING_MAX_LOG2 ? PCNET_RING_MAX_LOG2 : tlog)
                                               << PCNET_CSR6_TLEN_SHIFT |
                                           (rlog > PCNET_RING_MAX_LOG2 ? PCNET_RING_MAX_LOG2 : rlog)
                                               << PCNET_CSR6_RLEN_SHIFT);
    d->csr[0] = (uint16_t)((d->csr[0] & ~PCNET_CSR0_STOP) | PCNET_CSR0_INIT | PCNET_CSR0_IDON);
}

static void do_start(Pcnet *d)
{
    uint16_t c = d->csr[0], mode = d->csr[PCNET_CSR_MODE];
    c = (uint16_t)((c & ~PCNET_CSR0_STOP) | PCNET_CSR0_STRT);
    if (!(mode & PCNET_CSR15_DTX))
        c |= PCNET_CSR0_TXON;
    if (!(mode & PCNET_CSR15_DRX))
        c |= PCNET_CSR0_RXON;
    d->csr[0] = c;
    timer_start(d);
}

static void csr0_write(Pcnet *d, uint16_t v)
{
    uint16_t c = d->csr[0];
    c &= (uint16_t)~(v & PCNET_CSR0_W1C);
    c = (uint16_t)((c & ~PCNET_CSR0_INEA) | (v & PCNET_CSR0_INEA));
    c |= v & PCNET_CSR0_TDMD;
    d->csr[0] = c;
    if (v & PCNET_CSR0_STOP) {
        /* STOP takes precedence over INIT and STRT written with it. */
        do_stop(d);
        return;
    }
    if ((v & PCNET_CSR0_INIT) && !(c & PCNET_CSR0_INIT))
        do_init(d);
    if ((v & PCNET_CSR0_STRT) && !(d->csr[0] & PCNET_CSR0_STRT))
        do_start(d);
    if (d->csr[0] & PCNET_CSR0_TDMD)
        tx_trigger(d);
}

/* ------------------------------------------------------------------------------------
 * BCR access (note §2.3)
 * ---------------------------------------------------------------------------------- */

static uint16_t bcr_read(const Pcnet *d, unsigned n)
{
    uint16_t v = d->bcr[n];
    switch (n) {
    case PCNET_BCR_LNKST:
    case PCNET_BCR_LED1:
    case PCNET_BCR_LED2:
    case PCNET_BCR_LED3: {
        uint16_t status = d->link_up ? PCNET_LED_LNKSTE : 0;
        if (v & PCNET_LED_ENABLES & status)
            v |= PCNET_LED_LEDOUT;
        return v;
    }
    default:
        return v;
    }
}

static void bcr20_write(Pcnet *d, uint16_t v)
{
    if (!stopped(d) && !suspended(d)) {
        guest_err(d, "BCR20 (SWSTYLE) write 0x%04x ignored: neither STOP nor SPND", v);
        return;
    }
    uint16_t style = v & PCNET_BCR20_SWSTYLE_MASK, val;
    switch (style) {
    case PCNET_SWSTYLE_LANCE: val = PCNET_BCR20_CSRPCNET; break;
    case PCNET_SWSTYLE_ILACC: val = PCNET_SWSTYLE_ILACC | PCNET_BCR20_SSIZE32; break;
    case PCNET_SWSTYLE_PCNET:
        val = PCNET_SWSTYLE_PCNET | PCNET_BCR20_SSIZE32 | PCNET_BCR20_CSRPCNET;
        break;
    case PCNET_SWSTYLE_PCNET_SWAP:
        val = PCNET_SWSTYLE_PCNET_SWAP | PCNET_BCR20_SSIZE32 | PCNET_BCR20_CSRPCNET;
        break;
    default:
        guest_err(d, "BCR20: invalid SWSTYLE %u, style 0 used", style);
        val = PCNET_BCR20_CSRPCNET;
        break;
    }
    d->bcr[PCNET_BCR_SWS] = (uint16_t)(val | (v & PCNET_BCR20_APERREN));
}

static void bcr_write(Pcnet *d, unsigned n, uint16_t v)
{
    switch (n) {
    case PCNET_BCR_MC:
    case PCNET_BCR_EECAS:
    case PCNET_BCR_PCILAT:
        d->bcr[n] = v;
        break;
    case PCNET_BCR_LNKST:
    case PCNET_BCR_LED1:
    case PCNET_BCR_LED2:
    case PCNET_BCR_LED3:
        d->bcr[n] = v & (uint16_t)~PCNET_LED_LEDOUT;
        break;
    case PCNET_BCR_FDC:
        d->bcr[n] = v & (PCNET_BCR9_FDEN | PCNET_BCR9_AUIFD);
        break;
    case PCNET_BCR_BSBC: /* DWIO is status only */
        d->bcr[n] = (uint16_t)((v & ~PCNET_BCR18_DWIO) | (d->bcr[n] & PCNET_BCR18_DWIO));
        break;
    case PCNET_BCR_SWS:
        bcr20_write(d, v);
        break;
    default:
        guest_err(d, "write 0x%04x to read-only or unimplemented BCR%u ignored", v, n);
        break;
    }
}

/* ------------------------------------------------------------------------------------
 * CSR access (note §2.1, §2.2)
 * ---------------------------------------------------------------------------------- */

static bool csr_writable(const Pcnet *d, unsigned n)
{
    switch (n) {
    case PCNET_CSR_CSR0:
    case PCNET_CSR_IMASK:
    case PCNET_CSR_TFEAT:
    case PCNET_CSR_EXTCTL1:
    case PCNET_CSR_SWS: /* BCR20 applies its own STOP/SPND rule */
        return true;
    case PCNET_CSR_MISSC:
        return stopped(d) || suspended(d);
    default:
        return d->q.csr_writes_ungated || stopped(d) || suspended(d);
    }
}

static uint16_t csr_read(const Pcnet *d, unsigned n)
{
    switch (n) {
    case PCNET_CSR_IADR0_ALIAS: return d->csr[PCNET_CSR_IADR0];
    case PCNET_CSR_IADR1_ALIAS: return d->csr[PCNET_CSR_IADR1];
    case PCNET_CSR_SWS: return d->bcr[PCNET_BCR_SWS];
    default: return d->csr[n];
    }
}

/* A direct write to a ring length (CSR76/78) or counter (CSR72/74), keeping
 * 1 <= counter <= length. A length of 0 would make the ring empty (CVE-2016-7909). */
static void ring_csr_write(Pcnet *d, const PcnetRing *r, unsigned n, uint16_t v)
{
    if (n == r->rl) {
        if (v == 0) {
            guest_err(d, "CSR%u: ring length 0 invalid, 512 used", n);
            v = 1u << PCNET_RING_MAX_LOG2;
        }
        d->csr[r->rl] = v;
        if (d->csr[r->rc] > v || d->csr[r->rc] == 0)
            d->csr[r->rc] = v;
        return;
    }
    if (v == 0 || v > d->csr[r->rl]) {
        guest_err(d, "CSR%u: ring counter %u outside 1..%u, descriptor 0 used", n, v, d->csr[r->rl]);
        v = d->csr[r->rl];
    }
    d->csr[r->rc] = v;
}

static void csr_write(Pcnet *d, unsigned n, uint16_t v)
{
    if (!csr_writable(d, n)) {
        guest_err(d, "CSR%u write 0x%04x ignored: neither STOP nor SPND", n, v);
        return;
    }
    switch (n) {
    case PCNET_CSR_CSR0:
        csr0_write(d, v);
        break;
    case PCNET_CSR_IADR0:
    case PCNET_CSR_IADR0_ALIAS:
        d->csr[PCNET_CSR_IADR0] = v;
        break;
    case PCNET_CSR_IADR1:
    case PCNET_CSR_IADR1_ALIAS:
        d->csr[PCNET_CSR_IADR1] = v;
        break;
    case PCNET_CSR_IMASK:
        if (v & ~PCNET_CSR3_DEFINED)
            guest_err(d, "CSR3: reserved bits 0x%04x written, ignored", v & ~PCNET_CSR3_DEFINED);
        d->csr[n] = v & PCNET_CSR3_DEFINED;
        break;
    case PCNET_CSR_TFEAT: {
        uint16_t c = d->csr[n];
        c &= (uint16_t)~(v & PCNET_CSR4_W1C);
        c = (uint16_t)((c & ~PCNET_CSR4_RW) | (v & PCNET_CSR4_RW));
        if (v & PCNET_CSR4_UINTCMD)
            c |= PCNET_CSR4_UINT;
        d->csr[n] = c;
        break;
    }
    case PCNET_CSR_EXTCTL1: {
        uint16_t c = d->csr[n];
        bool was_spnd = (c & PCNET_CSR5_SPND) != 0;
        if (v & ~PCNET_CSR5_DEFINED)
            guest_err(d, "CSR5: reserved bits 0x%04x written, ignored", v & ~PCNET_CSR5_DEFINED);
        c &= (uint16_t)~(v & PCNET_CSR5_W1C);
        c = (uint16_t)((c & ~PCNET_CSR5_RW) | (v & PCNET_CSR5_RW));
        d->csr[n] = c; /* SPND takes effect (and reads back) at once */
        if (was_spnd && !(c & PCNET_CSR5_SPND) && (d->csr[0] & PCNET_CSR0_TDMD))
            tx_trigger(d);
        break;
    }
    case PCNET_CSR_RXTXLEN:
    case PCNET_CSR_CHIPID0:
    case PCNET_CSR_CHIPID1:
        guest_err(d, "write 0x%04x to read-only CSR%u ignored", v, n);
        break;
    case PCNET_CSR_SWS:
        bcr20_write(d, v);
        break;
    case PCNET_CSR_RCVRC:
    case PCNET_CSR_RCVRL:
        ring_csr_write(d, &ring_rx, n, v);
        break;
    case PCNET_CSR_XMTRC:
    case PCNET_CSR_XMTRL:
        ring_csr_write(d, &ring_tx, n, v);
        break;
    default: /* LADRF, PADR, MODE, ring bases, DMA shadows, POLLINT, counters, test */
        d->csr[n] = v;
        break;
    }
}

/* ------------------------------------------------------------------------------------
 * Port access (note §1.2)
 * ---------------------------------------------------------------------------------- */

static uint32_t ones_for(unsigned size)
{
    return size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFFFFFFu;
}

static uint32_t aprom_read(Pcnet *d, uint32_t off, unsigned size)
{
    if (size == 1)
        return d->prom[off];
    if (size == 2 && !(off & 1))
        return ld16(d->prom + off);
    if (size == 4 && !(off & 3) && dwio(d))
        return ld32(d->prom + off);
    guest_err(d, "APROM read at 0x%02x, size %u (%s): all-ones", (unsigned)off, size, dwio(d) ? "DWIO" : "WIO");
    return ones_for(size);
}

static void aprom_write(Pcnet *d, uint32_t off, unsigned size, uint32_t v)
{
    if (!(d->bcr[PCNET_BCR_MC] & PCNET_BCR2_APROMWE)) {
        guest_err(d, "APROM write at 0x%02x ignored: BCR2.APROMWE clear", (unsigned)off);
        return;
    }
    if (off & (size - 1)) {
        guest_err(d, "misaligned APROM write at 0x%02x, size %u ignored", (unsigned)off, size);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        d->prom[off + i] = (uint8_t)(v >> (8 * i));
}

uint32_t pcnet_io_read(Pcnet *d, uint32_t offset, unsigned size)
{
    if ((size != 1 && size != 2 && size != 4) || offset >= PCNET_IO_SIZE || offset + size > PCNET_IO_SIZE) {
        guest_err(d, "port read outside BAR0 (offset 0x%x, size %u)", (unsigned)offset, size);
        return ones_for(size);
    }
    if (offset < PCNET_APROM_SIZE)
        return aprom_read(d, offset, size);
    access_poll(d);
    uint32_t v = ones_for(size);
    bool dw = dwio(d);
    bool ok = true;
    if (!dw && size == 2) {
        switch (offset) {
        case PCNET_WIO_RDP: v = csr_read(d, d->rap); break;
        case PCNET_WIO_RAP: v = d->rap; break;
        case PCNET_WIO_RESET: s_reset(d); v = 0; break;
        case PCNET_WIO_BDP: v = bcr_read(d, d->rap); break;
        default: ok = false; break;
        }
    } else if (dw && size == 4) {
        switch (offset) {
        case PCNET_DWIO_RDP: v = csr_read(d, d->rap); break;
        case PCNET_DWIO_RAP: v = d->rap; break;
        case PCNET_DWIO_RESET: s_reset(d); v = 0; break;
        case PCNET_DWIO_BDP: v = bcr_read(d, d->rap); break;
        default: ok = false; break;
        }
    } else {
        ok = false;
    }
    if (!ok)
        guest_err(d, "port read at 0x%02x, size %u in %s mode: all-ones", (unsigned)offset, size,
                  dw ? "DWIO" : "WIO");
    update_irq(d);
    return v;
}

static void rap_write(Pcnet *d, uint32_t v)
{
    if (v & ~PCNET_RAP_MASK)
        guest_err(d, "RAP write 0x%x: bits above 6 ignored", (unsigned)v);
    d->rap = v & PCNET_RAP_MASK;
}

void pcnet_io_write(Pcnet *d, uint32_t offset, unsigned size, uint32_t value)
{
    if ((size != 1 && size != 2 && size != 4) || offset >= PCNET_IO_SIZE || offset + size > PCNET_IO_SIZE) {
        guest_err(d, "port write outside BAR0 (offset 0x%x, size %u)", (unsigned)offset, size);
        return;
    }
    if (offset < PCNET_APROM_SIZE) {
        aprom_write(d, offset, size, value);
        return;
    }
    access_poll(d);
    bool dw = dwio(d);
    bool ok = true;
    uint16_t v16 = (uint16_t)value;
    if (!dw && size == 2) {
        switch (offset) {
        case PCNET_WIO_RDP: csr_write(d, d->rap, v16); break;
        case PCNET_WIO_RAP: rap_write(d, v16); break;
        case PCNET_WIO_RESET: break; /* only a read resets */
        case PCNET_WIO_BDP: bcr_write(d, d->rap, v16); break;
        default: ok = false; break;
        }
    } else if (!dw && size == 4 && offset == PCNET_WIO_RDP) {
        /* A 32-bit write to RDP switches to DWIO; its data is discarded. */
        d->bcr[PCNET_BCR_BSBC] |= PCNET_BCR18_DWIO;
    } else if (dw && size == 4) {
        switch (offset) {
        case PCNET_DWIO_RDP: csr_write(d, d->rap, v16); break;
        case PCNET_DWIO_RAP: rap_write(d, v16); break; /* bits 31:16 ignored */
        case PCNET_DWIO_RESET: break;
        case PCNET_DWIO_BDP: bcr_write(d, d->rap, v16); break;
        default: ok = false; break;
        }
    } else {
        ok = false;
    }
    if (!ok)
        guest_err(d, "port write at 0x%02x, size %u in %s mode ignored", (unsigned)offset, size,
                  dw ? "DWIO" : "WIO");
    update_irq(d);
}

/* ------------------------------------------------------------------------------------
 * Frames, timer, link
 * ---------------------------------------------------------------------------------- */

PcnetRxResult pcnet_receive(Pcnet *d, const uint8_t *frame, size_t len)
{
    PcnetRxResult r;
    if (!frame || len == 0 || !rx_on(d) || !d->link_up || (d->csr[PCNET_CSR_MODE] & PCNET_CSR15_LOOP)) {
        r = PCNET_RX_REFUSED;
    } else {
        /* Stage: truncate to what MCNT can describe (CVE-2015-7512), pad a short frame
         * to 60 bytes as the sender's MAC would have, then append the FCS. */
        size_t n = len > PCNET_RX_STAGE_MAX - PCNET_ETH_FCS_LEN ? PCNET_RX_STAGE_MAX - PCNET_ETH_FCS_LEN : len;
        memcpy(d->rxbuf, frame, n);
        if (n < PCNET_ETH_MIN_NOFCS) {
            memset(d->rxbuf + n, 0, PCNET_ETH_MIN_NOFCS - n);
            n = PCNET_ETH_MIN_NOFCS;
        }
        uint32_t fcs = d->q.rx_zero_fcs ? 0 : ~crc_le(d->crc_table, d->rxbuf, n);
        st32(d->rxbuf + n, fcs);
        r = rx_deliver(d, n + PCNET_ETH_FCS_LEN, len < n ? len : n);
        /* The chip polls the transmit ring at the end of a receive (note §4.5). */
        if (r == PCNET_RX_OK || r == PCNET_RX_ERROR) {
            if (tx_on(d) && !(d->csr[PCNET_CSR_TFEAT] & PCNET_CSR4_DPOLL))
                poll(d);
        }
    }
    update_irq(d);
    return r;
}

bool pcnet_can_receive(Pcnet *d)
{
    if (!rx_on(d) || !d->link_up || (d->csr[PCNET_CSR_MODE] & PCNET_CSR15_LOOP))
        return false;
    /* A host-side query: it reads the RDTE without counting it as device DMA. */
    uint64_t a = ring_desc_addr(d, &ring_rx, ring_index(d, &ring_rx));
    uint8_t b[PCNET_DESC32_SIZE];
    if (!d->ops.dma_read)
        return false;
    if (!ssize32(d))
        return d->ops.dma_read(d->ops.opaque, a, b, PCNET_DESC16_SIZE) == 0 &&
               ((uint32_t)ld16(b + 2) << 16 & PCNET_DESC_OWN);
    if (d->ops.dma_read(d->ops.opaque, a, b, PCNET_DESC32_SIZE) < 0)
        return false;
    return (ld32(b + 4) & PCNET_DESC_OWN) != 0;
}

bool pcnet_accepts(const Pcnet *d, const uint8_t dst[6])
{
    uint32_t match;
    return rx_filter(d, dst, &match) != 0;
}

void pcnet_timer_expired(Pcnet *d)
{
    d->timer_armed = false;
    poll(d);
    if (running(d))
        timer_start(d);
    update_irq(d);
}

void pcnet_tx_run(Pcnet *d)
{
    d->tx_requested = false;
    tx_work(d);
    update_irq(d);
}

void pcnet_set_link(Pcnet *d, bool up)
{
    d->link_up = up;
    update_irq(d);
}

/* ------------------------------------------------------------------------------------
 * Life cycle, profiles, introspection
 * ---------------------------------------------------------------------------------- */

PcnetQuirks pcnet_profile_quirks(PcnetProfile profile)
{
    PcnetQuirks q;
    memset(&q, 0, sizeof q);
    if (profile == PCNET_PROFILE_QEMU72) {
        q.poll_on_access = true;
        q.tdmd_sticky = true;
        q.txon_after_stop = true;
        q.txstrt_bit2 = true;
        q.rx_chain_max3 = true;
        q.rx_resync_scan = true;
        q.no_tx_pad = true;
        q.rx_zero_fcs = true;
        q.dwio_cleared_by_sreset = true;
        q.csr_writes_ungated = true;
        q.tint_per_descriptor = true;
    }
    return q;
}

int pcnet_profile_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "datasheet") == 0)
        return PCNET_PROFILE_DATASHEET;
    if (strcmp(name, "qemu-7.2") == 0)
        return PCNET_PROFILE_QEMU72;
    return -1;
}

Pcnet *pcnet_new(const PcnetOps *ops, const uint8_t mac[6], PcnetProfile profile)
{
    if (!ops || !mac || (profile != PCNET_PROFILE_DATASHEET && profile != PCNET_PROFILE_QEMU72))
        return NULL;
    Pcnet *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->ops = *ops;
    d->profile = profile;
    d->q = pcnet_profile_quirks(profile);
    memcpy(d->mac, mac, PCNET_ETH_ALEN);
    d->link_up = true;
    crc_init(d->crc_table);
    h_reset(d);
    return d;
}

void pcnet_free(Pcnet *d)
{
    if (!d)
        return;
    timer_stop(d);
    free(d);
}

void pcnet_set_quirks(Pcnet *d, const PcnetQuirks *q) { d->q = *q; }
void pcnet_get_quirks(const Pcnet *d, PcnetQuirks *q) { *q = d->q; }

void pcnet_hard_reset(Pcnet *d)
{
    h_reset(d);
    update_irq(d);
}

int pcnet_irq_level(const Pcnet *d) { return d->irq_level; }
uint32_t pcnet_rap(const Pcnet *d) { return d->rap; }
bool pcnet_dwio(const Pcnet *d) { return dwio(d); }
uint16_t pcnet_csr(const Pcnet *d, unsigned n) { return n < PCNET_NUM_CSR ? csr_read(d, n) : 0; }
uint16_t pcnet_bcr(const Pcnet *d, unsigned n) { return n < PCNET_NUM_BCR ? bcr_read(d, n) : 0; }
const PcnetCounters *pcnet_counters(const Pcnet *d) { return &d->cnt; }
