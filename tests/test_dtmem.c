/* test_dtmem: the recorded driver's emulated memory side (traces/dtmem.h): rings at
 * the recorded addresses, transmit placement, receive hand-back with the frame's
 * bytes, error descriptors, transmit reclaim, the INIT fallbacks, the receive plan. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/gmem.h"
#include "traces/dtmem.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static uint8_t got[2048];
static size_t got_len;
static unsigned got_n;

static void on_rx(void *opaque, const uint8_t *frame, size_t len)
{
    (void)opaque;
    got_n++;
    got_len = len;
    memcpy(got, frame, len < sizeof got ? len : sizeof got);
}

/* An INIT write at record 0 followed by the events QEMU logs. */
static void init_recs(DtraceRec r[4])
{
    memset(r, 0, 4 * sizeof r[0]);
    r[0].kind = DTRACE_WRITE;
    r[0].off = 0x10;
    r[0].size = 2;
    r[0].value = 0x0001;
    r[1].kind = DTRACE_INIT;
    r[1].addr = 0x2b32000;
    r[2].kind = DTRACE_RLEN;
    r[2].rlen = 5;
    r[2].tlen = 4;
    r[3].kind = DTRACE_RINGS;
    r[3].ss32 = 1;
    r[3].rdra = 0x029ee000;
    r[3].tdra = 0x02b31000;
}

