/* test_pcnet_tx: transmit (note §4.5): the Linux xmit path, APAD_XMT, chains, FCS
 * control, TDMD/poll, async transmit, descriptor formats, link down. */
#include "tests/check.h"
#include "tests/pcnet_fakehost.h"

static const uint8_t arp42[42] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06, 0x00, 0x01, 0x08,
    0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x0a, 0x00, 0x02, 0x0f, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x02,
};

/* Linux start_xmit: fill TMD i, then RAP <- 0, RDP <- INEA|TDMD. */
static void xmit(FakeHost *h, unsigned i, const uint8_t *f, size_t len)
{
    uint32_t buf = FH_TX_BUFS + i * FH_BUF_STRIDE;
    gmem_write(h->mem, buf, f, len);
    fh_tmd32(h, FH_TX_RING, i, buf, (unsigned)len, FH_TMD_STP | FH_TMD_ENP);
    fh_csr_w(h, 0, 0x0048);
}

static void test_arp_apad(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    const PcnetCounters *c = pcnet_counters(h->dev);
    uint64_t dr = c->desc_reads, dw = c->desc_writes;
    xmit(h, 0, arp42, sizeof arp42);
    CHECK_EQ_U(h->frames_out, 1);
    const FhFrame *f = fh_last_frame(h, 0);
    CHECK(f != NULL);
    CHECK_EQ_U(f->len, 60); /* padded to 60, + FCS = 64 on the wire */
    CHECK(f->fcs);
    CHECK(memcmp(f->data, arp42, 42) == 0);
    int zero = 1;
    for (unsigned i = 42; i < 60; i++)
        zero &= f->data[i] == 0;
    CHECK(zero);
    /* the TMD handed back: OWN clear, STP|ENP, no error: status high byte 0x03 */
    uint32_t tmd1 = gmem_ld32(h->mem, FH_TX_RING + 4);
    CHECK_EQ_U(tmd1 >> 24, 0x03);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_TX_RING + 8), 0);
    /* TINT and the interrupt; TDMD already cleared (data sheet) */
    uint16_t c0 = fh_csr_r(h, 0);
    CHECK_EQ_U(c0, 0x02F3);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    CHECK_EQ_U(fh_csr_r(h, 4) & 0x0008, 0x0008); /* TXSTRT (masked by TXSTRTM) */
    CHECK_EQ_U(fh_csr_r(h, 74), 15);             /* next descriptor: 1 */
    CHECK_EQ_U(c->tx_frames, 1);
    CHECK_EQ_U(c->tx_bytes, 60);
    CHECK_EQ_U(c->desc_reads - dr, 2); /* this TMD, then the next one (not owned) */
    CHECK_EQ_U(c->desc_writes - dw, 1);
    CHECK_EQ_U(fh_isr_ack(h), 0x02F3);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    /* without APAD_XMT the frame goes out at 42 bytes */
    fh_csr_w(h, 4, 0x0115);
    fh_csr_w(h, 0, 0x0040);
    xmit(h, 1, arp42, sizeof arp42);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 42);
    CHECK(fh_last_frame(h, 0)->fcs);
    CHECK_EQ_U(h->guest_errors, 0);
    fh_free(h);

    /* qemu-7.2: no padding, TXSTRT on bit 2, TDMD left set when nothing is found */
    h = fh_new(1 << 20, PCNET_PROFILE_QEMU72, false);
    (void)fh_linux_open(h, NULL);
    uint16_t c4 = fh_csr_r(h, 4);
    /* The TMD is owned before RAP <- 0: QEMU's poll at that access sends the frame, so
     * the TDMD write finds nothing and TDMD stays set (CSR0 0x02FB in the recording). */
    gmem_write(h->mem, FH_TX_BUFS, arp42, sizeof arp42);
    fh_tmd32(h, FH_TX_RING, 0, FH_TX_BUFS, 42, FH_TMD_STP | FH_TMD_ENP);
    fh_rap(h, 0);
    CHECK_EQ_U(h->frames_out, 1);
    pcnet_io_write(h->dev, 0x10, 2, 0x0048);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 42);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x02FB);
    CHECK_EQ_U(fh_csr_r(h, 4), c4); /* bit 2 was already set by 0x0915; bit 3 never */
    /* the stale TDMD sends the next frame at the next register access (the RAP write) */
    gmem_write(h->mem, FH_TX_BUFS + FH_BUF_STRIDE, arp42, sizeof arp42);
    fh_tmd32(h, FH_TX_RING, 1, FH_TX_BUFS + FH_BUF_STRIDE, 42, FH_TMD_STP | FH_TMD_ENP);
    unsigned n = h->frames_out;
    fh_rap(h, 0);
    CHECK_EQ_U(h->frames_out, n + 1);
    fh_free(h);
}

