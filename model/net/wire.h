/* wire: full-duplex Ethernet between the host's NIC and the peer's.
 *
 * Each direction serializes frames at link.rate_mbps with the exact per-frame
 * overhead: preamble + SFD (8 B), the frame (header 14 B + payload, padded to the
 * 64 B minimum including the 4 B FCS) and the inter-frame gap (12 B). A frame
 * handed over at time T starts at max(T, end of the previous frame's gap); its
 * last bit reaches the other end `link.propagation_ns` after it was sent.
 */
#ifndef VNICSIM_MODEL_NET_WIRE_H
#define VNICSIM_MODEL_NET_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"

#define WIRE_PREAMBLE_SFD 8
#define WIRE_FCS 4
#define WIRE_MIN_FRAME 64 /* including FCS */
#define WIRE_IFG 12
#define WIRE_HEADER 14

typedef enum WireDir { WIRE_TO_PEER = 0, WIRE_TO_HOST = 1 } WireDir;

/* Called at the arrival time of the frame's last bit. The frame bytes are owned by
 * the wire until the callback returns. */
typedef void (*WireRxFn)(void *opaque, const uint8_t *frame, size_t len);

/* Told of every frame sent: serialization from `start` to its last bit `last_bit`
 * (arrival = last_bit + propagation). For observers (the timeline) only. */
typedef void (*WireTxFn)(void *opaque, WireDir dir, SimTime start, SimTime last_bit,
                         const uint8_t *frame, size_t len);

typedef struct WireFrame WireFrame;

typedef struct Wire {
    Evq *q;
    uint64_t rate_mbps;
    SimTime propagation;
    SimTime busy_until[2];
    WireRxFn rx[2];
    void *rx_opaque[2];
    uint64_t frames[2], bytes[2]; /* frames and frame bytes (no FCS) sent */
    WireFrame *free_list, *all;
    WireTxFn on_tx;       /* NULL: none */
    void *on_tx_opaque;
} Wire;

void wire_init(Wire *w, Evq *q, uint64_t rate_mbps, SimTime propagation);
void wire_free(Wire *w);
void wire_set_rx(Wire *w, WireDir dir, WireRxFn fn, void *opaque);
/* Bytes on the wire for a frame of `len` bytes without FCS (preamble to IFG). */
uint64_t wire_bytes_on_wire(size_t len);
/* Time of `bits` at the link rate (rounded up to a whole picosecond). */
SimTime wire_bit_time(const Wire *w, uint64_t bits);
/* Hand a frame (no FCS, at most 1514+ bytes) to the wire at time `at` (>= now).
 * Returns the arrival time of its last bit at the other end. */
SimTime wire_send(Wire *w, WireDir dir, SimTime at, const uint8_t *frame, size_t len);

#endif
