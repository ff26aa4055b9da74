/* test_qemulog: the QEMU-log importer and the pcap reader (traces/qemulog.h,
 * traces/pcapin.h).
 *
 *   - the importer on the committed raw log head gives the same access sequence,
 *     IRQ edges and events as the capture recipe's own condensed pcnet-ports.txt for
 *     the same span (two independent tools cross-checked);
 *   - read values masked to the access width, BAR base detection, DWIO (32-bit)
 *     accesses, other devices' lines skipped, async IRQ edges marked;
 *   - gzip input, and conversion to the project's format and back;
 *   - every malformed pcnet line reports file:line;
 *   - pcap: the recording loads; not a pcap, another link type, a cut-short file and a
 *     frame captured short each give an error naming the file.
 */
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/check.h"
#include "traces/pcapin.h"
#include "traces/qemulog.h"

#define REC_DIR "traces/recordings/linux61-mixed/"
#define FIX_DIR "tests/fixtures/traces/"

static char tmpdir[] = "/tmp/vnicsim-test-qemulog.XXXXXX";

static void tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

static int same_rec(const DtraceRec *a, const DtraceRec *b)
{
    if (a->kind != b->kind || a->t_ns != b->t_ns)
        return 0;
    switch (a->kind) {
    case DTRACE_READ:
    case DTRACE_WRITE:
        return a->off == b->off && a->size == b->size && a->value == b->value;
    case DTRACE_IRQ:
        return a->level == b->level;
    case DTRACE_INIT:
        return a->addr == b->addr;
    case DTRACE_RLEN:
        return a->rlen == b->rlen && a->tlen == b->tlen;
    case DTRACE_RINGS:
        return a->ss32 == b->ss32 && a->rdra == b->rdra && a->tdra == b->tdra && a->rcvrl == b->rcvrl &&
               a->xmtrl == b->xmtrl;
    default:
        return 1;
    }
}

/* The raw log head and the condensed file, written by independent tools from the
 * same QEMU run, must agree record for record over the raw file's span. */
static void cross_check(void)
{
    QemulogTrace raw, con;
    char err[DTRACE_ERR_MAX];
    int a = qemulog_load(REC_DIR "trace-raw-pcnet-head2000.log", &raw, err, sizeof err);
    CHECKF(a == 0, "%s", err);
    int b = qemulog_load(REC_DIR "pcnet-ports.txt", &con, err, sizeof err);
    CHECKF(b == 0, "%s", err);
    if (a || b)
        return;
    CHECK(raw.format == QEMULOG_FMT_RAW);
    CHECK(con.format == QEMULOG_FMT_CONDENSED);
    CHECK(raw.hdr.has_bar && raw.hdr.bar == 0xc000);
    size_t nacc = 0, nirq = 0, nev = 0, bad = 0;
    CHECK(raw.n > 900 && con.n > raw.n);
    for (size_t i = 0; i < raw.n && i < con.n; i++) {
        const DtraceRec *r = &raw.recs[i], *c = &con.recs[i];
        if (!same_rec(r, c)) {
            if (bad++ < 5)
                CHECKF(0, "record %zu: raw line %u (%s t=%llu) vs condensed line %u (%s t=%llu)", i, r->line,
                       dtrace_kind_name(r->kind), (unsigned long long)r->t_ns, c->line,
                       dtrace_kind_name(c->kind), (unsigned long long)c->t_ns);
            continue;
        }
        nacc += r->kind == DTRACE_READ || r->kind == DTRACE_WRITE;
        nirq += r->kind == DTRACE_IRQ;
        nev += r->kind != DTRACE_READ && r->kind != DTRACE_WRITE && r->kind != DTRACE_IRQ;
    }
    CHECK_EQ_U(bad, 0);
    /* the raw head holds 174 reads + 702 writes, 93 IRQ changes, 6 events */
    CHECK_EQ_U(nacc, 876);
    CHECK_EQ_U(nirq, 93);
    CHECK_EQ_U(nev, 6);
    /* unmasked read in the raw log: CSR88 logged as 0x2621003, a 16-bit read */
    int found = 0;
    for (size_t i = 0; i < raw.n; i++)
        if (raw.recs[i].line == 159) {
            found = 1;
            CHECK(raw.recs[i].kind == DTRACE_READ && raw.recs[i].size == 2);
            CHECK_EQ_U(raw.recs[i].value, 0x1003);
        }
    CHECK(found);
    /* only the IRQ raised by the main-loop thread is asynchronous */
    size_t nasync = 0;
    for (size_t i = 0; i < raw.n; i++)
        if (raw.recs[i].kind == DTRACE_IRQ && raw.recs[i].async) {
            nasync++;
            CHECK_EQ_U(raw.recs[i].line, 500);
        }
    CHECK_EQ_U(nasync, 1);
    uint8_t mac[6];
    CHECK(qemulog_probe_mac(&raw, mac) == 0 && !memcmp(mac, "\x52\x54\x00\x12\x34\x56", 6));
    char(*names)[12] = qemulog_reg_names(&con);
    CHECK(names != NULL);
    if (names) {
        /* line 5: R 0x10 after RAP <- 0 is CSR0; line 10: CSR89; line 17: APROM[0] */
        for (size_t i = 0; i < 20; i++) {
            if (con.recs[i].line == 5)
                CHECK_STR(names[i], "CSR0");
            if (con.recs[i].line == 11)
                CHECK_STR(names[i], "CSR89");
            if (con.recs[i].line == 18)
                CHECK_STR(names[i], "APROM[0]");
            if (con.recs[i].line == 3)
                CHECK_STR(names[i], "RESET");
        }
        free(names);
    }
    qemulog_trace_free(&raw);
    qemulog_trace_free(&con);
}

