/* The pcnet32 driver personalities against the functional device model
 * (model/lance/pcnet.c), profiles qemu-7.2 and datasheet.
 *
 * 1. pcnet32-napi: probe + open + the first interrupt + the first receive-mode
 *    update + the NAPI completion + get_stats, every access AND every value the
 *    device returns, compared with each committed recording
 *    (traces/recordings/ * /pcnet-ports.txt).
 * 2. Port accesses per call (am79c970a.md §5) with the device answering, for both
 *    personalities: probe 33 / 22, open 37 / 27, set_rx_mode 22 / 14 (2001: 8),
 *    start_xmit 2, interrupt 8 (2001: 10), 16 per transmitted frame (2001: 12), 14
 *    per received frame; frames end to end through the device; IRQ line levels. */
#include <glob.h>

#include "model/gmem.h"
#include "model/guest/pcnet32.h"
#include "model/lance/pcnet.h"
#include "tests/check.h"
#include "tests/pcnet32_fake.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const PcnetProfile PROFILES[] = {PCNET_PROFILE_QEMU72, PCNET_PROFILE_DATASHEET};
static const char *const PROFILE_NAMES[] = {"qemu-7.2", "datasheet"};

/* ---- the device's surroundings ---- */
typedef struct Bench {
    Gmem *mem;
    Pcnet *dev;
    int irq;
    unsigned irq_edges, frames_out;
    size_t out_len;
    uint8_t out[2048];
    /* recording comparison (optional) */
    const RecTrace *t;
    size_t pos;
    unsigned mismatches;
    char first[256];
    Log log;
    /* driver-side */
    Pcnet32Drv *d;
    unsigned rx, tx_ok, tx_err, napi, stops;
    size_t rx_len;
    uint8_t rx_last[2048];
} Bench;

static int b_dma_rd(void *o, uint64_t a, void *buf, size_t n) { return gmem_read(((Bench *)o)->mem, a, buf, n); }
static int b_dma_wr(void *o, uint64_t a, const void *buf, size_t n) { return gmem_write(((Bench *)o)->mem, a, buf, n); }
static void b_irq(void *o, int level)
{
    Bench *b = o;
    b->irq = level;
    b->irq_edges++;
}
static void b_out(void *o, const uint8_t *f, size_t len, bool fcs)
{
    Bench *b = o;
    (void)fcs;
    b->frames_out++;
    b->out_len = len;
    memcpy(b->out, f, len < sizeof b->out ? len : sizeof b->out);
}
static uint64_t b_now(void *o) { (void)o; return 0; }
static void b_arm(void *o, uint64_t ns) { (void)o; (void)ns; }
static void b_cancel(void *o) { (void)o; }

static void b_mismatch(Bench *b, char dir, uint32_t off, unsigned size, uint32_t v)
{
    if (b->mismatches++ == 0) {
        if (b->pos < b->t->n) {
            const Acc *e = &b->t->a[b->pos];
            snprintf(b->first, sizeof b->first,
                     "access %zu: %c 0x%02x/%u 0x%04x, recorded %c 0x%02x/%u 0x%04x", b->pos, dir,
                     off, size, v, e->dir, e->off, e->size, e->value);
        } else {
            snprintf(b->first, sizeof b->first, "access %zu beyond the recording", b->pos);
        }
    }
}

static uint32_t b_in(void *o, uint32_t off, unsigned size)
{
    Bench *b = o;
    uint32_t v = pcnet_io_read(b->dev, off, size);
    log_add(&b->log, 'R', off, size, v);
    if (b->t) {
        const Acc *e = b->pos < b->t->n ? &b->t->a[b->pos] : NULL;
        if (!e || e->dir != 'R' || e->off != off || e->size != size || e->value != v)
            b_mismatch(b, 'R', off, size, v);
        b->pos++;
    }
    return v;
}

