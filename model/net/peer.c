/* peer: the receiving machine (see peer.h). */
#include "model/net/peer.h"

#include <string.h>

#include "model/sys.h"
#include "model/tlhook.h"

static const char *const WHY[PEER_ACK__COUNT] = {
    [PEER_ACK_TWO_SEGMENTS] = "two_segments", [PEER_ACK_RAISE_WINDOW] = "raise_window",
    [PEER_ACK_QUICK] = "quick", [PEER_ACK_DELAYED] = "delayed",
    [PEER_ACK_WINDOW_UPDATE] = "window_update", [PEER_ACK_DUPLICATE] = "duplicate",
};

const char *peer_ack_why_name(PeerAckWhy w)
{
    return (w >= 0 && w < PEER_ACK__COUNT) ? WHY[w] : "?";
}

/* __tcp_select_window: half the free receive buffer, clamped, in MSS multiples;
 * the current offer is kept while it is within one MSS of the free space. */
static uint32_t select_window_raw(const Peer *p)
{
    int64_t rmem = (int64_t)(p->unread_segs + p->reading_segs) * PEER_SKB_TRUESIZE;
    int64_t free_space = ((int64_t)p->rcvbuf - rmem) / 2;
    int64_t mss = p->mss < p->window_clamp ? p->mss : p->window_clamp;
    if (mss < 1)
        mss = 1;
    if (free_space > (int64_t)p->window_clamp)
        free_space = p->window_clamp;
    if (free_space < (int64_t)p->rcvbuf / 4 && free_space < mss / 2)
        return 0;
    int64_t w = p->rcv_wnd;
    if (w <= free_space - mss || w > free_space)
        w = free_space / mss * mss;
    return (uint32_t)w;
}

/* tcp_receive_window: what is still open of the last advertised window. */
static uint32_t receive_window(const Peer *p)
{
    int64_t w = (int64_t)p->rcv_wup + p->rcv_wnd - (int64_t)p->rcv_nxt;
    return w < 0 ? 0 : (uint32_t)w;
}

void peer_init(Sys *s)
{
    Peer *p = &s->peer;
    memset(p, 0, sizeof *p);
    p->window_clamp = (uint32_t)cfg_int(s->cfg, CFG_PEER_RCV_WINDOW_BYTES);
    p->rcvbuf = (uint32_t)cfg_int(s->cfg, CFG_PEER_RCVBUF_BYTES);
    p->ack_every = (unsigned)cfg_int(s->cfg, CFG_PEER_ACK_EVERY);
    p->delack = (SimTime)cfg_int(s->cfg, CFG_PEER_DELACK_US) * SIM_US;
    p->mss = s->tcp.mss;
    p->rcv_mss = s->tcp.mss; /* tp->rcv_mss = tp->mss_cache at connection setup */
    /* the initial offer: the same selection with an empty queue */
    p->rcv_wnd = select_window_raw(p);
}