/* The hand-written fixture: DWIO, unmasked values, BAR base from the first access,
 * other devices and non-trace lines skipped. */
static void check_dwio_records(const QemulogTrace *t, const char *what)
{
    static const struct {
        DtraceKind k;
        uint8_t off, size;
        uint32_t value;
        uint64_t t_ns;
    } want[] = {
        {DTRACE_SRESET, 0, 0, 0, 0},
        {DTRACE_SRESET, 0, 0, 0, 0},
        {DTRACE_READ, 0x18, 4, 0xffffffff, 0},
        {DTRACE_WRITE, 0x10, 4, 0, 98000},
        {DTRACE_WRITE, 0x14, 4, 0x58, 198000},
        {DTRACE_READ, 0x10, 4, 0x02621003, 298000},
        {DTRACE_WRITE, 0x14, 4, 0x14, 498000},
        {DTRACE_WRITE, 0x1c, 4, 0x2, 598000},
        {DTRACE_READ, 0x00, 1, 0x12, 698000},
        {DTRACE_READ, 0x10, 2, 0x0181, 798000},
        {DTRACE_WRITE, 0x10, 4, 0x1, 898000},
        {DTRACE_INIT, 0, 0, 0, 899000},
        {DTRACE_RLEN, 0, 0, 0, 900000},
        {DTRACE_RINGS, 0, 0, 0, 901000},
        {DTRACE_IRQ, 0, 0, 1, 998000},
        {DTRACE_IRQ, 0, 0, 0, 1198000},
    };
    size_t n = sizeof want / sizeof want[0];
    CHECKF(t->n == n, "%s: %zu records, want %zu", what, t->n, n);
    for (size_t i = 0; i < n && i < t->n; i++) {
        const DtraceRec *r = &t->recs[i];
        CHECKF(r->kind == want[i].k && r->t_ns == want[i].t_ns, "%s: record %zu is %s at %llu, want %s at %llu",
               what, i, dtrace_kind_name(r->kind), (unsigned long long)r->t_ns, dtrace_kind_name(want[i].k),
               (unsigned long long)want[i].t_ns);
        if (r->kind == DTRACE_READ || r->kind == DTRACE_WRITE) {
            CHECK_EQ_U(r->off, want[i].off);
            CHECK_EQ_U(r->size, want[i].size);
            CHECK_EQ_U(r->value, want[i].value);
        }
        if (r->kind == DTRACE_IRQ) {
            CHECK_EQ_U(r->level, want[i].value);
            CHECK(r->async == (want[i].value == 0)); /* the fall came from thread 7260 */
        }
        if (r->kind == DTRACE_INIT)
            CHECK_EQ_U(r->addr, 0x2b30000);
        if (r->kind == DTRACE_RLEN)
            CHECK(r->rlen == 5 && r->tlen == 4);
        if (r->kind == DTRACE_RINGS)
            CHECK(r->ss32 == 1 && r->rdra == 0x029ec000 && r->rcvrl == 32 && r->tdra == 0x029ef000 &&
                  r->xmtrl == 16);
    }
    CHECK(t->hdr.has_bar);
    CHECK_EQ_U(t->hdr.bar, 0xc040);
    char(*names)[12] = qemulog_reg_names(t);
    if (names && t->n > 9) {
        CHECK_STR(names[2], "RESET");
        CHECK_STR(names[4], "RAP");
        CHECK_STR(names[5], "CSR88");
        CHECK_STR(names[7], "BCR20");
        CHECK_STR(names[8], "APROM[0]");
    }
    free(names);
}