int main(void)
{
    Gmem *g = gmem_new(1ull << 32);
    CHECK(g != NULL);
    DtMem m;
    dtmem_init(&m, g, MAC);
    m.on_rx = on_rx;

    /* no ring yet: nothing placed, nothing filled */
    uint8_t frame[100];
    for (unsigned i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 7 + 1);
    CHECK(dtmem_place_tx(&m, frame, sizeof frame) == -1);
    CHECK_EQ_U(dtmem_rx_filled(&m), 0);

    /* the open: BCR20 = 2 (32-bit structures), CSR15, the filter, then INIT */
    dtmem_note_write(&m, "BCR20", 2);
    dtmem_note_write(&m, "CSR15", 0x0080);
    dtmem_note_write(&m, "CSR9", 0x0080);
    DtraceRec r[4];
    init_recs(r);
    dtmem_init_events(&m, r, 4, 0, true);
    CHECK(m.rings);
    CHECK(m.ss32);
    CHECK_EQ_U(m.nrxd, 32);
    CHECK_EQ_U(m.ntxd, 16);
    CHECK_EQ_U(m.init_addr, 0x2b32000);
    /* the 32-bit init block: mode, lengths, MAC, filter, ring bases */
    CHECK_EQ_U(gmem_ld16(g, 0x2b32000), 0x0080);
    CHECK_EQ_U(gmem_ld16(g, 0x2b32002), 0x4050);
    uint8_t mac[6];
    CHECK(gmem_read(g, 0x2b32004, mac, 6) == 0 && memcmp(mac, MAC, 6) == 0);
    CHECK_EQ_U(gmem_ld16(g, 0x2b32000 + 12 + 2), 0x0080);
    CHECK_EQ_U(gmem_ld32(g, 0x2b32000 + 20), 0x029ee000);
    CHECK_EQ_U(gmem_ld32(g, 0x2b32000 + 24), 0x02b31000);
    /* every receive descriptor owned by the chip, 1544-byte buffer */
    for (unsigned i = 0; i < 32; i++) {
        uint64_t a = 0x029ee000 + 16u * i;
        CHECK_EQ_U(gmem_ld16(g, a + 6), 0x8000);
        CHECK_EQ_U(gmem_ld16(g, a + 4), (uint16_t)(0xf000 | (-1544 & 0xfff)));
        CHECK_EQ_U(gmem_ld32(g, a), dtmem_rx_buf(&m, i));
    }

    /* a transmit: buffer, length, STP|ENP|OWN written last */
    CHECK(dtmem_place_tx(&m, frame, sizeof frame) == 0);
    uint64_t t0 = 0x02b31000;
    CHECK_EQ_U(gmem_ld16(g, t0 + 6), 0x8300);
    CHECK_EQ_U(gmem_ld16(g, t0 + 4), (uint16_t)(0xf000 | (-100 & 0xfff)));
    uint8_t back[100];
    CHECK(gmem_read(g, gmem_ld32(g, t0), back, sizeof back) == 0 && !memcmp(back, frame, sizeof back));
    CHECK_EQ_U(m.tx_cur, 1);

    /* the chip fills receive descriptor 0 (64 bytes + FCS) and 1 (an error) */
    uint8_t rx[64];
    for (unsigned i = 0; i < sizeof rx; i++)
        rx[i] = (uint8_t)(0xa0 ^ i);
    uint64_t d0 = 0x029ee000, d1 = d0 + 16;
    gmem_write(g, dtmem_rx_buf(&m, 0), rx, sizeof rx);
    gmem_st32(g, d0 + 8, 64 + 4);
    gmem_st16(g, d0 + 6, 0x0300);
    gmem_st32(g, d1 + 8, 64 + 4);
    gmem_st16(g, d1 + 6, 0x4300);
    CHECK_EQ_U(dtmem_rx_filled(&m), 2);
    /* and sends the transmit */
    gmem_st16(g, t0 + 6, 0x0300);
    dtmem_recycle(&m);
    CHECK_EQ_U(got_n, 1);            /* the error descriptor is handed back unread */
    CHECK_EQ_U(got_len, 64);
    CHECK(!memcmp(got, rx, 64));
    CHECK_EQ_U(m.recycled, 2);
    CHECK_EQ_U(m.rx_up, 1);
    CHECK_EQ_U(m.rx_cur, 2);
    CHECK_EQ_U(gmem_ld16(g, d0 + 6), 0x8000);
    CHECK_EQ_U(gmem_ld16(g, d1 + 6), 0x8000);
    CHECK_EQ_U(dtmem_rx_filled(&m), 0);
    CHECK_EQ_U(m.tx_dirty, 1);       /* the sent descriptor reclaimed */
    CHECK_EQ_U(gmem_ld16(g, t0 + 6), 0);
    /* a transmit still owned is not reclaimed */
    CHECK(dtmem_place_tx(&m, frame, 60) == 0);
    dtmem_recycle(&m);
    CHECK_EQ_U(m.tx_dirty, 1);

    /* INIT without logged events: the address from CSR1/CSR2, 16-bit structures,
     * default ring lengths; with events logged elsewhere, a write without them set
     * up nothing */
    DtMem m2;
    dtmem_init(&m2, g, MAC);
    dtmem_note_write(&m2, "CSR1", 0x4000);
    dtmem_note_write(&m2, "CSR2", 0x0010);
    DtraceRec w = r[0];
    dtmem_init_events(&m2, &w, 1, 0, true);
    CHECK(!m2.rings);
    dtmem_init_events(&m2, &w, 1, 0, false);
    CHECK(m2.rings);
    CHECK(!m2.ss32);
    CHECK_EQ_U(m2.init_addr, 0x104000);
    CHECK_EQ_U(m2.nrxd, 32);
    CHECK_EQ_U(m2.ntxd, 16);

    /* the receive plan: one transmit pair (capture 1100 = trace 100: offset 1000) */
    DtraceRec tr[4];
    memset(tr, 0, sizeof tr);
    for (unsigned i = 0; i < 4; i++)
        tr[i].t_ns = 100u * i;
    int64_t off[1] = {1000};
    uint64_t txp[1] = {1100}, rxp[3] = {1050, 1250, 1240}, rxt[3];
    size_t rec[3];
    dtmem_plan_rx(tr, 4, off, txp, 1, 0, rxp, 3, rxt, rec);
    CHECK_EQ_U(rxt[0], 50);
    CHECK_EQ_U(rec[0], 1);
    CHECK_EQ_U(rxt[1], 250);
    CHECK_EQ_U(rec[1], 3);
    CHECK_EQ_U(rec[2], 3);           /* non-decreasing */
    /* no pair: the base offset; later than the last record: n */
    uint64_t rxp2[1] = {5000};
    dtmem_plan_rx(tr, 4, off, txp, 0, 4000, rxp2, 1, rxt, rec);
    CHECK_EQ_U(rxt[0], 1000);
    CHECK_EQ_U(rec[0], 4);

    gmem_free(g);
    return check_report("test_dtmem");
}
