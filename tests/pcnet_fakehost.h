/* pcnet_fakehost: a fake embedder for the Am79C970A model, shared by the unit tests,
 * the corpus replay and the fuzzer. Guest memory is a Gmem; the host logs IRQ edges,
 * transmitted frames and guest-error lines, and keeps a manual clock with one timer.
 * Every DMA is checked against guest RAM: an access outside it is refused (-1) and
 * counted, never performed.
 */
#ifndef VNICSIM_TESTS_PCNET_FAKEHOST_H
#define VNICSIM_TESTS_PCNET_FAKEHOST_H

#include "model/gmem.h"
#include "model/lance/pcnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FH_MAX_FRAMES 8   /* the last frames sent are kept */
#define FH_MAX_IRQLOG 64

typedef struct FhFrame {
    uint8_t data[PCNET_MAX_FRAME];
    size_t len;
    bool fcs;
} FhFrame;

typedef struct FakeHost {
    Gmem *mem;
    Pcnet *dev;
    uint64_t now;                 /* ns */
    bool timer_armed;
    uint64_t timer_deadline, timer_delay;
    unsigned timer_arms, timer_cancels;
    int irq;
    unsigned irq_edges, irq_log_n;
    int irq_log[FH_MAX_IRQLOG];
    unsigned frames_out;          /* total frames sent */
    FhFrame frames[FH_MAX_FRAMES];
    unsigned dma_refused;         /* DMA attempts outside guest RAM (refused) */
    unsigned tx_pending_calls;
    unsigned guest_errors;
    char last_error[200];
    bool print_errors;
} FakeHost;

static inline int fh_dma_read(void *o, uint64_t addr, void *buf, size_t len)
{
    FakeHost *h = o;
    if (gmem_read(h->mem, addr, buf, len) < 0) {
        h->dma_refused++;
        return -1;
    }
    return 0;
}

static inline int fh_dma_write(void *o, uint64_t addr, const void *buf, size_t len)
{
    FakeHost *h = o;
    if (gmem_write(h->mem, addr, buf, len) < 0) {
        h->dma_refused++;
        return -1;
    }
    return 0;
}

static inline void fh_set_irq(void *o, int level)
{
    FakeHost *h = o;
    h->irq = level;
    h->irq_edges++;
    if (h->irq_log_n < FH_MAX_IRQLOG)
        h->irq_log[h->irq_log_n++] = level;
}

static inline void fh_frame_out(void *o, const uint8_t *frame, size_t len, bool fcs)
{
    FakeHost *h = o;
    FhFrame *f = &h->frames[h->frames_out % FH_MAX_FRAMES];
    if (len > sizeof f->data) {
        fprintf(stderr, "fakehost: frame_out of %zu bytes exceeds PCNET_MAX_FRAME\n", len);
        abort();
    }
    memcpy(f->data, frame, len);
    f->len = len;
    f->fcs = fcs;
    h->frames_out++;
}

/* The most recent frame (back = 0) or an earlier one. */
static inline const FhFrame *fh_last_frame(const FakeHost *h, unsigned back)
{
    if (h->frames_out <= back || back >= FH_MAX_FRAMES)
        return NULL;
    return &h->frames[(h->frames_out - 1 - back) % FH_MAX_FRAMES];
}

static inline void fh_tx_pending(void *o)
{
    FakeHost *h = o;
    h->tx_pending_calls++;
}

static inline uint64_t fh_now(void *o) { return ((FakeHost *)o)->now; }

static inline void fh_timer_arm(void *o, uint64_t delay)
{
    FakeHost *h = o;
    h->timer_armed = true;
    h->timer_delay = delay;
    h->timer_deadline = h->now + delay;
    h->timer_arms++;
}

static inline void fh_timer_cancel(void *o)
{
    FakeHost *h = o;
    h->timer_armed = false;
    h->timer_cancels++;
}

static inline void fh_guest_error(void *o, const char *msg)
{
    FakeHost *h = o;
    h->guest_errors++;
    snprintf(h->last_error, sizeof h->last_error, "%s", msg);
    if (h->print_errors)
        fprintf(stderr, "guest error: %s\n", msg);
}

static const uint8_t fh_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* A fake host with `ram` bytes of guest memory and a device of the given profile.
 * async: provide tx_pending (the embedder calls pcnet_tx_run). */
