/* test_pcnet_io: the Am79C970A I/O map: APROM, WIO/DWIO ports, the DWIO switch,
 * wrong-width accesses, the Linux probe sequence (note §1.2, §5.1). */
#include "tests/check.h"
#include "tests/pcnet_fakehost.h"

static void test_pci_identity(void)
{
    CHECK_EQ_U(PCNET_PCI_VENDOR, 0x1022);
    CHECK_EQ_U(PCNET_PCI_DEVICE, 0x2000);
    CHECK_EQ_U(PCNET_IO_SIZE, 0x20);
}

static void test_aprom(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    uint8_t p[16];
    for (unsigned i = 0; i < 16; i++)
        p[i] = (uint8_t)pcnet_io_read(h->dev, i, 1);
    CHECK(memcmp(p, fh_mac, 6) == 0);
    CHECK_EQ_U(p[6], 0);
    CHECK_EQ_U(p[7], 0);
    CHECK_EQ_U(p[8], 0);
    CHECK_EQ_U(p[9], 0x11);
    CHECK_EQ_U(p[10], 0);
    CHECK_EQ_U(p[11], 0);
    CHECK_EQ_U(p[14], 'W');
    CHECK_EQ_U(p[15], 'W');
    unsigned sum = 0;
    for (unsigned i = 0; i < 16; i++)
        if (i != 12 && i != 13)
            sum += p[i];
    CHECK_EQ_U(p[12] | p[13] << 8, sum & 0xFFFF);
    /* word reads in WIO, little-endian */
    CHECK_EQ_U(pcnet_io_read(h->dev, 0, 2), 0x5452);
    CHECK_EQ_U(pcnet_io_read(h->dev, 4, 2), 0x5634);
    /* a dword read in WIO mode and a misaligned word read: all-ones, logged */
    unsigned e = h->guest_errors;
    CHECK_EQ_U(pcnet_io_read(h->dev, 0, 4), 0xFFFFFFFFu);
    CHECK_EQ_U(pcnet_io_read(h->dev, 1, 2), 0xFFFF);
    CHECK_EQ_U(h->guest_errors, e + 2);
    /* APROM writes need BCR2.APROMWE (bit 8) */
    pcnet_io_write(h->dev, 0, 1, 0xAA);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0, 1), 0x52);
    CHECK_EQ_U(h->guest_errors, e + 3);
    fh_bcr_w(h, 2, fh_bcr_r(h, 2) | 0x0100);
    pcnet_io_write(h->dev, 0, 1, 0xAA);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0, 1), 0xAA);
    fh_free(h);
}

/* The Linux probe (note §5.1), values from the recording. */
static void test_probe_sequence(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x14, 2), 0); /* reset */
    pcnet_io_write(h->dev, 0x12, 2, 0);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x10, 2), 0x0004);
    pcnet_io_write(h->dev, 0x12, 2, 88);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x12, 2), 88);
    CHECK_EQ_U(fh_csr_r(h, 88), 0x1003);
    CHECK_EQ_U(fh_csr_r(h, 89), 0x0262);
    uint32_t id = (uint32_t)fh_csr_r(h, 88) | (uint32_t)fh_csr_r(h, 89) << 16;
    CHECK_EQ_U(id & 0xFFF, 0x003);
    CHECK_EQ_U((id >> 12) & 0xFFFF, 0x2621);
    CHECK_EQ_U(fh_csr_r(h, 12), 0x5452);
    CHECK_EQ_U(fh_csr_r(h, 13), 0x1200);
    CHECK_EQ_U(fh_csr_r(h, 14), 0x5634);
    for (unsigned i = 0; i < 6; i++)
        CHECK_EQ_U(pcnet_io_read(h->dev, i, 1), fh_mac[i]);
    fh_bcr_w(h, 20, 2);
    CHECK_EQ_U(fh_bcr_r(h, 20), 0x0302);
    fh_csr_w(h, 1, 0x0000);
    fh_csr_w(h, 2, 0x02b3);
    CHECK_EQ_U(fh_csr_r(h, 1), 0x0000);
    CHECK_EQ_U(fh_csr_r(h, 2), 0x02b3);
    CHECK_EQ_U(fh_csr_r(h, 112), 0);
    CHECK_EQ_U(fh_bcr_r(h, 2), 0x0002);
    fh_bcr_w(h, 2, 0x1002);
    CHECK_EQ_U(fh_bcr_r(h, 2), 0x1002);
    CHECK_EQ_U(h->guest_errors, 0);
    CHECK_EQ_U(h->irq_edges, 0);
    fh_free(h);
}

