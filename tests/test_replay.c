/* test_replay: pcap replay through the hosted model (model/guest/replay.h), in process.
 *
 * Every committed capture (traces/pcap/NAME.pcap, traces/recordings/NAME/net.pcap) is
 * replayed under ws2-pc733 (timed) and opt-pc733 (afap) with a wire pcap, and:
 *   - frames_read = tx.offered + rx.offered + frames_ignored, and frames_read is the
 *     number of records in the file (read here with the streaming reader);
 *   - per direction offered = delivered + dropped_vnic + dropped_host;
 *   - the wire pcap: every frame in it is, in order per direction, an input frame of
 *     that direction with the same captured bytes (padding to 60 bytes excepted),
 *     the same original length and the same caplen when the input was truncated;
 *     transmitted frames on the wire = tx.delivered;
 *   - determinism: a second run gives the same results.json and the same wire pcap.
 * Synthetic captures check the classification by the device's address filter and a
 * receive burst that overflows the virtual NIC's ring (dropped_vnic > 0).
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "sim/config.h"
#include "tests/check.h"
#include "traces/pcapsrc.h"

static char tmpdir[] = "/tmp/vnicsim-test-replay.XXXXXX";

static json_int_t jint(json_t *o, const char *a, const char *b)
{
    json_t *x = json_object_get(o, a);
    if (b)
        x = json_object_get(x, b);
    return json_integer_value(x);
}

/* Runs the model; returns results (or NULL, message printed). */
static json_t *run(const char *preset, const char *pcap, const char *pace, const char *wire,
                   const char *extra, const char *extra2)
{
    Config *c = cfg_new();
    CfgError e;
    char set[1200];
    json_t *res = NULL;
    if (!c || cfg_apply_preset(c, preset, &e) != 0)
        goto out;
    snprintf(set, sizeof set, "replay.pcap=\"%s\"", pcap);
    if (cfg_apply_set(c, set, &e) != 0)
        goto out;
    snprintf(set, sizeof set, "replay.pace=\"%s\"", pace);
    if (cfg_apply_set(c, set, &e) != 0)
        goto out;
    if (wire) {
        snprintf(set, sizeof set, "replay.wire_pcap=\"%s\"", wire);
        if (cfg_apply_set(c, set, &e) != 0)
            goto out;
    }
    if (extra && cfg_apply_set(c, extra, &e) != 0)
        goto out;
    if (extra2 && cfg_apply_set(c, extra2, &e) != 0)
        goto out;
    char err[1024] = "";
    Model *m = model_new(c, err, sizeof err);
    if (!m) {
        printf("# model_new(%s, %s): %s\n", preset, pcap, err);
        goto out;
    }
    if (model_run(m, NULL, NULL, NULL, err, sizeof err) != 0)
        printf("# model_run(%s, %s): %s\n", preset, pcap, err);
    else
        res = model_results(m);
    model_free(m);
    cfg_free(c);
    return res;
out:
    if (c)
        printf("# config: %s\n", e.text);
    cfg_free(c);
    return NULL;
}

static void check_invariants(json_t *res, const char *what, uint64_t records)
{
    json_t *rp = json_object_get(res, "replay");
    CHECKF(rp != NULL, "%s: no replay block", what);
    if (!rp)
        return;
    json_int_t read = jint(rp, "frames_read", NULL), ign = jint(rp, "frames_ignored", NULL);
    json_int_t txo = jint(rp, "tx", "offered"), rxo = jint(rp, "rx", "offered");
    CHECKF(read == txo + rxo + ign, "%s: frames_read %lld != %lld + %lld + %lld", what,
           (long long)read, (long long)txo, (long long)rxo, (long long)ign);
    CHECKF((uint64_t)read == records, "%s: frames_read %lld, file has %llu", what,
           (long long)read, (unsigned long long)records);
    const char *dirs[2] = {"tx", "rx"};
    for (int i = 0; i < 2; i++) {
        json_t *d = json_object_get(rp, dirs[i]);
        json_int_t o = jint(d, "offered", NULL), dl = jint(d, "delivered", NULL);
        json_int_t dv = jint(d, "dropped_vnic", NULL), dh = jint(d, "dropped_host", NULL);
        CHECKF(o == dl + dv + dh, "%s %s: offered %lld != %lld + %lld + %lld", what, dirs[i],
               (long long)o, (long long)dl, (long long)dv, (long long)dh);
        CHECKF(jint(d, "dropped_host_where", "unresolved") == 0, "%s %s: unresolved frames", what,
               dirs[i]);
        CHECKF(jint(d, "latency_us", "count") == dl, "%s %s: one latency per delivered frame",
               what, dirs[i]);
    }
}

