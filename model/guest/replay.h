/* replay: the pcap replay workload (issue 6): real traffic through the hosted model.
 *
 * `vnicsim run --preset P --pcap FILE|- [--vm-mac MAC] [--pace timed|afap]
 * [--speed X] [--wire-pcap OUT]` (configuration keys replay.*). The capture is
 * streamed (traces/pcapsrc.h) and each frame is classified from the VM's point of
 * view:
 *
 *   TX   the guest sends it: an application send() (system call, copy, per-packet
 *        protocol cost) through the guest driver, the VMM, the VMApp, VMNet and the
 *        host NIC onto the wire; it is delivered when it reaches the peer.
 *   RX   the peer puts it on the wire toward the host NIC (a frame shorter than 60
 *        bytes is padded, as a NIC does); it is delivered when the guest driver
 *        passes it up.
 *   else ignored (counted). The VM's group addresses are asked of the device's own
 *        address filter (pcnet_accepts) once the driver is open.
 *
 * Pacing. timed: each frame is offered at its capture time (relative to the first
 * frame, divided by replay.speed) from the moment the guest driver is open; a TX
 * frame waits in the guest's transmit queue (REPLAY_TXQ frames, as Linux 2.2's
 * txqueuelen) and is dropped when it is full; an RX frame is dropped at the peer
 * when REPLAY_LINK_QUEUE frames already wait for the link (a capture faster than
 * the link). afap: frames are offered in file order as soon as their direction has
 * room: at most REPLAY_TX_WINDOW transmits in flight (queued in the guest or between
 * its driver and the peer: a socket buffer's worth) and REPLAY_RX_WINDOW receives in
 * flight (the guest's receive ring); nothing is dropped for pacing.
 *
 * Accounting per direction: offered = delivered + dropped_vnic + dropped_host.
 * dropped_vnic: the virtual NIC did not deliver it (receive ring full: MISS; or
 * filtered, receiver stopped, error status). dropped_host: anywhere else (guest
 * transmit queue full, link queue, host NIC ring, VMNet queue, oversize frames,
 * and frames still unresolved when the run gives up draining), each counted apart.
 * Latency per frame: from its offer to its delivery.
 *
 * --wire-pcap writes every frame that crossed the simulated wire, both directions,
 * at its arrival time (capture's first timestamp + simulated time), nanosecond
 * pcap: the input's captured bytes (the caplen of a snaplen-truncated input frame)
 * and the wire length.
 */
#ifndef VNICSIM_MODEL_GUEST_REPLAY_H
#define VNICSIM_MODEL_GUEST_REPLAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/guest/pcnet32.h"
#include "model/lance/pcnet.h"
#include "sim/evq.h"

struct Sys;

#define REPLAY_TXQ 100          /* guest transmit queue (txqueuelen) */
#define REPLAY_TX_WINDOW 32     /* afap: transmits in flight (two driver rings' worth) */
#define REPLAY_RX_WINDOW 32     /* afap: receives in flight */
#define REPLAY_LINK_QUEUE 64    /* timed: frames the peer may queue for the link */
#define REPLAY_INFLIGHT_MAX 1024

/* REPLAY_PACE_TRACE: frames are offered by a recorded driver trace
 * (model/guest/dtguest.h) through the replay_ext_* calls below. */
typedef enum ReplayPace { REPLAY_PACE_TIMED = 0, REPLAY_PACE_AFAP, REPLAY_PACE_TRACE } ReplayPace;

typedef struct ReplayOptions {
    const char *pcap;        /* FILE or "-" */
    bool has_mac;
    uint8_t vm_mac[6];
    ReplayPace pace;
    double speed;            /* timed: capture time is divided by this */
    const char *wire_pcap;   /* NULL or "": none */
} ReplayOptions;

typedef struct Replay Replay;

/* Opens the capture (for stdin without a MAC this reads the first frame). The VM's
 * MAC is then known: replay_vm_mac(). NULL on error (message in err). */
Replay *replay_new(struct Sys *s, const ReplayOptions *o, char *err, size_t errlen);
void replay_free(Replay *r);
void replay_vm_mac(const Replay *r, uint8_t mac[6]);
/* The guest driver's ports, wrapped to count accesses by register (create the
 * driver with the returned ports; `inner` is copied). */
const DrvPorts *replay_ports(Replay *r, const DrvPorts *inner);
/* Once the model is built: takes over the wire's receive callbacks and stops the
 * nettest workload. */
void replay_attach(Replay *r);
/* The guest driver is open: start offering frames. */
void replay_booted(Replay *r);

/* Guest side (model/guest/kernel.c). */
bool replay_guest_has_work(const Replay *r);
void replay_guest_step(Replay *r);                          /* send one queued frame */
void replay_guest_rx(Replay *r, const uint8_t *frame, size_t len); /* driver passed it up */
/* VMApp / native NIC: the device did not store a received frame. */
void replay_vnic_rx_result(Replay *r, const uint8_t *frame, size_t len, PcnetRxResult res);
/* VMNet: a frame for the VM was dropped between the host NIC and the VMApp. */
void replay_host_rx_drop(Replay *r, const uint8_t *frame, size_t len);

/* The run: finished (source read, every frame resolved), progress, errors. */
bool replay_done(const Replay *r);
double replay_progress(const Replay *r);  /* frames resolved / read; -1 unknown */
/* Closes the wire pcap (renamed into place) at the end of a successful run; on an
 * interrupted or failed run replay_free() discards it. 0 / -1. */
int replay_finish(Replay *r, char *err, size_t errlen);
/* "" or the capture's warning (last record cut short). */
const char *replay_warning(const Replay *r);

/* ---- frames supplied by the caller (the driver-trace replay, dtguest.h) ----
 * A Replay without a capture stream: the caller reads its frames and offers each
 * one when the replayed driver needs it; accounting, drops, latency, the wire
 * pcap and the results are the pcap replay's. `name`: the capture's path for the
 * results ("" when the frames are synthesized); `mac_from`: how the VM's MAC was
 * found (results' vm_mac_from). */
Replay *replay_new_external(struct Sys *s, const char *name, const uint8_t mac[6],
                            const char *mac_from, const char *wire_pcap, char *err, size_t errlen);
void replay_ext_ignored(Replay *r);                               /* read, not for the VM */
/* A frame the guest sends now (placed in the driver's ring by the caller). false:
 * dropped at once (oversize, too many in flight). */
bool replay_ext_offer_tx(Replay *r, const uint8_t *frame, uint32_t len);
/* A frame the peer puts on the wire toward the VM now (padded to 60 bytes). */
void replay_ext_offer_rx(Replay *r, const uint8_t *frame, uint32_t len);
/* A frame of the capture the recorded driver never reached (the recording ended
 * first): offered and dropped (dropped_host_where.after_trace). tx: direction. */
void replay_ext_after_trace(Replay *r, bool tx, uint32_t len);
/* A transmit the guest offered that its driver could not queue (no ring). */
void replay_ext_tx_failed(Replay *r, const uint8_t *frame, uint32_t len);
/* No more frames: the run ends once every offered frame is resolved (frames still
 * unresolved after give_up of simulated time without progress count as
 * dropped_host_where.unresolved). */
void replay_ext_eof(Replay *r, SimTime give_up);

/* Frames delivered so far, per direction; receives offered and not yet resolved. */
void replay_delivered(const Replay *r, uint64_t *tx, uint64_t *rx);
unsigned replay_rx_in_flight(const Replay *r);

/* The `replay` block of results.json. New reference. */
json_t *replay_results(const Replay *r);
void replay_print_summary(const Replay *r, FILE *out);

#endif
