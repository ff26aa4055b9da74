/* test_pcapsrc: the streaming pcap source for replay (traces/pcapsrc.h).
 *
 * Captures are built byte by byte here (not through libpcap's writer), so the
 * reader is checked against the file format itself: microsecond and nanosecond
 * magics, snaplen truncation, a last record cut short (header and data), a corrupt
 * record, a wrong link type, garbage, an empty file, standard input; then the
 * committed captures of traces/pcap/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "traces/pcapsrc.h"

#define PCAP_DIR "traces/pcap/"

static char tmpdir[] = "/tmp/vnicsim-test-pcapsrc.XXXXXX";

static void tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

static const uint8_t VM[6] = {0x02, 0x00, 0x0a, 0x4d, 0x00, 0x01};
static const uint8_t PEER[6] = {0x02, 0x00, 0x0a, 0x4d, 0x00, 0x02};
static const uint8_t OTHER[6] = {0x02, 0x00, 0x0a, 0x4d, 0x00, 0x09};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t MCAST[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};

/* ---- a little pcap builder (little-endian) ---- */
typedef struct Buf {
    uint8_t b[1 << 16];
    size_t n;
} Buf;

static void put32(Buf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->b[b->n++] = (uint8_t)(v >> (8 * i));
}
static void put16(Buf *b, uint16_t v)
{
    b->b[b->n++] = (uint8_t)v;
    b->b[b->n++] = (uint8_t)(v >> 8);
}

static void file_header(Buf *b, bool nano, uint32_t snaplen, uint32_t linktype)
{
    b->n = 0;
    put32(b, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
    put16(b, 2);
    put16(b, 4);
    put32(b, 0);
    put32(b, 0);
    put32(b, snaplen);
    put32(b, linktype);
}

/* A record of a frame dst <- src of original length len, caplen bytes captured. */
static void record(Buf *b, uint32_t sec, uint32_t frac, const uint8_t *dst, const uint8_t *src,
                   uint32_t caplen, uint32_t len)
{
    put32(b, sec);
    put32(b, frac);
    put32(b, caplen);
    put32(b, len);
    uint8_t f[2048];
    memset(f, 0, sizeof f);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    for (uint32_t i = 14; i < sizeof f; i++)
        f[i] = (uint8_t)(i * 7 + len);
    memcpy(b->b + b->n, f, caplen);
    b->n += caplen;
}

static void save(const char *path, const Buf *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(b->b, 1, n, fp) != n) {
        perror(path);
        exit(2);
    }
    fclose(fp);
}

/* Three frames: VM -> PEER (60), PEER -> VM (1514, caplen 100), OTHER -> BCAST (42),
 * and two more from PEER so that PEER is the most frequent source. */
static size_t build_basic(Buf *b, bool nano)
{
    file_header(b, nano, 100, 1);
    record(b, 1000, nano ? 123456789u : 123456u, PEER, VM, 60, 60);
    record(b, 1000, nano ? 223456789u : 223456u, VM, PEER, 100, 1514);
    record(b, 1001, nano ? 5u : 5u, BCAST, OTHER, 42, 42);
    record(b, 1001, nano ? 6u : 6u, OTHER, PEER, 60, 60);
    record(b, 1001, nano ? 7u : 7u, MCAST, PEER, 60, 60);
    return b->n;
}