typedef struct InFrame {
    uint32_t caplen, len;
    uint8_t *data;
} InFrame;

/* Loads one direction of a capture (small captures only: the committed ones). */
static size_t load_dir(const char *path, const uint8_t mac[6], bool tx, InFrame **out,
                       uint64_t *records)
{
    char err[PCAPSRC_ERR_MAX];
    PcapsrcReader *r = pcapsrc_open(path, mac, err, sizeof err);
    size_t n = 0, cap = 0;
    *out = NULL;
    *records = 0;
    if (!r)
        return 0;
    PcapsrcFrame f;
    while (pcapsrc_next(r, &f) == 1) {
        (*records)++;
        if ((f.dir == PCAPSRC_TX) != tx)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            *out = realloc(*out, cap * sizeof **out);
        }
        InFrame *x = &(*out)[n++];
        x->caplen = f.caplen;
        x->len = f.len;
        x->data = malloc(f.caplen);
        memcpy(x->data, f.data, f.caplen);
    }
    pcapsrc_close(r);
    return n;
}

static void free_frames(InFrame *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].data);
    free(v);
}

static bool same_frame(const InFrame *in, const PcapsrcFrame *w)
{
    if (in->len >= 60) {
        if (w->len != in->len)
            return false;
        uint32_t want = in->caplen < in->len ? in->caplen : w->len;
        return w->caplen == want && memcmp(w->data, in->data, want) == 0;
    }
    /* padded on the wire to 60 bytes: the input's bytes, then zeros */
    if (w->len != 60 || w->caplen != 60 || memcmp(w->data, in->data, in->caplen) != 0)
        return false;
    for (uint32_t i = in->caplen; i < 60; i++)
        if (w->data[i])
            return false;
    return true;
}

/* The wire pcap against the input capture. */
static void check_wire(const char *input, const char *wire, json_t *res, const char *what)
{
    json_t *rp = json_object_get(res, "replay");
    uint8_t mac[6];
    sscanf(json_string_value(json_object_get(rp, "vm_mac")), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
           &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]);
    InFrame *in[2];
    uint64_t records;
    size_t nin[2];
    nin[0] = load_dir(input, mac, true, &in[0], &records);
    nin[1] = load_dir(input, mac, false, &in[1], &records);
    char err[PCAPSRC_ERR_MAX];
    PcapsrcReader *w = pcapsrc_open(wire, mac, err, sizeof err);
    CHECKF(w != NULL, "%s: %s", what, err);
    if (!w) {
        free_frames(in[0], nin[0]);
        free_frames(in[1], nin[1]);
        return;
    }
    size_t pos[2] = {0, 0}, found[2] = {0, 0}, lost = 0;
    uint64_t last_t = 0;
    bool ordered = true;
    PcapsrcFrame f;
    while (pcapsrc_next(w, &f) == 1) {
        int d = f.dir == PCAPSRC_TX ? 0 : 1;
        ordered &= f.t_ns >= last_t;
        last_t = f.t_ns;
        while (pos[d] < nin[d] && !same_frame(&in[d][pos[d]], &f))
            pos[d]++; /* input frames dropped before the wire */
        if (pos[d] == nin[d]) {
            lost++;
            continue;
        }
        pos[d]++;
        found[d]++;
    }
    CHECKF(!pcapsrc_error(w)[0], "%s: reading the wire pcap: %s", what, pcapsrc_error(w));
    CHECKF(lost == 0, "%s: %zu wire frames match no input frame (input %zu tx %zu rx, found %zu %zu)",
           what, lost, nin[0], nin[1], found[0], found[1]);
    CHECKF(ordered, "%s: wire pcap timestamps go backwards", what);
    CHECKF(found[0] == (size_t)jint(rp, "tx", "delivered"), "%s: %zu TX frames on the wire, "
           "%lld delivered", what, found[0], (long long)jint(rp, "tx", "delivered"));
    json_int_t rx_wire = jint(rp, "rx", "offered") - jint(rp, "rx", "dropped_host_where") -
                         0;
    (void)rx_wire;
    json_t *hw = json_object_get(json_object_get(rp, "rx"), "dropped_host_where");
    json_int_t rx_crossed = jint(rp, "rx", "offered") -
                            json_integer_value(json_object_get(hw, "link_queue")) -
                            json_integer_value(json_object_get(hw, "oversize"));
    CHECKF((json_int_t)found[1] == rx_crossed, "%s: %zu RX frames on the wire, %lld crossed it",
           what, found[1], (long long)rx_crossed);
    CHECKF((json_int_t)(found[0] + found[1]) == jint(rp, "wire_frames_written", NULL),
           "%s: wire_frames_written", what);
    pcapsrc_close(w);
    free_frames(in[0], nin[0]);
    free_frames(in[1], nin[1]);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc(sz > 0 ? (size_t)sz : 1);
    *n = b ? fread(b, 1, (size_t)sz, fp) : 0;
    fclose(fp);
    return b;
}

