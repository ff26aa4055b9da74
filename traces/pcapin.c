/* pcapin: pcap input for conform; see pcapin.h. */
#include "traces/pcapin.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct PcapinReader {
    pcap_t *p;
    char *path;
    unsigned count;
    char err[PCAP_ERRBUF_SIZE + 512];
};

PcapinReader *pcapin_open(const char *path, char *err, size_t errlen)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    fclose(probe);
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    if (!p) {
        snprintf(err, errlen, "%s: not a readable pcap file: %s", path, eb);
        return NULL;
    }
    int dlt = pcap_datalink(p);
    if (dlt != DLT_EN10MB) {
        const char *nm = pcap_datalink_val_to_name(dlt);
        snprintf(err, errlen, "%s: link type %d (%s) is not Ethernet (DLT_EN10MB)", path, dlt,
                 nm ? nm : "unknown");
        pcap_close(p);
        return NULL;
    }
    PcapinReader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(r);
        pcap_close(p);
        return NULL;
    }
    r->p = p;
    return r;
}

int pcapin_next(PcapinReader *r, PcapinFrame *f)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(r->p, &h, &data);
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (rc != 1) {
        snprintf(r->err, sizeof r->err, "%s: packet %u: %s", r->path, r->count + 1, pcap_geterr(r->p));
        return -1;
    }
    r->count++;
    if (h->caplen < h->len) {
        snprintf(r->err, sizeof r->err, "%s: packet %u: captured %u of %u bytes (snap length too short)",
                 r->path, r->count, h->caplen, h->len);
        return -1;
    }
    if (h->caplen < 14 || h->caplen > PCAPIN_FRAME_MAX) {
        snprintf(r->err, sizeof r->err, "%s: packet %u: length %u is not an Ethernet frame",
                 r->path, r->count, h->caplen);
        return -1;
    }
    f->t_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
    f->len = h->caplen;
    f->data = (uint8_t *)data;
    f->from_vm = false;
    f->index = r->count;
    return 1;
}

const char *pcapin_error(const PcapinReader *r) { return r->err; }

void pcapin_close(PcapinReader *r)
{
    if (!r)
        return;
    pcap_close(r->p);
    free(r->path);
    free(r);
}

void pcapin_frames_free(PcapinFrames *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++)
        free(fs->v[i].data);
    free(fs->v);
    fs->v = NULL;
    fs->n = 0;
}

int pcapin_load(const char *path, PcapinFrames *out, char *err, size_t errlen)
{
    out->v = NULL;
    out->n = 0;
    PcapinReader *r = pcapin_open(path, err, errlen);
    if (!r)
        return -1;
    size_t cap = 0;
    PcapinFrame f;
    int rc;
    while ((rc = pcapin_next(r, &f)) > 0) {
        if (out->n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            PcapinFrame *nv = realloc(out->v, nc * sizeof *nv);
            if (!nv)
                goto oom;
            out->v = nv;
            cap = nc;
        }
        uint8_t *copy = malloc(f.len);
        if (!copy)
            goto oom;
        memcpy(copy, f.data, f.len);
        f.data = copy;
        out->v[out->n++] = f;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", pcapin_error(r));
        pcapin_close(r);
        pcapin_frames_free(out);
        return -1;
    }
    pcapin_close(r);
    return 0;
oom:
    snprintf(err, errlen, "%s: out of memory", path);
    pcapin_close(r);
    pcapin_frames_free(out);
    return -1;
}

int pcapin_guess_mac(const PcapinFrames *fs, uint8_t mac[6])
{
    /* A guest announces itself first (ARP, MLD, DHCP): the source of the first frame
     * sent to a group address, from a unicast source, is the VM. */
    for (size_t i = 0; i < fs->n; i++) {
        const uint8_t *d = fs->v[i].data, *s = d + 6;
        if ((d[0] & 1) && !(s[0] & 1)) {
            memcpy(mac, s, 6);
            return 0;
        }
    }
    /* otherwise the most frequent unicast source */
    enum { SLOTS = 64 };
    uint8_t src[SLOTS][6];
    size_t cnt[SLOTS] = {0}, ns = 0;
    for (size_t i = 0; i < fs->n; i++) {
        const uint8_t *s = fs->v[i].data + 6;
        if (s[0] & 1)
            continue;
        size_t k;
        for (k = 0; k < ns && memcmp(src[k], s, 6) != 0; k++)
            ;
        if (k == ns) {
            if (ns == SLOTS)
                continue;
            memcpy(src[ns++], s, 6);
        }
        cnt[k]++;
    }
    if (!ns)
        return -1;
    size_t best = 0;
    for (size_t k = 1; k < ns; k++)
        if (cnt[k] > cnt[best])
            best = k;
    memcpy(mac, src[best], 6);
    return 0;
}

size_t pcapin_mark_direction(PcapinFrames *fs, const uint8_t mac[6])
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++) {
        fs->v[i].from_vm = memcmp(fs->v[i].data + 6, mac, 6) == 0;
        n += fs->v[i].from_vm;
    }
    return n;
}