static int gzip_copy(const char *src, const char *dst, size_t cut)
{
    FILE *f = fopen(src, "rb");
    if (!f)
        return -1;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    gzFile g = gzopen(dst, "wb");
    if (!g)
        return -1;
    gzwrite(g, buf, (unsigned)n);
    gzclose(g);
    if (cut) { /* keep only the first `cut` bytes of the compressed file */
        f = fopen(dst, "rb");
        n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        f = fopen(dst, "wb");
        if (!f)
            return -1;
        fwrite(buf, 1, cut < n ? cut : n, f);
        fclose(f);
    }
    return 0;
}

static void fixture_and_gzip(void)
{
    QemulogTrace t, tz, td;
    char err[DTRACE_ERR_MAX], gz[256], dt[256];
    int rc = qemulog_load(FIX_DIR "raw-dwio.log", &t, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    if (rc)
        return;
    check_dwio_records(&t, "raw-dwio.log");

    tmp_path(gz, sizeof gz, "raw-dwio.log.gz");
    CHECK(gzip_copy(FIX_DIR "raw-dwio.log", gz, 0) == 0);
    rc = qemulog_load(gz, &tz, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    if (rc == 0) {
        CHECK(tz.format == QEMULOG_FMT_RAW);
        check_dwio_records(&tz, "raw-dwio.log.gz");
        qemulog_trace_free(&tz);
    }
    /* conversion to the project's format keeps every record, async flag and the BAR */
    tmp_path(dt, sizeof dt, "raw-dwio.dtrace");
    rc = qemulog_convert(gz, dt, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    rc = qemulog_load(dt, &td, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    if (rc == 0) {
        CHECK(td.format == QEMULOG_FMT_DTRACE);
        check_dwio_records(&td, "raw-dwio.dtrace");
        qemulog_trace_free(&td);
    }
    qemulog_trace_free(&t);

    /* a cut-short gzip log fails with the file name */
    char cut[256];
    tmp_path(cut, sizeof cut, "cut.log.gz");
    CHECK(gzip_copy(REC_DIR "trace-raw-pcnet-head2000.log", cut, 8000) == 0);
    rc = qemulog_load(cut, &t, err, sizeof err);
    CHECKF(rc == -1 && strstr(err, cut), "cut gzip log: rc %d, \"%s\"", rc, rc ? err : "");
    if (rc == 0)
        qemulog_trace_free(&t);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Every malformed pcnet line is an error with file:line; other lines are skipped. */
static void malformed(void)
{
    static const char good[] =
        "7262@1700000000.000100:memory_region_ops_write cpu 0 mr 0x1 addr 0xc012 value 0x0 size 2 name 'pcnet-io'\n"
        "7262@1700000000.000200:memory_region_ops_read cpu 0 mr 0x2 addr 0x3fd value 0x60 size 1 name 'serial'\n";
    static const struct {
        const char *line;
        const char *expect;
    } raw_cases[] = {
        {"7262@1700000000.000300:memory_region_ops_read cpu 0 mr 0x1 addr 0xc010 value 0xz4 size 2 name 'pcnet-io'",
         "bad value"},
        {"7262@1700000000.000300:memory_region_ops_read cpu 0 mr 0x1 addr 0xc010 value 0x4 size 3 name 'pcnet-io'",
         "bad access size"},
        {"7262@1700000000.000300:memory_region_ops_read cpu 0 mr 0x1 addr 0xc0100 value 0x4 size 2 name 'pcnet-io'",
         "outside the I/O BAR"},
        {"7262@1700000000.000300:memory_region_ops_read cpu 0 mr 0x1 addr c010 value 0x4 size 2 name 'pcnet-io'",
         "bad addr"},
        {"7262@1700000000.000300:memory_region_ops_read cpu 0 addr 0xc010 value 0x4 size 2 name 'pcnet-io'",
         "malformed memory_region_ops_read"},
        {"7262@1700000000.000300:memory_region_ops_read cpu 0 mr 0x1 addr 0xc010 value 0x4 size 2 name 'pcnet-mmio'",
         "pcnet-mmio"},
        {"7262@1700000000.000300:pcnet_isr_change s=0x1 INTA=2<=0", "malformed pcnet_isr_change"},
        {"7262@1700000000.000300:pcnet_isr_change s=0x1 INTA=1", "malformed pcnet_isr_change"},
        {"7262@1700000000.000300:pcnet_init s=0x1 init_addr=zz", "malformed pcnet_init"},
        {"7262@1700000000.000300:pcnet_rlen_tlen s=0x1 rlen=5", "malformed pcnet_rlen_tlen"},
        {"7262@1700000000.000300:pcnet_rlen_tlen s=0x1 rlen=16 tlen=4", "malformed pcnet_rlen_tlen"},
        {"7262@1700000000.000300:pcnet_ss32_rdra_tdra s=0x1 ss32=1 rdra=0x029ec000 tdra=0x029ef000[16]",
         "malformed pcnet_ss32_rdra_tdra"},
        {"7262@1700000000.3:pcnet_s_reset s=0x1", "malformed pcnet line"},
        {"7262@1700000000.000300 pcnet_s_reset s=0x1", "malformed pcnet line"},
    };
    char path[256];
    tmp_path(path, sizeof path, "bad.log");
    for (size_t i = 0; i < sizeof raw_cases / sizeof raw_cases[0]; i++) {
        char text[1024], err[DTRACE_ERR_MAX], want[300];
        snprintf(text, sizeof text, "%s%s\n%s", good, raw_cases[i].line, good);
        write_text(path, text);
        QemulogTrace t;
        int rc = qemulog_load(path, &t, err, sizeof err);
        snprintf(want, sizeof want, "%s:3: ", path);
        CHECKF(rc == -1 && !strncmp(err, want, strlen(want)) && strstr(err, raw_cases[i].expect),
               "raw case %zu: rc %d, got \"%s\", want \"%s...%s\"", i, rc, rc ? err : "", want,
               raw_cases[i].expect);
        if (rc == 0)
            qemulog_trace_free(&t);
    }
    static const struct {
        const char *line;
        const char *expect;
    } con_cases[] = {
        {"120 R 0x10 2", "port access needs"},
        {"120 R 0x20 2 0x0004 CSR0", "bad offset"},
        {"120 R 0x10 3 0x0004 CSR0", "bad access size"},
        {"120 R 0x10 1 0x0104 CSR0", "bad value"},
        {"120 IRQ 3", "IRQ needs"},
        {"120 EV pcnet_init init_addr=", "malformed pcnet_init"},
        {"120 X 0x10 2 0x0004", "not a pcnet-ports line"},
        {"abc R 0x10 2 0x0004", "not a pcnet-ports line"},
    };
    tmp_path(path, sizeof path, "bad-ports.txt");
    for (size_t i = 0; i < sizeof con_cases / sizeof con_cases[0]; i++) {
        char text[512], err[DTRACE_ERR_MAX], want[300];
        snprintf(text, sizeof text, "0 EV pcnet_s_reset \n100 CON some console text, with words\n%s\n",
                 con_cases[i].line);
        write_text(path, text);
        QemulogTrace t;
        int rc = qemulog_load(path, &t, err, sizeof err);
        snprintf(want, sizeof want, "%s:3: ", path);
        CHECKF(rc == -1 && !strncmp(err, want, strlen(want)) && strstr(err, con_cases[i].expect),
               "condensed case %zu: rc %d, got \"%s\"", i, rc, rc ? err : "");
        if (rc == 0)
            qemulog_trace_free(&t);
    }
    /* an unknown format and a missing file */
    char err[DTRACE_ERR_MAX];
    QemulogTrace t;
    CHECK(qemulog_load(REC_DIR "SOURCE.md", &t, err, sizeof err) == -1 && strstr(err, "not a driver trace") &&
          strstr(err, "SOURCE.md"));
    CHECK(qemulog_load("/nonexistent.log", &t, err, sizeof err) == -1 && strstr(err, "/nonexistent.log"));
}

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }
static void put16(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }

static void pcap_header(FILE *f, uint32_t linktype)
{
    put32(f, 0xa1b2c3d4);
    put16(f, 2);
    put16(f, 4);
    put32(f, 0);
    put32(f, 0);
    put32(f, 65535);
    put32(f, linktype);
}

static void pcap_tests(void)
{
    PcapinFrames fs;
    char err[600], path[256];
    int rc = pcapin_load(REC_DIR "net.pcap", &fs, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    if (rc == 0) {
        CHECK_EQ_U(fs.n, 931);
        uint8_t mac[6];
        CHECK(pcapin_guess_mac(&fs, mac) == 0 && !memcmp(mac, "\x52\x54\x00\x12\x34\x56", 6));
        CHECK_EQ_U(pcapin_mark_direction(&fs, mac), 399);
        /* the first frame: 90-byte MLD report at 13:12:42.453404 (microsecond file, ns units) */
        CHECK_EQ_U(fs.v[0].len, 90);
        CHECK_EQ_U(fs.v[0].t_ns % 1000, 0);
        CHECK_EQ_U(fs.v[0].t_ns / 1000 % 1000000, 453404);
        CHECK(fs.v[0].from_vm && !fs.v[2].from_vm);
        CHECK(fs.v[1].t_ns >= fs.v[0].t_ns);
        pcapin_frames_free(&fs);
    }
    /* not a pcap */
    rc = pcapin_load(REC_DIR "console.txt", &fs, err, sizeof err);
    CHECKF(rc == -1 && strstr(err, "console.txt"), "text file: \"%s\"", rc ? err : "");
    /* another link type (101: raw IP) */
    tmp_path(path, sizeof path, "rawip.pcap");
    FILE *f = fopen(path, "wb");
    if (f) {
        pcap_header(f, 101);
        fclose(f);
    }
    rc = pcapin_load(path, &fs, err, sizeof err);
    CHECKF(rc == -1 && strstr(err, path) && strstr(err, "not Ethernet"), "link type: \"%s\"", rc ? err : "");
    /* a file cut in the middle of a packet */
    tmp_path(path, sizeof path, "cut.pcap");
    FILE *in = fopen(REC_DIR "net.pcap", "rb");
    static uint8_t buf[4000];
    size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;
    if (in)
        fclose(in);
    f = fopen(path, "wb");
    if (f) {
        fwrite(buf, 1, n > 3000 ? 3000 : n, f);
        fclose(f);
    }
    rc = pcapin_load(path, &fs, err, sizeof err);
    CHECKF(rc == -1 && strstr(err, path) && strstr(err, "truncated"), "cut pcap: \"%s\"", rc ? err : "");
    /* a frame captured shorter than it was */
    tmp_path(path, sizeof path, "snap.pcap");
    f = fopen(path, "wb");
    if (f) {
        pcap_header(f, 1);
        put32(f, 1), put32(f, 0), put32(f, 20), put32(f, 60);
        uint8_t fr[20] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x08, 0x06};
        fwrite(fr, 1, sizeof fr, f);
        fclose(f);
    }
    rc = pcapin_load(path, &fs, err, sizeof err);
    CHECKF(rc == -1 && strstr(err, path) && strstr(err, "captured 20 of 60"), "snap: \"%s\"", rc ? err : "");
    CHECK(pcapin_load("/nonexistent.pcap", &fs, err, sizeof err) == -1 && strstr(err, "/nonexistent.pcap"));
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    cross_check();
    fixture_and_gzip();
    malformed();
    pcap_tests();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_report("qemulog");
}
