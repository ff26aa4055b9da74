/* test_pcnet_csr: CSR and BCR behaviour: reset values (note §2.4), CSR0 write
 * semantics and the INTR/INTA summary (§1.3, §2.1), CSR3/4/5/15, gating, BCRs (§2.3). */
#include "tests/check.h"
#include "tests/pcnet_fakehost.h"

static void test_reset_values(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    static const struct { unsigned n; uint16_t v; } csr[] = {
        {0, 0x0004}, {3, 0}, {4, 0x0115}, {5, 0}, {6, 0}, {8, 0}, {9, 0}, {10, 0}, {11, 0},
        {12, 0x5452}, {13, 0x1200}, {14, 0x5634}, {15, 0}, {72, 1}, {74, 1}, {76, 1}, {78, 1},
        {80, 0x1410}, {88, 0x1003}, {89, 0x0262}, {94, 0}, {100, 0x0200}, {103, 0x0105},
        {112, 0}, {114, 0}, {122, 0}, {124, 0},
    };
    for (size_t i = 0; i < sizeof csr / sizeof csr[0]; i++)
        CHECKF(fh_csr_r(h, csr[i].n) == csr[i].v, "CSR%u = 0x%04x, expected 0x%04x", csr[i].n,
               fh_csr_r(h, csr[i].n), csr[i].v);
    static const struct { unsigned n; uint16_t v; } bcr[] = {
        {0, 0x0005}, {1, 0x0005}, {2, 0x0002}, {4, 0x80C0}, {5, 0x0084}, {6, 0x0088}, {7, 0x0090},
        {9, 0}, {18, 0x9001}, {19, 0x0002}, {20, 0x0200}, {22, 0xFF06}, {31, 0}, {35, 0},
    };
    for (size_t i = 0; i < sizeof bcr / sizeof bcr[0]; i++)
        CHECKF(fh_bcr_r(h, bcr[i].n) == bcr[i].v, "BCR%u = 0x%04x, expected 0x%04x", bcr[i].n,
               fh_bcr_r(h, bcr[i].n), bcr[i].v);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    /* S_RESET: CSR15 keeps only 0x21C4, CSR1/2 keep their value, BCRs unchanged */
    fh_csr_w(h, 15, 0xFFFF);
    fh_csr_w(h, 1, 0x1234);
    fh_csr_w(h, 3, 0x5F00);
    fh_csr_w(h, 8, 0xBEEF);
    fh_bcr_w(h, 9, 1);
    fh_sreset(h);
    CHECK_EQ_U(fh_csr_r(h, 15), 0x21C4);
    CHECK_EQ_U(fh_csr_r(h, 1), 0x1234);
    CHECK_EQ_U(fh_csr_r(h, 3), 0);
    CHECK_EQ_U(fh_csr_r(h, 8), 0);
    CHECK_EQ_U(fh_bcr_r(h, 9), 1);
    /* H_RESET resets the BCRs too */
    pcnet_hard_reset(h->dev);
    CHECK_EQ_U(fh_bcr_r(h, 9), 0);
    CHECK_EQ_U(fh_csr_r(h, 15), 0);
    CHECK_EQ_U(h->guest_errors, 0);
    fh_free(h);
}

