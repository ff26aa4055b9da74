/* test_pcapout: the nanosecond wire-pcap writer (traces/pcapout.h).
 *
 * Round trip through libpcap's reader: the file header is the nanosecond magic,
 * timestamps come back to the nanosecond, caplen and len are kept (a truncated
 * frame stays truncated), bytes are equal. The write is atomic: nothing exists
 * under the final name before close, the temporary file is gone after it, an abort
 * leaves nothing. tcpdump reads the file when it is installed.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"
#include "traces/pcapout.h"
#include "traces/pcapsrc.h"

static char tmpdir[] = "/tmp/vnicsim-test-pcapout.XXXXXX";

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

typedef struct Rec {
    uint64_t t_ns;
    uint32_t caplen, len;
} Rec;

static const Rec RECS[] = {
    {1000000000123456789ull, 60, 60},     /* sub-µs digits */
    {1000000000123457001ull, 1514, 1514},
    {1000000001000000000ull, 96, 1514},   /* replayed from a snaplen-96 capture */
    {1000000001000000001ull, 42, 60},     /* a short frame padded on the wire */
    {5ull, 14, 14},
};
#define NRECS (sizeof RECS / sizeof RECS[0])

static void frame(uint8_t *f, size_t i)
{
    for (size_t k = 0; k < 1514; k++)
        f[k] = (uint8_t)(k * 13 + i * 29 + 1);
}

static void test_round_trip(void)
{
    char path[300], err[512] = "";
    snprintf(path, sizeof path, "%s/wire.pcap", tmpdir);
    PcapoutWriter *w = pcapout_open(path, err, sizeof err);
    CHECKF(w != NULL, "%s", err);
    if (!w)
        return;
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s", pcapout_temp_path(w));
    CHECK(exists(tmp));
    static uint8_t f[1514];
    for (size_t i = 0; i < NRECS; i++) {
        frame(f, i);
        CHECK_EQ_U(pcapout_write(w, RECS[i].t_ns, f, RECS[i].caplen, RECS[i].len), 0);
    }
    CHECK_EQ_U(pcapout_records(w), NRECS);
    CHECK(!exists(path)); /* nothing under the final name before close */
    CHECKF(pcapout_close(w, err, sizeof err) == 0, "%s", err);
    CHECK(exists(path));
    CHECK(!exists(tmp));

    /* file header: nanosecond magic, Ethernet, snaplen 65535 */
    FILE *fp = fopen(path, "rb");
    uint8_t hdr[24] = {0};
    CHECK(fp && fread(hdr, 1, 24, fp) == 24);
    if (fp)
        fclose(fp);
    uint32_t magic = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
                     (uint32_t)hdr[3] << 24;
    uint32_t snap = (uint32_t)hdr[16] | (uint32_t)hdr[17] << 8 | (uint32_t)hdr[18] << 16 |
                    (uint32_t)hdr[19] << 24;
    CHECK_EQ_U(magic, 0xa1b23c4du);
    CHECK_EQ_U(snap, 65535);
    CHECK_EQ_U(hdr[20], 1); /* DLT_EN10MB */

    /* libpcap reads it back exactly */
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    CHECKF(p != NULL, "%s", eb);
    if (!p)
        return;
    CHECK_EQ_U(pcap_datalink(p), DLT_EN10MB);
    struct pcap_pkthdr *h;
    const u_char *d;
    size_t i = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        if (i >= NRECS) {
            i++;
            continue;
        }
        frame(f, i);
        uint64_t t = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
        CHECK_EQ_U(t, RECS[i].t_ns);
        CHECK_EQ_U(h->caplen, RECS[i].caplen);
        CHECK_EQ_U(h->len, RECS[i].len);
        CHECKF(memcmp(d, f, h->caplen) == 0, "record %zu bytes", i + 1);
        i++;
    }
    CHECK_EQ_U(i, NRECS);
    pcap_close(p);

    /* and the replay source reads it too (orig length kept) */
    PcapsrcReader *r = pcapsrc_open(path, NULL, err, sizeof err);
    CHECKF(r != NULL, "%s", err);
    if (r) {
        PcapsrcFrame pf;
        int n = 0;
        while (pcapsrc_next(r, &pf) == 1) {
            CHECK_EQ_U(pf.len, RECS[n].len);
            CHECK_EQ_U(pf.t_ns, RECS[n].t_ns);
            n++;
        }
        CHECK_EQ_U(n, NRECS);
        pcapsrc_close(r);
    }

    /* tcpdump reads it (if installed) and prints the nanosecond timestamps */
    if (system("command -v tcpdump >/dev/null 2>&1") == 0) {
        char cmd[800], out[300];
        snprintf(out, sizeof out, "%s/tcpdump.txt", tmpdir);
        snprintf(cmd, sizeof cmd, "tcpdump -q -nn -tt --nano -r '%s' > '%s' 2>/dev/null", path, out);
        CHECK(system(cmd) == 0);
        FILE *t = fopen(out, "r");
        char line[512];
        int lines = 0, first_ok = 0;
        while (t && fgets(line, sizeof line, t)) {
            if (line[0] < '0' || line[0] > '9')
                continue; /* continuation lines (hex of frames it cannot decode) */
            if (lines == 0)
                first_ok = strncmp(line, "1000000000.123456789 ", 21) == 0;
            lines++;
        }
        if (t)
            fclose(t);
        CHECK_EQ_U(lines, NRECS);
        CHECKF(first_ok, "tcpdump's first line has the ns timestamp");
    } else {
        printf("# tcpdump not installed: skipped reading with tcpdump\n");
    }
}

static void test_abort_and_errors(void)
{
    char path[300], err[512] = "";
    snprintf(path, sizeof path, "%s/aborted.pcap", tmpdir);
    PcapoutWriter *w = pcapout_open(path, err, sizeof err);
    CHECKF(w != NULL, "%s", err);
    if (w) {
        char tmp[400];
        snprintf(tmp, sizeof tmp, "%s", pcapout_temp_path(w));
        uint8_t f[60] = {0};
        CHECK_EQ_U(pcapout_write(w, 1, f, 60, 60), 0);
        pcapout_abort(w);
        CHECK(!exists(path));
        CHECK(!exists(tmp));
    }
    /* replacing an existing file happens only at close */
    snprintf(path, sizeof path, "%s/existing.pcap", tmpdir);
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs("old", fp);
        fclose(fp);
    }
    w = pcapout_open(path, err, sizeof err);
    CHECKF(w != NULL, "%s", err);
    if (w) {
        struct stat st;
        CHECK(stat(path, &st) == 0 && st.st_size == 3);
        CHECKF(pcapout_close(w, err, sizeof err) == 0, "%s", err);
        CHECK(stat(path, &st) == 0 && st.st_size == 24); /* an empty capture: header only */
    }
    /* a directory that does not exist: a clear error naming the file */
    snprintf(path, sizeof path, "%s/no/such/dir/w.pcap", tmpdir);
    err[0] = 0;
    w = pcapout_open(path, err, sizeof err);
    CHECK(w == NULL);
    CHECKF(strstr(err, path) != NULL, "%s", err);
    err[0] = 0;
    CHECK(pcapout_open("-", err, sizeof err) == NULL);
    CHECK(err[0] != 0);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_round_trip();
    test_abort_and_errors();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_report("test_pcapout");
}