static uint64_t count_records(const char *path)
{
    InFrame *v;
    uint64_t rec;
    size_t n = load_dir(path, (const uint8_t *)"\x02\0\0\0\0\0", true, &v, &rec);
    free_frames(v, n);
    return rec;
}

static void test_committed(void)
{
    glob_t g;
    memset(&g, 0, sizeof g);
    glob("traces/pcap/*.pcap", 0, NULL, &g);
    glob("traces/recordings/*/net.pcap", GLOB_APPEND, NULL, &g);
    CHECKF(g.gl_pathc >= 10, "%zu committed captures", g.gl_pathc);
    static const struct { const char *preset, *pace; } runs[] = {
        {"ws2-pc733", "timed"}, {"opt-pc733", "afap"}, {"native-pc733", "timed"}};
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *pcap = g.gl_pathv[i];
        uint64_t records = count_records(pcap);
        /* the recordings' VM is QEMU's (SOURCE.md); traces/pcap: the default MAC */
        const char *mac = strncmp(pcap, "traces/recordings/", 18) == 0
                              ? "replay.vm_mac=\"52:54:00:12:34:56\"" : NULL;
        for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
            char what[512], wire[300], wire2[300];
            snprintf(what, sizeof what, "%s %s %s", pcap, runs[k].preset, runs[k].pace);
            snprintf(wire, sizeof wire, "%s/w%zu-%zu.pcap", tmpdir, i, k);
            snprintf(wire2, sizeof wire2, "%s/w%zu-%zu-again.pcap", tmpdir, i, k);
            json_t *a = run(runs[k].preset, pcap, runs[k].pace, wire, mac, NULL);
            CHECKF(a != NULL, "%s: ran", what);
            if (!a)
                continue;
            check_invariants(a, what, records);
            check_wire(pcap, wire, a, what);
            if (k < 2) { /* determinism */
                json_t *b = run(runs[k].preset, pcap, runs[k].pace, wire2, mac, NULL);
                char *sa = json_dumps(a, JSON_SORT_KEYS), *sb = b ? json_dumps(b, JSON_SORT_KEYS) : NULL;
                CHECKF(sa && sb && strcmp(sa, sb) == 0, "%s: results differ between runs", what);
                size_t na = 0, nb = 0;
                char *wa = slurp(wire, &na), *wb = slurp(wire2, &nb);
                CHECKF(wa && wb && na == nb && memcmp(wa, wb, na) == 0,
                       "%s: wire pcaps differ between runs", what);
                free(sa);
                free(sb);
                free(wa);
                free(wb);
                json_decref(b);
            }
            json_decref(a);
        }
    }
    globfree(&g);
}

/* ---- synthetic captures ---- */

static void put32(FILE *fp, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, fp);
}

static void rec(FILE *fp, uint64_t t_ns, const uint8_t dst[6], const uint8_t src[6], uint32_t len)
{
    uint8_t f[1514] = {0};
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    for (uint32_t i = 14; i < len; i++)
        f[i] = (uint8_t)(i + t_ns / 1000);
    put32(fp, (uint32_t)(t_ns / 1000000000u));
    put32(fp, (uint32_t)(t_ns % 1000000000u));
    put32(fp, len);
    put32(fp, len);
    fwrite(f, 1, len, fp);
}

static FILE *new_pcap(const char *path)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return NULL;
    put32(fp, 0xa1b23c4du);
    put32(fp, 0x00040002u);
    put32(fp, 0);
    put32(fp, 0);
    put32(fp, 65535);
    put32(fp, 1);
    return fp;
}