static inline FakeHost *fh_new(uint64_t ram, PcnetProfile profile, bool async)
{
    FakeHost *h = calloc(1, sizeof *h);
    if (!h)
        abort();
    h->mem = gmem_new(ram);
    PcnetOps ops = {
        .opaque = h,
        .dma_read = fh_dma_read,
        .dma_write = fh_dma_write,
        .set_irq = fh_set_irq,
        .frame_out = fh_frame_out,
        .tx_pending = async ? fh_tx_pending : NULL,
        .now_ns = fh_now,
        .timer_arm = fh_timer_arm,
        .timer_cancel = fh_timer_cancel,
        .guest_error = fh_guest_error,
    };
    h->dev = pcnet_new(&ops, fh_mac, profile);
    if (!h->mem || !h->dev)
        abort();
    return h;
}

static inline void fh_free(FakeHost *h)
{
    if (!h)
        return;
    pcnet_free(h->dev);
    gmem_free(h->mem);
    free(h);
}

/* Advance the clock; fire the poll timer when its deadline passes. */
static inline void fh_advance(FakeHost *h, uint64_t ns)
{
    uint64_t end = h->now + ns;
    while (h->timer_armed && h->timer_deadline <= end) {
        h->now = h->timer_deadline;
        h->timer_armed = false;
        pcnet_timer_expired(h->dev);
    }
    h->now = end;
}

/* Register helpers in the current I/O mode (WIO 16-bit or DWIO 32-bit), as the Linux
 * driver's access ops: RAP then RDP/BDP, every time. */
static inline void fh_rap(FakeHost *h, unsigned n)
{
    if (pcnet_dwio(h->dev))
        pcnet_io_write(h->dev, 0x14, 4, n);
    else
        pcnet_io_write(h->dev, 0x12, 2, n);
}

static inline uint16_t fh_csr_r(FakeHost *h, unsigned n)
{
    fh_rap(h, n);
    return pcnet_dwio(h->dev) ? (uint16_t)pcnet_io_read(h->dev, 0x10, 4) : (uint16_t)pcnet_io_read(h->dev, 0x10, 2);
}

static inline void fh_csr_w(FakeHost *h, unsigned n, uint16_t v)
{
    fh_rap(h, n);
    if (pcnet_dwio(h->dev))
        pcnet_io_write(h->dev, 0x10, 4, v);
    else
        pcnet_io_write(h->dev, 0x10, 2, v);
}

static inline uint16_t fh_bcr_r(FakeHost *h, unsigned n)
{
    fh_rap(h, n);
    return pcnet_dwio(h->dev) ? (uint16_t)pcnet_io_read(h->dev, 0x1C, 4) : (uint16_t)pcnet_io_read(h->dev, 0x16, 2);
}

static inline void fh_bcr_w(FakeHost *h, unsigned n, uint16_t v)
{
    fh_rap(h, n);
    if (pcnet_dwio(h->dev))
        pcnet_io_write(h->dev, 0x1C, 4, v);
    else
        pcnet_io_write(h->dev, 0x16, 2, v);
}

static inline void fh_sreset(FakeHost *h)
{
    if (pcnet_dwio(h->dev))
        (void)pcnet_io_read(h->dev, 0x18, 4);
    else
        (void)pcnet_io_read(h->dev, 0x14, 2);
}

/* ---- guest-side memory layout used by the tests (SWSTYLE 2 unless stated) ---- */

#define FH_INIT_ADDR  0x1000u
#define FH_RX_RING    0x2000u
#define FH_TX_RING    0x3000u
#define FH_RX_BUFS    0x10000u  /* 32 x 0x800 */
#define FH_TX_BUFS    0x20000u  /* 16 x 0x800 */
#define FH_BUF_STRIDE 0x800u
#define FH_RX_BUF_LEN 1544u     /* Linux PKT_BUF_SKB */