static void test_chain3(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    uint8_t frame[1000];
    for (unsigned i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 7 + 1);
    /* 3 buffers: 14 + 486 + 500 */
    gmem_write(h->mem, FH_TX_BUFS, frame, 14);
    gmem_write(h->mem, FH_TX_BUFS + 0x800, frame + 14, 486);
    gmem_write(h->mem, FH_TX_BUFS + 0x1000, frame + 500, 500);
    fh_tmd32(h, FH_TX_RING, 2, FH_TX_BUFS + 0x1000, 500, FH_TMD_ENP);
    fh_tmd32(h, FH_TX_RING, 1, FH_TX_BUFS + 0x800, 486, 0);
    fh_tmd32(h, FH_TX_RING, 0, FH_TX_BUFS, 14, FH_TMD_STP);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 1000);
    CHECK(memcmp(fh_last_frame(h, 0)->data, frame, 1000) == 0);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_TX_RING + 4) >> 24, 0x02);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_TX_RING + 16 + 4) >> 24, 0x00);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_TX_RING + 32 + 4) >> 24, 0x01);
    CHECK_EQ_U(fh_csr_r(h, 74), 13);
    CHECK_EQ_U(pcnet_counters(h->dev)->desc_writes, 3);
    CHECK_EQ_U(h->guest_errors, 0);
    fh_free(h);
}

static void test_fcs_control(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    const uint16_t none[4] = {0, 0, 0, 0};
    (void)fh_linux_open(h, none);
    uint8_t f[100] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    /* DXMTFCS (set while suspended): no FCS ... */
    fh_csr_w(h, 5, 1);
    fh_csr_w(h, 15, 0x0088);
    fh_csr_w(h, 5, 0);
    xmit(h, 0, f, sizeof f);
    CHECK(!fh_last_frame(h, 0)->fcs);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 100);
    /* ... unless ADD_FCS in the STP descriptor */
    gmem_write(h->mem, FH_TX_BUFS + 0x800, f, sizeof f);
    fh_tmd32(h, FH_TX_RING, 1, FH_TX_BUFS + 0x800, 100, FH_TMD_STP | FH_TMD_ENP | 0x20000000u);
    fh_csr_w(h, 0, 0x0048);
    CHECK(fh_last_frame(h, 0)->fcs);
    /* APAD_XMT overrides DXMTFCS for a padded frame */
    xmit(h, 2, f, 20);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 60);
    CHECK(fh_last_frame(h, 0)->fcs);
    fh_free(h);
}

static void test_poll_and_dpoll(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    gmem_write(h->mem, FH_TX_BUFS, arp42, sizeof arp42);
    fh_tmd32(h, FH_TX_RING, 0, FH_TX_BUFS, 42, FH_TMD_STP | FH_TMD_ENP);
    /* no TDMD: the poll timer finds the descriptor */
    CHECK_EQ_U(h->frames_out, 0);
    fh_advance(h, 1985939 - 1);
    CHECK_EQ_U(h->frames_out, 0);
    fh_advance(h, 1);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    (void)fh_isr_ack(h);
    fh_csr_w(h, 0, 0x0040);
    /* DPOLL: polls no longer look at the transmit ring; TDMD still works */
    fh_csr_w(h, 4, 0x0915 | 0x1000);
    gmem_write(h->mem, FH_TX_BUFS + 0x800, arp42, sizeof arp42);
    fh_tmd32(h, FH_TX_RING, 1, FH_TX_BUFS + 0x800, 42, FH_TMD_STP | FH_TMD_ENP);
    fh_advance(h, 10 * 1985939);
    CHECK_EQ_U(h->frames_out, 1);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 2);
    fh_free(h);
}

