/* dtguest: a recorded guest driver replayed through the hosted model (issue 6).
 *
 * `vnicsim run --preset P --driver-trace FILE [--pcap PCAP]` (replay.driver_trace,
 * replay.pcap). FILE is a vnicsim-dtrace trace, a raw QEMU log or a pcnet-ports.txt
 * (traces/qemulog.h; plain or gzip). The trace takes the guest driver's place: its
 * port accesses are issued, in recorded order, through the VMM's port dispatch
 * (model/vmm/vmm.h), so each one is trapped and charged as the preset says, and the
 * memory side the recording does not carry (init block, rings, buffers) is emulated
 * by traces/dtmem.h in guest memory, where the device's DMA finds it.
 *
 * Segments. The recording is cut into runs the guest kernel executes as one piece:
 *   task       a start_xmit (the RAP write and the CSR0 write with TDMD), or any
 *              other run of accesses outside an interrupt handler (probe, open,
 *              set_rx_mode, get_stats, close): a guest work routine;
 *   interrupt  from the RAP write before the first CSR0 read that follows a
 *              recorded IRQ rise, up to the next task start, the next interrupt run,
 *              or the NAPI poll's closing CSR0 <- INEA write: it runs in the guest's
 *              interrupt routine once the MODEL's virtual IRQ is delivered; if the
 *              model raises none within DTG_IRQ_WAIT it runs anyway as a work
 *              routine (counted: irq_timeouts).
 *   poll end   (NAPI drivers) from the poll's closing read of CSR3 (RAP 3 while the
 *              ISR's masks are set) to the CSR0 <- INEA write: a work routine (the
 *              softirq) that runs once the frames planned before it have reached
 *              the ring (the recorded poll took them as they came), bounded by
 *              DTG_IRQ_WAIT; it hands the ring's frames up.
 * The boot (probe and open) is the task run holding the first CSR0 write with STRT;
 * the replay is measured from its end, as the pcap replay is from the driver's open.
 *
 * Frames. The k-th transmit demand sends the k-th frame the VM sent in the pcap
 * (placed in the ring before the demand, as the driver does); frames to the VM are
 * mapped onto the trace's clock as `vnicsim conform` does (dtmem_plan_rx) and put on
 * the wire by the peer when the replay reaches that point; they are passed up when
 * the replayed poll/ISR hands their descriptors back. The pcap defaults to net.pcap
 * next to the trace; without one, each demand sends a synthesized 60-byte frame.
 * Guest time between accesses is the model's guest costs (interrupt entry, system
 * call, copy and per-packet protocol cost per frame), never the recorded gaps.
 * Recorded reads are issued to the device and compared with the recorded value
 * (mismatches counted); the sequence goes on as recorded either way.
 *
 * Accounting and outputs are the pcap replay's (model/guest/replay.h, pace
 * "driver-trace") plus the `driver_trace` block: accesses by register per frame and
 * per interrupt, reads, mismatches, segments, IRQ waits.
 */
#ifndef VNICSIM_MODEL_GUEST_DTGUEST_H
#define VNICSIM_MODEL_GUEST_DTGUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/guest/pcnet32.h"
#include "model/guest/replay.h"
#include "sim/evq.h"

struct Sys;

#define DTG_IRQ_WAIT (5 * SIM_MS)     /* bounded wait for the model's IRQ */
#define DTG_FINAL_POLL (1 * SIM_MS)   /* after the last run: the rings' last look */
#define DTG_FINAL_IDLE 3              /* final polls without a frame before the end */
#define DTG_GIVE_UP (20 * SIM_MS)     /* then frames still in flight are unresolved */
#define DTG_RX_WINDOW 32              /* receives in flight before the rings exist */
#define DTG_POLL_CHECK (10 * SIM_US)  /* a NAPI poll looks for frames still coming */

typedef struct DtgOptions {
    const char *trace;      /* replay.driver_trace */
    const char *pcap;       /* replay.pcap: "" = net.pcap next to the trace, if any */
    bool has_mac;
    uint8_t vm_mac[6];      /* replay.vm_mac */
    const char *wire_pcap;  /* replay.wire_pcap */
} DtgOptions;

typedef struct Dtg Dtg;

/* Loads and checks the trace and the pcap, cuts the segments, creates the Replay
 * that does the accounting (dtg_replay). NULL with "file:line: message" in err. */
Dtg *dtg_new(struct Sys *s, const DtgOptions *o, char *err, size_t errlen);
void dtg_free(Dtg *d);           /* not the Replay: the model frees it */
Replay *dtg_replay(Dtg *d);
void dtg_vm_mac(const Dtg *d, uint8_t mac[6]);
/* Once the device exists: the ports to issue accesses through (the Replay's
 * counting wrapper around the VMM's), guest memory for the rings. */
void dtg_attach(Dtg *d, const DrvPorts *ports);

/* The guest kernel's side (model/guest/kernel.c, model/model.c). */
void dtg_boot(Dtg *d);                 /* probe and open: the boot runs */
bool dtg_irq_wanted(const Dtg *d);     /* the next run is an interrupt run */
bool dtg_has_work(const Dtg *d);       /* a task run (or a timed-out interrupt run) */
bool dtg_task_next(const Dtg *d);      /* the next run is a task run (a process context) */
void dtg_isr(Dtg *d);                  /* in the hard interrupt: the interrupt run */
void dtg_step(Dtg *d);                 /* in a work routine */

json_t *dtg_results(const Dtg *d);     /* the driver_trace block; new reference */
void dtg_print_summary(const Dtg *d, FILE *out);

#endif
