/* vmm: port-access dispatch and the other virtualization events (see vmm.h). */
#include "model/vmm/vmm.h"

#include <math.h>

#include "model/sys.h"
#include "model/tlhook.h"

#define PORT_RDP      0x10u
#define PORT_WIO_RAP  0x12u
#define PORT_DWIO_RAP 0x14u
#define CSR0_TDMD     0x0008u

VmmAccess vmm_access_kind(const Sys *s, uint32_t offset, bool write, uint32_t value)
{
    uint32_t rap = pcnet_dwio(s->dev) ? PORT_DWIO_RAP : PORT_WIO_RAP;
    if (offset == rap)
        return VMM_ACC_RAP;
    if (offset == PORT_RDP && pcnet_rap(s->dev) == 0)
        return (write && (value & CSR0_TDMD)) ? VMM_ACC_TX : VMM_ACC_STATUS;
    return VMM_ACC_OTHER;
}

double vmm_switch_rate(const Sys *s, SimTime t)
{
    const Vmm *v = &s->vmm;
    if (t <= v->rate_t)
        return v->rate;
    return v->rate * exp(-((double)(t - v->rate_t) / (double)SIM_S) / v->sc_tau_s);
}

/* The CPU tells us of each world switch: the decaying rate estimate. */
static void note_switch(void *opaque, SimTime t)
{
    Sys *s = opaque;
    Vmm *v = &s->vmm;
    v->rate = vmm_switch_rate(s, t) + 1.0 / v->sc_tau_s;
    v->rate_t = t;
}

/* Send combining: may this transmit stay queued in the virtual Lance? */
static bool combine(const Sys *s)
{
    const Vmm *v = &s->vmm;
    return v->sc_enabled && v->tx_queued < v->sc_max_queued &&
           vmm_switch_rate(s, s->cpu.t) > v->sc_threshold;
}

VmmPath vmm_port_path(const Sys *s, uint32_t offset, bool write, uint32_t value)
{
    if (!s->hosted)
        return VMM_PATH_NATIVE;
    VmmAccess k = vmm_access_kind(s, offset, write, value);
    if (k == VMM_ACC_RAP)
        return VMM_PATH_IN_VMM; /* Workstation 2.0: only the address port stays in the VMM */
    if (!s->vmm.port_handling)
        return VMM_PATH_SWITCH;
    if (k == VMM_ACC_TX)
        return combine(s) ? VMM_PATH_IN_VMM : VMM_PATH_SWITCH;
    return VMM_PATH_IN_VMM;
}

static void trap(Sys *s)
{
    s->n.traps++;
    cpu_charge(&s->cpu, s->costs.vmm_trap, CAT_TRANSITIONS);
}

/* Everything before the device call; returns the path taken. */
static VmmPath port_enter(Sys *s, uint32_t offset, bool write, uint32_t value, VmmAccess *kind)
{
    s->n.port_accesses++;
    VmmPath p = vmm_port_path(s, offset, write, value);
    *kind = s->hosted ? vmm_access_kind(s, offset, write, value) : VMM_ACC_OTHER;
    switch (p) {
    case VMM_PATH_NATIVE:
        cpu_charge(&s->cpu, s->costs.native_port_io, CAT_NATIVE_PORT_IO);
        tlhook_port(s);
        break;
    case VMM_PATH_IN_VMM:
        trap(s);
        s->n.port_in_vmm++;
        if (*kind == VMM_ACC_RAP)
            cpu_charge(&s->cpu, s->costs.inout_rap, CAT_INOUT_LANCE_ADDRESS);
        else if (*kind == VMM_ACC_OTHER)
            cpu_charge(&s->cpu, s->costs.inout_data_vmm, CAT_INOUT_IN_VMM);
        else
            cpu_charge(&s->cpu, s->costs.inout_status_vmm, CAT_INOUT_LANCE_STATUS);
        tlhook_port(s);
        break;
    case VMM_PATH_SWITCH:
        trap(s);
        s->n.port_switching++;
        cpu_charge(&s->cpu, s->costs.inout_switch_vmm, CAT_INOUT_SWITCHING);
        tlhook_port(s);
        cpu_world(&s->cpu, CPU_WORLD_HOST, CAT_INOUT_SWITCHING);
        if (*kind == VMM_ACC_TX && s->vmm.sc_enabled && s->vmm.tx_queued >= s->vmm.sc_max_queued)
            s->vmm.sc_forced++;
        break;
    }
    return p;
}

static uint32_t port_in(void *opaque, uint32_t offset, unsigned size)
{
    Sys *s = opaque;
    VmmAccess k;
    if (port_enter(s, offset, false, 0, &k) != VMM_PATH_SWITCH) {
        cpu_hold(&s->cpu);
        uint32_t v = pcnet_io_read(s->dev, offset, size);
        cpu_release(&s->cpu);
        return v;
    }
    uint32_t v = vmapp_port_in(s, offset, size);
    cpu_world(&s->cpu, CPU_WORLD_VMM, CAT_INOUT_SWITCHING);
    return v;
}

