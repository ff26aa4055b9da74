/* test_pcnet_bad: bad guest programming and hostile inputs (note §8). Each case must
 * end with the chip's error status and a guest-error line, never a crash, never a DMA
 * outside guest RAM (the fake host refuses and counts those), and bounded work. */
#include "tests/check.h"
#include "tests/pcnet_fakehost.h"

#define RAM (1u << 20)

static FakeHost *opened(PcnetProfile p)
{
    FakeHost *h = fh_new(RAM, p, false);
    (void)fh_linux_open(h, NULL);
    return h;
}

static uint32_t tmd1(FakeHost *h, unsigned i) { return gmem_ld32(h->mem, FH_TX_RING + 16 * i + 4); }
static uint32_t tmd2(FakeHost *h, unsigned i) { return gmem_ld32(h->mem, FH_TX_RING + 16 * i + 8); }

static void test_init_block_outside_ram(void)
{
    FakeHost *h = fh_new(RAM, PCNET_PROFILE_DATASHEET, false);
    fh_bcr_w(h, 20, 2);
    fh_csr_w(h, 1, 0xFFF0);
    fh_csr_w(h, 2, 0x00F0); /* 0x00F0FFF0: beyond 1 MiB of RAM */
    unsigned e = h->guest_errors;
    fh_csr_w(h, 0, 0x0001);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x8900, 0x8800); /* ERR|MERR, no IDON */
    CHECK(h->dma_refused > 0);
    CHECK_EQ_U(h->guest_errors, e + 1);
    /* 16-bit mode: CSR2[15:8] supplies address bits 31:24 */
    pcnet_hard_reset(h->dev);
    fh_write_init32(h, FH_INIT_ADDR, 0, 0, 0, NULL, 0, 0);
    fh_csr_w(h, 1, FH_INIT_ADDR);
    fh_csr_w(h, 2, 0x0100); /* 0x01001000: outside */
    fh_csr_w(h, 0, 0x0001);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0900, 0x0800);
    fh_free(h);
}

static void test_tx_ring_outside_ram(void)
{
    FakeHost *h = fh_new(RAM, PCNET_PROFILE_DATASHEET, false);
    fh_bcr_w(h, 20, 2);
    fh_write_init32(h, FH_INIT_ADDR, 0, 2, 2, NULL, FH_RX_RING, 0x7FFFFFF0u);
    fh_csr_w(h, 1, FH_INIT_ADDR);
    fh_csr_w(h, 2, 0);
    fh_csr_w(h, 0, 0x0043);
    unsigned e = h->guest_errors;
    fh_csr_w(h, 0, 0x0048);
    uint16_t c0 = fh_csr_r(h, 0);
    CHECK_EQ_U(c0 & 0x8800, 0x8800);  /* ERR | MERR */
    CHECK_EQ_U(c0 & 0x0030, 0);       /* transmitter and receiver off */
    CHECK_EQ_U(c0 & 0x0008, 0);       /* TDMD gone */
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    CHECK(h->guest_errors > e);
    CHECK(h->dma_refused > 0);
    /* further TDMDs and polls do nothing */
    unsigned refused = h->dma_refused;
    fh_csr_w(h, 0, 0x0048);
    fh_advance(h, 10000000);
    CHECK_EQ_U(h->dma_refused, refused);
    fh_free(h);
}

static void test_tx_buffer_outside_ram(void)
{
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    fh_tmd32(h, FH_TX_RING, 0, RAM - 10, 60, FH_TMD_STP | FH_TMD_ENP);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0830, 0x0800);
    CHECK_EQ_U(h->frames_out, 0);
    CHECK_EQ_U(tmd1(h, 0) >> 31, 1); /* left owned: the chip stopped on the bus error */
    fh_free(h);
}

static void test_rx_outside_ram(void)
{
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    uint8_t f[100] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    fh_rmd32(h, FH_RX_RING, 0, 0xFFFFFF00u, 1544);
    unsigned e = h->guest_errors;
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_ERROR);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0830, 0x0800);
    CHECK_EQ_U(h->guest_errors, e + 1);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_REFUSED); /* receiver off */
    fh_free(h);

    /* RX ring itself outside RAM (set through CSR24/25 while stopped) */
    h = opened(PCNET_PROFILE_DATASHEET);
    fh_csr_w(h, 0, 0x0004);
    fh_csr_w(h, 25, 0x4000);
    fh_csr_w(h, 0, 0x0042);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_ERROR);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0800, 0x0800);
    CHECK(!pcnet_can_receive(h->dev));
    fh_free(h);
}