static void test_csr0_semantics(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0073); /* INEA|RXON|TXON|STRT|INIT */
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    /* UINTCMD raises UINT (CSR4 bit 6), which is never masked */
    fh_csr_w(h, 4, 0x0915 | 0x0080);
    CHECK_EQ_U(fh_csr_r(h, 4) & 0x0040, 0x0040);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x00F3);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    /* INEA is rewritten by every CSR0 write: writing 0 drops the line, INTR stays */
    fh_csr_w(h, 0, 0x0000);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x00B3);
    fh_csr_w(h, 0, 0x0040);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    /* UINT is write-1-to-clear in CSR4 */
    fh_csr_w(h, 4, 0x0915 | 0x0040);
    CHECK_EQ_U(fh_csr_r(h, 4) & 0x0040, 0);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    /* MISS via a frame with no descriptor owned: ERR synthesized; MISSM masks INTR */
    for (unsigned i = 0; i < 32; i++)
        gmem_st32(h->mem, FH_RX_RING + 16 * i + 4, 0);
    uint8_t f[64] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_MISSED);
    uint16_t c0 = fh_csr_r(h, 0);
    CHECK_EQ_U(c0 & 0x9080, 0x9080); /* ERR | MISS | INTR */
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    fh_csr_w(h, 3, 0x1000); /* MISSM */
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x0080, 0);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x8000, 0x8000); /* ERR is still reported */
    fh_csr_w(h, 3, 0);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 1);
    /* write 0 to the status bit: no effect; write 1: cleared (and INEA kept) */
    fh_csr_w(h, 0, 0x0040);
    CHECK_EQ_U(fh_csr_r(h, 0) & 0x1000, 0x1000);
    fh_csr_w(h, 0, 0x1040);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0073);
    CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
    /* TDMD: writing 0 does nothing, INIT/STRT written again while set are ignored */
    fh_csr_w(h, 0, 0x0043);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0073);
    fh_free(h);
}

static void test_stop(void)
{
    /* STOP result: 0x0004 (data sheet) vs 0x0014 (QEMU 7.2) */
    for (int prof = 0; prof < 2; prof++) {
        FakeHost *h = fh_new(1 << 20, prof ? PCNET_PROFILE_QEMU72 : PCNET_PROFILE_DATASHEET, false);
        (void)fh_linux_open(h, NULL);
        fh_csr_w(h, 4, 0x0915 | 0x0080); /* UINT pending */
        fh_csr_w(h, 5, 0x0001);
        CHECK(h->timer_armed);
        fh_csr_w(h, 0, 0x0004);
        CHECK_EQ_U(fh_csr_r(h, 0), prof ? 0x0014 : 0x0004);
        CHECK_EQ_U(fh_csr_r(h, 4), 0x0915);  /* UINT cleared */
        CHECK_EQ_U(fh_csr_r(h, 5), 0);       /* SPND cleared */
        CHECK(!h->timer_armed);
        CHECK_EQ_U(pcnet_irq_level(h->dev), 0);
        /* preserved: ring configuration and masks */
        CHECK_EQ_U(fh_csr_r(h, 76), 32);
        CHECK_EQ_U(fh_csr_r(h, 15), 0x0080);
        /* STOP | STRT | INIT together: STOP wins */
        fh_csr_w(h, 0, 0x0007);
        CHECK_EQ_U(fh_csr_r(h, 0) & 0x0007, 0x0004);
        fh_free(h);
    }
}

