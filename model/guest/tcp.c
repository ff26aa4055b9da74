/* tcp: guest TCP sender and nettest (see tcp.h). */
#include "model/guest/tcp.h"

#include <stdlib.h>
#include <string.h>

#include "model/sys.h"
#include "model/tlhook.h"

#define TCP_RING_MIN 64
#define TCP_CWND_MAX ((uint64_t)1 << 40)

uint32_t tcp_mss(int64_t mtu, bool timestamps)
{
    int64_t m = mtu - 40 - (timestamps ? 12 : 0);
    return m < 1 ? 1 : (uint32_t)m;
}

int tcp_init(Sys *s)
{
    Tcp *t = &s->tcp;
    memset(t, 0, sizeof *t);
    bool ts = cfg_bool(s->cfg, CFG_TCP_TIMESTAMPS);
    t->mss = tcp_mss(cfg_int(s->cfg, CFG_LINK_MTU_BYTES), ts);
    t->hdr_len = 20 + (ts ? 12 : 0);
    t->sndbuf = (uint64_t)cfg_int(s->cfg, CFG_GUEST_SNDBUF_BYTES);
    t->nagle = cfg_bool(s->cfg, CFG_TCP_NAGLE);
    t->cwnd = (uint64_t)cfg_int(s->cfg, CFG_TCP_INITIAL_CWND);
    t->ssthresh = TCP_CWND_MAX;
    t->cwnd_clamp = 0xFFFF; /* snd_cwnd_clamp */
    t->rwnd = (uint64_t)cfg_int(s->cfg, CFG_PEER_RCV_WINDOW_BYTES);
    t->app_left = (uint64_t)cfg_int(s->cfg, CFG_WORKLOAD_BYTES);
    t->send_bytes = (uint64_t)cfg_int(s->cfg, CFG_WORKLOAD_SEND_BYTES);
    /* The write queue holds at most sndbuf bytes; every segment but the last of
     * a send() call holds at least min(send size, MSS) bytes. */
    uint64_t min_seg = t->send_bytes < t->mss ? t->send_bytes : t->mss;
    uint64_t cap = t->sndbuf / (min_seg ? min_seg : 1) * 2 + 4;
    if (cap > (1u << 22))
        cap = 1u << 22;
    if (cap < TCP_RING_MIN)
        cap = TCP_RING_MIN;
    t->cap = (unsigned)cap;
    t->ring = calloc(t->cap, sizeof *t->ring);
    return t->ring ? 0 : -1;
}

void tcp_free(Sys *s)
{
    free(s->tcp.ring);
    s->tcp.ring = NULL;
}

static TcpSeg *seg_at(Tcp *t, unsigned i)
{
    return &t->ring[(t->head + i) % t->cap];
}

bool tcp_task_runnable(const Sys *s)
{
    const Tcp *t = &s->tcp;
    return !t->blocked && (t->call_left > 0 || t->app_left > 0);
}

SimTime tcp_seg_send_time(const Sys *s, uint64_t seq)
{
    const Tcp *t = &s->tcp;
    for (unsigned i = 0; i < t->count; i++) {
        const TcpSeg *g = &t->ring[(t->head + i) % t->cap];
        if (g->seq == seq)
            return g->t_send;
        if (g->seq > seq)
            break;
    }
    return 0;
}

size_t tcp_build_frame(uint8_t *b, const uint8_t dst[6], const uint8_t src[6], uint64_t seq,
                       uint64_t ack, uint32_t window, uint32_t hdr_len, uint32_t payload,
                       bool has_ack)
{
    size_t len = 14 + 20 + hdr_len + payload;
    memset(b, 0, 14 + 20 + hdr_len);
    memcpy(b, dst, 6);
    memcpy(b + 6, src, 6);
    b[12] = 0x08; b[13] = 0x00;
    uint8_t *ip = b + 14;
    uint32_t tot = 20 + hdr_len + payload;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8); ip[3] = (uint8_t)tot;
    ip[8] = 64; ip[9] = 6;
    ip[12] = 10; ip[15] = 1;  /* 10.0.0.1 -> 10.0.0.2 (or back) */
    ip[16] = 10; ip[19] = 2;
    uint8_t *tcp = ip + 20;
    tcp[0] = 0x80; tcp[1] = 0x00; tcp[2] = 0x13; tcp[3] = 0x89;
    uint32_t s32 = (uint32_t)seq, a32 = (uint32_t)ack;
    tcp[4] = (uint8_t)(s32 >> 24); tcp[5] = (uint8_t)(s32 >> 16); tcp[6] = (uint8_t)(s32 >> 8); tcp[7] = (uint8_t)s32;
    tcp[8] = (uint8_t)(a32 >> 24); tcp[9] = (uint8_t)(a32 >> 16); tcp[10] = (uint8_t)(a32 >> 8); tcp[11] = (uint8_t)a32;
    tcp[12] = (uint8_t)((hdr_len / 4) << 4);
    tcp[13] = has_ack ? 0x10 : 0x00;
    uint32_t w = window > 0xFFFF ? 0xFFFF : window;
    tcp[14] = (uint8_t)(w >> 8); tcp[15] = (uint8_t)w;
    if (hdr_len >= 32) { /* NOP NOP TS(10) */
        tcp[20] = 1; tcp[21] = 1; tcp[22] = 8; tcp[23] = 10;
    }
    return len;
}