static void b_outp(void *o, uint32_t off, unsigned size, uint32_t v)
{
    Bench *b = o;
    log_add(&b->log, 'W', off, size, v);
    if (b->t) {
        const Acc *e = b->pos < b->t->n ? &b->t->a[b->pos] : NULL;
        if (!e || e->dir != 'W' || e->off != off || e->size != size || e->value != v)
            b_mismatch(b, 'W', off, size, v);
        b->pos++;
    }
    pcnet_io_write(b->dev, off, size, v);
}

static void b_delay(void *o, uint32_t us)
{
    Bench *b = o;
    b->log.delays++;
    b->log.delay_us += us;
}

static void s_rx(void *o, const uint8_t *f, size_t len)
{
    Bench *b = o;
    b->rx++;
    b->rx_len = len;
    memcpy(b->rx_last, f, len < sizeof b->rx_last ? len : sizeof b->rx_last);
}
static void s_tx(void *o, uint64_t c, bool ok)
{
    Bench *b = o;
    (void)c;
    if (ok)
        b->tx_ok++;
    else
        b->tx_err++;
}
static void s_napi(void *o) { ((Bench *)o)->napi++; }
static void s_queue(void *o, bool stopped)
{
    if (stopped)
        ((Bench *)o)->stops++;
}

static bool bench_init(Bench *b, PcnetProfile prof, DrvPersonality p, uint64_t base)
{
    memset(b, 0, sizeof *b);
    b->mem = gmem_new(base + (4u << 20));
    PcnetOps ops = {b, b_dma_rd, b_dma_wr, b_irq, b_out, NULL, b_now, b_arm, b_cancel, NULL};
    b->dev = pcnet_new(&ops, MAC, prof);
    DrvPorts ports = {b, b_in, b_outp, b_delay};
    DrvStack st = {b, s_rx, s_tx, s_napi, s_queue};
    b->d = b->mem && b->dev ? pcnet32_new(p, &ports, &st, b->mem, base) : NULL;
    return b->d != NULL;
}

static void bench_free(Bench *b)
{
    pcnet32_free(b->d);
    pcnet_free(b->dev);
    gmem_free(b->mem);
}

static uint32_t acc(const Bench *b) { return pcnet32_last_activity(b->d)->port_accesses; }

/* ================= 1. the recordings, values included ================= */

static uint8_t bit_addr[64][6];
static bool bit_addr_ready;

static void check_recording(const char *path, PcnetProfile prof, const char *pname)
{
    RecTrace t;
    if (rec_load(&t, path) != 0) {
        CHECKF(0, "%s", t.err);
        return;
    }
    uint64_t base = rec_init_addr(&t);
    Bench b;
    CHECK(t.n >= 108 && base != 0);
    if (t.n < 108 || base == 0 || !bench_init(&b, prof, DRV_PCNET32_NAPI, base)) {
        CHECKF(0, "%s: cannot set up", path);
        rec_free(&t);
        return;
    }
    b.t = &t;
    uint16_t f[4] = {0};
    uint8_t mc[64][6];
    CHECK(rec_filter(&t, 33, 70, f));
    DrvRxMode m = {.n_mc = mc_for_filter(bit_addr, f, mc), .mc = (const uint8_t(*)[6])mc};
    pcnet32_set_rx_mode(b.d, &m);

    CHECK(pcnet32_probe(b.d) == 0);
    CHECK_EQ_U(acc(&b), 33);
    CHECK(pcnet32_open(b.d) == 0);
    CHECK_EQ_U(acc(&b), 37);
    CHECKF(b.mismatches == 0, "%s [%s] probe+open: %s", path, pname, b.first);
    CHECK_EQ_U(b.irq, 1); /* IDON left set, INEA on: the first interrupt is pending */

    CHECK(pcnet32_interrupt(b.d));
    CHECK_EQ_U(acc(&b), 8);
    CHECK_EQ_U(b.irq, 0);
    CHECK_EQ_U(b.napi, 1);
    size_t reached = rec_drive(&t, b.d, 108, &b.pos, bit_addr);
    CHECKF(reached == 108, "%s [%s]: stopped at access %zu", path, pname, reached);
    CHECK_EQ_U(b.pos, 108);
    CHECKF(b.mismatches == 0, "%s [%s] after open: %s", path, pname, b.first);
    printf("# %s [%s]: %zu accesses and read values compared\n", path, pname, b.pos);
    bench_free(&b);
    rec_free(&t);
}

