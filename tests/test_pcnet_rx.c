/* test_pcnet_rx: receive (note §4.6): SWSTYLE 2/0/3 rings, MCNT and FCS, the address
 * filter, MISS/CSR112, chaining, the qemu-7.2 receive quirks, loopback. */
#include "tests/check.h"
#include "tests/pcnet_fakehost.h"

/* IEEE CRC-32 written out bit by bit (independent of the model's table). */
static uint32_t crc32_bits(const uint8_t *p, size_t n, int final_invert)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return final_invert ? ~c : c;
}

static size_t mkframe(uint8_t *f, const uint8_t dst[6], size_t len)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01\x08\x00", 8);
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(i ^ 0x5A);
    return len;
}

static uint32_t rmd1(FakeHost *h, unsigned i) { return gmem_ld32(h->mem, FH_RX_RING + 16 * i + 4); }
static uint32_t rmd2(FakeHost *h, unsigned i) { return gmem_ld32(h->mem, FH_RX_RING + 16 * i + 8); }

static void test_rx_style2(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    uint8_t f[1514];
    mkframe(f, fh_mac, sizeof f);
    CHECK(pcnet_can_receive(h->dev));
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U(rmd1(h, 0) >> 24, 0x03);            /* STP|ENP, OWN clear: Linux's RX-OK test */
    CHECK_EQ_U((rmd1(h, 0) >> 16) & 0xF0, 0x40);   /* PAM */
    CHECK_EQ_U(rmd1(h, 0) & 0xFFFF, 0xF000 | (0x1000 - 1544)); /* BCNT untouched */
    CHECK_EQ_U(rmd2(h, 0), 1514 + 4);              /* MCNT includes the FCS */
    uint8_t got[1518];
    gmem_read(h->mem, FH_RX_BUFS, got, sizeof got);
    CHECK(memcmp(got, f, sizeof f) == 0);
    uint32_t fcs = got[1514] | got[1515] << 8 | got[1516] << 16 | (uint32_t)got[1517] << 24;
    CHECK_EQ_U(fcs, crc32_bits(f, sizeof f, 1));
    CHECK_EQ_U(fh_csr_r(h, 72), 31);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0400, 0x0400); /* RINT */
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    CHECK_EQ_U(fh_isr_ack(h), 0x04F3);
    /* a 42-byte frame is padded to 60: MCNT 64 */
    uint8_t small[42];
    mkframe(small, fh_mac, sizeof small);
    CHECK_EQ_U(pcnet_receive(h->dev, small, sizeof small), PCNET_RX_OK);
    CHECK_EQ_U(rmd2(h, 1), 64);
    const PcnetCounters *c = pcnet_counters(h->dev);
    CHECK_EQ_U(c->rx_frames, 2);
    CHECK_EQ_U(c->rx_bytes, 1514 + 42);
    CHECK_EQ_U(h->guest_errors, 0);
    fh_free(h);
}