static void test_spnd_and_gating(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    /* running: CSR15 and CSR8 are gated (data sheet) */
    unsigned e = h->guest_errors;
    fh_csr_w(h, 15, 0x8080);
    CHECK_EQ_U(fh_csr_r(h, 15), 0x0080);
    fh_csr_w(h, 8, 0x1111);
    CHECK_EQ_U(fh_csr_r(h, 8), 0);
    CHECK_EQ_U(h->guest_errors, e + 2);
    /* Linux's set_multicast_list: SPND reads back at once, then the writes land */
    CHECK_EQ_U(fh_csr_r(h, 5), 0);
    fh_csr_w(h, 5, fh_csr_r(h, 5) | 1);
    CHECK_EQ_U(fh_csr_r(h, 5), 0x0001);
    fh_csr_w(h, 15, 0x8080);
    CHECK_EQ_U(fh_csr_r(h, 15), 0x8080);
    fh_csr_w(h, 9, 0x0080);
    fh_csr_w(h, 11, 0x0040);
    CHECK_EQ_U(fh_csr_r(h, 9), 0x0080);
    CHECK_EQ_U(fh_csr_r(h, 11), 0x0040);
    /* frames are refused while suspended */
    uint8_t f[60] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_REFUSED);
    fh_csr_w(h, 5, fh_csr_r(h, 5) & ~1u);
    CHECK_EQ_U(fh_csr_r(h, 5), 0);
    CHECK_EQ_U(pcnet_receive(h->dev, f, sizeof f), PCNET_RX_OK);
    /* CSR5 reserved bits are ignored and logged */
    e = h->guest_errors;
    fh_csr_w(h, 5, 0x3000);
    CHECK_EQ_U(fh_csr_r(h, 5), 0);
    CHECK_EQ_U(h->guest_errors, e + 1);
    /* CSR3 reserved bits */
    fh_csr_w(h, 3, 0xFFFF);
    CHECK_EQ_U(fh_csr_r(h, 3), 0x5F7C);
    CHECK_EQ_U(h->guest_errors, e + 2);
    /* CSR112 is gated in both profiles */
    fh_csr_w(h, 112, 7);
    CHECK_EQ_U(fh_csr_r(h, 112), 0);
    fh_free(h);

    /* qemu-7.2: CSR writes accepted while running, except CSR112 */
    h = fh_new(1 << 20, PCNET_PROFILE_QEMU72, false);
    (void)fh_linux_open(h, NULL);
    fh_csr_w(h, 15, 0x8080);
    CHECK_EQ_U(fh_csr_r(h, 15), 0x8080);
    fh_csr_w(h, 112, 7);
    CHECK_EQ_U(fh_csr_r(h, 112), 0);
    fh_free(h);
}

static void test_csr4_csr_misc(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    fh_csr_w(h, 4, 0x0915);
    CHECK_EQ_U(fh_csr_r(h, 4), 0x0915);
    /* status bits cannot be set by writing */
    fh_csr_w(h, 4, 0x0915 | 0x022A);
    CHECK_EQ_U(fh_csr_r(h, 4), 0x0915);
    /* CSR58 is BCR20 */
    fh_csr_w(h, 58, 2);
    CHECK_EQ_U(fh_bcr_r(h, 20), 0x0302);
    CHECK_EQ_U(fh_csr_r(h, 58), 0x0302);
    /* CSR16/17 alias CSR1/2 */
    fh_csr_w(h, 16, 0xAAAA);
    fh_csr_w(h, 17, 0x5555);
    CHECK_EQ_U(fh_csr_r(h, 1), 0xAAAA);
    CHECK_EQ_U(fh_csr_r(h, 2), 0x5555);
    /* read-only chip ID */
    fh_csr_w(h, 88, 0);
    CHECK_EQ_U(fh_csr_r(h, 88), 0x1003);
    /* ring lengths and counters: a length of 0 becomes 512 (CVE-2016-7909) */
    fh_csr_w(h, 76, 0);
    CHECK_EQ_U(fh_csr_r(h, 76), 512);
    fh_csr_w(h, 76, 8);
    fh_csr_w(h, 72, 3);
    CHECK_EQ_U(fh_csr_r(h, 72), 3);
    fh_csr_w(h, 72, 9); /* outside 1..8 */
    CHECK_EQ_U(fh_csr_r(h, 72), 8);
    fh_csr_w(h, 76, 2); /* counter clamped into the shorter ring */
    CHECK(fh_csr_r(h, 72) >= 1 && fh_csr_r(h, 72) <= 2);
    /* CSR124 plain storage (Linux's read-modify-write) */
    fh_csr_w(h, 124, fh_csr_r(h, 124) & ~0x10u);
    CHECK_EQ_U(fh_csr_r(h, 124), 0);
    fh_free(h);
}

