/* vmnet: the host side below the VMApp: VMNet (bridged), the physical NIC
 * (EtherExpress-style, its own rings), and the host's interrupt handling.
 *
 * Transmit: the VMApp's write() (charged as vmnet_transmit) allocates a socket
 * buffer, copies the frame and hands it to the NIC driver; the NIC sends it on the
 * wire in order. Receive: a frame from the wire lands in the NIC's receive ring
 * and raises a host IRQ (unless one is already pending); the handler bridges
 * every received frame into VMNet's queue for the VMApp. The host timer ticks at
 * host.hz. A host IRQ arriving while the VMM world runs forces a switch to the
 * host world (charged to host_irq, as is the switch back).
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

typedef struct VmNetRing {
    uint16_t len[VMNET_RING];
    uint8_t (*buf)[VMNET_FRAME_MAX];
    unsigned head, count;
    uint64_t drops;
} VmNetRing;

typedef struct VmNet {
    VmNetRing nic_rx;   /* physical NIC receive ring (not yet seen by the host) */
    VmNetRing to_vm;    /* VMNet queue for the VMApp */
    bool irq_nic, irq_timer;
    uint64_t tx_frames, tx_since_irq;
    unsigned tx_irq_interval;
    uint64_t tick_period_ps;
} VmNet;

int vmnet_init(struct Sys *s);
void vmnet_free(struct Sys *s);
/* The VMApp write()s a frame (host world): charged, then sent by the NIC. */
void vmnet_transmit(struct Sys *s, const uint8_t *frame, size_t len);
bool vmnet_irq_pending(const struct Sys *s);
/* Run the host's interrupt handling for every pending host IRQ (host world). */
void vmnet_host_irq_routine(struct Sys *s);
/* Pop one frame queued for the VM; returns its length or 0. */
size_t vmnet_pop_for_vm(struct Sys *s, uint8_t *buf, size_t cap);
void vmnet_wire_rx(void *opaque, const uint8_t *frame, size_t len);
void vmnet_timer_event(void *opaque, uint64_t arg);

#endif