static void test_async(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, true);
    (void)fh_linux_open(h, NULL);
    xmit(h, 0, arp42, sizeof arp42);
    CHECK_EQ_U(h->tx_pending_calls, 1);
    CHECK_EQ_U(h->frames_out, 0);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0008, 0x0008); /* TDMD pending until the DMA engine runs */
    /* a second TDMD before the run does not call tx_pending again */
    gmem_write(h->mem, FH_TX_BUFS + 0x800, arp42, sizeof arp42);
    fh_tmd32(h, FH_TX_RING, 1, FH_TX_BUFS + 0x800, 42, FH_TMD_STP | FH_TMD_ENP);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->tx_pending_calls, 1);
    pcnet_tx_run(h->dev);
    CHECK_EQ_U(h->frames_out, 2);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0208, 0x0200);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    xmit(h, 2, arp42, sizeof arp42);
    CHECK_EQ_U(h->tx_pending_calls, 2);
    fh_free(h);
}

/* SWSTYLE 0: 8-byte TMDs, 16-bit init block, addresses with CSR2's upper byte */
static void test_swstyle0_tx(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    fh_sreset(h);
    uint32_t ib = 0x1000, rx = 0x2000, tx = 0x3000;
    gmem_st16(h->mem, ib, 0);
    gmem_write(h->mem, ib + 2, fh_mac, 6);
    gmem_st16(h->mem, ib + 16, (uint16_t)rx);
    gmem_st16(h->mem, ib + 18, 2u << 13);
    gmem_st16(h->mem, ib + 20, (uint16_t)tx);
    gmem_st16(h->mem, ib + 22, 2u << 13); /* 4 TMDs */
    fh_csr_w(h, 1, (uint16_t)ib);
    fh_csr_w(h, 2, 0);
    fh_csr_w(h, 4, 0x0915);
    fh_csr_w(h, 0, 0x0003);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x01B3);
    /* TMD 0: 2 buffers (chained), TMD layout +0 TBADR[15:0], +2 status|TBADR[23:16], +4 BCNT, +6 TMD3 */
    gmem_write(h->mem, 0x4000, arp42, 20);
    gmem_write(h->mem, 0x14000, arp42 + 20, 22);
    gmem_st16(h->mem, tx + 0, 0x4000);
    gmem_st16(h->mem, tx + 4, (uint16_t)(0xF000 | (0x1000 - 20)));
    gmem_st16(h->mem, tx + 6, 0);
    gmem_st16(h->mem, tx + 8, 0x4000);
    gmem_st16(h->mem, tx + 12, (uint16_t)(0xF000 | (0x1000 - 22)));
    gmem_st16(h->mem, tx + 14, 0);
    gmem_st16(h->mem, tx + 10, 0x8100 | 0x01); /* OWN|ENP, TBADR[23:16] = 1 */
    gmem_st16(h->mem, tx + 2, 0x8200);         /* OWN|STP */
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 60);
    CHECK(memcmp(fh_last_frame(h, 0)->data, arp42, 42) == 0);
    CHECK_EQ_U(gmem_ld16(h->mem, tx + 2), 0x0200);
    CHECK_EQ_U(gmem_ld16(h->mem, tx + 10), 0x0101); /* address byte kept */
    CHECK_EQ_U(gmem_ld16(h->mem, tx + 4), 0xF000 | (0x1000 - 20));
    CHECK_EQ_U(fh_csr_r(h, 74), 2);
    /* link down: LCAR in TMD3 (bit 11), ERR, CERR in CSR0, frame not sent */
    pcnet_set_link(h->dev, false);
    gmem_st16(h->mem, tx + 16, 0x4000);
    gmem_st16(h->mem, tx + 20, (uint16_t)(0xF000 | (0x1000 - 60)));
    gmem_st16(h->mem, tx + 22, 0);
    gmem_st16(h->mem, tx + 18, 0x8300);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK_EQ_U(gmem_ld16(h->mem, tx + 18), 0x4300);
    CHECK_EQ_U(gmem_ld16(h->mem, tx + 22), 0x0800);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0xA200, 0xA200); /* ERR | CERR | TINT */
    CHECK_EQ_U(pcnet_counters(h->dev)->tx_errors, 1);
    fh_free(h);
}