static void test_dwio_switch(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    CHECK(!pcnet_dwio(h->dev));
    /* WIO: 32-bit reads of registers and byte accesses read all-ones */
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x10, 4), 0xFFFFFFFFu);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x14, 4), 0xFFFFFFFFu);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x10, 1), 0xFF);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x18, 2), 0xFFFF); /* nothing at 0x18 in WIO */
    CHECK(h->guest_errors >= 4);
    CHECK(!pcnet_dwio(h->dev));
    /* a 32-bit write to another WIO port does not switch */
    pcnet_io_write(h->dev, 0x14, 4, 0);
    CHECK(!pcnet_dwio(h->dev));
    /* the switching write: its data is discarded */
    pcnet_io_write(h->dev, 0x12, 2, 4);
    pcnet_io_write(h->dev, 0x10, 4, 0x1234);
    CHECK(pcnet_dwio(h->dev));
    CHECK_EQ_U(pcnet_bcr(h->dev, 18) & 0x0080, 0x0080);
    CHECK_EQ_U(pcnet_csr(h->dev, 4), 0x0115);
    /* DWIO map: RDP 0x10, RAP 0x14, RESET 0x18, BDP 0x1C */
    pcnet_io_write(h->dev, 0x14, 4, 88);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x14, 4), 88);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x10, 4), 0x1003);
    pcnet_io_write(h->dev, 0x14, 4, 4);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x1C, 4), 0x80C0);
    /* upper 16 bits of a DWIO register write are ignored */
    pcnet_io_write(h->dev, 0x14, 4, 8);
    pcnet_io_write(h->dev, 0x10, 4, 0xABCD1234u);
    CHECK_EQ_U(pcnet_csr(h->dev, 8), 0x1234);
    /* 16-bit register accesses in DWIO: ignored, read 0xFFFF */
    unsigned e = h->guest_errors;
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x10, 2), 0xFFFF);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x12, 2), 0xFFFF);
    pcnet_io_write(h->dev, 0x12, 2, 0);
    CHECK_EQ_U(pcnet_rap(h->dev), 8);
    CHECK_EQ_U(h->guest_errors, e + 3);
    /* APROM in DWIO: dword reads */
    CHECK_EQ_U(pcnet_io_read(h->dev, 0, 4), 0x12005452u);
    CHECK_EQ_U(pcnet_io_read(h->dev, 3, 1), 0x12);
    /* S_RESET through 0x18 keeps DWIO (data-sheet profile: only H_RESET leaves it) */
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x18, 4), 0);
    CHECK(pcnet_dwio(h->dev));
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0004);
    pcnet_hard_reset(h->dev);
    CHECK(!pcnet_dwio(h->dev));
    fh_free(h);

    /* qemu-7.2: S_RESET also leaves DWIO */
    h = fh_new(1 << 20, PCNET_PROFILE_QEMU72, false);
    pcnet_io_write(h->dev, 0x10, 4, 0);
    CHECK(pcnet_dwio(h->dev));
    (void)pcnet_io_read(h->dev, 0x18, 4);
    CHECK(!pcnet_dwio(h->dev));
    CHECK_EQ_U(fh_csr_r(h, 0), 0x0004);
    fh_free(h);
}

static void test_rap(void)
{
    FakeHost *h = fh_new(1 << 20, PCNET_PROFILE_DATASHEET, false);
    pcnet_io_write(h->dev, 0x12, 2, 127);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x12, 2), 127);
    unsigned e = h->guest_errors;
    pcnet_io_write(h->dev, 0x12, 2, 128 + 88); /* masked to 7 bits */
    CHECK_EQ_U(pcnet_rap(h->dev), 88);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x10, 2), 0x1003);
    CHECK_EQ_U(h->guest_errors, e + 1);
    pcnet_io_write(h->dev, 0x12, 2, 0xFFFF);
    CHECK(pcnet_rap(h->dev) < 128);
    /* RESET read sets RAP back to 0 */
    (void)pcnet_io_read(h->dev, 0x14, 2);
    CHECK_EQ_U(pcnet_rap(h->dev), 0);
    /* accesses outside the 32-byte BAR */
    e = h->guest_errors;
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x20, 2), 0xFFFF);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x1F, 2), 0xFFFF);
    CHECK_EQ_U(pcnet_io_read(h->dev, 0x10, 3), 0xFFFFFFFFu);
    pcnet_io_write(h->dev, 0x40, 2, 0);
    CHECK_EQ_U(h->guest_errors, e + 4);
    fh_free(h);
}

int main(void)
{
    test_pci_identity();
    test_aprom();
    test_probe_sequence();
    test_dwio_switch();
    test_rap();
    return check_report("test_pcnet_io");
}