static void test_filter(void)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t mc_v4[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    static const uint8_t mc_v6[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
    static const uint8_t mc_other[6] = {0x33, 0x33, 0xff, 0x12, 0x34, 0x56};
    static const uint8_t other[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    /* Linux's LADRF: bit index = ether_crc_le(6, addr) >> 26 (computed here bit by bit) */
    uint16_t ladrf[4] = {0, 0, 0, 0};
    unsigned i4 = crc32_bits(mc_v4, 6, 0) >> 26, i6 = crc32_bits(mc_v6, 6, 0) >> 26;
    ladrf[i4 >> 4] |= (uint16_t)(1u << (i4 & 15));
    ladrf[i6 >> 4] |= (uint16_t)(1u << (i6 & 15));
    /* the recording shows these exact words: CSR9 = 0x0080, CSR11 = 0x0040 */
    CHECK_EQ_U(ladrf[1], 0x0080);
    CHECK_EQ_U(ladrf[3], 0x0040);
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, ladrf);
    CHECK(pcnet_accepts(h->dev, fh_mac));
    CHECK(pcnet_accepts(h->dev, bcast));
    CHECK(pcnet_accepts(h->dev, mc_v4));
    CHECK(pcnet_accepts(h->dev, mc_v6));
    CHECK(!pcnet_accepts(h->dev, mc_other));
    CHECK(!pcnet_accepts(h->dev, other));
    uint8_t f[100];
    unsigned slot = 0;
    mkframe(f, bcast, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U((rmd1(h, slot++) >> 16) & 0xF0, 0x10); /* BAM */
    mkframe(f, mc_v4, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U((rmd1(h, slot++) >> 16) & 0xF0, 0x20); /* LAFM */
    mkframe(f, mc_v6, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U((rmd1(h, slot++) >> 16) & 0xF0, 0x20);
    mkframe(f, mc_other, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_FILTERED);
    mkframe(f, other, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_FILTERED);
    CHECK_EQ_U(pcnet_counters(h->dev)->rx_filtered, 2);
    CHECK_EQ_U(fh_csr_r(h, 72), 32 - slot);
    /* promiscuous (set while suspended, as Linux does): everything, no match flags */
    fh_csr_w(h, 5, 1);
    fh_csr_w(h, 15, 0x8080);
    fh_csr_w(h, 5, 0);
    CHECK(pcnet_accepts(h->dev, other));
    mkframe(f, other, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U((rmd1(h, slot++) >> 16) & 0xF0, 0x00);
    /* DRCVBC: broadcast refused (LADRF bit 47 not set) */
    fh_csr_w(h, 5, 1);
    fh_csr_w(h, 15, 0x4080);
    fh_csr_w(h, 5, 0);
    CHECK(!pcnet_accepts(h->dev, bcast));
    CHECK(pcnet_accepts(h->dev, fh_mac));
    /* DRCVPA: own address refused */
    fh_csr_w(h, 5, 1);
    fh_csr_w(h, 15, 0x2080);
    fh_csr_w(h, 5, 0);
    CHECK(!pcnet_accepts(h->dev, fh_mac));
    CHECK(pcnet_accepts(h->dev, bcast));
    /* IFF_ALLMULTI: all LADRF bits, then any multicast passes, and broadcast via the hash
     * even with DRCVBC */
    fh_csr_w(h, 5, 1);
    fh_csr_w(h, 15, 0x4080);
    for (unsigned i = 0; i < 4; i++)
        fh_csr_w(h, 8 + i, 0xFFFF);
    fh_csr_w(h, 5, 0);
    CHECK(pcnet_accepts(h->dev, mc_other));
    CHECK(pcnet_accepts(h->dev, bcast));
    CHECK(!pcnet_accepts(h->dev, other));
    fh_free(h);
}

static void test_miss(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    for (unsigned i = 0; i < 32; i++)
        gmem_st32(h->mem, FH_RX_RING + 16 * i + 4, 0xF000 | (0x1000 - 1544)); /* host owns all */
    uint8_t f[60];
    mkframe(f, fh_mac, sizeof f);
    CHECK(!pcnet_can_receive(h->dev));
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_MISSED);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_MISSED);
    CHECK_EQ_U(fh_csr_r(h, 112), 2);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x9000, 0x9000);
    CHECK_EQ_U(pcnet_counters(h->dev)->rx_missed, 2);
    CHECK_EQ_U(fh_csr_r(h, 72), 32); /* no advance */
    /* MFCO when CSR112 wraps (set while stopped; CSR112 is gated) */
    fh_csr_w(h, 0, 0x0004);
    fh_csr_w(h, 112, 0xFFFF);
    fh_csr_w(h, 4, 0x0115 & ~0x0100); /* unmask MFCO */
    fh_csr_w(h, 0, 0x0042);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_MISSED);
    CHECK_EQ_U(fh_csr_r(h, 112), 0);
    CHECK_EQ_U(fh_csr_r(h, 4) & 0x0200, 0x0200);
    fh_free(h);
}

static void test_chain_and_overflow(void)
{
    for (int prof = 0; prof < 2; prof++) {
        FakeHost *h = fh_new(1 << 20, prof ? PCNET_PROFILE_QEMU72 : PCNET_PROFILE_DATASHEET, false);
        (void)fh_linux_open(h, NULL);
        /* 5 owned descriptors of 256 bytes; a 1000-byte frame needs 4 (1004 with FCS) */
        for (unsigned i = 0; i < 5; i++)
            fh_rmd32(h, FH_RX_RING, i, FH_RX_BUFS + i * FH_BUF_STRIDE, 256);
        uint8_t f[1000];
        mkframe(f, fh_mac, sizeof f);
        PcnetRxResult r = pcnet_receive(h->dev, f, sizeof f);
        if (!prof) {
            CHECK_EQ_U(r, PCNET_RX_OK);
            CHECK_EQ_U(rmd1(h, 0) >> 24, 0x02);
            CHECK_EQ_U(rmd1(h, 1) >> 24, 0x00);
            CHECK_EQ_U(rmd1(h, 2) >> 24, 0x00);
            CHECK_EQ_U(rmd1(h, 3) >> 24, 0x01);
            CHECK_EQ_U(rmd2(h, 3), 1004);
            CHECK_EQ_U(rmd1(h, 4) >> 24, 0x80);
            uint8_t got[256];
            gmem_read(h->mem, FH_RX_BUFS + 3 * FH_BUF_STRIDE, got, 1004 - 768);
            CHECK(memcmp(got, f + 768, 1000 - 768) == 0);
            CHECK_EQ_U(fh_csr_r(h, 72), 28);
        } else {
            /* QEMU: at most 3 descriptors; the frame is cut with OFLO|BUFF|ERR */
            CHECK_EQ_U(r, PCNET_RX_ERROR);
            CHECK_EQ_U(rmd1(h, 0) >> 24, 0x02);
            CHECK_EQ_U(rmd1(h, 2) >> 24, 0x54); /* ERR | OFLO | BUFF */
            CHECK_EQ_U(rmd1(h, 3) >> 24, 0x80); /* still owned */
        }
        fh_free(h);
    }
    /* data sheet: next descriptor not owned: BUFF|ERR, no ENP */
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    fh_rmd32(h, FH_RX_RING, 0, FH_RX_BUFS, 256);
    gmem_st32(h->mem, FH_RX_RING + 16 + 4, 0);
    uint8_t f[600];
    mkframe(f, fh_mac, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_ERROR);
    CHECK_EQ_U(rmd1(h, 0) >> 24, 0x46); /* ERR | BUFF | STP */
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0400, 0x0400);
    CHECK_EQ_U(pcnet_counters(h->dev)->rx_errors, 1);
    fh_free(h);
}

