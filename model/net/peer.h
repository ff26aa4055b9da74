/* peer: the other machine (a native Linux 2.2 box), the TCP receiver of nettest.
 *
 * It has its own CPU (peer.cpu_mhz) that serializes its work: per received frame
 * the NIC interrupt and the TCP receive in the bottom half (peer_irq +
 * peer_tcp_segment); per ACK sent, peer_tcp_segment; per read() of the receiving
 * process, peer_syscall + the copy of what it reads (peer_copy per KiB).
 *
 * Its TCP follows Linux 2.2 (net/ipv4/tcp_input.c, tcp.c, tcp_output.c):
 * - __tcp_ack_snd_check after each in-order segment: ACK at once when
 *   rcv_nxt - rcv_wup >= peer.ack_every_segments (MAX_DELAY_ACK = 2) x rcv_mss
 *   (rcv_mss: the largest payload seen, or a size >= 536 seen twice in a row), or
 *   when the window would more than double (tcp_raise_window), or in quick-ACK
 *   mode (the connection's first data segment); else the delayed-ACK timer
 *   (peer.delayed_ack_us, ~2 jiffies once ato has settled).
 * - The advertised window (__tcp_select_window): half the free receive buffer
 *   (peer.rcvbuf_bytes minus the truesize of unread segments), clamped to
 *   peer.rcv_window_bytes, in MSS multiples, kept when within one MSS; never
 *   shrunk (tcp_select_window). rcv_wup/rcv_wnd move only when it is sent.
 * - The receiving process (nettest's receiver, which discards) sleeps in
 *   tcp_recvmsg; each segment wakes it and it runs after the bottom half. It
 *   reads with a large buffer (assumption: larger than the window, so one read()
 *   takes everything queued). At the end of the read, cleanup_rbuf sends a window
 *   update if the new window is at least twice the one still open.
 * There is no loss; a segment out of order gets an immediate (duplicate) ACK.
 */
#ifndef VNICSIM_MODEL_NET_PEER_H
#define VNICSIM_MODEL_NET_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"

struct Sys;

/* Receive-buffer charge of one received segment: eepro100.c passes frames over
 * rx_copybreak (200 B) up in the full receive skb (PKT_BUF_SZ 1536 + RxFD),
 * plus the sk_buff head: truesize ~1.7 KB. */
#define PEER_SKB_TRUESIZE 1728u

typedef enum PeerAckWhy {
    PEER_ACK_TWO_SEGMENTS = 0, /* rcv_nxt - rcv_wup >= N x rcv_mss */
    PEER_ACK_RAISE_WINDOW,     /* tcp_raise_window in __tcp_ack_snd_check */
    PEER_ACK_QUICK,            /* quick-ACK mode */
    PEER_ACK_DELAYED,          /* delayed-ACK timer */
    PEER_ACK_WINDOW_UPDATE,    /* cleanup_rbuf after a read() */
    PEER_ACK_DUPLICATE,        /* out-of-order segment */
    PEER_ACK__COUNT
} PeerAckWhy;

typedef struct Peer {
    SimTime t;           /* the peer CPU's cursor */
    uint64_t rcv_nxt;    /* next byte expected (absolute stream offset) */
    uint64_t arr_nxt;    /* end of the highest segment that arrived */
    uint64_t rcv_wup;    /* rcv_nxt when the last window was advertised */
    uint32_t rcv_wnd;    /* the window advertised then */
    uint32_t window_clamp, rcvbuf, mss, rcv_mss, last_seg_size;
    unsigned ack_every;
    bool ato_started, quickack;
    unsigned delayed_acks;
    uint64_t unread, unread_segs;  /* received, not yet read by the process */
    uint64_t reading, reading_segs; /* taken by the read() in progress */
    EvqId reader_ev;
    SimTime delack;
    EvqId delack_ev;
    SimTime busy;        /* CPU time used */
    uint64_t segments, bytes, acks_sent, delack_fired, out_of_order;
    /* over the measured interval (peer_reset_counts) */
    uint64_t acks_why[PEER_ACK__COUNT], reads, m_segments;
} Peer;

void peer_init(struct Sys *s);
void peer_reset_counts(struct Sys *s);
const char *peer_ack_why_name(PeerAckWhy w);
/* Wire receive callback (opaque = Sys). */
void peer_wire_rx(void *opaque, const uint8_t *frame, size_t len);

#endif