/* CVE-2016-7909: ring lengths of 0 written to CSR76/78 */
static void test_zero_length_rings(void)
{
    FakeHost *h = opened(PCNET_PROFILE_QEMU72);
    fh_csr_w(h, 0, 0x0004);
    unsigned e = h->guest_errors;
    fh_csr_w(h, 76, 0);
    fh_csr_w(h, 78, 0);
    CHECK_EQ_U(h->guest_errors, e + 2);
    CHECK_EQ_U(fh_csr_r(h, 76), 512);
    CHECK_EQ_U(fh_csr_r(h, 78), 512);
    fh_csr_w(h, 0, 0x0042);
    uint8_t f[64] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    for (unsigned i = 0; i < 40; i++)
        (void)pcnet_receive(h->dev, f, sizeof f);
    fh_csr_w(h, 0, 0x0048);
    fh_advance(h, 5000000);
    CHECK(fh_csr_r(h, 72) >= 1 && fh_csr_r(h, 72) <= 512);
    CHECK(fh_csr_r(h, 74) >= 1 && fh_csr_r(h, 74) <= 512);
    fh_free(h);
}

/* CVE-2015-3209: a frame spread over descriptors of up to 4096 bytes each */
static void test_tx_oversize_chain(void)
{
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    /* BCNT 0 means 4096 bytes: three of them, the last with ENP */
    for (unsigned i = 0; i < 3; i++) {
        gmem_st32(h->mem, FH_TX_RING + 16 * i, FH_TX_BUFS);
        gmem_st32(h->mem, FH_TX_RING + 16 * i + 8, 0);
    }
    gmem_st32(h->mem, FH_TX_RING + 16 * 2 + 4, 0x81000000u | 0xF000);
    gmem_st32(h->mem, FH_TX_RING + 16 * 1 + 4, 0x80000000u | 0xF000);
    gmem_st32(h->mem, FH_TX_RING + 16 * 0 + 4, 0x82000000u | 0xF000);
    unsigned e = h->guest_errors;
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 0);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0xC200, 0xC200); /* ERR | BABL | TINT */
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ_U(tmd1(h, i) >> 31, 0);
    CHECK_EQ_U(fh_csr_r(h, 74), 13);
    CHECK(h->guest_errors > e);
    CHECK_EQ_U(pcnet_counters(h->dev)->tx_errors, 1);
    /* one 4096-byte buffer alone is also too long for the model (4092 + FCS) */
    gmem_st32(h->mem, FH_TX_RING + 16 * 3, FH_TX_BUFS);
    gmem_st32(h->mem, FH_TX_RING + 16 * 3 + 4, 0x83000000u | 0xF000);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 0);
    /* 1600 bytes is babble on the wire: sent, with BABL */
    (void)fh_isr_ack(h);
    fh_tmd32(h, FH_TX_RING, 4, FH_TX_BUFS, 1600, FH_TMD_STP | FH_TMD_ENP);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 1600);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x4000, 0x4000);
    fh_free(h);
}

/* A chain with no ENP anywhere in the ring: bounded, ends in UFLO */
static void test_chain_without_enp(void)
{
    for (int dxsuflo = 0; dxsuflo < 2; dxsuflo++) {
        FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
        if (dxsuflo)
            fh_csr_w(h, 3, 0x0040);
        for (unsigned i = 0; i < 16; i++)
            fh_tmd32(h, FH_TX_RING, i, FH_TX_BUFS, 100, i == 0 ? FH_TMD_STP : 0);
        uint64_t dr = pcnet_counters(h->dev)->desc_reads;
        fh_csr_w(h, 0, 0x0048);
        CHECK(pcnet_counters(h->dev)->desc_reads - dr <= 2 * 16 + 2);
        CHECK_EQ_U(h->frames_out, 0);
        CHECK_EQ_U(tmd1(h, 15) >> 24, 0x40); /* ERR, OWN clear */
        CHECK_EQ_U(tmd2(h, 15) >> 30, 0x3);  /* BUFF | UFLO */
        CHECK_EQ_U(fh_csr_r(h, 0) & 0x0210, dxsuflo ? 0x0210 : 0x0200);
        CHECK_EQ_U(pcnet_counters(h->dev)->tx_errors, 1);
        fh_free(h);
    }
    /* underflow in a 2-descriptor frame whose second TMD is not owned */
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    fh_tmd32(h, FH_TX_RING, 0, FH_TX_BUFS, 100, FH_TMD_STP);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(tmd1(h, 0) >> 24, 0x42);
    CHECK_EQ_U(tmd2(h, 0) >> 30, 0x3);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0010, 0);
    fh_free(h);
}

