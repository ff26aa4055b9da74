/* pcapsrc: streaming pcap source for replay; see pcapsrc.h. */
#include "traces/pcapsrc.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HDR 14

struct PcapsrcReader {
    pcap_t *p;
    char *path;
    bool is_stdin;
    bool has_mac;
    uint8_t mac[6];
    PcapsrcMacFrom mac_from;
    PcapsrcAcceptFn accepts;
    void *accepts_opaque;
    uint64_t records;     /* records read (including ones that failed) */
    bool ended;
    PcapsrcCounts counts;
    char err[PCAPSRC_ERR_MAX];
    char warn[PCAPSRC_ERR_MAX];
};

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

/* Opens path ("-": stdin) with nanosecond timestamps and checks the link type. */
static pcap_t *open_capture(const char *path, char *err, size_t errlen)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    const char *name = display_name(path);
    FILE *fp;
    if (strcmp(path, "-") == 0) {
        fp = stdin;
    } else {
        fp = fopen(path, "rb");
        if (!fp) {
            snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
            return NULL;
        }
    }
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, eb);
    if (!p) {
        /* libpcap leaves the stream open when it fails */
        if (fp != stdin)
            fclose(fp);
        snprintf(err, errlen, "%s: not a readable pcap or pcapng capture: %s", name,
                 eb[0] ? eb : "unknown format");
        return NULL;
    }
    int dlt = pcap_datalink(p);
    if (dlt != DLT_EN10MB) {
        const char *nm = pcap_datalink_val_to_name(dlt);
        snprintf(err, errlen, "%s: link type %d (%s) is not Ethernet (DLT_EN10MB, 1)", name, dlt,
                 nm ? nm : "unknown");
        pcap_close(p);
        return NULL;
    }
    return p;
}

/* One raw record: 1 ok, 0 end, 2 last record cut short (msg in warn), -1 error. */
static int read_record(pcap_t *p, const char *name, uint64_t recno, struct pcap_pkthdr **h,
                       const u_char **data, char *msg, size_t msglen)
{
    int rc = pcap_next_ex(p, h, data);
    if (rc == 1)
        return 1;
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    FILE *fp = pcap_file(p);
    if (fp && feof(fp) && !ferror(fp)) {
        snprintf(msg, msglen, "%s: record %llu cut short at the end of the capture (%s); "
                 "using the %llu records before it", name, (unsigned long long)recno,
                 pcap_geterr(p), (unsigned long long)(recno - 1));
        return 2;
    }
    snprintf(msg, msglen, "%s: record %llu: corrupt capture: %s", name, (unsigned long long)recno,
             pcap_geterr(p));
    return -1;
}

/* ---- most frequent source ------------------------------------------------- */

typedef struct MacSlot {
    uint64_t key;    /* MAC + 1 (0 = empty) */
    uint64_t count;
    uint64_t first;  /* record where first seen */
} MacSlot;

static uint64_t mac_key(const uint8_t *m)
{
    uint64_t k = 0;
    for (int i = 0; i < 6; i++)
        k = (k << 8) | m[i];
    return k + 1;
}

static size_t mac_hash(uint64_t k, size_t mask)
{
    k ^= k >> 29;
    k *= 0xbf58476d1ce4e5b9ull;
    k ^= k >> 32;
    return (size_t)k & mask;
}

typedef struct MacTable {
    MacSlot *v;
    size_t cap, n;
} MacTable;

static int mac_table_add(MacTable *t, uint64_t key, uint64_t recno)
{
    if (2 * (t->n + 1) > t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 64;
        MacSlot *nv = calloc(nc, sizeof *nv);
        if (!nv)
            return -1;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].key)
                continue;
            size_t j = mac_hash(t->v[i].key, nc - 1);
            while (nv[j].key)
                j = (j + 1) & (nc - 1);
            nv[j] = t->v[i];
        }
        free(t->v);
        t->v = nv;
        t->cap = nc;
    }
    size_t j = mac_hash(key, t->cap - 1);
    while (t->v[j].key && t->v[j].key != key)
        j = (j + 1) & (t->cap - 1);
    if (!t->v[j].key) {
        t->v[j].key = key;
        t->v[j].first = recno;
        t->n++;
    }
    t->v[j].count++;
    return 0;
}

int pcapsrc_most_frequent_source(const char *path, uint8_t mac[6], char *err, size_t errlen)
{
    pcap_t *p = open_capture(path, err, errlen);
    if (!p)
        return -1;
    const char *name = display_name(path);
    MacTable t = {0};
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t recno = 0;
    int rc;
    char msg[PCAPSRC_ERR_MAX];
    while ((rc = read_record(p, name, recno + 1, &h, &data, msg, sizeof msg)) == 1) {
        recno++;
        if (h->caplen < 12)
            continue; /* reported by the reading pass */
        if (mac_table_add(&t, mac_key(data + 6), recno) != 0) {
            snprintf(err, errlen, "%s: out of memory", name);
            free(t.v);
            pcap_close(p);
            return -1;
        }
    }
    pcap_close(p);
    if (rc < 0) {
        snprintf(err, errlen, "%s", msg);
        free(t.v);
        return -1;
    }
    const MacSlot *best = NULL;
    for (size_t i = 0; i < t.cap; i++) {
        const MacSlot *s = &t.v[i];
        if (s->key && (!best || s->count > best->count ||
                       (s->count == best->count && s->first < best->first)))
            best = s;
    }
    if (!best) {
        snprintf(err, errlen, "%s: no frames: cannot tell the VM's MAC address", name);
        free(t.v);
        return 1;
    }
    uint64_t k = best->key - 1;
    for (int i = 5; i >= 0; i--, k >>= 8)
        mac[i] = (uint8_t)k;
    free(t.v);
    return 0;
}

