/* test_dtrace: the project's driver-trace format (traces/dtrace.h): write/read round
 * trip of every record kind (plain and gzip), and a file:line error for every class
 * of malformed line. */
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/check.h"
#include "traces/dtrace.h"

static char tmpdir[] = "/tmp/vnicsim-test-dtrace.XXXXXX";

static void path_in_tmp(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static const uint8_t mem_bytes[] = {0x00, 0x83, 0xf9, 0xf8, 0xde, 0xad, 0xbe, 0xef, 0xff};

/* One record of each kind and width. */
static size_t sample_records(DtraceRec *r)
{
    size_t n = 0;
    memset(r, 0, 16 * sizeof *r);
    r[n].t_ns = 0, r[n].kind = DTRACE_SRESET, n++;
    r[n].t_ns = 0, r[n].kind = DTRACE_READ, r[n].off = 0x14, r[n].size = 2, r[n].value = 0, n++;
    r[n].t_ns = 3000, r[n].kind = DTRACE_WRITE, r[n].off = 0x12, r[n].size = 2, r[n].value = 0x58, n++;
    r[n].t_ns = 3000, r[n].kind = DTRACE_READ, r[n].off = 0x05, r[n].size = 1, r[n].value = 0x56, n++;
    r[n].t_ns = 4001, r[n].kind = DTRACE_WRITE, r[n].off = 0x10, r[n].size = 4, r[n].value = 0xdeadbeef, n++;
    r[n].t_ns = 4002, r[n].kind = DTRACE_READ, r[n].off = 0x1c, r[n].size = 4, r[n].value = 0x80c0, n++;
    r[n].t_ns = 5000, r[n].kind = DTRACE_INIT, r[n].addr = 0x2b30000, n++;
    r[n].t_ns = 5000, r[n].kind = DTRACE_RLEN, r[n].rlen = 5, r[n].tlen = 4, n++;
    r[n].t_ns = 5000, r[n].kind = DTRACE_RINGS, r[n].ss32 = 1, r[n].rdra = 0x029ec000, r[n].rcvrl = 32,
    r[n].tdra = 0x029ef000, r[n].xmtrl = 16, n++;
    r[n].t_ns = 6000, r[n].kind = DTRACE_IRQ, r[n].level = 1, n++;
    r[n].t_ns = 7000, r[n].kind = DTRACE_IRQ, r[n].level = 0, r[n].async = true, n++;
    r[n].t_ns = 8000, r[n].kind = DTRACE_MEM, r[n].addr = 0x29ef004, r[n].data = mem_bytes,
    r[n].len = sizeof mem_bytes, n++;
    r[n].t_ns = 18446744073709551615ull, r[n].kind = DTRACE_WRITE, r[n].off = 0x16, r[n].size = 2,
    r[n].value = 0xffff, n++;
    return n;
}

static int rec_equal(const DtraceRec *a, const DtraceRec *b)
{
    if (a->t_ns != b->t_ns || a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case DTRACE_READ:
    case DTRACE_WRITE:
        return a->off == b->off && a->size == b->size && a->value == b->value;
    case DTRACE_IRQ:
        return a->level == b->level && a->async == b->async;
    case DTRACE_INIT:
        return a->addr == b->addr;
    case DTRACE_RLEN:
        return a->rlen == b->rlen && a->tlen == b->tlen;
    case DTRACE_RINGS:
        return a->ss32 == b->ss32 && a->rdra == b->rdra && a->rcvrl == b->rcvrl && a->tdra == b->tdra &&
               a->xmtrl == b->xmtrl;
    case DTRACE_SRESET:
        return 1;
    case DTRACE_MEM:
        return a->addr == b->addr && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
    }
    return 0;
}

static void round_trip(const char *name)
{
    char path[256], err[DTRACE_ERR_MAX];
    path_in_tmp(path, sizeof path, name);
    DtraceRec in[16];
    size_t n = sample_records(in);
    DtraceHeader h = {.version = DTRACE_VERSION, .has_bar = true, .bar = 0xc000, .has_mac = true,
                      .mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
    snprintf(h.source, sizeof h.source, "unit test %s", name);
    DtraceWriter *w = dtrace_create(path, &h, err, sizeof err);
    CHECKF(w != NULL, "%s", err);
    if (!w)
        return;
    for (size_t i = 0; i < n; i++)
        CHECK(dtrace_write(w, &in[i], i == 2 ? "RAP" : NULL) == 0);
    CHECK(dtrace_finish(w, err, sizeof err) == 0);

    DtraceReader *r = dtrace_open(path, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (!r)
        return;
    const DtraceHeader *rh = dtrace_header(r);
    CHECK_EQ_U(rh->version, DTRACE_VERSION);
    CHECK_STR(rh->source, h.source);
    CHECK(rh->has_bar && rh->bar == 0xc000);
    CHECK(rh->has_mac && memcmp(rh->mac, h.mac, 6) == 0);
    DtraceRec got;
    size_t i = 0;
    int rc;
    while ((rc = dtrace_next(r, &got)) == 1) {
        CHECKF(i < n && rec_equal(&got, &in[i]), "%s: record %zu (%s) differs after the round trip", name, i,
               dtrace_kind_name(in[i < n ? i : 0].kind));
        CHECKF(got.line == i + 5, "record %zu reported at line %u, expected %zu", i, got.line, i + 5);
        i++;
    }
    CHECKF(rc == 0, "%s: %s", name, dtrace_error(r));
    CHECK_EQ_U(i, n);
    CHECK(dtrace_next(r, &got) == 0); /* EOF stays EOF */
    dtrace_close(r);
}

/* The formatter writes what the parser reads, including the comment. */
static void format_parse(void)
{
    DtraceRec in[16], got;
    size_t n = sample_records(in);
    uint8_t buf[DTRACE_MEM_MAX];
    char line[2 * DTRACE_MEM_MAX + 200], err[200];
    for (size_t i = 0; i < n; i++) {
        CHECK(dtrace_format_record(&in[i], "CSR0", line, sizeof line) > 0);
        CHECKF(dtrace_parse_record(line, &got, buf, err, sizeof err) == 0, "'%s': %s", line, err);
        CHECKF(rec_equal(&got, &in[i]), "'%s' parsed differently", line);
    }
    char small[8];
    CHECK(dtrace_format_record(&in[1], NULL, small, sizeof small) < 0); /* no overflow */
    CHECK_STR((dtrace_format_record(&in[2], NULL, line, sizeof line), line), "3000 W 0x12 2 0x0058");
}

/* Each malformed-line class: the reader stops with "file:LINE: ..." naming it. */
static void malformed(void)
{
    static const struct {
        const char *line;
        const char *expect; /* substring of the message */
    } cases[] = {
        {"12x R 0x10 2 0x0004", "bad time"},
        {"-5 R 0x10 2 0x0004", "bad time"},
        {"99999999999999999999 R 0x10 2 0x0004", "bad time"},
        {"10", "a record needs"},
        {"10 Q 0x10 2 0x0004", "unknown record kind"},
        {"10 R 0x10 2", "needs OFFSET SIZE VALUE"},
        {"10 R 0x20 2 0x0004", "bad offset"},
        {"10 R 0x1 2 0x0004", "bad offset"},
        {"10 R 16 2 0x0004", "bad offset"},
        {"10 R 0x10 3 0x000004", "bad size"},
        {"10 R 0x10 2 0x004", "bad value"},
        {"10 W 0x10 2 0x00004", "bad value"},
        {"10 W 0x10 2 0x00g4", "bad value"},
        {"10 W 0x1f 2 0x0004", "crosses the end"},
        {"10 IRQ 2", "bad IRQ level"},
        {"10 IRQ 1 late", "only 'async'"},
        {"10 IRQ", "IRQ needs"},
        {"10 INIT 2b30000", "bad INIT address"},
        {"10 RLEN 16 4", "bad RLEN"},
        {"10 RLEN 5", "RLEN needs"},
        {"10 RINGS 1 0x029ec000 32 0x029ef000", "RINGS needs"},
        {"10 RINGS 2 0x029ec000 32 0x029ef000 16", "bad SS32"},
        {"10 RINGS 1 0x029ec000 70000 0x029ef000 16", "bad RCVRL"},
        {"10 SRESET now", "takes no arguments"},
        {"10 MEM 0x1000 abc", "even number"},
        {"10 MEM 0x1000 zz", "bad hex byte"},
        {"10 R 0x10 2 0x0004 extra words here too", "too many fields"},
        {"@source late header", "after the first record"},
        {"5 R 0x10 2 0x0004", "goes backwards"},
    };
    char path[256];
    path_in_tmp(path, sizeof path, "bad.dtrace");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        /* header (line 1-2), a good record (line 3), a comment (4), the bad line (5) */
        snprintf(text, sizeof text, "vnicsim-dtrace 1\n@source test\n7 W 0x12 2 0x0000\n# comment\n%s\n",
                 cases[i].line);
        write_file(path, text);
        char err[DTRACE_ERR_MAX], want[300];
        DtraceReader *r = dtrace_open(path, err, sizeof err);
        CHECKF(r != NULL, "%s", err);
        if (!r)
            continue;
        DtraceRec rec;
        CHECK(dtrace_next(r, &rec) == 1);
        int rc = dtrace_next(r, &rec);
        snprintf(want, sizeof want, "%s:5: ", path);
        CHECKF(rc == -1, "'%s' accepted", cases[i].line);
        CHECKF(strncmp(dtrace_error(r), want, strlen(want)) == 0 && strstr(dtrace_error(r), cases[i].expect),
               "'%s': got \"%s\", want \"%s...%s\"", cases[i].line, dtrace_error(r), want, cases[i].expect);
        CHECK(dtrace_next(r, &rec) == -1); /* an error is sticky */
        dtrace_close(r);
    }
    /* header-level errors */
    static const struct {
        const char *text;
        const char *expect;
    } hdr[] = {
        {"", "empty file"},
        {"# vnicsim trace\n", ":1: not a vnicsim driver trace"},
        {"vnicsim-dtrace one\n", ":1: bad format version"},
        {"vnicsim-dtrace 2\n", ":1: format version 2 is newer"},
        {"vnicsim-dtrace 1\n@colour blue\n", ":2: unknown header key"},
        {"vnicsim-dtrace 1\n@mac 52:54:00:12:34\n", ":2: bad @mac"},
        {"vnicsim-dtrace 1\n@bar c000\n", ":2: bad @bar"},
    };
    for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) {
        write_file(path, hdr[i].text);
        char err[DTRACE_ERR_MAX];
        DtraceReader *r = dtrace_open(path, err, sizeof err);
        CHECKF(r == NULL && strstr(err, path) && strstr(err, hdr[i].expect), "header case %zu: got \"%s\"", i,
               r ? "(accepted)" : err);
        dtrace_close(r);
    }
    char err[DTRACE_ERR_MAX];
    CHECK(dtrace_open("/nonexistent/x.dtrace", err, sizeof err) == NULL && strstr(err, "/nonexistent/x.dtrace"));
}

/* A gzip file cut short is a read error naming the file, not a silent EOF. */
static void gzip_truncated(void)
{
    char path[256], cut[256], err[DTRACE_ERR_MAX];
    path_in_tmp(path, sizeof path, "big.dtrace.gz");
    path_in_tmp(cut, sizeof cut, "cut.dtrace.gz");
    DtraceHeader h = {.version = 1};
    DtraceWriter *w = dtrace_create(path, &h, err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    uint32_t x = 12345;
    for (unsigned i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u; /* varied values so the file does not compress away */
        DtraceRec r = {.t_ns = i, .kind = DTRACE_WRITE, .off = 0x10, .size = 4, .value = x};
        dtrace_write(w, &r, NULL);
    }
    CHECK(dtrace_finish(w, err, sizeof err) == 0);
    FILE *f = fopen(path, "rb");
    static uint8_t buf[1 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 1000);
    f = fopen(cut, "wb");
    if (f) {
        fwrite(buf, 1, n / 2, f);
        fclose(f);
    }
    DtraceReader *r = dtrace_open(cut, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (!r)
        return;
    DtraceRec rec;
    int rc;
    unsigned cnt = 0;
    while ((rc = dtrace_next(r, &rec)) == 1)
        cnt++;
    CHECKF(rc == -1 && strstr(dtrace_error(r), cut), "cut gzip: rc %d after %u records: %s", rc, cnt,
           dtrace_error(r));
    CHECK(cnt > 0 && cnt < 20000);
    dtrace_close(r);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    round_trip("plain.dtrace");
    round_trip("packed.dtrace.gz");
    format_parse();
    malformed();
    gzip_truncated();
    uint8_t mac[6];
    CHECK(dtrace_parse_mac("52:54:00:12:34:56", mac) == 0 && mac[0] == 0x52 && mac[5] == 0x56);
    CHECK(dtrace_parse_mac("52:54:00:12:34", mac) < 0);
    CHECK(dtrace_parse_mac("52:54:00:12:34:56:78", mac) < 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_report("dtrace");
}