/* ENP without STP (the negative-index bug fixed with CVE-2015-3209), STP inside a frame */
static void test_enp_without_stp(void)
{
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    uint8_t f[60] = {1, 2, 3, 4, 5, 6};
    gmem_write(h->mem, FH_TX_BUFS, f, sizeof f);
    fh_tmd32(h, FH_TX_RING, 0, FH_TX_BUFS, 60, FH_TMD_ENP);
    fh_tmd32(h, FH_TX_RING, 1, FH_TX_BUFS, 60, FH_TMD_STP | FH_TMD_ENP);
    unsigned e = h->guest_errors;
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(tmd1(h, 0) >> 31, 0);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK_EQ_U(h->guest_errors, e + 1);
    /* STP in the middle of a frame: ignored, the frame continues */
    fh_tmd32(h, FH_TX_RING, 3, FH_TX_BUFS, 30, FH_TMD_STP | FH_TMD_ENP);
    fh_tmd32(h, FH_TX_RING, 2, FH_TX_BUFS, 30, FH_TMD_STP);
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 2);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 60);
    CHECK_EQ_U(h->guest_errors, e + 2);
    fh_free(h);
}

/* CVE-2015-7504: a maximal frame in loopback, the FCS appended after it */
static void test_oversize_loopback(void)
{
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    fh_csr_w(h, 0, 0x0004);
    fh_csr_w(h, 15, 0x0044);
    fh_csr_w(h, 0, 0x0002);
    for (unsigned i = 0; i < 4; i++)
        fh_rmd32(h, FH_RX_RING, i, FH_RX_BUFS + i * 0x1000, 4095 - (4095 % 4) + 0);
    /* 4092 bytes in two descriptors (4000 + 92) */
    uint8_t f[4092];
    memcpy(f, fh_mac, 6);
    for (unsigned i = 6; i < sizeof f; i++)
        f[i] = (uint8_t)i;
    gmem_write(h->mem, 0x40000, f, sizeof f);
    fh_tmd32(h, FH_TX_RING, 1, 0x40000 + 4000, 92, FH_TMD_ENP);
    fh_tmd32(h, FH_TX_RING, 0, 0x40000, 4000, FH_TMD_STP);
    fh_csr_w(h, 0, 0x0008);
    uint32_t r1 = gmem_ld32(h->mem, FH_RX_RING + 4);
    uint32_t last = (r1 >> 24) & 1 ? 0 : 1;
    CHECK_EQ_U(gmem_ld32(h->mem, FH_RX_RING + 16 * last + 4) >> 24, 0x01 | (last ? 0 : 0x02));
    uint32_t mcnt = gmem_ld32(h->mem, FH_RX_RING + 16 * last + 8);
    CHECK(mcnt <= 4095 && mcnt >= 4092);
    CHECK_EQ_U(pcnet_counters(h->dev)->rx_frames, 1);
    CHECK_EQ_U(h->frames_out, 0);
    fh_free(h);
}

/* CVE-2015-7512: a wire frame larger than any buffer */
static void test_oversize_rx(void)
{
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    static uint8_t f[9000];
    memcpy(f, fh_mac, 6);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    /* 4091 + 4 bytes over 1544-byte buffers: 3 descriptors, MCNT 4095 */
    CHECK_EQ_U(gmem_ld32(h->mem, FH_RX_RING + 16 * 2 + 4) >> 24, 0x01);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_RX_RING + 16 * 2 + 8), 4095);
    CHECK_EQ_U(gmem_ld32(h->mem, FH_RX_RING + 16 * 3 + 4) >> 31, 1);
    fh_free(h);
}