static void test_bcrs(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    /* BCR4 link status: 0x80C0 up, 0x00C0 down */
    CHECK_EQ_U(fh_bcr_r(h, 4), 0x80C0);
    pcnet_set_link(h->dev, false);
    CHECK_EQ_U(fh_bcr_r(h, 4), 0x00C0);
    pcnet_set_link(h->dev, true);
    /* LEDOUT is computed: it cannot be written, and needs the enable bit */
    fh_bcr_w(h, 4, 0x8000);
    CHECK_EQ_U(fh_bcr_r(h, 4), 0x0000);
    fh_bcr_w(h, 4, 0x0040);
    CHECK_EQ_U(fh_bcr_r(h, 4), 0x8040);
    fh_bcr_w(h, 5, 0x0084);
    CHECK_EQ_U(fh_bcr_r(h, 5), 0x0084); /* enables without link */
    /* BCR9 */
    fh_bcr_w(h, 9, 0xFFFF);
    CHECK_EQ_U(fh_bcr_r(h, 9), 0x0003);
    /* BCR18: DWIO is status only */
    fh_bcr_w(h, 18, 0x9081);
    CHECK_EQ_U(fh_bcr_r(h, 18), 0x9001);
    CHECK(!pcnet_dwio(h->dev));
    /* BCR20 style mapping, invalid style -> 0 (Linux writes 4 at close) */
    static const struct { uint16_t w, r; } sws[] = {
        {0, 0x0200}, {1, 0x0101}, {2, 0x0302}, {3, 0x0303}, {4, 0x0200}, {0x0402, 0x0702}, {0xFF, 0x0200},
    };
    for (size_t i = 0; i < sizeof sws / sizeof sws[0]; i++) {
        fh_bcr_w(h, 20, sws[i].w);
        CHECKF(fh_bcr_r(h, 20) == sws[i].r, "BCR20 <- 0x%x reads 0x%x, expected 0x%x", sws[i].w,
               fh_bcr_r(h, 20), sws[i].r);
    }
    /* read-only BCR0/1 */
    unsigned e = h->guest_errors;
    fh_bcr_w(h, 0, 0);
    CHECK_EQ_U(fh_bcr_r(h, 0), 5);
    CHECK_EQ_U(h->guest_errors, e + 1);
    fh_free(h);

    /* BCR20 written while running: ignored */
    h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    (void)fh_linux_open(h, NULL);
    fh_bcr_w(h, 20, 0);
    CHECK_EQ_U(fh_bcr_r(h, 20), 0x0302);
    fh_free(h);
}

static void test_profile_parse(void)
{
    CHECK_EQ_U(pcnet_profile_parse("datasheet"), PCNET_PROFILE_DATASHEET);
    CHECK_EQ_U(pcnet_profile_parse("qemu-7.2"), PCNET_PROFILE_QEMU72);
    CHECK(pcnet_profile_parse("qemu") == -1);
    CHECK(pcnet_profile_parse(NULL) == -1);
    PcnetQuirks q = pcnet_profile_quirks(PCNET_PROFILE_DATASHEET);
    CHECK(!q.poll_on_access && !q.tdmd_sticky && !q.no_tx_pad && !q.rx_zero_fcs);
    q = pcnet_profile_quirks(PCNET_PROFILE_QEMU72);
    CHECK(q.poll_on_access && q.tdmd_sticky && q.txon_after_stop && q.txstrt_bit2 && q.rx_chain_max3 &&
          q.rx_resync_scan && q.no_tx_pad && q.rx_zero_fcs && q.dwio_cleared_by_sreset &&
          q.csr_writes_ungated && q.tint_per_descriptor);
    /* a single switch can be set on its own */
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    PcnetQuirks one;
    pcnet_get_quirks(h->dev, &one);
    one.txon_after_stop = true;
    pcnet_set_quirks(h->dev, &one);
    (void)fh_linux_open(h, NULL);
    fh_csr_w(h, 0, 0x0004);
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0014);
    fh_free(h);
}

int main(void)
{
    test_reset_values();
    test_csr0_semantics();
    test_stop();
    test_spnd_and_gating();
    test_csr4_csr_misc();
    test_bcrs();
    test_profile_parse();
    return check_report("test_pcnet_csr");
}