static void test_basic(bool nano)
{
    static Buf b;
    char path[256];
    tmp_path(path, sizeof path, nano ? "basic-ns.pcap" : "basic-us.pcap");
    save(path, &b, build_basic(&b, nano));
    char err[PCAPSRC_ERR_MAX] = "";
    PcapsrcReader *r = pcapsrc_open(path, VM, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (!r)
        return;
    CHECK(pcapsrc_mac_from(r) == PCAPSRC_MAC_GIVEN);
    PcapsrcFrame f;
    CHECK_EQ_U(pcapsrc_next(r, &f), 1);
    CHECK_EQ_U(f.t_ns, nano ? 1000123456789ull : 1000123456000ull);
    CHECK_EQ_U(f.caplen, 60);
    CHECK_EQ_U(f.len, 60);
    CHECK_EQ_U(f.index, 1);
    CHECK(f.dir == PCAPSRC_TX);
    CHECK(memcmp(f.data, PEER, 6) == 0 && memcmp(f.data + 6, VM, 6) == 0);
    CHECK_EQ_U(pcapsrc_next(r, &f), 1);
    CHECK_EQ_U(f.t_ns, nano ? 1000223456789ull : 1000223456000ull);
    CHECK_EQ_U(f.caplen, 100); /* snaplen-truncated: the original length is kept */
    CHECK_EQ_U(f.len, 1514);
    CHECK(f.dir == PCAPSRC_RX);
    CHECK_EQ_U(f.data[99], (uint8_t)(99 * 7 + 1514));
    CHECK_EQ_U(pcapsrc_next(r, &f), 1);
    CHECK_EQ_U(f.t_ns, nano ? 1001000000005ull : 1001000005000ull);
    CHECK(f.dir == PCAPSRC_RX); /* broadcast */
    CHECK_EQ_U(f.len, 42);
    CHECK_EQ_U(pcapsrc_next(r, &f), 1);
    CHECK(f.dir == PCAPSRC_IGNORED); /* unicast to someone else */
    CHECK_EQ_U(pcapsrc_next(r, &f), 1);
    CHECK(f.dir == PCAPSRC_RX); /* multicast, no filter set: accepted */
    CHECK_EQ_U(pcapsrc_next(r, &f), 0);
    CHECK_EQ_U(pcapsrc_next(r, &f), 0);
    CHECK_STR(pcapsrc_warning(r), "");
    const PcapsrcCounts *c = pcapsrc_counts(r);
    CHECK_EQ_U(c->frames_read, 5);
    CHECK_EQ_U(c->tx, 1);
    CHECK_EQ_U(c->rx, 3);
    CHECK_EQ_U(c->ignored, 1);
    CHECK_EQ_U(c->truncated, 1);
    CHECK_EQ_U(c->bytes, 60 + 1514 + 42 + 60 + 60);
    pcapsrc_close(r);

    /* default MAC: the most frequent source (PEER, 3 of 5) */
    r = pcapsrc_open(path, NULL, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (!r)
        return;
    uint8_t mac[6];
    CHECK(pcapsrc_vm_mac(r, mac) && memcmp(mac, PEER, 6) == 0);
    CHECK(pcapsrc_mac_from(r) == PCAPSRC_MAC_MOST_FREQUENT);
    CHECK_STR(pcapsrc_mac_from_name(pcapsrc_mac_from(r)), "most-frequent-source");
    int n = 0, tx = 0, rx = 0;
    while (pcapsrc_next(r, &f) == 1) {
        n++;
        tx += f.dir == PCAPSRC_TX;
        rx += f.dir == PCAPSRC_RX;
    }
    CHECK_EQ_U(n, 5);
    CHECK_EQ_U(tx, 3);
    CHECK_EQ_U(rx, 2); /* the first frame (unicast to PEER) and the broadcast */
    pcapsrc_close(r);
}

static bool reject_all(void *opaque, const uint8_t dst[6])
{
    int *calls = opaque;
    (*calls)++;
    return dst[0] == 0xff; /* broadcast only */
}

static void test_filter(void)
{
    static Buf b;
    char path[256], err[PCAPSRC_ERR_MAX] = "";
    tmp_path(path, sizeof path, "filter.pcap");
    save(path, &b, build_basic(&b, false));
    PcapsrcReader *r = pcapsrc_open(path, VM, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (!r)
        return;
    int calls = 0;
    pcapsrc_set_filter(r, reject_all, &calls);
    PcapsrcFrame f;
    PcapsrcDir want[5] = {PCAPSRC_TX, PCAPSRC_RX, PCAPSRC_RX, PCAPSRC_IGNORED, PCAPSRC_IGNORED};
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_U(pcapsrc_next(r, &f), 1);
        CHECKF(f.dir == want[i], "frame %d dir %d", i + 1, f.dir);
    }
    CHECK_EQ_U(calls, 2); /* asked only about group destinations */
    pcapsrc_close(r);
}

static void test_cut_short(void)
{
    static Buf b;
    char path[256], err[PCAPSRC_ERR_MAX] = "";
    size_t full = build_basic(&b, false);
    /* cut in the last record's data, then in its header */
    size_t cuts[2] = {full - 10, full - 60 - 16 + 7};
    for (int k = 0; k < 2; k++) {
        tmp_path(path, sizeof path, k ? "cut-hdr.pcap" : "cut-data.pcap");
        save(path, &b, cuts[k]);
        PcapsrcReader *r = pcapsrc_open(path, NULL, err, sizeof err); /* pre-pass too */
        CHECKF(r != NULL, "%s", err);
        if (!r)
            continue;
        PcapsrcFrame f;
        int n = 0, rc;
        while ((rc = pcapsrc_next(r, &f)) == 1)
            n++;
        CHECK_EQ_U(rc, 0);
        CHECK_EQ_U(n, 4);
        CHECK_STR(pcapsrc_error(r), "");
        const char *w = pcapsrc_warning(r);
        CHECKF(strstr(w, path) != NULL, "warning names the file: %s", w);
        CHECKF(strstr(w, "record 5 cut short") != NULL, "%s", w);
        CHECK_EQ_U(pcapsrc_counts(r)->frames_read, 4);
        pcapsrc_close(r);
    }
}

static void expect_open_error(const char *path, const char *what)
{
    char err[PCAPSRC_ERR_MAX] = "";
    PcapsrcReader *r = pcapsrc_open(path, VM, err, sizeof err);
    CHECKF(r == NULL, "%s opened", path);
    CHECKF(strstr(err, path) != NULL, "error names the file: %s", err);
    CHECKF(strstr(err, what) != NULL, "error says \"%s\": %s", what, err);
    pcapsrc_close(r);
    /* the pre-pass reports the same */
    uint8_t mac[6];
    err[0] = 0;
    CHECK(pcapsrc_most_frequent_source(path, mac, err, sizeof err) == -1);
    CHECKF(strstr(err, path) != NULL, "%s", err);
}

static void test_bad_files(void)
{
    static Buf b;
    char path[256];
    tmp_path(path, sizeof path, "rawip.pcap");
    file_header(&b, false, 65535, 101); /* LINKTYPE_RAW */
    record(&b, 1, 0, PEER, VM, 60, 60);
    save(path, &b, b.n);
    expect_open_error(path, "(RAW) is not Ethernet"); /* libpcap maps LINKTYPE 101 to DLT 12 */

    tmp_path(path, sizeof path, "garbage.pcap");
    memcpy(b.b, "This is not a capture at all, just some text.\n", 46);
    save(path, &b, 46);
    expect_open_error(path, "not a readable pcap");

    tmp_path(path, sizeof path, "empty.pcap");
    save(path, &b, 0);
    expect_open_error(path, "not a readable pcap");

    tmp_path(path, sizeof path, "missing.pcap");
    expect_open_error(path, "cannot open");

    /* a valid capture without frames: opens, no MAC, ends at once */
    tmp_path(path, sizeof path, "noframes.pcap");
    file_header(&b, true, 65535, 1);
    save(path, &b, b.n);
    {
        char e[PCAPSRC_ERR_MAX] = "";
        uint8_t mac[6];
        CHECK_EQ_U(pcapsrc_most_frequent_source(path, mac, e, sizeof e), 1);
        PcapsrcReader *r0 = pcapsrc_open(path, NULL, e, sizeof e);
        CHECKF(r0 != NULL, "%s", e);
        if (r0) {
            PcapsrcFrame f0;
            CHECK(!pcapsrc_vm_mac(r0, mac));
            CHECK(pcapsrc_mac_from(r0) == PCAPSRC_MAC_NONE);
            CHECK_EQ_U(pcapsrc_next(r0, &f0), 0);
            CHECK_STR(pcapsrc_warning(r0), "");
            CHECK_EQ_U(pcapsrc_counts(r0)->frames_read, 0);
            pcapsrc_close(r0);
        }
    }

    /* a corrupt record in the middle: an absurd captured length */
    char err[PCAPSRC_ERR_MAX] = "";
    tmp_path(path, sizeof path, "corrupt.pcap");
    file_header(&b, false, 65535, 1);
    record(&b, 1, 0, PEER, VM, 60, 60);
    size_t at = b.n;
    record(&b, 1, 1, PEER, VM, 60, 60);
    record(&b, 1, 2, PEER, VM, 60, 60);
    b.b[at + 8] = b.b[at + 9] = b.b[at + 10] = b.b[at + 11] = 0x7f; /* caplen */
    save(path, &b, b.n);
    PcapsrcReader *r = pcapsrc_open(path, VM, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (r) {
        PcapsrcFrame f;
        CHECK_EQ_U(pcapsrc_next(r, &f), 1);
        CHECK(pcapsrc_next(r, &f) == -1);
        const char *e = pcapsrc_error(r);
        CHECKF(strstr(e, path) && strstr(e, "record 2") && strstr(e, "corrupt"), "%s", e);
        CHECK_STR(pcapsrc_warning(r), "");
        CHECK(pcapsrc_next(r, &f) == -1); /* stays failed */
        pcapsrc_close(r);
    }
    err[0] = 0;
    r = pcapsrc_open(path, NULL, err, sizeof err); /* the pre-pass fails on it */
    CHECK(r == NULL);
    CHECKF(strstr(err, "record 2") != NULL, "%s", err);

    /* original length shorter than the captured bytes */
    tmp_path(path, sizeof path, "shortlen.pcap");
    file_header(&b, false, 65535, 1);
    record(&b, 1, 0, PEER, VM, 60, 50);
    save(path, &b, b.n);
    r = pcapsrc_open(path, VM, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (r) {
        PcapsrcFrame f;
        CHECK(pcapsrc_next(r, &f) == -1);
        CHECKF(strstr(pcapsrc_error(r), "original length 50") != NULL, "%s", pcapsrc_error(r));
        pcapsrc_close(r);
    }

    /* fewer bytes than an Ethernet header */
    tmp_path(path, sizeof path, "tiny.pcap");
    file_header(&b, false, 10, 1);
    record(&b, 1, 0, PEER, VM, 10, 60);
    save(path, &b, b.n);
    r = pcapsrc_open(path, VM, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (r) {
        PcapsrcFrame f;
        CHECK(pcapsrc_next(r, &f) == -1);
        CHECKF(strstr(pcapsrc_error(r), "only 10 bytes captured") != NULL, "%s",
               pcapsrc_error(r));
        pcapsrc_close(r);
    }
}

static void test_stdin(void)
{
    static Buf b;
    char path[256], err[PCAPSRC_ERR_MAX] = "";
    tmp_path(path, sizeof path, "stdin.pcap");
    save(path, &b, build_basic(&b, true));
    if (!freopen(path, "rb", stdin)) {
        CHECKF(0, "freopen %s", path);
        return;
    }
    PcapsrcReader *r = pcapsrc_open("-", NULL, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (!r)
        return;
    uint8_t mac[6];
    CHECK(!pcapsrc_vm_mac(r, mac)); /* unknown before the first frame */
    CHECK(pcapsrc_mac_from(r) == PCAPSRC_MAC_FIRST_FRAME);
    PcapsrcFrame f;
    CHECK_EQ_U(pcapsrc_next(r, &f), 1);
    CHECK(pcapsrc_vm_mac(r, mac) && memcmp(mac, VM, 6) == 0); /* the first frame's source */
    CHECK(f.dir == PCAPSRC_TX);
    CHECK_EQ_U(f.t_ns, 1000123456789ull);
    int n = 1;
    while (pcapsrc_next(r, &f) == 1)
        n++;
    CHECK_EQ_U(n, 5);
    CHECK_EQ_U(pcapsrc_counts(r)->tx, 1);
    CHECK_EQ_U(pcapsrc_counts(r)->rx, 3);
    CHECK_STR(pcapsrc_path(r), "(standard input)");
    pcapsrc_close(r);

    /* errors on standard input say so */
    tmp_path(path, sizeof path, "stdin-garbage");
    memcpy(b.b, "garbage garbage garbage garbage", 31);
    save(path, &b, 31);
    if (!freopen(path, "rb", stdin)) {
        CHECKF(0, "freopen %s", path);
        return;
    }
    r = pcapsrc_open("-", VM, err, sizeof err);
    CHECK(r == NULL);
    CHECKF(strstr(err, "(standard input)") != NULL, "%s", err);
    pcapsrc_close(r);
}

/* The committed captures (traces/pcap/README.md): 1889 frames, 1460 from the sender. */
static void test_committed(void)
{
    const char *files[3] = {"tcp-bulk-netns.pcap", "tcp-bulk-netns-nano.pcap",
                            "tcp-bulk-netns-snap96.pcap"};
    const uint8_t sender[6] = {0x02, 0x00, 0x0a, 0x4d, 0x00, 0x01};
    PcapsrcReader *r[3];
    char err[PCAPSRC_ERR_MAX] = "";
    for (int i = 0; i < 3; i++) {
        char path[256];
        snprintf(path, sizeof path, PCAP_DIR "%s", files[i]);
        r[i] = pcapsrc_open(path, NULL, err, sizeof err);
        CHECKF(r[i] != NULL, "%s", err);
        if (!r[i])
            return;
        uint8_t mac[6];
        CHECK(pcapsrc_vm_mac(r[i], mac) && memcmp(mac, sender, 6) == 0);
    }
    /* walk the three in step: same frames, same lengths; ns vs µs timestamps */
    PcapsrcFrame f[3];
    uint64_t n = 0, sub_us = 0, ts_mismatch = 0, len_mismatch = 0, byte_mismatch = 0;
    for (;;) {
        int rc0 = pcapsrc_next(r[0], &f[0]);
        int rc1 = pcapsrc_next(r[1], &f[1]);
        int rc2 = pcapsrc_next(r[2], &f[2]);
        if (rc0 != 1 || rc1 != 1 || rc2 != 1) {
            CHECKF(rc0 == 0 && rc1 == 0 && rc2 == 0, "end: %d %d %d", rc0, rc1, rc2);
            break;
        }
        n++;
        sub_us += f[1].t_ns % 1000 != 0;
        /* three tcpdump instances stamped the frames independently: a few µs apart */
        int64_t d1 = (int64_t)(f[1].t_ns - f[0].t_ns), d2 = (int64_t)(f[2].t_ns - f[0].t_ns);
        ts_mismatch += f[0].t_ns % 1000 != 0 || f[2].t_ns % 1000 != 0 || d1 > 10000 ||
                       d1 < -10000 || d2 > 10000 || d2 < -10000;
        len_mismatch += f[0].len != f[1].len || f[0].len != f[2].len || f[0].caplen != f[0].len ||
                        f[2].caplen != (f[0].len < 96 ? f[0].len : 96);
        byte_mismatch += memcmp(f[0].data, f[2].data, f[2].caplen) != 0 || f[0].dir != f[2].dir;
    }
    CHECK_EQ_U(n, 1889);
    CHECKF(sub_us > 1000, "%llu ns timestamps with sub-µs digits", (unsigned long long)sub_us);
    CHECK_EQ_U(ts_mismatch, 0);
    CHECK_EQ_U(len_mismatch, 0);
    CHECK_EQ_U(byte_mismatch, 0);
    for (int i = 0; i < 3; i++) {
        const PcapsrcCounts *c = pcapsrc_counts(r[i]);
        CHECK_EQ_U(c->frames_read, 1889);
        CHECK_EQ_U(c->tx, 1460);
        CHECK_EQ_U(c->rx, 429);
        CHECK_EQ_U(c->ignored, 0);
        CHECK_EQ_U(c->bytes, 2221794);
        CHECK_EQ_U(c->truncated, i == 2 ? 1456 : 0);
        CHECK_STR(pcapsrc_warning(r[i]), "");
        pcapsrc_close(r[i]);
    }
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_basic(false);
    test_basic(true);
    test_filter();
    test_cut_short();
    test_bad_files();
    test_committed();
    test_stdin();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_report("test_pcapsrc");
}
