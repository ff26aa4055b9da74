/* tlhook: the hosted model's timeline (vnicsim run --timeline).
 *
 * The model's side of sim/timeline.h: the tracks (the host CPU and the world it
 * runs, each wire direction, the peer's CPU) and each frame's journey as a flow.
 * The CPU itself writes every charge as a slice named by its cost category
 * (model/host/cpu.c); the functions here add the flow points and the slices of
 * the wire and the peer. All of them do nothing when no timeline is attached, and
 * none of them changes the simulation: results are identical with and without.
 *
 * A flow follows one TCP segment: its output by the guest's TCP, the driver's
 * port accesses in its start_xmit, the VMApp's Lance transmit emulation and VMNet
 * write (hosted), its serialization on the wire, its reception by the peer; if
 * the peer acknowledges it, the ACK's sending, wire, VMNet receive (hosted) and
 * the guest's TCP ACK processing, where the flow ends. The flow id is the
 * segment's end sequence number (= the ACK number that acknowledges it).
 */
#ifndef VNICSIM_MODEL_TLHOOK_H
#define VNICSIM_MODEL_TLHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"
#include "sim/timeline.h"

struct Sys;

/* Attach `tl` (the model keeps using it until tlhook_finish). 0 ok, -1 if the
 * writer has no room for the tracks. */
int tlhook_attach(struct Sys *s, Timeline *tl);
/* End of the run: close open slices. The caller closes the Timeline. */
void tlhook_finish(struct Sys *s);

/* The flow id of a segment ending at stream offset `end` (never 0). */
uint64_t tlhook_seg_id(uint64_t end);
/* A flow point of `id` bound to the CPU's last slice. */
void tlhook_cpu_flow(struct Sys *s, uint64_t id, TimelineFlow ph);
/* The same for the frame (data segment or ACK) in `frame`. */
void tlhook_cpu_frame(struct Sys *s, const uint8_t *frame, size_t len, TimelineFlow ph);
/* A port access of the driver was just charged: a step of the segment being
 * transmitted, if any (Sys.tl_flow). */
void tlhook_port(struct Sys *s);
/* The peer's CPU worked on `frame` during [start, end). */
void tlhook_peer(struct Sys *s, const char *name, SimTime start, SimTime end, const uint8_t *frame,
                 size_t len);
/* A global marker (start and end of the measured interval). */
void tlhook_mark(struct Sys *s, const char *name, SimTime t);

#endif