void peer_reset_counts(Sys *s)
{
    Peer *p = &s->peer;
    memset(p->acks_why, 0, sizeof p->acks_why);
    p->reads = p->m_segments = 0;
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

/* tcp_send_ack: the window is chosen (tcp_select_window) and sent. */
static void send_ack(Sys *s, PeerAckWhy why)
{
    Peer *p = &s->peer;
    uint8_t frame[14 + 20 + 32];
    if (p->delack_ev) {
        evq_cancel(s->q, p->delack_ev);
        p->delack_ev = 0;
    }
    p->delayed_acks = 0;
    p->quickack = false;
    uint32_t cur = receive_window(p), win = select_window_raw(p);
    if (win < cur) {
        win = cur; /* never shrink; rcv_wup and rcv_wnd stay */
    } else {
        p->rcv_wnd = win;
        p->rcv_wup = p->rcv_nxt;
    }
    SimTime now = evq_now(s->q);
    SimTime start = now > p->t ? now : p->t;
    p->t = start + s->costs.peer_segment;
    p->busy += s->costs.peer_segment;
    size_t len = tcp_build_frame(frame, s->guest_mac, s->peer_mac, 0, p->rcv_nxt, win,
                                 s->tcp.hdr_len, 0, true);
    tlhook_peer(s, "send ACK", start, p->t, frame, len);
    p->acks_sent++;
    p->acks_why[why]++;
    wire_send(&s->wire, WIRE_TO_HOST, p->t, frame, len);
}

static void delack_fire(void *opaque, uint64_t arg)
{
    (void)arg;
    Sys *s = opaque;
    s->peer.delack_ev = 0;
    s->peer.delack_fired++;
    if (s->peer.delayed_acks > 0)
        send_ack(s, PEER_ACK_DELAYED);
}

static void reader_run(void *opaque, uint64_t arg);

/* The read() completes: the segments it took are freed (tcp_eat_skb) and
 * cleanup_rbuf decides whether the larger window is worth an ACK. */
static void reader_done(void *opaque, uint64_t arg)
{
    (void)arg;
    Sys *s = opaque;
    Peer *p = &s->peer;
    uint64_t copied = p->reading;
    p->reading = p->reading_segs = 0;
    p->reader_ev = 0;
    if (copied > 0) {
        uint32_t now_win = receive_window(p), new_win = select_window_raw(p);
        if (new_win && new_win >= 2 * (uint64_t)now_win &&
            (uint64_t)now_win + p->mss <= p->window_clamp)
            send_ack(s, PEER_ACK_WINDOW_UPDATE);
    }
    if (p->unread > 0) /* more arrived meanwhile: the receiver reads again */
        p->reader_ev = evq_at(s->q, p->t > evq_now(s->q) ? p->t : evq_now(s->q), reader_run, s, 0);
}

/* The receiving process runs (after the bottom half that woke it): one read()
 * with a large buffer takes everything queued. */
static void reader_run(void *opaque, uint64_t arg)
{
    (void)arg;
    Sys *s = opaque;
    Peer *p = &s->peer;
    SimTime now = evq_now(s->q);
    if (p->t > now) { /* the CPU is still busy: run after that work */
        p->reader_ev = evq_at(s->q, p->t, reader_run, s, 0);
        return;
    }
    if (p->unread == 0) {
        p->reader_ev = 0;
        return;
    }
    p->reading = p->unread;
    p->reading_segs = p->unread_segs;
    p->unread = p->unread_segs = 0;
    SimTime cost = s->costs.peer_syscall + costs_per_kib(s->costs.peer_copy_per_kib, p->reading);
    p->t = now + cost;
    p->busy += cost;
    p->reads++;
    p->reader_ev = evq_at(s->q, p->t, reader_done, s, 0);
}

#define PEER_LEN_BITS 14

/* tcp_measure_rcv_mss */
static void measure_rcv_mss(Peer *p, uint32_t len)
{
    uint32_t lss = p->last_seg_size;
    if (len > p->rcv_mss)
        p->rcv_mss = len;
    p->last_seg_size = 0;
    if (len >= 536) {
        if (len == lss)
            p->rcv_mss = len;
        p->last_seg_size = len;
    }
}

static void deliver(void *opaque, uint64_t arg)
{
    Sys *s = opaque;
    Peer *p = &s->peer;
    uint64_t seq = arg >> PEER_LEN_BITS;
    uint32_t len = (uint32_t)(arg & ((1u << PEER_LEN_BITS) - 1));
    if (seq != p->rcv_nxt) {
        if (seq > p->rcv_nxt)
            p->out_of_order++;
        send_ack(s, PEER_ACK_DUPLICATE);
        return;
    }
    p->rcv_nxt += len;
    p->segments++;
    p->m_segments++;
    p->bytes += len;
    measure_rcv_mss(p, len);
    p->unread += len;
    p->unread_segs++;
    /* tcp_delack_estimator: the first data segment enters quick-ACK mode */
    if (!p->ato_started) {
        p->ato_started = true;
        p->quickack = true;
    }
    p->delayed_acks++;
    sys_delivered(s, seq, len, tcp_seg_send_time(s, seq));
    /* __tcp_ack_snd_check */
    uint32_t cur = receive_window(p), raw = select_window_raw(p);
    if (p->rcv_nxt - p->rcv_wup >= (uint64_t)p->ack_every * p->rcv_mss)
        send_ack(s, PEER_ACK_TWO_SEGMENTS);
    else if (raw && raw > 2 * (uint64_t)cur)
        send_ack(s, PEER_ACK_RAISE_WINDOW);
    else if (p->quickack)
        send_ack(s, PEER_ACK_QUICK);
    else if (!p->delack_ev)
        p->delack_ev = evq_after(s->q, p->delack, delack_fire, s, 0);
    /* data_ready wakes the receiving process */
    if (!p->reader_ev)
        p->reader_ev = evq_at(s->q, p->t > evq_now(s->q) ? p->t : evq_now(s->q), reader_run, s, 0);
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
    SimTime cost = cpu_vary(&s->cpu, s->costs.peer_irq + s->costs.peer_segment); /* interrupt + bottom half */
    p->t = start + cost;
    p->busy += cost;
    tlhook_peer(s, "receive", start, p->t, frame, len);
    evq_at(s->q, p->t, deliver, s, (seq << PEER_LEN_BITS) | fi.payload);
}