/* Style-2 init block as Linux builds it: MODE, TLEN/RLEN word, PADR, LADRF, rings. */
static inline void fh_write_init32(FakeHost *h, uint32_t at, uint16_t mode, unsigned rlog, unsigned tlog,
                                   const uint16_t ladrf[4], uint32_t rdra, uint32_t tdra)
{
    gmem_st16(h->mem, at + 0, mode);
    gmem_st16(h->mem, at + 2, (uint16_t)(tlog << 12 | rlog << 4));
    gmem_write(h->mem, at + 4, fh_mac, 6);
    gmem_st16(h->mem, at + 10, 0);
    for (unsigned i = 0; i < 4; i++)
        gmem_st16(h->mem, at + 12 + 2 * i, ladrf ? ladrf[i] : 0);
    gmem_st32(h->mem, at + 20, rdra);
    gmem_st32(h->mem, at + 24, tdra);
}

/* Style-2 RX descriptor i owned by the chip with a buffer of `len` bytes. */
static inline void fh_rmd32(FakeHost *h, uint32_t ring, unsigned i, uint32_t buf, unsigned len)
{
    uint32_t a = ring + 16 * i;
    gmem_st32(h->mem, a, buf);
    gmem_st32(h->mem, a + 8, 0);
    gmem_st32(h->mem, a + 4, 0x80000000u | 0xF000u | ((0x1000u - len) & 0x0FFFu));
}

/* Style-2 TX descriptor i: OWN | flags, `len` bytes at buf (Linux: status 0x8300). */
static inline void fh_tmd32(FakeHost *h, uint32_t ring, unsigned i, uint32_t buf, unsigned len, uint32_t flags)
{
    uint32_t a = ring + 16 * i;
    gmem_st32(h->mem, a, buf);
    gmem_st32(h->mem, a + 8, 0);
    gmem_st32(h->mem, a + 4, 0x80000000u | flags | 0xF000u | ((0x1000u - len) & 0x0FFFu));
}

#define FH_TMD_STP 0x02000000u
#define FH_TMD_ENP 0x01000000u

/* Linux pcnet32_open on a 79C970A (note §5.2) with 32 RX / 16 TX descriptors, every RX
 * descriptor owned with a 1544-byte buffer. Leaves the chip started with INEA set and
 * IDON acknowledged, CSR3 = 0. Returns CSR0 as read before STRT. */
static inline uint16_t fh_linux_open(FakeHost *h, const uint16_t ladrf[4])
{
    fh_sreset(h);
    fh_bcr_w(h, 20, 2);
    fh_bcr_w(h, 2, fh_bcr_r(h, 2) & ~0x0002u);
    fh_bcr_w(h, 9, fh_bcr_r(h, 9) & ~3u);
    fh_csr_w(h, 124, fh_csr_r(h, 124) & ~0x10u);
    for (unsigned i = 0; i < 4; i++)
        fh_csr_w(h, 8 + i, ladrf ? ladrf[i] : 0);
    fh_write_init32(h, FH_INIT_ADDR, 0x0080, 5, 4, ladrf, FH_RX_RING, FH_TX_RING);
    for (unsigned i = 0; i < 32; i++)
        fh_rmd32(h, FH_RX_RING, i, FH_RX_BUFS + i * FH_BUF_STRIDE, FH_RX_BUF_LEN);
    for (unsigned i = 0; i < 16; i++)
        for (unsigned k = 0; k < 16; k += 4)
            gmem_st32(h->mem, FH_TX_RING + 16 * i + k, 0);
    fh_csr_w(h, 1, FH_INIT_ADDR & 0xFFFF);
    fh_csr_w(h, 2, FH_INIT_ADDR >> 16);
    fh_csr_w(h, 4, 0x0915);
    fh_csr_w(h, 0, 0x0001);
    (void)fh_bcr_r(h, 4);
    uint16_t csr0 = fh_csr_r(h, 0);
    fh_csr_w(h, 0, 0x0042);
    /* the first interrupt: IDON */
    uint16_t v = fh_csr_r(h, 0);
    fh_csr_w(h, 0, v & ~0x004Fu);
    fh_csr_w(h, 0, 0x0040);
    return csr0;
}

/* Linux's ISR acknowledge: read CSR0, write it back with INIT/STRT/STOP/TDMD/INEA clear. */
static inline uint16_t fh_isr_ack(FakeHost *h)
{
    uint16_t v = fh_csr_r(h, 0);
    fh_csr_w(h, 0, v & ~0x004Fu);
    return v;
}

#endif