static void test_recordings(void)
{
    bit_addr_ready = mc_bit_addrs(bit_addr);
    CHECK(bit_addr_ready);
    char pat[512];
    glob_t g;
    int rc = rec_glob(&g, pat, sizeof pat);
    CHECKF(rc == 0 && g.gl_pathc >= 1, "no recordings match %s", pat);
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
        for (size_t p = 0; p < 2; p++)
            check_recording(g.gl_pathv[i], PROFILES[p], PROFILE_NAMES[p]);
    if (rc == 0)
        globfree(&g);
}

/* ================= 2. counts with the device answering ================= */

static void make_frame(uint8_t *f, size_t len, const uint8_t dst[6], uint8_t seed)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seed + 3 * i);
}

static void test_counts(PcnetProfile prof, const char *pname, DrvPersonality p)
{
    Bench b;
    bool napi = p == DRV_PCNET32_NAPI;
    if (!bench_init(&b, prof, p, 0x00200000u)) {
        CHECKF(0, "[%s] cannot set up", pname);
        return;
    }
    Pcnet32Drv *d = b.d;
    CHECK(pcnet32_probe(d) == 0);
    CHECKF(acc(&b) == (napi ? 33u : 22u), "[%s %s] probe %u", pname, pcnet32_personality_name(p), acc(&b));
    CHECK(pcnet32_open(d) == 0);
    CHECKF(acc(&b) == (napi ? 37u : 27u), "[%s %s] open %u", pname, pcnet32_personality_name(p), acc(&b));
    CHECK_EQ_U(b.irq, 1);
    CHECK(pcnet32_interrupt(d));
    CHECK_EQ_U(acc(&b), napi ? 8 : 6);
    if (napi) {
        CHECK_EQ_U(b.irq, 0);
        CHECK_EQ_U(pcnet32_poll(d, PCNET32_NAPI_WEIGHT), 0);
        CHECK_EQ_U(acc(&b), 6);
    }
    CHECK_EQ_U(b.irq, 0);
    CHECK(pcnet32_carrier(d) || !napi);

    /* receive-mode updates */
    uint8_t mc[1][6] = {{0x33, 0x33, 0, 0, 0, 1}};
    DrvRxMode m = {.n_mc = 1, .mc = (const uint8_t(*)[6])mc};
    for (int round = 0; round < 3; round++) {
        m.promisc = round == 1;
        pcnet32_set_rx_mode(d, &m);
        CHECK_EQ_U(acc(&b), napi ? (m.promisc ? 14 : 22) : 8);
        CHECK_EQ_U(!!(pcnet_csr(b.dev, 15) & 0x8000), m.promisc);
        if (!napi) {
            /* STOP + re-INIT: IDON is left set with INEA, so an interrupt follows */
            CHECK_EQ_U(b.irq, 1);
            CHECK(pcnet32_interrupt(d));
            CHECK_EQ_U(acc(&b), 6);
        }
        CHECK_EQ_U(b.irq, 0);
    }
    CHECK_EQ_U(b.log.delays, 0); /* SPND reads back at once */
    CHECK_EQ_U(pcnet_csr(b.dev, 9), 0x0080);

    /* transmit: the device sends it synchronously and interrupts */
    uint8_t f[1514];
    static const uint8_t peer[6] = {0x02, 0, 0, 0, 0, 2};
    unsigned per_tx = 0, frames = 40; /* wraps the 16-entry ring */
    for (unsigned i = 0; i < frames; i++) {
        make_frame(f, 1514, peer, (uint8_t)i);
        CHECK(pcnet32_start_xmit(d, f, 1514, i) == 0);
        per_tx += acc(&b);
        CHECK_EQ_U(b.irq, 1);
        CHECK(pcnet32_interrupt(d));
        per_tx += acc(&b);
        if (napi) {
            CHECK_EQ_U(pcnet32_poll(d, PCNET32_NAPI_WEIGHT), 0);
            per_tx += acc(&b);
        }
        CHECK_EQ_U(b.irq, 0);
    }
    CHECK_EQ_U(b.frames_out, frames);
    CHECK_EQ_U(b.out_len, 1514);
    CHECK(memcmp(b.out, f, 1514) == 0);
    CHECK_EQ_U(b.tx_ok, frames);
    CHECKF(per_tx == frames * (napi ? 16u : 12u), "[%s %s] %u accesses for %u transmitted frames",
           pname, pcnet32_personality_name(p), per_tx, frames);

    /* receive: one frame per interrupt */
    unsigned per_rx = 0, nrx = 40; /* wraps the 32-entry ring */
    for (unsigned i = 0; i < nrx; i++) {
        size_t len = 60 + (i * 97) % 1455;
        make_frame(f, len, MAC, (uint8_t)(40 + i));
        CHECK(pcnet_receive(b.dev, f, len) == PCNET_RX_OK);
        CHECK_EQ_U(b.irq, 1);
        CHECK(pcnet32_interrupt(d));
        per_rx += acc(&b);
        if (napi) {
            CHECK_EQ_U(pcnet32_poll(d, PCNET32_NAPI_WEIGHT), 1);
            per_rx += acc(&b);
        }
        CHECK_EQ_U(b.rx, i + 1);
        CHECK_EQ_U(b.rx_len, len);
        CHECK(memcmp(b.rx_last, f, b.rx_len) == 0);
        CHECK_EQ_U(pcnet32_last_activity(d)->copies_bytes, len <= 200 ? len : 0);
        CHECK_EQ_U(b.irq, 0);
    }
    CHECKF(per_rx == nrx * (napi ? 14u : 10u), "[%s %s] %u accesses for %u received frames",
           pname, pcnet32_personality_name(p), per_rx, nrx);

    /* a burst of 20 received while NAPI runs: interrupts stay masked, 14 in all */
    if (napi) {
        make_frame(f, 100, MAC, 7);
        CHECK(pcnet_receive(b.dev, f, 100) == PCNET_RX_OK);
        CHECK(pcnet32_interrupt(d));
        unsigned total = acc(&b);
        for (unsigned i = 0; i < 19; i++)
            CHECK(pcnet_receive(b.dev, f, 100) == PCNET_RX_OK);
        CHECK_EQ_U(b.irq, 0);
        CHECK_EQ_U(pcnet32_poll(d, PCNET32_NAPI_WEIGHT), 16);
        total += acc(&b);
        CHECK_EQ_U(pcnet32_poll(d, PCNET32_NAPI_WEIGHT), 4);
        total += acc(&b);
        CHECK_EQ_U(total, 14);
        CHECK_EQ_U(pcnet32_last_activity(d)->copies_bytes, 4 * 100);
        CHECK_EQ_U(b.rx, nrx + 20);
    }

    pcnet32_watchdog(d);
    CHECK_EQ_U(acc(&b), napi ? 2 : 0);
    if (napi) {
        CHECK(pcnet32_carrier(d));
        pcnet_set_link(b.dev, false);
        pcnet32_watchdog(d);
        CHECK(!pcnet32_carrier(d));
        pcnet_set_link(b.dev, true);
    }
    pcnet32_get_stats(d);
    CHECK_EQ_U(acc(&b), napi ? 2 : 4);
    pcnet32_close(d);
    CHECK_EQ_U(acc(&b), 6);
    CHECK_EQ_U(pcnet_bcr(b.dev, 20) & 0xFF, 0); /* 4 is invalid: style 0 */
    bench_free(&b);
}

int main(void)
{
    test_recordings();
    for (size_t i = 0; i < 2; i++) {
        test_counts(PROFILES[i], PROFILE_NAMES[i], DRV_PCNET32_NAPI);
        test_counts(PROFILES[i], PROFILE_NAMES[i], DRV_PCNET32_2001);
    }
    return check_report("test_pcnet32_dev");
}
