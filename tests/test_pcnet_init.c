/* test_pcnet_init: INIT in SWSTYLE 2 (the Linux open sequence, note §5.2) and
 * SWSTYLE 0 (note §3.1), ring setup, STRT, the poll timer (§4.7). */
#include "tests/check.h"
#include "tests/pcnet_fakehost.h"

/* The open sequence step by step, with the values of the [P] recording. */
static void test_linux_open(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    const uint16_t ladrf[4] = {0, 0x0080, 0, 0};
    fh_sreset(h);
    fh_bcr_w(h, 20, 2);
    CHECK_EQ_U(fh_bcr_r(h, 2), 0x0002);
    fh_bcr_w(h, 2, 0x0000);
    fh_csr_w(h, 124, 0);
    for (unsigned i = 0; i < 4; i++)
        fh_csr_w(h, 8 + i, ladrf[i]);
    fh_write_init32(h, FH_INIT_ADDR, 0x0080, 5, 4, ladrf, FH_RX_RING, FH_TX_RING);
    CHECK_EQ_U(gmem_ld16(h->mem, FH_INIT_ADDR + 2), 0x4050);
    for (unsigned i = 0; i < 32; i++)
        fh_rmd32(h, FH_RX_RING, i, FH_RX_BUFS + i * FH_BUF_STRIDE, FH_RX_BUF_LEN);
    fh_csr_w(h, 1, FH_INIT_ADDR & 0xFFFF);
    fh_csr_w(h, 2, FH_INIT_ADDR >> 16);
    fh_csr_w(h, 4, 0x0915);
    fh_csr_w(h, 0, 0x0001);
    CHECK_EQ_U(fh_bcr_r(h, 4), 0x80C0);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0181); /* INIT | INTR | IDON, INEA still 0 */
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    /* what INIT loaded */
    CHECK_EQ_U(fh_csr_r(h, 15), 0x0080);
    CHECK_EQ_U(fh_csr_r(h, 9), 0x0080);
    CHECK_EQ_U(fh_csr_r(h, 76), 32);
    CHECK_EQ_U(fh_csr_r(h, 78), 16);
    CHECK_EQ_U(fh_csr_r(h, 72), 32);
    CHECK_EQ_U(fh_csr_r(h, 74), 16);
    CHECK_EQ_U(fh_csr_r(h, 6), 0x4500);
    CHECK_EQ_U(fh_csr_r(h, 24) | (uint32_t)fh_csr_r(h, 25) << 16, FH_RX_RING);
    CHECK_EQ_U(fh_csr_r(h, 30) | (uint32_t)fh_csr_r(h, 31) << 16, FH_TX_RING);
    CHECK_EQ_U(fh_csr_r(h, 12), 0x5452);
    CHECK(!h->timer_armed);
    /* STRT | INEA: INTA asserts at once because IDON is still set */
    fh_csr_w(h, 0, 0x0042);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    CHECK_EQ_U(h->irq_log_n, 1);
    CHECK_EQ_U(h->irq_log[0], 1);
    CHECK(h->timer_armed);
    CHECK_EQ_U(h->timer_delay, 1985939); /* 65,536 clocks at 33 MHz */
    /* the ISR */
    uint16_t v = fh_isr_ack(h);
    CHECK_EQ_U(v, 0x01F3);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0033); /* INEA cleared by the acknowledge (0x01B0) */
    fh_csr_w(h, 3, fh_csr_r(h, 3) | 0x5F00);
    fh_csr_w(h, 3, fh_csr_r(h, 3) & 0x00FF);
    fh_csr_w(h, 0, 0x0040);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0073);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    CHECK_EQ_U(h->irq_edges, 2);
    CHECK_EQ_U(h->guest_errors, 0);
    const PcnetCounters *c = pcnet_counters(h->dev);
    CHECK_EQ_U(c->irq_edges, 2);
    CHECK_EQ_U(c->dma_read_bytes, 28); /* the init block, nothing else yet */
    fh_free(h);
}

static void test_init_twice_and_restart(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    /* a second INIT without STOP is ignored: INIT is still set */
    gmem_st16(h->mem, FH_INIT_ADDR, 0x8080);
    fh_csr_w(h, 0, 0x0041);
    CHECK_EQ_U(fh_csr_r(h, 15), 0x0080);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0100, 0);
    /* pcnet32_restart: STOP, INIT, wait IDON, STRT */
    fh_csr_w(h, 0, 0x0004);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0004);
    fh_csr_w(h, 0, 0x0001);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0181);
    CHECK_EQ_U(fh_csr_r(h, 15), 0x8080);
    fh_csr_w(h, 0, 0x0042);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x01F3);
    /* INIT and STRT in one write: init runs first */
    fh_csr_w(h, 0, 0x0004);
    fh_csr_w(h, 0, 0x0003);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x01B3);
    fh_free(h);
}

