/* pcapout: nanosecond pcap writer for the simulated wire; see pcapout.h. */
#include "traces/pcapout.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct PcapoutWriter {
    pcap_t *dead;
    pcap_dumper_t *dump;
    char *path, *tmp;
    uint64_t records;
    bool failed;
    char err[512];
};

PcapoutWriter *pcapout_open(const char *path, char *err, size_t errlen)
{
    if (!path || !path[0] || strcmp(path, "-") == 0) {
        snprintf(err, errlen, "wire pcap: a file name is needed (standard output is not supported)");
        return NULL;
    }
    PcapoutWriter *w = calloc(1, sizeof *w);
    size_t n = strlen(path) + 32;
    if (!w || !(w->path = strdup(path)) || !(w->tmp = malloc(n))) {
        snprintf(err, errlen, "%s: out of memory", path);
        if (w)
            free(w->path);
        free(w);
        return NULL;
    }
    snprintf(w->tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(w->tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file next to it: %s", path,
                 strerror(errno));
        goto fail;
    }
    /* mkstemp makes the file 0600; give it the mode a plain create would */
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0) {
        /* not fatal: the file stays private */
    }
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", w->tmp, strerror(errno));
        close(fd);
        unlink(w->tmp);
        goto fail;
    }
    w->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, PCAPOUT_SNAPLEN,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!w->dead) {
        snprintf(err, errlen, "%s: libpcap: cannot make a capture handle", path);
        fclose(fp);
        unlink(w->tmp);
        goto fail;
    }
    w->dump = pcap_dump_fopen(w->dead, fp);
    if (!w->dump) {
        snprintf(err, errlen, "%s: libpcap: %s", w->tmp, pcap_geterr(w->dead));
        fclose(fp);
        unlink(w->tmp);
        pcap_close(w->dead);
        goto fail;
    }
    return w;
fail:
    free(w->tmp);
    free(w->path);
    free(w);
    return NULL;
}

int pcapout_write(PcapoutWriter *w, uint64_t t_ns, const uint8_t *data, uint32_t caplen,
                  uint32_t len)
{
    if (w->failed)
        return -1;
    if (len < caplen)
        len = caplen;
    if (caplen > PCAPOUT_SNAPLEN)
        caplen = PCAPOUT_SNAPLEN;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = (time_t)(t_ns / 1000000000u);
    h.ts.tv_usec = (suseconds_t)(t_ns % 1000000000u); /* nanoseconds: NANO precision */
    h.caplen = caplen;
    h.len = len;
    pcap_dump((u_char *)w->dump, &h, data);
    w->records++;
    FILE *fp = pcap_dump_file(w->dump);
    if (fp && ferror(fp)) {
        snprintf(w->err, sizeof w->err, "%s: write error after %llu records", w->tmp,
                 (unsigned long long)w->records);
        w->failed = true;
        return -1;
    }
    return 0;
}

uint64_t pcapout_records(const PcapoutWriter *w) { return w->records; }
const char *pcapout_temp_path(const PcapoutWriter *w) { return w->tmp; }

static void writer_free(PcapoutWriter *w)
{
    free(w->tmp);
    free(w->path);
    free(w);
}

int pcapout_close(PcapoutWriter *w, char *err, size_t errlen)
{
    int rc = 0;
    if (pcap_dump_flush(w->dump) != 0 && !w->failed) {
        snprintf(w->err, sizeof w->err, "%s: write error: %s", w->tmp, strerror(errno));
        w->failed = true;
    }
    FILE *fp = pcap_dump_file(w->dump);
    if (!w->failed && fp && fsync(fileno(fp)) != 0 && errno != EINVAL && errno != EROFS) {
        snprintf(w->err, sizeof w->err, "%s: fsync: %s", w->tmp, strerror(errno));
        w->failed = true;
    }
    if (fp && ferror(fp) && !w->failed) {
        snprintf(w->err, sizeof w->err, "%s: write error", w->tmp);
        w->failed = true;
    }
    pcap_dump_close(w->dump); /* closes the stream */
    pcap_close(w->dead);
    if (!w->failed && rename(w->tmp, w->path) != 0) {
        snprintf(w->err, sizeof w->err, "%s: cannot rename %s into place: %s", w->path, w->tmp,
                 strerror(errno));
        w->failed = true;
    }
    if (w->failed) {
        unlink(w->tmp);
        snprintf(err, errlen, "%s", w->err);
        rc = -1;
    }
    writer_free(w);
    return rc;
}

void pcapout_abort(PcapoutWriter *w)
{
    if (!w)
        return;
    pcap_dump_close(w->dump);
    pcap_close(w->dead);
    unlink(w->tmp);
    writer_free(w);
}
