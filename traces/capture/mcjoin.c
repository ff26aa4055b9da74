/*
 * mcjoin: a tiny guest-side helper for the `multicast` capture scenario.
 *
 * Busybox's `ip` can neither join IPv4 multicast groups (no `maddr` object) nor set
 * IFF_ALLMULTI, so this program drives the receive-mode changes the recording needs.
 * Every step that changes the interface's multicast list or flags makes the kernel call
 * the driver's ndo_set_rx_mode (pcnet32_set_multicast_list), so the QEMU trace shows one
 * CSR5-suspend / CSR15 / CSR8-11 / resume sequence per step when the steps are spaced.
 *
 * Built statically into the capture initramfs (gcc -static -Os); it is not part of the
 * simulator library (the Makefile only compiles traces/ *.c one level deep).
 *
 * Usage: mcjoin IFNAME STEP...
 *   join:A.B.C.D     IP_ADD_MEMBERSHIP on a UDP socket held open for the whole run
 *   leave:A.B.C.D    IP_DROP_MEMBERSHIP
 *   send:A.B.C.D     send one small UDP datagram (port 5000) to the group (TTL 1)
 *   pjoin:MAC        PACKET_ADD_MEMBERSHIP (PACKET_MR_MULTICAST) on a packet socket
 *   pleave:MAC       PACKET_DROP_MEMBERSHIP
 *   allmulti:on|off  set/clear IFF_ALLMULTI with SIOCSIFFLAGS
 *   promisc:on|off   set/clear IFF_PROMISC with SIOCSIFFLAGS
 *   sleep:MS         pause MS milliseconds
 *   show             print the interface flags
 * Each step prints "mcjoin: <step> ok" (or an error and exit status 1) on stdout, so the
 * guest console, which the capture records, marks where each change happened.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *ifname;
static unsigned ifindex;
static int udp_fd = -1;
static int pkt_fd = -1;

static int fail(const char *step, const char *what)
{
    printf("mcjoin: %s failed: %s: %s\n", step, what, strerror(errno));
    fflush(stdout);
    return 1;
}

static int parse_ipv4(const char *s, struct in_addr *a)
{
    return inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 0xff)
            return -1;
        mac[i] = (unsigned char)v[i];
    }
    return 0;
}

static int group_op(const char *step, const char *arg, int opt)
{
    struct ip_mreqn mr;
    memset(&mr, 0, sizeof mr);
    if (parse_ipv4(arg, &mr.imr_multiaddr) != 0) {
        printf("mcjoin: %s: bad IPv4 address '%s'\n", step, arg);
        return 1;
    }
    mr.imr_ifindex = (int)ifindex;
    if (setsockopt(udp_fd, IPPROTO_IP, opt, &mr, sizeof mr) != 0)
        return fail(step, "setsockopt");
    return 0;
}

static int send_op(const char *step, const char *arg)
{
    struct sockaddr_in to;
    static const char payload[] = "vnicsim multicast sample";
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(5000);
    if (parse_ipv4(arg, &to.sin_addr) != 0) {
        printf("mcjoin: %s: bad IPv4 address '%s'\n", step, arg);
        return 1;
    }
    if (sendto(udp_fd, payload, sizeof payload - 1, 0, (struct sockaddr *)&to, sizeof to) < 0)
        return fail(step, "sendto");
    return 0;
}

static int packet_op(const char *step, const char *arg, int opt)
{
    struct packet_mreq mr;
    memset(&mr, 0, sizeof mr);
    if (parse_mac(arg, mr.mr_address) != 0) {
        printf("mcjoin: %s: bad MAC '%s'\n", step, arg);
        return 1;
    }
    mr.mr_ifindex = (int)ifindex;
    mr.mr_type = PACKET_MR_MULTICAST;
    mr.mr_alen = 6;
    if (pkt_fd < 0) {
        /* protocol 0: the socket receives nothing, it only holds memberships */
        pkt_fd = socket(AF_PACKET, SOCK_RAW, 0);
        if (pkt_fd < 0)
            return fail(step, "socket(AF_PACKET)");
    }
    if (setsockopt(pkt_fd, SOL_PACKET, opt, &mr, sizeof mr) != 0)
        return fail(step, "setsockopt");
    return 0;
}

