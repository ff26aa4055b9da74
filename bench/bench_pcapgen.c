/* bench_pcapgen: synthetic captures for the streaming pcap benchmark (issue 6).
 *
 *   bench_pcapgen                       benchmark the streaming reader (traces/pcapsrc.h):
 *                                       a generated capture of 128 MiB through a pipe into
 *                                       the reader; prints MB/s, frames/s and peak RSS
 *   bench_pcapgen --write BYTES [--rate-mbps R]
 *                                       write a capture of at least BYTES bytes to stdout
 *   bench_pcapgen --read FILE|- [--vm-mac MAC]
 *                                       read a capture with pcapsrc and print its counts and
 *                                       the peak RSS (the reader alone, without the model)
 *
 * The generated traffic is a TCP bulk transfer seen from the VM (02:00:0a:4d:00:01):
 * 1514-byte data frames to the peer (02:00:0a:4d:00:02) at R Mb/s of wire time (default
 * 50), a 66-byte ACK back for every second one, and every 512th frame an ARP broadcast
 * from another host (received) and a frame between two other hosts (ignored).
 * Nanosecond timestamps, Ethernet, snap length 65535. bench/b_pcap_stream.sh pipes
 * 1 GiB of it through `vnicsim run --pcap -` under /usr/bin/time -v.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "traces/dtrace.h"
#include "traces/pcapsrc.h"

static const uint8_t VM[6] = {0x02, 0x00, 0x0a, 0x4d, 0x00, 0x01};
static const uint8_t PEER[6] = {0x02, 0x00, 0x0a, 0x4d, 0x00, 0x02};
static const uint8_t OTHER1[6] = {0x02, 0x00, 0x0a, 0x4d, 0x00, 0x03};
static const uint8_t OTHER2[6] = {0x02, 0x00, 0x0a, 0x4d, 0x00, 0x04};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint16_t ip_csum(const uint8_t *h)
{
    uint32_t s = 0;
    for (int i = 0; i < 20; i += 2)
        s += (uint32_t)h[i] << 8 | h[i + 1];
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

typedef struct Gen {
    uint64_t t_ns, step_ns;
    uint64_t n;
    uint32_t seq, ack;
    uint16_t ip_id;
} Gen;

/* Ethernet + IPv4 + TCP between the VM (10.77.0.1:40000) and the peer (10.77.0.2:5001). */
static size_t tcp_frame(uint8_t *f, bool from_vm, uint32_t payload, Gen *g)
{
    memcpy(f, from_vm ? PEER : VM, 6);
    memcpy(f + 6, from_vm ? VM : PEER, 6);
    be16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    be16(ip + 2, (uint16_t)(20 + 32 + payload));
    be16(ip + 4, g->ip_id++);
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    uint8_t a[4] = {10, 77, 0, 1}, b[4] = {10, 77, 0, 2};
    memcpy(ip + 12, from_vm ? a : b, 4);
    memcpy(ip + 16, from_vm ? b : a, 4);
    be16(ip + 10, ip_csum(ip));
    uint8_t *tcp = ip + 20;
    memset(tcp, 0, 32);
    be16(tcp, from_vm ? 40000 : 5001);
    be16(tcp + 2, from_vm ? 5001 : 40000);
    be32(tcp + 4, from_vm ? g->seq : 1);
    be32(tcp + 8, from_vm ? 1 : g->ack);
    tcp[12] = 8 << 4;
    tcp[13] = 0x10; /* ACK */
    be16(tcp + 14, 502);
    tcp[20] = 1;
    tcp[21] = 1;
    tcp[22] = 8;
    tcp[23] = 10; /* timestamps option */
    uint8_t *pl = tcp + 32;
    for (uint32_t i = 0; i < payload; i++)
        pl[i] = (uint8_t)(g->seq + i);
    if (from_vm)
        g->seq += payload;
    return 14 + 20 + 32 + payload;
}