static void port_out(void *opaque, uint32_t offset, unsigned size, uint32_t value)
{
    Sys *s = opaque;
    VmmAccess k;
    if (port_enter(s, offset, true, value, &k) != VMM_PATH_SWITCH) {
        cpu_hold(&s->cpu);
        pcnet_io_write(s->dev, offset, size, value);
        cpu_release(&s->cpu);
        if (k == VMM_ACC_TX && s->hosted) { /* left queued in the virtual Lance */
            s->vmm.tx_queued++;
            s->vmm.sc_combined++;
        }
        return;
    }
    vmapp_port_out(s, offset, size, value);
    cpu_world(&s->cpu, CPU_WORLD_VMM, CAT_INOUT_SWITCHING);
}

static void port_delay(void *opaque, uint32_t us)
{
    Sys *s = opaque;
    s->vmm.delay_ps += (uint64_t)us * SIM_US;
    vmm_guest_code(s, (uint64_t)us * SIM_US);
}

void vmm_init(Sys *s)
{
    Vmm *v = &s->vmm;
    const Config *c = s->cfg;
    v->ports.opaque = s;
    v->ports.in = port_in;
    v->ports.out = port_out;
    v->ports.delay_us = port_delay;
    v->nic_line = false;
    v->delay_ps = 0;
    v->port_handling = cfg_bool(c, CFG_OPT_VMM_PORT_HANDLING);
    v->sc_enabled = cfg_bool(c, CFG_OPT_SC_ENABLED);
    v->irq_notification = cfg_bool(c, CFG_OPT_IRQ_NOTIFICATION);
    v->sc_max_queued = (unsigned)cfg_int(c, CFG_OPT_SC_MAX_QUEUED);
    v->sc_threshold = cfg_num(c, CFG_OPT_SC_RATE_THRESHOLD);
    v->sc_tau_s = cfg_num(c, CFG_OPT_SC_HALF_LIFE_US) * 1e-6 / log(2.0);
    v->rate = 0;
    v->rate_t = 0;
    s->cpu.on_switch = note_switch;
    s->cpu.on_switch_opaque = s;
}

void vmm_pic_access(Sys *s)
{
    s->n.pic_accesses++;
    if (!s->hosted) {
        cpu_charge(&s->cpu, s->costs.native_port_io, CAT_NATIVE_PORT_IO);
        return;
    }
    trap(s);
    cpu_charge(&s->cpu, s->costs.inout_pic, CAT_INOUT_PIC);
}

void vmm_priv_insns(Sys *s, unsigned n)
{
    s->n.priv_insns += n;
    if (!s->hosted)
        return; /* natively they are ordinary instructions, inside the code costs */
    for (unsigned i = 0; i < n; i++) {
        trap(s);
        cpu_charge(&s->cpu, s->costs.priv_insn, CAT_GUEST_VIRT_OTHER);
    }
}

void vmm_deliver_irq(Sys *s)
{
    if (!s->hosted)
        return;
    s->n.virqs++;
    cpu_charge(&s->cpu, s->costs.virq, CAT_VIRQ);
}

void vmm_iret(Sys *s)
{
    if (!s->hosted)
        return;
    s->n.irets++;
    trap(s);
    cpu_charge(&s->cpu, s->costs.iret, CAT_IRET);
}

void vmm_hlt(Sys *s)
{
    s->n.hlts++;
    if (!s->hosted)
        return;
    /* The study measured idle with the TSC from the guest's HLT to the next
     * interrupt: the HLT's trap, the world switch to the VMApp and the select() it
     * blocks in are inside that interval (category hlt_entry, reported as idle).
     * The transmits send combining left queued are real work, accounted as such. */
    s->n.traps++;
    cpu_charge(&s->cpu, s->costs.vmm_trap, CAT_HLT_ENTRY);
    cpu_world(&s->cpu, CPU_WORLD_HOST, CAT_HLT_ENTRY);
    vmapp_flush_tx(s);                                        /* queued transmits go now */
    cpu_charge(&s->cpu, s->costs.vmapp_select, CAT_HLT_ENTRY); /* the VMApp blocks in select() */
}

void vmm_guest_code(Sys *s, uint64_t ps)
{
    if (!s->hosted) {
        cpu_charge(&s->cpu, ps, CAT_NATIVE_GUEST);
        return;
    }
    if (s->costs.guest_vm_slowdown_pct)
        ps += (ps * (uint64_t)s->costs.guest_vm_slowdown_pct + 50) / 100;
    cpu_charge(&s->cpu, ps, CAT_GUEST_UNVIRT);
}

void vmm_guest_ctxsw(Sys *s, uint64_t ps)
{
    s->n.guest_ctxsw++;
    cpu_charge(&s->cpu, ps, s->hosted ? CAT_GUEST_CTXSW : CAT_NATIVE_GUEST);
    vmm_priv_insns(s, COST_PRIV_PER_CTXSW);
}
