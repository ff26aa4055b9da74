/* peer: the other machine (a native Linux 2.2 box), the TCP receiver of nettest.
 *
 * It has its own CPU (peer.cpu_mhz) that serializes its work per received frame:
 * NIC interrupt, TCP/IP receive, copy to the discarding receiver. Its TCP delivers
 * in-order segments (the run has no loss), ACKs when more than
 * `peer.ack_every_segments` - 1 full segments' worth of bytes is unacknowledged
 * (Linux 2.2: every second full segment) or when the delayed-ACK timer
 * (`peer.delayed_ack_us`) fires, and
 * advertises a constant window (the receiver reads at once).
 */
#ifndef VNICSIM_MODEL_NET_PEER_H
#define VNICSIM_MODEL_NET_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"

struct Sys;

typedef struct Peer {
    SimTime t;           /* the peer CPU's cursor */
    uint64_t rcv_nxt;    /* next byte expected (absolute stream offset) */
    uint64_t arr_nxt;    /* end of the highest segment that arrived */
    uint32_t window;
    unsigned ack_every, unacked_segs;
    uint64_t unacked_bytes;
    SimTime delack;
    EvqId delack_ev;
    SimTime busy;        /* CPU time used */
    uint64_t segments, bytes, acks_sent, delack_fired, out_of_order;
} Peer;

void peer_init(struct Sys *s);
/* Wire receive callback (opaque = Sys). */
void peer_wire_rx(void *opaque, const uint8_t *frame, size_t len);

#endif