static const uint8_t VM[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t PEER[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t OTHER[6] = {0x02, 0, 0, 0, 0, 0x03};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t MC_MDNS[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};

static void test_filter(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/filter.pcap", tmpdir);
    FILE *fp = new_pcap(path);
    if (!fp) {
        CHECK(0);
        return;
    }
    uint64_t t = 1000000000000ull;
    for (int i = 0; i < 5; i++)
        rec(fp, t += 1000000, PEER, VM, 100);     /* TX */
    rec(fp, t += 1000000, VM, PEER, 200);         /* RX unicast */
    rec(fp, t += 1000000, BCAST, PEER, 60);       /* RX broadcast */
    rec(fp, t += 1000000, MC_MDNS, PEER, 80);     /* multicast not joined: ignored */
    rec(fp, t += 1000000, OTHER, PEER, 300);      /* someone else's: ignored */
    fclose(fp);
    json_t *r = run("ws2-pc733", path, "timed", NULL, NULL, NULL);
    CHECK(r != NULL);
    if (!r)
        return;
    json_t *rp = json_object_get(r, "replay");
    CHECK_EQ_U(jint(rp, "frames_read", NULL), 9);
    CHECK_EQ_U(jint(rp, "tx", "offered"), 5);
    CHECK_EQ_U(jint(rp, "tx", "delivered"), 5);
    CHECK_EQ_U(jint(rp, "rx", "offered"), 2);
    CHECK_EQ_U(jint(rp, "rx", "delivered"), 2);
    CHECK_EQ_U(jint(rp, "frames_ignored", NULL), 2);
    CHECK_STR(json_string_value(json_object_get(rp, "vm_mac")), "02:00:00:00:00:01");
    check_invariants(r, "filter", 9);
    json_decref(r);
    /* given as the VM, PEER sends the 4 frames from it; VM->PEER frames are RX */
    r = run("ws2-pc733", path, "timed", NULL, "replay.vm_mac=\"02:00:00:00:00:02\"", NULL);
    CHECK(r != NULL);
    if (r) {
        rp = json_object_get(r, "replay");
        CHECK_EQ_U(jint(rp, "tx", "offered"), 4);
        CHECK_EQ_U(jint(rp, "rx", "offered"), 5);
        CHECK_EQ_U(jint(rp, "frames_ignored", NULL), 0);
        json_decref(r);
    }
}

static void test_rx_overflow(void)
{
    /* 400 full-size frames to the VM back to back on a gigabit link (12.3 us apart):
     * more than the Workstation 2.0 path receives; some are lost, all are accounted */
    char path[300];
    snprintf(path, sizeof path, "%s/burst.pcap", tmpdir);
    FILE *fp = new_pcap(path);
    if (!fp) {
        CHECK(0);
        return;
    }
    uint64_t t = 2000000000000ull;
    rec(fp, t, PEER, VM, 60); /* the VM's address is the first source */
    for (int i = 0; i < 400; i++)
        rec(fp, t += 12304, VM, PEER, 1514);
    fclose(fp);
    json_t *r = run("ws2-pc733", path, "timed", NULL, "replay.vm_mac=\"02:00:00:00:00:01\"",
                    "link.rate_mbps=1000");
    CHECK(r != NULL);
    if (!r)
        return;
    check_invariants(r, "burst", 401);
    json_t *rp = json_object_get(r, "replay");
    json_int_t lost = jint(rp, "rx", "dropped_vnic") + jint(rp, "rx", "dropped_host");
    printf("# burst of 400 RX frames at gigabit line rate on ws2-pc733: delivered %lld, dropped_vnic %lld, "
           "dropped_host %lld\n", (long long)jint(rp, "rx", "delivered"),
           (long long)jint(rp, "rx", "dropped_vnic"), (long long)jint(rp, "rx", "dropped_host"));
    CHECKF(lost > 0, "a line-rate burst overflows the hosted receive path");
    json_decref(r);
    /* afap never drops for pacing */
    r = run("ws2-pc733", path, "afap", NULL, "replay.vm_mac=\"02:00:00:00:00:01\"",
            "link.rate_mbps=1000");
    CHECK(r != NULL);
    if (r) {
        rp = json_object_get(r, "replay");
        CHECK_EQ_U(jint(rp, "rx", "delivered"), 400);
        check_invariants(r, "burst afap", 401);
        json_decref(r);
    }
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_committed();
    test_filter();
    test_rx_overflow();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_report("test_replay");
}
