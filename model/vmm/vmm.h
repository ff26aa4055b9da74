/* vmm: the one place a guest port access is dispatched and costed, plus the other
 * virtualization events (virtual PIC, virtual IRQ delivery, IRET, privileged
 * instructions, HLT) and send combining.
 *
 * vmm_ports is the DrvPorts the guest driver uses in both modes. Native: the
 * access goes straight to the device at the bare machine's port-I/O cost. Hosted
 * (Workstation 2.0): every access traps into the VMM; the Lance address port
 * (RAP) is handled in the VMM; every other Lance port switches worlds to the
 * VMApp, whose Lance emulation performs it (model/host/vmapp.h), and back.
 * With optimizations.vmm_port_handling only the CSR0 write that transmits (TDMD)
 * switches; status (CSR0) and other accesses update the virtual Lance in the VMM.
 * With optimizations.send_combining, that transmit is left queued in the virtual
 * Lance while the decaying world-switch rate estimate is above the threshold and
 * no more than max_queued frames wait; the next switch to the host sends them.
 * Costs are charged around the device call, never inside it.
 */
#ifndef VNICSIM_MODEL_VMM_VMM_H
#define VNICSIM_MODEL_VMM_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "model/guest/pcnet32.h"
#include "sim/evq.h"

struct Sys;

typedef enum VmmPath { VMM_PATH_NATIVE = 0, VMM_PATH_IN_VMM, VMM_PATH_SWITCH } VmmPath;

/* What a Lance port access is, for its path and its cost. */
typedef enum VmmAccess {
    VMM_ACC_RAP = 0,  /* the address port */
    VMM_ACC_STATUS,   /* RDP with RAP = 0 (CSR0), not transmitting */
    VMM_ACC_TX,       /* RDP write to CSR0 with TDMD: demands a transmit */
    VMM_ACC_OTHER,    /* other CSRs, BDP, reset, address PROM */
} VmmAccess;

typedef struct Vmm {
    DrvPorts ports;
    bool nic_line;      /* the device's INTA# level as the virtual PIC sees it */
    uint64_t delay_ps;  /* guest busy-wait time charged */
    /* optimizations */
    bool port_handling, sc_enabled, irq_notification;
    unsigned sc_max_queued;
    double sc_threshold;     /* switches per second */
    double sc_tau_s;         /* time constant of the estimate (half-life / ln 2) */
    double rate;             /* world switches per second, as of rate_t */
    SimTime rate_t;
    unsigned tx_queued;      /* transmits left queued in the virtual Lance */
    uint64_t sc_combined, sc_forced, sc_flushed_frames;
} Vmm;

void vmm_init(struct Sys *s);
VmmAccess vmm_access_kind(const struct Sys *s, uint32_t offset, bool write, uint32_t value);
/* The path a port access takes now (for tests and the summary). */
VmmPath vmm_port_path(const struct Sys *s, uint32_t offset, bool write, uint32_t value);
/* The decaying world-switch rate estimate at time t (per second). */
double vmm_switch_rate(const struct Sys *s, SimTime t);
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