static int flag_op(const char *step, const char *arg, short flag)
{
    struct ifreq ifr;
    int on;
    if (strcmp(arg, "on") == 0)
        on = 1;
    else if (strcmp(arg, "off") == 0)
        on = 0;
    else {
        printf("mcjoin: %s: expected on or off\n", step);
        return 1;
    }
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ioctl(udp_fd, SIOCGIFFLAGS, &ifr) != 0)
        return fail(step, "SIOCGIFFLAGS");
    if (on)
        ifr.ifr_flags = (short)(ifr.ifr_flags | flag);
    else
        ifr.ifr_flags = (short)(ifr.ifr_flags & ~flag);
    if (ioctl(udp_fd, SIOCSIFFLAGS, &ifr) != 0)
        return fail(step, "SIOCSIFFLAGS");
    return 0;
}

static int show_op(const char *step)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ioctl(udp_fd, SIOCGIFFLAGS, &ifr) != 0)
        return fail(step, "SIOCGIFFLAGS");
    printf("mcjoin: flags 0x%04x%s%s\n", (unsigned)(unsigned short)ifr.ifr_flags,
           (ifr.ifr_flags & IFF_PROMISC) ? " PROMISC" : "",
           (ifr.ifr_flags & IFF_ALLMULTI) ? " ALLMULTI" : "");
    return 0;
}

static int sleep_op(const char *step, const char *arg)
{
    char *end;
    long ms = strtol(arg, &end, 10);
    struct timespec ts;
    if (*arg == '\0' || *end != '\0' || ms < 0 || ms > 60000) {
        printf("mcjoin: %s: bad milliseconds '%s'\n", step, arg);
        return 1;
    }
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    return 0;
}

static int run_step(const char *step)
{
    const char *colon = strchr(step, ':');
    const char *arg = colon ? colon + 1 : "";
    size_t n = colon ? (size_t)(colon - step) : strlen(step);
    int rc;

#define IS(name) (n == sizeof(name) - 1 && strncmp(step, name, n) == 0)
    if (IS("join"))
        rc = group_op(step, arg, IP_ADD_MEMBERSHIP);
    else if (IS("leave"))
        rc = group_op(step, arg, IP_DROP_MEMBERSHIP);
    else if (IS("send"))
        rc = send_op(step, arg);
    else if (IS("pjoin"))
        rc = packet_op(step, arg, PACKET_ADD_MEMBERSHIP);
    else if (IS("pleave"))
        rc = packet_op(step, arg, PACKET_DROP_MEMBERSHIP);
    else if (IS("allmulti"))
        rc = flag_op(step, arg, IFF_ALLMULTI);
    else if (IS("promisc"))
        rc = flag_op(step, arg, IFF_PROMISC);
    else if (IS("sleep"))
        return sleep_op(step, arg); /* not echoed: it would flood the console */
    else if (IS("show"))
        return show_op(step);
    else {
        printf("mcjoin: unknown step '%s'\n", step);
        return 1;
    }
#undef IS
    if (rc == 0)
        printf("mcjoin: %s ok\n", step);
    fflush(stdout);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mcjoin IFNAME STEP...\n"
                        "steps: join:GROUP leave:GROUP send:GROUP pjoin:MAC pleave:MAC\n"
                        "       allmulti:on|off promisc:on|off sleep:MS show\n");
        return 2;
    }
    ifname = argv[1];
    ifindex = if_nametoindex(ifname);
    if (ifindex == 0)
        return fail("start", ifname);
    udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (udp_fd < 0)
        return fail("start", "socket(AF_INET)");
    {
        unsigned char ttl = 1;
        struct ip_mreqn out;
        memset(&out, 0, sizeof out);
        out.imr_ifindex = (int)ifindex;
        if (setsockopt(udp_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
            setsockopt(udp_fd, IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof out) != 0)
            return fail("start", "multicast socket options");
    }
    for (int i = 2; i < argc; i++)
        if (run_step(argv[i]) != 0)
            return 1;
    /* closing the sockets here drops any membership still held: that is one more
     * set_rx_mode, which the scenario documents */
    if (pkt_fd >= 0)
        close(pkt_fd);
    close(udp_fd);
    printf("mcjoin: done\n");
    return 0;
}
