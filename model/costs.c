/* costs: cost table and category names (see costs.h). */
#include "model/costs.h"

#include <math.h>

static const char *const cat_names[CAT__COUNT] = {
    [CAT_INOUT_SWITCHING] = "inout_switching",
    [CAT_INOUT_IN_VMM] = "inout_in_vmm",
    [CAT_INOUT_LANCE_ADDRESS] = "inout_lance_address",
    [CAT_INOUT_LANCE_STATUS] = "inout_lance_status",
    [CAT_INOUT_PIC] = "inout_pic",
    [CAT_GUEST_UNVIRT] = "guest_unvirtualized",
    [CAT_GUEST_VIRT_OTHER] = "guest_virtualized_other",
    [CAT_GUEST_CTXSW] = "guest_context_switch",
    [CAT_VIRQ] = "virtual_irq_delivery",
    [CAT_IRET] = "iret",
    [CAT_TRANSITIONS] = "transitions",
    [CAT_HOST_IRQ_SWITCH] = "host_irq_switching",
    [CAT_VMNET_TX] = "vmnet_transmit",
    [CAT_VMNET_RX] = "vmnet_receive",
    [CAT_LANCE_TX_EMU] = "lance_transmit_emulation",
    [CAT_LANCE_STATUS_EMU] = "lance_status_emulation",
    [CAT_LANCE_OTHER_EMU] = "lance_other_emulation",
    [CAT_HOST_IRQ] = "host_irq",
    [CAT_HOST_OTHER] = "host_other",
    [CAT_NATIVE_GUEST] = "native_guest",
    [CAT_NATIVE_PORT_IO] = "native_port_io",
    [CAT_HLT_ENTRY] = "hlt_entry",
};

const char *cost_cat_name(CostCat c)
{
    return (c >= 0 && c < CAT__COUNT) ? cat_names[c] : "?";
}

SimTime costs_cycles_ps(int64_t cycles, double mhz)
{
    if (cycles <= 0 || mhz <= 0)
        return 0;
    return (SimTime)llround((double)cycles * 1e6 / mhz);
}

SimTime costs_per_kib(SimTime per_kib, uint64_t bytes)
{
    return (SimTime)((per_kib * bytes + 512) / 1024);
}

void costs_load(Costs *c, const Config *cfg)
{
    double h = cfg_num(cfg, CFG_HOST_CPU_MHZ), p = cfg_num(cfg, CFG_PEER_CPU_MHZ);
#define HC(field, key) c->field = costs_cycles_ps(cfg_int(cfg, CFG_##key), h)
#define PC(field, key) c->field = costs_cycles_ps(cfg_int(cfg, CFG_##key), p)
    HC(world_switch, COSTS_WORLD_SWITCH_CYCLES);
    HC(ws_penalty, COSTS_WS_PENALTY_CYCLES);
    HC(vmm_trap, COSTS_VMM_TRAP_CYCLES);
    HC(inout_rap, COSTS_INOUT_RAP_CYCLES);
    HC(inout_pic, COSTS_INOUT_PIC_CYCLES);
    HC(inout_switch_vmm, COSTS_INOUT_SWITCH_VMM_CYCLES);
    HC(iret, COSTS_IRET_CYCLES);
    HC(virq, COSTS_VIRQ_CYCLES);
    HC(priv_insn, COSTS_PRIV_INSN_CYCLES);
    HC(lance_status, COSTS_LANCE_STATUS_CYCLES);
    HC(lance_tx, COSTS_LANCE_TX_CYCLES);
    HC(lance_other, COSTS_LANCE_OTHER_CYCLES);
    HC(vmnet_tx, COSTS_VMNET_TX_CYCLES);
    HC(vmnet_rx, COSTS_VMNET_RX_CYCLES);
    HC(vmapp_select, COSTS_VMAPP_SELECT_CYCLES);
    HC(host_irq, COSTS_HOST_IRQ_CYCLES);
    HC(inout_status_vmm, COSTS_INOUT_STATUS_VMM_CYCLES);
    HC(inout_data_vmm, COSTS_INOUT_DATA_VMM_CYCLES);
    HC(vmapp_notify, COSTS_VMAPP_NOTIFY_CYCLES);
    HC(guest_syscall, COSTS_GUEST_SYSCALL_CYCLES);
    HC(guest_copy_per_kib, COSTS_GUEST_COPY_CYCLES_PER_KIB);
    HC(guest_segment, COSTS_GUEST_SEGMENT_CYCLES);
    HC(guest_irq, COSTS_GUEST_IRQ_CYCLES);
    HC(guest_ctxsw, COSTS_GUEST_CTXSW_CYCLES);
    HC(guest_tick, COSTS_GUEST_TICK_CYCLES);
    PC(peer_irq, COSTS_PEER_IRQ_CYCLES);
    PC(peer_segment, COSTS_PEER_SEGMENT_CYCLES);
    PC(peer_copy_per_kib, COSTS_PEER_COPY_CYCLES_PER_KIB);
    PC(peer_syscall, COSTS_PEER_SYSCALL_CYCLES);
#undef HC
#undef PC
    c->guest_vm_slowdown_pct = cfg_int(cfg, CFG_COSTS_GUEST_VM_SLOWDOWN_PCT);
    c->native_port_io = (SimTime)cfg_int(cfg, CFG_COSTS_NATIVE_PORT_IO_NS) * SIM_NS;
}