/* CVE-2021-3416: loopback never recurses; a full ring completes with bounded work */
static void test_loopback_no_recursion(void)
{
    FakeHost *h = opened(PCNET_PROFILE_QEMU72);
    fh_csr_w(h, 0, 0x0004);
    fh_csr_w(h, 15, 0x0044);
    fh_csr_w(h, 0, 0x0002);
    for (unsigned i = 2; i < 32; i++)
        gmem_st32(h->mem, FH_RX_RING + 16 * i + 4, 0); /* only 2 receive buffers */
    uint8_t f[200];
    memcpy(f, fh_mac, 6);
    gmem_write(h->mem, FH_TX_BUFS, f, sizeof f);
    for (unsigned i = 0; i < 16; i++)
        fh_tmd32(h, FH_TX_RING, i, FH_TX_BUFS, sizeof f, FH_TMD_STP | FH_TMD_ENP);
    fh_csr_w(h, 0, 0x0008);
    const PcnetCounters *c = pcnet_counters(h->dev);
    CHECK_EQ_U(c->tx_frames, 16);
    CHECK_EQ_U(c->rx_frames, 2);
    CHECK_EQ_U(c->rx_missed, 14);
    CHECK_EQ_U(fh_csr_r(h, 112), 14);
    for (unsigned i = 0; i < 16; i++)
        CHECK_EQ_U(tmd1(h, i) >> 31, 0);
    fh_free(h);
}

static void test_descriptor_fields(void)
{
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    /* Linux-style length -5000 as 16 bits: ONES = 0xE. Logged; BCNT[11:0] used. */
    uint16_t len16 = (uint16_t)-5000;
    gmem_st32(h->mem, FH_TX_RING, FH_TX_BUFS);
    gmem_st32(h->mem, FH_TX_RING + 4, 0x83000000u | len16);
    unsigned e = h->guest_errors;
    fh_csr_w(h, 0, 0x0048);
    CHECK_EQ_U(h->frames_out, 1);
    CHECK_EQ_U(fh_last_frame(h, 0)->len, 0x1000 - (len16 & 0xFFF));
    CHECK_EQ_U(h->guest_errors, e + 1);
    fh_free(h);

    /* misaligned ring bases in the init block: low bits ignored */
    h = fh_new(RAM, PCNET_PROFILE_DATASHEET, false);
    fh_bcr_w(h, 20, 2);
    fh_write_init32(h, FH_INIT_ADDR, 0, 2, 2, NULL, FH_RX_RING + 4, FH_TX_RING + 9);
    fh_csr_w(h, 1, FH_INIT_ADDR);
    fh_csr_w(h, 2, 0);
    e = h->guest_errors;
    fh_csr_w(h, 0, 0x0001);
    CHECK_EQ_U(h->guest_errors, e + 1);
    CHECK_EQ_U(fh_csr_r(h, 24), FH_RX_RING & 0xFFFF);
    CHECK_EQ_U(fh_csr_r(h, 30), FH_TX_RING & 0xFFFF);
    fh_free(h);
}

/* Reserved bits, RAP above 127, WIO/DWIO mixing: ignored, logged, state intact */
static void test_register_abuse(void)
{
    FakeHost *h = opened(PCNET_PROFILE_DATASHEET);
    unsigned e = h->guest_errors;
    fh_csr_w(h, 3, 0xA080); /* bits 15, 13, 7: reserved */
    CHECK_EQ_U(fh_csr_r(h, 3), 0);
    pcnet_io_write(h->dev, 0x12, 2, 0x0100);
    CHECK_EQ_U(pcnet_rap(h->dev), 0);
    pcnet_io_write(h->dev, 0x10, 1, 0x04); /* a byte write to RDP: ignored */
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0073);
    (void)pcnet_io_read(h->dev, 0x16, 4);  /* a dword read in WIO */
    pcnet_io_write(h->dev, 0x16, 4, 0);    /* a dword write to BDP in WIO: no switch */
    CHECK(!pcnet_dwio(h->dev));
    CHECK_EQ_U(h->guest_errors, e + 5);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0073);
    fh_free(h);
}

int main(void)
{
    test_init_block_outside_ram();
    test_tx_ring_outside_ram();
    test_tx_buffer_outside_ram();
    test_rx_outside_ram();
    test_zero_length_rings();
    test_tx_oversize_chain();
    test_chain_without_enp();
    test_enp_without_stp();
    test_oversize_loopback();
    test_oversize_rx();
    test_loopback_no_recursion();
    test_descriptor_fields();
    test_register_abuse();
    return check_report("test_pcnet_bad");
}