int tcp_parse_frame(const uint8_t *b, size_t len, TcpFrameInfo *o)
{
    if (len < 14 + 20 + 20 || b[12] != 0x08 || b[13] != 0x00)
        return -1;
    const uint8_t *ip = b + 14;
    if ((ip[0] >> 4) != 4 || ip[9] != 6)
        return -1;
    unsigned ihl = (ip[0] & 15u) * 4, tot = ((unsigned)ip[2] << 8) | ip[3];
    if (ihl < 20 || tot < ihl + 20 || 14 + (size_t)tot > len)
        return -1;
    const uint8_t *tcp = ip + ihl;
    unsigned thl = (unsigned)(tcp[12] >> 4) * 4;
    if (thl < 20 || ihl + thl > tot)
        return -1;
    o->seq = ((uint32_t)tcp[4] << 24) | ((uint32_t)tcp[5] << 16) | ((uint32_t)tcp[6] << 8) | tcp[7];
    o->ack = ((uint32_t)tcp[8] << 24) | ((uint32_t)tcp[9] << 16) | ((uint32_t)tcp[10] << 8) | tcp[11];
    o->ack_flag = (tcp[13] & 0x10) != 0;
    o->window = ((uint32_t)tcp[14] << 8) | tcp[15];
    o->payload = tot - ihl - thl;
    return 0;
}

/* Output one segment through IP and the driver. Returns false when the driver's
 * queue is stopped (the segment stays queued). */
static bool output_segment(Sys *s, TcpSeg *g)
{
    Tcp *t = &s->tcp;
    uint8_t *frame = t->frame;
    if (t->driver_stopped || pcnet32_queue_stopped(s->drv)) {
        t->driver_stopped = true;
        return false;
    }
    vmm_guest_code(s, s->costs.guest_segment);
    if (s->tl) { /* timeline: the segment's journey starts here */
        s->tl_flow = tlhook_seg_id(g->seq + g->len);
        tlhook_cpu_flow(s, s->tl_flow, TIMELINE_FLOW_START);
    }
    vmm_priv_insns(s, COST_PRIV_PER_TX_SEGMENT);
    size_t len = tcp_build_frame(frame, s->peer_mac, s->guest_mac, g->seq, 0,
                                 65535, t->hdr_len, g->len, true);
    bool if_prev = guest_set_if(s, false); /* spin_lock_irqsave in start_xmit */
    int r = pcnet32_start_xmit(s->drv, frame, len, g->seq);
    guest_set_if(s, if_prev);             /* spin_unlock_irqrestore */
    s->tl_flow = 0;
    sys_drv_done(s);
    if (r != 0) {
        t->driver_stopped = true;
        return false;
    }
    g->sent = true;
    t->snd_nxt = g->seq + g->len;
    s->n.tx_segments++;
    if (pcnet32_queue_stopped(s->drv))
        t->driver_stopped = true;
    return true;
}

/* Sent, unacknowledged segments (Linux 2.2 packets_out). */
static unsigned in_flight(const Tcp *t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->count; i++) {
        const TcpSeg *g = &t->ring[(t->head + i) % t->cap];
        if (!g->sent)
            break;
        n++;
    }
    return n;
}

/* Linux 2.2 tcp_snd_test: the segment must fit the peer's window and the
 * congestion window (in packets); Nagle holds a segment shorter than half an MSS
 * while packets are out, except the last one, which carries the FIN (nettest
 * closes the socket after its last send()). */
void tcp_push(Sys *s)
{
    Tcp *t = &s->tcp;
    unsigned out = in_flight(t);
    for (unsigned i = out; i < t->count; i++) {
        TcpSeg *g = seg_at(t, i);
        if (g->seq + g->len > t->snd_una + t->rwnd || out >= t->cwnd)
            break;
        bool fin = t->app_left == 0 && t->call_left == 0 && i + 1 == t->count;
        if (t->nagle && g->len < t->mss / 2 && out > 0 && !fin)
            break;
        if (!output_segment(s, g))
            break;
        out++;
    }
}

