/* vmm: the one place a guest port access is dispatched and costed, plus the other
 * virtualization events (virtual PIC, virtual IRQ delivery, IRET, privileged
 * instructions, HLT).
 *
 * vmm_ports() is the DrvPorts the guest driver uses in both modes. Native: the
 * access goes straight to the device at the bare machine's port-I/O cost. Hosted
 * (Workstation 2.0): every access traps into the VMM; the Lance address port
 * (RAP) is handled in the VMM; every other Lance port switches worlds to the
 * VMApp, whose Lance emulation performs it (model/host/vmapp.h), and back.
 * Costs are charged around the device call, never inside it.
 */
#ifndef VNICSIM_MODEL_VMM_VMM_H
#define VNICSIM_MODEL_VMM_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "model/guest/pcnet32.h"

struct Sys;

typedef enum VmmPath { VMM_PATH_NATIVE = 0, VMM_PATH_IN_VMM, VMM_PATH_SWITCH } VmmPath;

typedef struct Vmm {
    DrvPorts ports;
    bool nic_line;      /* the device's INTA# level as the virtual PIC sees it */
    uint64_t delay_ps;  /* guest busy-wait time charged */
} Vmm;

void vmm_init(struct Sys *s);
/* The path a port access at `offset` takes now (for tests and the summary). */
VmmPath vmm_port_path(const struct Sys *s, uint32_t offset);
/* Guest-side virtualization events, each charged in the current mode. */
void vmm_pic_access(struct Sys *s);      /* one access to the (virtual) PIC */
void vmm_priv_insns(struct Sys *s, unsigned n);
void vmm_deliver_irq(struct Sys *s);     /* virtual IRQ delivery (hosted only) */
void vmm_iret(struct Sys *s);
void vmm_hlt(struct Sys *s);             /* the idle task halts */
/* Guest code of `ps` picoseconds (guest_unvirtualized or native_guest). */
void vmm_guest_code(struct Sys *s, uint64_t ps);
void vmm_guest_ctxsw(struct Sys *s, uint64_t ps);

#endif