/* ---- reader ----------------------------------------------------------------- */

PcapsrcReader *pcapsrc_open(const char *path, const uint8_t *vm_mac, char *err, size_t errlen)
{
    bool is_stdin = strcmp(path, "-") == 0;
    uint8_t mac[6];
    PcapsrcMacFrom from = PCAPSRC_MAC_GIVEN;
    bool has_mac = false;
    if (vm_mac) {
        memcpy(mac, vm_mac, 6);
        has_mac = true;
    } else if (!is_stdin) {
        int rc = pcapsrc_most_frequent_source(path, mac, err, errlen);
        if (rc < 0)
            return NULL;
        /* a capture without frames: no MAC (pcapsrc_vm_mac() says so) */
        from = rc == 0 ? PCAPSRC_MAC_MOST_FREQUENT : PCAPSRC_MAC_NONE;
        has_mac = rc == 0;
        err[0] = 0;
    } else {
        from = PCAPSRC_MAC_FIRST_FRAME;
    }
    pcap_t *p = open_capture(path, err, errlen);
    if (!p)
        return NULL;
    PcapsrcReader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(display_name(path)))) {
        snprintf(err, errlen, "%s: out of memory", display_name(path));
        free(r);
        pcap_close(p);
        return NULL;
    }
    r->p = p;
    r->is_stdin = is_stdin;
    r->has_mac = has_mac;
    if (has_mac)
        memcpy(r->mac, mac, 6);
    r->mac_from = from;
    return r;
}

static PcapsrcDir classify(PcapsrcReader *r, const uint8_t *d)
{
    if (memcmp(d + 6, r->mac, 6) == 0)
        return PCAPSRC_TX;
    if (!(d[0] & 1))
        return memcmp(d, r->mac, 6) == 0 ? PCAPSRC_RX : PCAPSRC_IGNORED;
    if (!r->accepts)
        return PCAPSRC_RX;
    return r->accepts(r->accepts_opaque, d) ? PCAPSRC_RX : PCAPSRC_IGNORED;
}

int pcapsrc_next(PcapsrcReader *r, PcapsrcFrame *f)
{
    if (r->ended)
        return 0;
    if (r->err[0])
        return -1;
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t recno = r->records + 1;
    int rc = read_record(r->p, r->path, recno, &h, &data, r->err, sizeof r->err);
    if (rc == 0 || rc == 2) {
        if (rc == 2) {
            memcpy(r->warn, r->err, sizeof r->warn);
            r->err[0] = 0;
        }
        r->ended = true;
        return 0;
    }
    if (rc < 0)
        return -1;
    r->records = recno;
    if (h->caplen < ETH_HDR) {
        snprintf(r->err, sizeof r->err, "%s: record %llu: only %u bytes captured; an Ethernet "
                 "header needs %d", r->path, (unsigned long long)recno, h->caplen, ETH_HDR);
        return -1;
    }
    if (h->len < h->caplen) {
        snprintf(r->err, sizeof r->err, "%s: record %llu: corrupt capture: original length %u "
                 "is shorter than the %u bytes captured", r->path, (unsigned long long)recno,
                 h->len, h->caplen);
        return -1;
    }
    if (!r->has_mac) {
        memcpy(r->mac, data + 6, 6);
        r->has_mac = true;
    }
    f->t_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
    f->caplen = h->caplen;
    f->len = h->len;
    f->data = data;
    f->index = recno;
    f->dir = classify(r, data);
    PcapsrcCounts *c = &r->counts;
    c->frames_read++;
    c->tx += f->dir == PCAPSRC_TX;
    c->rx += f->dir == PCAPSRC_RX;
    c->ignored += f->dir == PCAPSRC_IGNORED;
    c->truncated += h->caplen < h->len;
    c->bytes += h->len;
    return 1;
}

const char *pcapsrc_error(const PcapsrcReader *r) { return r->err; }
const char *pcapsrc_warning(const PcapsrcReader *r) { return r->warn; }

void pcapsrc_set_filter(PcapsrcReader *r, PcapsrcAcceptFn fn, void *opaque)
{
    r->accepts = fn;
    r->accepts_opaque = opaque;
}

bool pcapsrc_vm_mac(const PcapsrcReader *r, uint8_t mac[6])
{
    if (!r->has_mac)
        return false;
    memcpy(mac, r->mac, 6);
    return true;
}

PcapsrcMacFrom pcapsrc_mac_from(const PcapsrcReader *r) { return r->mac_from; }

const char *pcapsrc_mac_from_name(PcapsrcMacFrom f)
{
    switch (f) {
    case PCAPSRC_MAC_GIVEN: return "given";
    case PCAPSRC_MAC_MOST_FREQUENT: return "most-frequent-source";
    case PCAPSRC_MAC_FIRST_FRAME: return "first-frame";
    case PCAPSRC_MAC_NONE: return "none";
    }
    return "?";
}

const PcapsrcCounts *pcapsrc_counts(const PcapsrcReader *r) { return &r->counts; }
const char *pcapsrc_path(const PcapsrcReader *r) { return r->path; }

void pcapsrc_close(PcapsrcReader *r)
{
    if (!r)
        return;
    pcap_close(r->p);
    free(r->path);
    free(r);
}