static size_t arp_frame(uint8_t *f)
{
    memcpy(f, BCAST, 6);
    memcpy(f + 6, OTHER1, 6);
    be16(f + 12, 0x0806);
    memset(f + 14, 0, 28);
    be16(f + 14, 1);
    be16(f + 16, 0x0800);
    f[18] = 6;
    f[19] = 4;
    be16(f + 20, 1);
    memcpy(f + 22, OTHER1, 6);
    return 42;
}

/* Writes one record; returns bytes written or 0 on error. */
static size_t put_record(FILE *out, uint64_t t_ns, const uint8_t *f, size_t len)
{
    uint8_t h[16];
    le32(h, (uint32_t)(t_ns / 1000000000u));
    le32(h + 4, (uint32_t)(t_ns % 1000000000u));
    le32(h + 8, (uint32_t)len);
    le32(h + 12, (uint32_t)len);
    if (fwrite(h, 1, 16, out) != 16 || fwrite(f, 1, len, out) != len)
        return 0;
    return 16 + len;
}

/* Generates at least `bytes` bytes of capture to out. 0 / -1 (write error). */
static int generate(FILE *out, uint64_t bytes, uint64_t rate_mbps)
{
    uint8_t fh[24] = {0};
    le32(fh, 0xa1b23c4du);
    fh[4] = 2;
    fh[6] = 4;
    le32(fh + 16, 65535);
    le32(fh + 20, 1);
    if (fwrite(fh, 1, 24, out) != 24)
        return -1;
    uint64_t written = 24;
    Gen g = {.t_ns = 1700000000ull * 1000000000ull, .seq = 1000, .ack = 1000};
    /* wire time of a 1514-byte frame (+ FCS, preamble, gap: 1538 B) at the rate */
    g.step_ns = 1538ull * 8 * 1000 / rate_mbps;
    static uint8_t f[1514];
    while (written < bytes) {
        size_t len = tcp_frame(f, true, 1448, &g);
        size_t w = put_record(out, g.t_ns, f, len);
        if (!w)
            return -1;
        written += w;
        g.n++;
        if (g.n % 2 == 0) {
            g.ack = g.seq;
            len = tcp_frame(f, false, 0, &g);
            if (!(w = put_record(out, g.t_ns + g.step_ns / 2, f, len)))
                return -1;
            written += w;
        }
        if (g.n % 512 == 0) {
            len = arp_frame(f);
            if (!(w = put_record(out, g.t_ns + 2 * g.step_ns / 3, f, len)))
                return -1;
            written += w;
            len = tcp_frame(f, true, 100, &g);
            memcpy(f, OTHER2, 6);
            memcpy(f + 6, OTHER1, 6);
            if (!(w = put_record(out, g.t_ns + 5 * g.step_ns / 6, f, len)))
                return -1;
            written += w;
        }
        g.t_ns += g.step_ns;
    }
    return fflush(out) == 0 ? 0 : -1;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads a capture with pcapsrc; prints counts. 0 / 1. */
static int read_capture(const char *path, const uint8_t *mac, bool quiet_timing)
{
    char err[PCAPSRC_ERR_MAX];
    double t0 = now_s();
    PcapsrcReader *r = pcapsrc_open(path, mac, err, sizeof err);
    if (!r) {
        fprintf(stderr, "bench_pcapgen: %s\n", err);
        return 1;
    }
    PcapsrcFrame f;
    int rc;
    uint64_t sum = 0;
    while ((rc = pcapsrc_next(r, &f)) == 1)
        sum += f.data[f.caplen - 1];
    double dt = now_s() - t0;
    if (rc < 0) {
        fprintf(stderr, "bench_pcapgen: %s\n", pcapsrc_error(r));
        pcapsrc_close(r);
        return 1;
    }
    if (pcapsrc_warning(r)[0])
        fprintf(stderr, "bench_pcapgen: warning: %s\n", pcapsrc_warning(r));
    const PcapsrcCounts *c = pcapsrc_counts(r);
    uint8_t m[6] = {0};
    pcapsrc_vm_mac(r, m);
    printf("read %s: %llu frames (tx %llu, rx %llu, ignored %llu), %llu frame bytes, VM MAC "
           "%02x:%02x:%02x:%02x:%02x:%02x (%s), checksum %llu\n",
           pcapsrc_path(r), (unsigned long long)c->frames_read, (unsigned long long)c->tx,
           (unsigned long long)c->rx, (unsigned long long)c->ignored, (unsigned long long)c->bytes,
           m[0], m[1], m[2], m[3], m[4], m[5], pcapsrc_mac_from_name(pcapsrc_mac_from(r)),
           (unsigned long long)sum);
    if (!quiet_timing)
        printf("reader: %.2f s, %.0f MB/s, %.0f frames/s, peak RSS %.1f MiB\n", dt,
               (double)c->bytes / dt / 1e6, (double)c->frames_read / dt,
               (double)peak_rss_kib() / 1024.0);
    pcapsrc_close(r);
    return 0;
}

static int self_bench(void)
{
    const uint64_t bytes = 128ull << 20;
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        FILE *out = fdopen(fds[1], "wb");
        int rc = out ? generate(out, bytes, 50) : -1;
        if (out)
            fclose(out);
        _exit(rc ? 1 : 0);
    }
    close(fds[1]);
    if (dup2(fds[0], 0) < 0) {
        perror("dup2");
        return 1;
    }
    close(fds[0]);
    printf("streaming reader, %llu MiB generated capture through a pipe:\n",
           (unsigned long long)(bytes >> 20));
    int rc = read_capture("-", VM, false);
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_pcapgen: generator failed\n");
        rc = 1;
    }
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_pcapgen [--write BYTES [--rate-mbps R] | --read FILE|- "
                    "[--vm-mac MAC]]\n");
}

