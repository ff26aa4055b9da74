/* dtrec: record the guest driver's register traffic as a vnicsim-dtrace trace.
 *
 * `vnicsim run ... --record-driver-trace OUT` (replay.record_driver_trace). The
 * recorder wraps the DrvPorts the guest driver (a pcnet32 personality, or a replayed
 * trace) is given, so it sees every Lance port access the driver makes, in order,
 * from the probe to the end of the run: offset, width, the value written or the value
 * the device returned. The embedding tells it of every change of the NIC's interrupt
 * line (model/host/vmapp.c). It writes them in the project's format
 * (traces/README.md) with QEMU's ordering rules, so `vnicsim conform` and
 * `vnicsim run --driver-trace` take the file:
 *   - an event caused by an access follows a write and precedes a read;
 *   - an IRQ edge outside any access is marked `async`;
 *   - a CSR0 write that made the device run INIT is followed by INIT (the init
 *     block's address), RLEN (ring length codes) and RINGS (SSIZE32, ring bases and
 *     lengths) as the device took them; a read of RESET is preceded by SRESET.
 * Times are the simulated time of the access in ns (non-decreasing). Recording
 * charges nothing and changes nothing: the wrapped call is made exactly as without.
 * The file is written to a temporary name beside OUT and renamed at dtrec_finish. */
#ifndef VNICSIM_MODEL_DTREC_H
#define VNICSIM_MODEL_DTREC_H

#include <stddef.h>
#include <stdint.h>

#include "model/guest/pcnet32.h"

struct Sys;

typedef struct Dtrec Dtrec;

/* Creates the (temporary) output and writes the header; source goes to @source.
 * pcap (NULL or "": none) also records the frames the device sent and was given
 * (replay.record_driver_pcap), on the trace's clock: a transmitted frame at the time
 * of its demand (the RAP write before the CSR0 write with TDMD; demands and frames
 * paired in order, as `vnicsim conform` pairs them), a received one when the VMApp
 * hands it to the device. With it, conform and --driver-trace place every receive
 * where it happened in the recording run.
 * NULL with "replay.record_driver_trace: OUT: message" in err. */
Dtrec *dtrec_new(struct Sys *s, const char *path, const char *pcap, const char *source, char *err,
                 size_t errlen);
/* The ports to give the driver: they record, then call inner. */
const DrvPorts *dtrec_ports(Dtrec *r, const DrvPorts *inner);
/* The NIC's INTA# line is now `level` (NULL r: nothing). */
void dtrec_irq(Dtrec *r, int level);
/* The device sent a frame (PcnetOps.frame_out); a frame is handed to it
 * (pcnet_receive between begin and end). NULL r: nothing. */
void dtrec_tx_frame(Dtrec *r, const uint8_t *frame, size_t len);
void dtrec_rx_begin(Dtrec *r, const uint8_t *frame, size_t len);
void dtrec_rx_end(Dtrec *r);
uint64_t dtrec_accesses(const Dtrec *r);
/* Flushes, closes and renames to OUT; frees r. 0 / -1 with a message in err. */
int dtrec_finish(Dtrec *r, char *err, size_t errlen);
/* Discards an unfinished recording (the temporary file is removed); NULL is fine. */
void dtrec_free(Dtrec *r);

#endif
