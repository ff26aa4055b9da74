/* vmnet: the host side below the VMApp: VMNet (bridged), the physical NIC (an
 * Intel 82557, EtherExpress Pro/100, driven by Linux 2.2's eepro100.c) and the
 * host's interrupt handling.
 *
 * Transmit: the VMApp's write() (charged as vmnet_transmit) allocates a socket
 * buffer, copies the frame and hands it to the NIC driver, which appends a TxCB
 * to the 82557's command list. As in eepro100.c (2.2), every TxCB carries the S
 * (suspend) bit; appending clears S on the previous TxCB and issues CU_RESUME.
 * The command unit (CU) sends the frames in order on the wire; when it completes
 * a TxCB and no later one was appended by then, it suspends, and leaving the
 * active state raises the CNA interrupt (the driver configures CNA, not CI, and
 * masks no source). A TxCB with the I bit (CmdIntr: every
 * host.nic_tx_cmdintr_every-th descriptor, 0 = never) raises CX when it completes.
 * So a sender that feeds one frame at a time (the CU's list drains between
 * frames) takes one host interrupt per frame; a standing queue takes one per
 * N-th frame plus one when the list drains.
 *
 * Receive: a frame from the wire lands in the NIC's receive ring and raises FR.
 * One host interrupt (costs.host_irq_cycles) runs the driver's handler for every
 * pending source: it reaps the completed TxCBs and receives every frame in the
 * ring, bridging each into VMNet's queue for the VMApp. The host timer ticks at
 * host.hz. A host IRQ arriving while the VMM world runs forces a world switch to
 * the host and back (charged to host_irq_switching, a VMM-time category).
 */
#ifndef VNICSIM_MODEL_HOST_VMNET_H
#define VNICSIM_MODEL_HOST_VMNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"

struct Sys;

#define VMNET_RING 64
#define VMNET_FRAME_MAX 1536
#define VMNET_CU_HIST 256 /* append times kept for the TxCBs in flight */

/* SCB status bits of the 82557 (high byte of the status word) */
#define VMNET_SCB_CX  0x80u /* a command with the I bit completed */
#define VMNET_SCB_FR  0x40u /* a frame was received */
#define VMNET_SCB_CNA 0x20u /* the CU left the active state */

typedef struct VmNetRing {
    uint16_t len[VMNET_RING];
    SimTime at[VMNET_RING];  /* when each frame was queued */
    uint8_t (*buf)[VMNET_FRAME_MAX];
    unsigned head, count;
    uint64_t drops;
} VmNetRing;

typedef struct VmNet {
    VmNetRing nic_rx;   /* physical NIC receive ring (not yet seen by the host) */
    VmNetRing to_vm;    /* VMNet queue for the VMApp */
    bool irq_nic, irq_timer;
    uint8_t scb_stat;   /* pending interrupt sources (VMNET_SCB_*) */
    /* the CU's command list (transmit) */
    uint64_t tx_frames;         /* TxCBs appended */
    uint64_t tx_done;           /* TxCBs the CU completed */
    uint64_t tx_reaped;         /* TxCBs the driver's handler reclaimed */
    SimTime append_t[VMNET_CU_HIST];
    unsigned cmdintr_every;
    /* counters over the measured interval (vmnet_reset_counts) */
    uint64_t irq_nic_count, irq_cna, irq_cx, irq_fr, cu_suspends;
    /* frames for the VM: queued by a host IRQ that did not bring the VMApp to
     * them (it was busy emulating an access), and the time from VMNet to read() */
    uint64_t rx_queued, rx_deferred, rx_read;
    SimTime rx_wait_sum, rx_wait_max;
    uint64_t tick_period_ps;
} VmNet;

int vmnet_init(struct Sys *s);
void vmnet_free(struct Sys *s);
void vmnet_reset_counts(struct Sys *s);
/* The VMApp write()s a frame (host world): charged, then sent by the NIC. */
void vmnet_transmit(struct Sys *s, const uint8_t *frame, size_t len);
bool vmnet_irq_pending(const struct Sys *s);
/* Run the host's interrupt handling for every pending host IRQ. In the VMM world
 * it is a forced switch to the host and back, and the VMApp (back from its
 * ioctl) polls (select() or the notification bits) and receives what VMNet holds
 * for the VM. In the host world no switch: `vmapp_blocked` (from the dispatcher)
 * with the guest halted says the VMApp is blocked in select(), which returns with
 * the frames for the VM; otherwise the VMApp is busy emulating an access and
 * nobody is waiting: the frames stay in VMNet until the next IRQ-induced return or
 * HLT (counted in rx_deferred). */
void vmnet_host_irq_routine(struct Sys *s, bool vmapp_blocked);
/* Frames VMNet holds for the VM's VMApp. */
bool vmnet_frames_for_vm(const struct Sys *s);
/* Pop one frame queued for the VM; returns its length or 0. */
size_t vmnet_pop_for_vm(struct Sys *s, uint8_t *buf, size_t cap);
void vmnet_wire_rx(void *opaque, const uint8_t *frame, size_t len);
void vmnet_timer_event(void *opaque, uint64_t arg);

#endif