static void test_qemu_rx_quirks(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_QEMU72, false);
    (void)fh_linux_open(h, NULL);
    uint8_t f[100];
    mkframe(f, fh_mac, sizeof f);
    /* zero FCS */
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_RX_BUFS + 100), 0);
    CHECK_EQ_U(rmd2(h, 0), 104);
    /* resync: descriptor 1 not owned, 5 owned: the frame lands in 5 */
    gmem_st32(h->mem, FH_RX_RING + 16 * 1 + 4, 0);
    gmem_st32(h->mem, FH_RX_RING + 16 * 2 + 4, 0);
    gmem_st32(h->mem, FH_RX_RING + 16 * 3 + 4, 0);
    gmem_st32(h->mem, FH_RX_RING + 16 * 4 + 4, 0);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U(rmd1(h, 5) >> 24, 0x03);
    CHECK_EQ_U(fh_csr_r(h, 72), 32 - 6);
    fh_free(h);

    /* the same in the data-sheet profile: MISS */
    h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    gmem_st32(h->mem, FH_RX_RING + 4, 0);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_MISSED);
    fh_free(h);
}

static void test_refused(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    uint8_t f[60];
    mkframe(f, fh_mac, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_REFUSED); /* stopped */
    (void)fh_linux_open(h, NULL);
    CHECK_EQ_U(pcnet_receive(h->dev, f, 0), PCNET_RX_REFUSED);
    pcnet_set_link(h->dev, false);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_REFUSED);
    pcnet_set_link(h->dev, true);
    fh_csr_w(h, 5, 1);
    fh_csr_w(h, 15, 0x0081); /* DRX */
    fh_csr_w(h, 5, 0);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_REFUSED);
    CHECK(!pcnet_can_receive(h->dev));
    CHECK_EQ_U(pcnet_counters(h->dev)->rx_frames, 0);
    fh_free(h);
}

