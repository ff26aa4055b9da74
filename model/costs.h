/* costs: the cost table of the hosted model and the CPU-time categories.
 *
 * Every piece of simulated CPU work is one charge (picoseconds, CostCat) on a CPU
 * (model/host/cpu.h). Costs come from the configuration in cycles of the machine
 * that runs them (host.cpu_mhz, peer.cpu_mhz) or in ns, and are converted once to
 * picoseconds here. The categories are the rows of the paper's Table 1; the
 * breakdown tables of results.json are sums over them, never computed apart.
 */
#ifndef VNICSIM_MODEL_COSTS_H
#define VNICSIM_MODEL_COSTS_H

#include <stdint.h>

#include "sim/config.h"
#include "sim/evq.h"

/* Charge categories. The first block is the VMM's share (breakdown.vmm), the
 * second the host world, the third native execution (no VMM). */
typedef enum CostCat {
    CAT_INOUT_SWITCHING = 0,  /* port access that switches to the VMApp (VMM side + 2 switches) */
    CAT_INOUT_IN_VMM,         /* Lance data-port access emulated in the VMM (part 2) */
    CAT_INOUT_LANCE_ADDRESS,  /* RAP access handled in the VMM */
    CAT_INOUT_LANCE_STATUS,   /* CSR0 status access handled in the VMM (part 2) */
    CAT_INOUT_PIC,            /* virtual PIC access */
    CAT_GUEST_UNVIRT,         /* guest code run directly (incl. world-switch refill penalty) */
    CAT_GUEST_VIRT_OTHER,     /* other guest instructions requiring virtualization */
    CAT_GUEST_CTXSW,          /* guest context switches nettest <-> idle */
    CAT_VIRQ,                 /* virtual IRQ delivery */
    CAT_IRET,                 /* IRET virtualization */
    CAT_TRANSITIONS,          /* entering/leaving VMM code (traps), HLT switches */
    CAT_HOST_IRQ_SWITCH,      /* world switches forced by a host IRQ (VMM time, not a Table 1 row) */
    CAT__VMM_END,
    CAT_VMNET_TX = CAT__VMM_END, /* VMApp write() through VMNet to the host NIC */
    CAT_VMNET_RX,             /* VMApp read() from VMNet + copy into guest memory */
    CAT_LANCE_TX_EMU,         /* VMApp: Lance transmit path */
    CAT_LANCE_STATUS_EMU,     /* VMApp: Lance status register */
    CAT_LANCE_OTHER_EMU,      /* VMApp: other Lance data-port accesses (init, BCRs) */
    CAT_HOST_IRQ,             /* host IRQ handlers (the world switches they force: CAT_HOST_IRQ_SWITCH) */
    CAT_HOST_OTHER,           /* other host work: VMApp select() */
    CAT_NATIVE_GUEST,         /* native: the guest OS and nettest on the bare machine */
    CAT_NATIVE_PORT_IO,       /* native: port accesses */
    CAT_HLT_ENTRY,            /* hosted: a guest HLT up to the CPU's real idle (its trap, the
                               * world switch to the VMApp, the select() it blocks in): idle
                               * as the paper measured it, from the HLT (docs/model.md §6) */
    CAT__COUNT
} CostCat;

const char *cost_cat_name(CostCat c);

/* Structural counts of guest privileged instructions per routine (Linux 2.2 code
 * paths, see docs/model.md): these are not costs, they say how many times the
 * per-instruction cost is charged. */
#define COST_PRIV_PER_TX_SEGMENT 4 /* dev_queue_xmit cli/sti + start_xmit irqsave/restore */
#define COST_PRIV_PER_IRQ        4 /* do_IRQ: sti before the handler, cli after, BH cli/sti */
#define COST_PRIV_PER_RX_PACKET  2 /* backlog dequeue with IRQs saved/restored */
#define COST_PRIV_PER_CTXSW      2 /* page-table base load and flags restore in switch_to */
#define COST_PRIV_PER_TICK       2 /* timer handler's xtime lock */
#define COST_PIC_ACCESSES_BEFORE 3 /* mask_and_ack: mask, EOI slave, EOI master */
#define COST_PIC_ACCESSES_AFTER  2 /* unmask: read mask, write mask */

typedef struct Costs {
    /* host machine, picoseconds per event */
    SimTime world_switch, ws_penalty, vmm_trap, inout_rap, inout_pic, inout_switch_vmm;
    SimTime iret, virq, priv_insn;
    SimTime lance_status, lance_tx, lance_other, vmnet_tx, vmnet_rx, vmapp_select, host_irq;
    SimTime inout_status_vmm, inout_data_vmm, vmapp_notify;
    int64_t guest_vm_slowdown_pct; /* not a time: a percentage on guest code in the VM */
    SimTime native_port_io;
    SimTime guest_syscall, guest_copy_per_kib, guest_segment, guest_irq, guest_ctxsw, guest_tick;
    /* peer machine */
    SimTime peer_irq, peer_segment, peer_copy_per_kib, peer_syscall;
} Costs;

/* Fill from a resolved configuration. */
void costs_load(Costs *c, const Config *cfg);
/* cycles at `mhz` -> picoseconds, rounded to nearest. */
SimTime costs_cycles_ps(int64_t cycles, double mhz);
/* per-KiB cost applied to `bytes` (rounded to nearest ps). */
SimTime costs_per_kib(SimTime per_kib, uint64_t bytes);

#endif
