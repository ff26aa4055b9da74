/* peer: the receiving machine (see peer.h). */
#include "model/net/peer.h"

#include <string.h>

#include "model/sys.h"

void peer_init(Sys *s)
{
    Peer *p = &s->peer;
    memset(p, 0, sizeof *p);
    p->window = (uint32_t)cfg_int(s->cfg, CFG_PEER_RCV_WINDOW_BYTES);
    p->ack_every = (unsigned)cfg_int(s->cfg, CFG_PEER_ACK_EVERY);
    p->delack = (SimTime)cfg_int(s->cfg, CFG_PEER_DELACK_US) * SIM_US;
}

static uint64_t unwrap(uint32_t v, uint64_t near)
{
    uint64_t x = (near & ~(uint64_t)0xFFFFFFFFu) | v;
    if (x + 0x80000000u < near)
        x += (uint64_t)1 << 32;
    else if (x > near + 0x80000000u && x >= ((uint64_t)1 << 32))
        x -= (uint64_t)1 << 32;
    return x;
}

static void send_ack(Sys *s)
{
    Peer *p = &s->peer;
    uint8_t frame[14 + 20 + 32];
    if (p->delack_ev) {
        evq_cancel(s->q, p->delack_ev);
        p->delack_ev = 0;
    }
    p->unacked_segs = 0;
    p->unacked_bytes = 0;
    SimTime now = evq_now(s->q);
    SimTime start = now > p->t ? now : p->t;
    p->t = start + s->costs.peer_segment;
    p->busy += s->costs.peer_segment;
    size_t len = tcp_build_frame(frame, s->guest_mac, s->peer_mac, 0, p->rcv_nxt, p->window,
                                 s->tcp.hdr_len, 0, true);
    p->acks_sent++;
    wire_send(&s->wire, WIRE_TO_HOST, p->t, frame, len);
}

static void delack_fire(void *opaque, uint64_t arg)
{
    (void)arg;
    Sys *s = opaque;
    s->peer.delack_ev = 0;
    s->peer.delack_fired++;
    if (s->peer.unacked_segs > 0)
        send_ack(s);
}

#define PEER_LEN_BITS 14

static void deliver(void *opaque, uint64_t arg)
{
    Sys *s = opaque;
    Peer *p = &s->peer;
    uint64_t seq = arg >> PEER_LEN_BITS;
    uint32_t len = (uint32_t)(arg & ((1u << PEER_LEN_BITS) - 1));
    if (seq != p->rcv_nxt) {
        if (seq > p->rcv_nxt)
            p->out_of_order++;
        send_ack(s); /* duplicate ACK */
        return;
    }
    p->rcv_nxt += len;
    p->segments++;
    p->bytes += len;
    sys_delivered(s, seq, len, tcp_seg_send_time(s, seq));
    /* Linux 2.2 __tcp_ack_snd_check: ACK at once when more than (N-1) full
     * segments' worth is unacknowledged (N = 2: every second full segment),
     * else on the delayed-ACK timer. */
    p->unacked_segs++;
    p->unacked_bytes += len;
    if (p->unacked_bytes > (uint64_t)(p->ack_every - 1) * s->tcp.mss)
        send_ack(s);
    else if (!p->delack_ev)
        p->delack_ev = evq_after(s->q, p->delack, delack_fire, s, 0);
}

void peer_wire_rx(void *opaque, const uint8_t *frame, size_t len)
{
    Sys *s = opaque;
    Peer *p = &s->peer;
    TcpFrameInfo fi;
    if (tcp_parse_frame(frame, len, &fi) != 0 || fi.payload == 0 ||
        fi.payload >= (1u << PEER_LEN_BITS))
        return;
    uint64_t seq = unwrap(fi.seq, p->arr_nxt);
    if (seq + fi.payload > p->arr_nxt)
        p->arr_nxt = seq + fi.payload;
    SimTime now = evq_now(s->q);
    SimTime start = now > p->t ? now : p->t;
    SimTime cost = s->costs.peer_irq + s->costs.peer_segment +
                   costs_per_kib(s->costs.peer_copy_per_kib, fi.payload);
    p->t = start + cost;
    p->busy += cost;
    evq_at(s->q, p->t, deliver, s, (seq << PEER_LEN_BITS) | fi.payload);
}