static void test_swstyle0_init(void)
{
    FakeHost *h = fh_new(32u << 20, PCNET_PROFILE_DATASHEET, false);
    fh_sreset(h);
    CHECK_EQ_U(fh_bcr_r(h, 20), 0x0200);
    /* 24-byte init block at 0x01A0_0100: bits 31:24 from CSR2[15:8] = 0x01 */
    uint32_t ib = 0x01A00100u;
    gmem_st16(h->mem, ib + 0, 0x0000);
    gmem_write(h->mem, ib + 2, fh_mac, 6);
    gmem_st16(h->mem, ib + 8, 0x1111);
    gmem_st16(h->mem, ib + 10, 0x2222);
    gmem_st16(h->mem, ib + 12, 0x3333);
    gmem_st16(h->mem, ib + 14, 0x4444);
    gmem_st16(h->mem, ib + 16, 0x4000);                      /* RDRA[15:0] */
    gmem_st16(h->mem, ib + 18, (uint16_t)(3u << 13 | 0xA0)); /* RLEN 3 (8), RDRA[23:16] */
    gmem_st16(h->mem, ib + 20, 0x5000);
    gmem_st16(h->mem, ib + 22, (uint16_t)(7u << 13 | 0xA0)); /* TLEN 7 (128) */
    fh_csr_w(h, 1, ib & 0xFFFF);
    fh_csr_w(h, 2, ib >> 16); /* 0x01A0: upper byte 0x01, IADR[23:16] 0xA0 */
    fh_csr_w(h, 0, 0x0001);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0181);
    CHECK_EQ_U(fh_csr_r(h, 8), 0x1111);
    CHECK_EQ_U(fh_csr_r(h, 11), 0x4444);
    CHECK_EQ_U(fh_csr_r(h, 76), 8);
    CHECK_EQ_U(fh_csr_r(h, 78), 128);
    CHECK_EQ_U(fh_csr_r(h, 6), 0x7300);
    CHECK_EQ_U(fh_csr_r(h, 24) | (uint32_t)fh_csr_r(h, 25) << 16, 0xA04000);
    CHECK_EQ_U(pcnet_counters(h->dev)->dma_read_bytes, 24);
    CHECK_EQ_U(h->guest_errors, 0);
    fh_free(h);
}

static void test_ring_length_codes(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    fh_bcr_w(h, 20, 2);
    fh_write_init32(h, FH_INIT_ADDR, 0, 15, 9, NULL, FH_RX_RING, FH_TX_RING);
    fh_csr_w(h, 1, FH_INIT_ADDR);
    fh_csr_w(h, 2, 0);
    unsigned e = h->guest_errors;
    fh_csr_w(h, 0, 0x0001);
    CHECK_EQ_U(fh_csr_r(h, 76), 512);
    CHECK_EQ_U(fh_csr_r(h, 78), 512);
    CHECK_EQ_U(h->guest_errors, e + 1);
    /* RLEN 0: one descriptor */
    fh_csr_w(h, 0, 0x0004);
    fh_write_init32(h, FH_INIT_ADDR, 0, 0, 0, NULL, FH_RX_RING, FH_TX_RING);
    fh_csr_w(h, 0, 0x0001);
    CHECK_EQ_U(fh_csr_r(h, 76), 1);
    CHECK_EQ_U(fh_csr_r(h, 78), 1);
    fh_free(h);
}

static void test_poll_timer(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    uint64_t polls = pcnet_counters(h->dev)->polls;
    fh_advance(h, 1985939 * 3 + 10);
    CHECK_EQ_U(pcnet_counters(h->dev)->polls, polls + 3);
    CHECK(h->timer_armed);
    /* CSR47 POLLINT: two's complement of the interval in PCI clocks (gated: STOP) */
    fh_csr_w(h, 0, 0x0004);
    CHECK(!h->timer_armed);
    fh_csr_w(h, 47, (uint16_t)(0x10000 - 3300)); /* 3300 clocks = 100 us */
    fh_csr_w(h, 0, 0x0002);
    CHECK(h->timer_armed);
    CHECK_EQ_U(h->timer_delay, 100000);
    polls = pcnet_counters(h->dev)->polls;
    fh_advance(h, 1000000);
    CHECK_EQ_U(pcnet_counters(h->dev)->polls, polls + 10);
    fh_free(h);
}

int main(void)
{
    test_linux_open();
    test_init_twice_and_restart();
    test_swstyle0_init();
    test_ring_length_codes();
    test_poll_timer();
    return check_report("test_pcnet_init");
}