int main(int argc, char **argv)
{
    if (argc == 1)
        return self_bench();
    const char *write_arg = NULL, *read_arg = NULL, *mac_arg = NULL;
    uint64_t rate = 50;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
            write_arg = argv[++i];
        } else if (strcmp(argv[i], "--read") == 0 && i + 1 < argc) {
            read_arg = argv[++i];
        } else if (strcmp(argv[i], "--vm-mac") == 0 && i + 1 < argc) {
            mac_arg = argv[++i];
        } else if (strcmp(argv[i], "--rate-mbps") == 0 && i + 1 < argc) {
            char *end;
            rate = strtoull(argv[++i], &end, 10);
            if (*end || rate == 0) {
                fprintf(stderr, "bench_pcapgen: --rate-mbps: a positive integer is needed\n");
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    if (!!write_arg == !!read_arg) {
        usage();
        return 2;
    }
    if (write_arg) {
        char *end;
        double v = strtod(write_arg, &end);
        uint64_t mult = 1;
        if (*end == 'K' || *end == 'k')
            mult = 1ull << 10, end++;
        else if (*end == 'M' || *end == 'm')
            mult = 1ull << 20, end++;
        else if (*end == 'G' || *end == 'g')
            mult = 1ull << 30, end++;
        if (*end || v <= 0) {
            fprintf(stderr, "bench_pcapgen: --write %s: a size like 1G, 500M or 123456 is "
                            "needed\n", write_arg);
            return 2;
        }
        signal(SIGPIPE, SIG_IGN);
        static char buf[1 << 16];
        setvbuf(stdout, buf, _IOFBF, sizeof buf);
        if (generate(stdout, (uint64_t)(v * (double)mult), rate) != 0) {
            fprintf(stderr, "bench_pcapgen: write error: %s\n", strerror(errno));
            return 1;
        }
        return 0;
    }
    uint8_t mac[6];
    if (mac_arg && dtrace_parse_mac(mac_arg, mac) != 0) {
        fprintf(stderr, "bench_pcapgen: --vm-mac %s: not a MAC address\n", mac_arg);
        return 2;
    }
    return read_capture(read_arg, mac_arg ? mac : NULL, false);
}