void tcp_task_step(Sys *s)
{
    Tcp *t = &s->tcp;
    Cpu *c = &s->cpu;
    if (t->call_left == 0) {
        if (t->app_left == 0)
            return;
        t->call_left = t->app_left < t->send_bytes ? t->app_left : t->send_bytes;
        t->app_left -= t->call_left;
        t->call_t = c->t;
        s->n.syscalls++;
        vmm_guest_code(s, s->costs.guest_syscall / 2); /* entry (the rest at exit) */
    }
    /* Linux 2.2 tcp_sendmsg: a new segment's buffer is allocated while the write
     * queue holds less than sndbuf (sock_wmalloc: wmem_alloc < sndbuf, so the
     * last one may overshoot); else the writer sleeps in wait_for_tcp_memory */
    uint64_t queued = t->write_seq - t->snd_una;
    if (queued >= t->sndbuf) {
        t->blocked = true; /* sleep in send() until ACKs free space */
        return;
    }
    /* segments never exceed the peer's window (a window below one MSS) */
    uint64_t seg_max = t->rwnd < t->mss ? (t->rwnd ? t->rwnd : 1) : t->mss;
    uint64_t n;
    TcpSeg *tail = t->count ? seg_at(t, t->count - 1) : NULL;
    if (tail && !tail->sent && tail->len < seg_max) {
        n = seg_max - tail->len; /* the unsent tail's room, allocated already */
        if (n > t->call_left) n = t->call_left;
        tail->len += (uint32_t)n;
    } else {
        if (t->count == t->cap) { /* cannot happen with the sizing in tcp_init */
            t->blocked = true;
            return;
        }
        n = seg_max;
        if (n > t->call_left) n = t->call_left;
        TcpSeg *g = seg_at(t, t->count++);
        g->seq = t->write_seq;
        g->len = (uint32_t)n;
        g->sent = false;
        g->t_send = t->call_t;
    }
    vmm_guest_code(s, costs_per_kib(s->costs.guest_copy_per_kib, n));
    t->write_seq += n;
    t->call_left -= n;
    tcp_push(s);
    if (t->call_left == 0) /* send() returns: release_sock, system call exit */
        vmm_guest_code(s, s->costs.guest_syscall - s->costs.guest_syscall / 2);
}

void tcp_rx_frame(Sys *s, const uint8_t *frame, size_t len)
{
    Tcp *t = &s->tcp;
    TcpFrameInfo fi;
    vmm_guest_code(s, s->costs.guest_segment);
    tlhook_cpu_frame(s, frame, len, TIMELINE_FLOW_END);
    vmm_priv_insns(s, COST_PRIV_PER_RX_PACKET);
    if (tcp_parse_frame(frame, len, &fi) != 0 || !fi.ack_flag)
        return;
    s->n.rx_acks++;
    /* unwrap the 32-bit ACK around snd_una */
    uint64_t ack = (t->snd_una & ~(uint64_t)0xFFFFFFFFu) | fi.ack;
    if (ack + 0x80000000u < t->snd_una)
        ack += (uint64_t)1 << 32;
    else if (ack > t->snd_una + 0x80000000u && ack >= ((uint64_t)1 << 32))
        ack -= (uint64_t)1 << 32;
    t->rwnd = fi.window;
    if (ack > t->snd_una && ack <= t->snd_nxt) {
        t->snd_una = ack;
        while (t->count) {
            TcpSeg *g = seg_at(t, 0);
            if (g->seq + g->len > ack)
                break;
            t->head = (t->head + 1) % t->cap;
            t->count--;
        }
        /* Linux 2.2 tcp_cong_avoid: +1 packet per ACK in slow start, then +1 per
         * window's worth of ACKs */
        if (t->cwnd < t->ssthresh) {
            t->cwnd++;
        } else if (++t->cwnd_cnt >= t->cwnd) {
            t->cwnd_cnt = 0;
            t->cwnd++;
        }
        if (t->cwnd > t->cwnd_clamp)
            t->cwnd = t->cwnd_clamp;
    }
    tcp_push(s);
    /* Linux 2.2.17: freeing the acknowledged buffers (sock_wfree) calls
     * tcp_write_space, which wakes the sleeping writer unconditionally, and
     * wait_for_tcp_memory returns as soon as the queue is below sndbuf */
    if (t->blocked && t->write_seq - t->snd_una < t->sndbuf)
        t->blocked = false;
}
