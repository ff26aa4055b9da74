/* tcp: the guest's TCP sender (Linux 2.2 behaviour) and the nettest workload.
 *
 * nettest sends workload.bytes in send() calls of workload.send_bytes. Each call
 * costs a system call; its bytes are copied (and checksummed) into segments of at
 * most one MSS. As in Linux 2.2's tcp_sendmsg, bytes are appended to the last
 * segment of the write queue while it is unsent and short, so small sends coalesce
 (Linux 2.2's Nagle holds a segment shorter than half an MSS while packets are
 * out; the last one goes with the FIN). The sender blocks when the write queue
 * holds guest.sndbuf_bytes and wakes when half is free. Segments go out while
 * they fit the peer's window and the congestion window in packets (slow start,
 * then +1 per window of ACKs); there is no loss, so no retransmission. A peer
 * window below one MSS caps the segment size.
 *
 * Frames are real Ethernet/IPv4/TCP headers (with the timestamp option when
 * tcp.timestamps); the stream offset travels in the sequence number.
 */
#ifndef VNICSIM_MODEL_GUEST_TCP_H
#define VNICSIM_MODEL_GUEST_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"

struct Sys;

typedef struct TcpSeg {
    uint64_t seq;
    uint32_t len;
    bool sent;
    SimTime t_send; /* the send() call that supplied its first byte */
} TcpSeg;

typedef struct Tcp {
    TcpSeg *ring;
    unsigned cap, head, count;  /* segments not yet acknowledged, in order */
    uint64_t snd_una, snd_nxt, write_seq;
    uint32_t mss, hdr_len;      /* TCP header length incl. options */
    uint64_t cwnd, ssthresh, rwnd; /* cwnd and ssthresh in packets (Linux 2.2) */
    uint64_t cwnd_cnt, cwnd_clamp;
    uint64_t sndbuf;
    bool nagle;
    /* nettest */
    uint64_t app_left, call_left;
    SimTime call_t;
    uint64_t send_bytes;
    bool blocked;               /* sleeping in send(): write queue full */
    bool driver_stopped;        /* the driver stopped the queue (ring full) */
    uint8_t frame[14 + 20 + 32 + 9000];
} Tcp;

/* MSS for an MTU: MTU - 20 (IP) - 20 (TCP) - 12 (timestamps option, if on). */
uint32_t tcp_mss(int64_t mtu, bool timestamps);

int tcp_init(struct Sys *s);
void tcp_free(struct Sys *s);
/* nettest has work it can do now (not blocked, bytes left). */
bool tcp_task_runnable(const struct Sys *s);
/* One step of nettest in the guest: start a send() call if none is in progress,
 * copy at most one segment's worth, and transmit what TCP allows. */
void tcp_task_step(struct Sys *s);
/* Transmit queued segments the windows and Nagle allow. */
void tcp_push(struct Sys *s);
/* A received frame (no FCS) reached TCP: process an ACK. */
void tcp_rx_frame(struct Sys *s, const uint8_t *frame, size_t len);
/* Send time of the segment starting at `seq`, or 0 when unknown. */
SimTime tcp_seg_send_time(const struct Sys *s, uint64_t seq);

/* Frames: build a TCP/IPv4 frame in `buf` (>= 14+20+hdr+payload bytes); returns
 * its length. Parse returns 0 and fills the fields, -1 when not TCP/IPv4. */
size_t tcp_build_frame(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint64_t seq,
                       uint64_t ack, uint32_t window, uint32_t hdr_len, uint32_t payload,
                       bool has_ack);
typedef struct TcpFrameInfo {
    uint32_t seq, ack, window, payload;
    bool ack_flag;
} TcpFrameInfo;
int tcp_parse_frame(const uint8_t *frame, size_t len, TcpFrameInfo *out);

#endif