/* SWSTYLE 3: dwords 0 and 2 swapped (TMD2 at +0, TMD1 at +4, TMD0 at +8) */
static void test_swstyle3_tx(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    fh_sreset(h);
    fh_bcr_w(h, 20, 3);
    CHECK_EQ_U(fh_bcr_r(h, 20), 0x0303);
    fh_write_init32(h, FH_INIT_ADDR, 0, 2, 2, NULL, FH_RX_RING, FH_TX_RING);
    fh_csr_w(h, 1, FH_INIT_ADDR);
    fh_csr_w(h, 2, 0);
    fh_csr_w(h, 0, 0x0003);
    gmem_write(h->mem, 0x5000, arp42, sizeof arp42);
    gmem_st32(h->mem, FH_TX_RING + 0, 0);
    gmem_st32(h->mem, FH_TX_RING + 8, 0x5000);
    gmem_st32(h->mem, FH_TX_RING + 4, 0x83000000u | 0xF000 | (0x1000 - 42));
    pcnet_set_link(h->dev, false); /* also check where TMD2 is written back */
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_TX_RING + 4) >> 24, 0x43);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_TX_RING + 0), 0x08000000u); /* LCAR in TMD2, at +0 */
    CHECK_EQ_U(gmem_ld32(h->mem, FH_TX_RING + 8), 0x5000);      /* address untouched */
    pcnet_set_link(h->dev, true);
    gmem_st32(h->mem, FH_TX_RING + 16 + 0, 0);
    gmem_st32(h->mem, FH_TX_RING + 16 + 8, 0x5000);
    gmem_st32(h->mem, FH_TX_RING + 16 + 4, 0x83000000u | 0xF000 | (0x1000 - 42));
    fh_csr_w(h, 0, 0x0008);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK(memcmp(fh_last_frame(h, 0)->data, arp42, 42) == 0);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 42); /* CSR4 0x0115 after reset: no APAD */
    fh_free(h);
}

static void test_ltint(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    /* TOKINTD: TINT only for descriptors with LTINT when LTINTEN */
    fh_csr_w(h, 5, 0xC000);
    xmit(h, 0, arp42, sizeof arp42);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0200, 0);
    gmem_write(h->mem, FH_TX_BUFS + 0x800, arp42, sizeof arp42);
    fh_tmd32(h, FH_TX_RING, 1, FH_TX_BUFS + 0x800, 42, FH_TMD_STP | FH_TMD_ENP | 0x10000000u);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0200, 0x0200);
    CHECK_EQ_U(h->frames_out, 2);
    fh_free(h);
}

/* SWSTYLE 1 (ILACC): TMD1 bit 29 is NO_FCS */
static void test_swstyle1_no_fcs(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    fh_sreset(h);
    fh_bcr_w(h, 20, 1);
    fh_write_init32(h, FH_INIT_ADDR, 0, 2, 2, NULL, FH_RX_RING, FH_TX_RING);
    fh_csr_w(h, 1, FH_INIT_ADDR);
    fh_csr_w(h, 2, 0);
    fh_csr_w(h, 0, 0x0003);
    gmem_write(h->mem, FH_TX_BUFS, arp42, sizeof arp42);
    fh_tmd32(h, FH_TX_RING, 0, FH_TX_BUFS, 42, FH_TMD_STP | FH_TMD_ENP | 0x20000000u);
    fh_tmd32(h, FH_TX_RING, 1, FH_TX_BUFS, 42, FH_TMD_STP | FH_TMD_ENP);
    fh_csr_w(h, 0, 0x0008);
    CHECK_EQ_U(h->frames_out, 2);
    CHECK(!fh_last_frame(h, 1)->fcs);
    CHECK(fh_last_frame(h, 0)->fcs);
    fh_free(h);
}

/* SPND halts transmit; a TDMD written meanwhile is served on resume */
static void test_suspend(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    fh_csr_w(h, 5, 1);
    xmit(h, 0, arp42, sizeof arp42);
    CHECK_EQ_U(h->frames_out, 0);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0008, 0x0008);
    fh_advance(h, 3 * 1985939); /* no polling while suspended */
    CHECK_EQ_U(h->frames_out, 0);
    fh_csr_w(h, 5, 0);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0208, 0x0200);
    fh_free(h);
}

int main(void)
{
    test_arp_apad();
    test_chain3();
    test_fcs_control();
    test_poll_and_dpoll();
    test_async();
    test_swstyle0_tx();
    test_swstyle3_tx();
    test_ltint();
    test_suspend();
    test_swstyle1_no_fcs();
    return check_report("test_pcnet_tx");
}