static void test_swstyle0_rx(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    fh_sreset(h);
    uint32_t ib = 0x1000, rx = 0x2000;
    gmem_st16(h->mem, ib, 0);
    gmem_write(h->mem, ib + 2, fh_mac, 6);
    gmem_st16(h->mem, ib + 16, (uint16_t)rx);
    gmem_st16(h->mem, ib + 18, 1u << 13); /* 2 RMDs */
    gmem_st16(h->mem, ib + 20, 0x3000);
    gmem_st16(h->mem, ib + 22, 0);
    /* RMD0: +0 RBADR[15:0], +2 OWN|RBADR[23:16], +4 ONES|BCNT, +6 MCNT */
    gmem_st16(h->mem, rx + 0, 0x8000);
    gmem_st16(h->mem, rx + 4, (uint16_t)(0xF000 | (0x1000 - 1536)));
    gmem_st16(h->mem, rx + 6, 0);
    gmem_st16(h->mem, rx + 2, 0x8001); /* buffer at 0x18000 */
    fh_csr_w(h, 1, (uint16_t)ib);
    fh_csr_w(h, 2, 0);
    fh_csr_w(h, 0, 0x0003);
    uint8_t f[200];
    mkframe(f, fh_mac, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U(gmem_ld16(h->mem, rx + 2), 0x0301); /* STP|ENP (no PAM bits in 16-bit), address kept */
    CHECK_EQ_U(gmem_ld16(h->mem, rx + 6), 204);
    uint8_t got[200];
    gmem_read(h->mem, 0x18000, got, sizeof got);
    CHECK(memcmp(got, f, sizeof f) == 0);
    CHECK_EQ_U(fh_csr_r(h, 72), 1);
    fh_free(h);
}

static void test_swstyle3_rx(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    fh_sreset(h);
    fh_bcr_w(h, 20, 3);
    fh_write_init32(h, FH_INIT_ADDR, 0, 2, 2, NULL, FH_RX_RING, FH_TX_RING);
    gmem_st32(h->mem, FH_RX_RING + 0, 0);
    gmem_st32(h->mem, FH_RX_RING + 8, 0x9000);
    gmem_st32(h->mem, FH_RX_RING + 4, 0x80000000u | 0xF000 | (0x1000 - 1544));
    fh_csr_w(h, 1, FH_INIT_ADDR);
    fh_csr_w(h, 2, 0);
    fh_csr_w(h, 0, 0x0003);
    uint8_t f[300];
    mkframe(f, fh_mac, sizeof f);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_RX_RING + 0), 304);   /* RMD2 (MCNT) at +0 */
    CHECK_EQ_U(gmem_ld32(h->mem, FH_RX_RING + 4) >> 24, 0x03);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_RX_RING + 8), 0x9000); /* RMD0 at +8 */
    uint8_t got[300];
    gmem_read(h->mem, 0x9000, got, sizeof got);
    CHECK(memcmp(got, f, sizeof f) == 0);
    fh_free(h);
}

/* Internal loopback (the ethtool self-test's LOOP|INTL): TX comes back through RX. */
static void test_loopback(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    fh_csr_w(h, 0, 0x0004);
    fh_csr_w(h, 15, 0x0044);
    fh_csr_w(h, 0, 0x0002);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0032, 0x0032);
    uint8_t f[100];
    mkframe(f, fh_mac, sizeof f);
    /* wire frames are refused in loopback */
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_REFUSED);
    pcnet_set_link(h->dev, false); /* internal loopback works without a link */
    for (unsigned i = 0; i < 3; i++) {
        gmem_write(h->mem, FH_TX_BUFS + i * FH_BUF_STRIDE, f, sizeof f);
        fh_tmd32(h, FH_TX_RING, i, FH_TX_BUFS + i * FH_BUF_STRIDE, sizeof f, FH_TMD_STP | FH_TMD_ENP);
    }
    fh_csr_w(h, 0, 0x0008);
    CHECK_EQ_U(h->frames_out, 0);
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ_U(rmd1(h, i) >> 24, 0x03);
        CHECK_EQ_U(rmd2(h, i), 104);
    }
    uint8_t got[104];
    gmem_read(h->mem, FH_RX_BUFS + FH_BUF_STRIDE, got, sizeof got);
    CHECK(memcmp(got, f, sizeof f) == 0);
    uint32_t fcs = got[100] | got[101] << 8 | got[102] << 16 | (uint32_t)got[103] << 24;
    CHECK_EQ_U(fcs, crc32_bits(f, sizeof f, 1));
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0600, 0x0600);
    const PcnetCounters *c = pcnet_counters(h->dev);
    CHECK_EQ_U(c->tx_frames, 3);
    CHECK_EQ_U(c->rx_frames, 3);
    fh_free(h);
}

int main(void)
{
    test_rx_style2();
    test_filter();
    test_miss();
    test_chain_and_overflow();
    test_qemu_rx_quirks();
    test_refused();
    test_swstyle0_rx();
    test_swstyle3_rx();
    test_loopback();
    return check_report("test_pcnet_rx");
}
