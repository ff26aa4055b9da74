/* vmapp: the VMApp's side of the virtual NIC. The Lance (the functional
 * Am79C970A, model/lance) is embedded here with its ops, and the VMApp's
 * emulation of a port access that reached it by a world switch is charged here:
 * the access performing a transmit is "Lance transmit path" emulation, other CSR0
 * accesses "Lance status" emulation, the rest "other" emulation. A frame the
 * device transmits is write()n to VMNet (model/host/vmnet.h); a frame VMNet holds
 * for the VM is read() and received into guest memory after a host IRQ.
 *
 * Native mode embeds the same device as the bare machine's NIC: DMA costs the CPU
 * nothing, a transmitted frame goes straight to the wire, an arriving frame is
 * received at once.
 */
#ifndef VNICSIM_MODEL_HOST_VMAPP_H
#define VNICSIM_MODEL_HOST_VMAPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/lance/pcnet.h"
#include "sim/evq.h"

struct Sys;

typedef struct VmApp {
    PcnetOps ops;
    EvqId poll_ev;
    bool tx_work;          /* the device reported pending transmit work */
    uint64_t frames_out;   /* frames the device transmitted */
    uint64_t rx_missed;
} VmApp;

int vmapp_init(struct Sys *s); /* creates s->dev */
void vmapp_free(struct Sys *s);
/* A port access that switched worlds: emulate it (host world), charging the VMApp. */
uint32_t vmapp_port_in(struct Sys *s, uint32_t offset, unsigned size);
void vmapp_port_out(struct Sys *s, uint32_t offset, unsigned size, uint32_t value);
/* After a host IRQ: send queued transmits, then select() (2.0) or check the
 * shared bit vector (irq_notification), and read() every frame VMNet holds for the
 * VM. `in_select`: the VMApp was blocked in select() (guest halted). */
void vmapp_wakeup(struct Sys *s, bool in_select);
/* Run transmit work the device has pending (send combining). */
void vmapp_flush_tx(struct Sys *s);
/* Native: a frame from the wire reaches the bare machine's NIC. */
void vmapp_native_wire_rx(void *opaque, const uint8_t *frame, size_t len);

#endif
