/* vmm: port-access dispatch and the other virtualization events (see vmm.h). */
#include "model/vmm/vmm.h"

#include "model/sys.h"

#define PORT_WIO_RAP  0x12u
#define PORT_DWIO_RAP 0x14u

VmmPath vmm_port_path(const Sys *s, uint32_t offset)
{
    if (!s->hosted)
        return VMM_PATH_NATIVE;
    uint32_t rap = pcnet_dwio(s->dev) ? PORT_DWIO_RAP : PORT_WIO_RAP;
    if (offset == rap)
        return VMM_PATH_IN_VMM; /* Workstation 2.0: only the address port stays in the VMM */
    return VMM_PATH_SWITCH;
}

static void trap(Sys *s)
{
    s->n.traps++;
    cpu_charge(&s->cpu, s->costs.vmm_trap, CAT_TRANSITIONS);
}

/* Everything before the device call; returns the path taken. */
static VmmPath port_enter(Sys *s, uint32_t offset)
{
    s->n.port_accesses++;
    VmmPath p = vmm_port_path(s, offset);
    switch (p) {
    case VMM_PATH_NATIVE:
        cpu_charge(&s->cpu, s->costs.native_port_io, CAT_NATIVE_PORT_IO);
        break;
    case VMM_PATH_IN_VMM:
        trap(s);
        s->n.port_in_vmm++;
        cpu_charge(&s->cpu, s->costs.inout_rap, CAT_INOUT_LANCE_ADDRESS);
        break;
    case VMM_PATH_SWITCH:
        trap(s);
        s->n.port_switching++;
        cpu_charge(&s->cpu, s->costs.inout_switch_vmm, CAT_INOUT_SWITCHING);
        cpu_world(&s->cpu, CPU_WORLD_HOST, CAT_INOUT_SWITCHING);
        break;
    }
    return p;
}

static uint32_t port_in(void *opaque, uint32_t offset, unsigned size)
{
    Sys *s = opaque;
    if (port_enter(s, offset) != VMM_PATH_SWITCH)
        return pcnet_io_read(s->dev, offset, size);
    uint32_t v = vmapp_port_in(s, offset, size);
    cpu_world(&s->cpu, CPU_WORLD_VMM, CAT_INOUT_SWITCHING);
    return v;
}

static void port_out(void *opaque, uint32_t offset, unsigned size, uint32_t value)
{
    Sys *s = opaque;
    if (port_enter(s, offset) != VMM_PATH_SWITCH) {
        pcnet_io_write(s->dev, offset, size, value);
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
    v->ports.opaque = s;
    v->ports.in = port_in;
    v->ports.out = port_out;
    v->ports.delay_us = port_delay;
    v->nic_line = false;
    v->delay_ps = 0;
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
    trap(s);
    cpu_world(&s->cpu, CPU_WORLD_HOST, CAT_TRANSITIONS);
    cpu_charge(&s->cpu, s->costs.vmapp_select, CAT_HOST_OTHER); /* the VMApp blocks in select() */
}

void vmm_guest_code(Sys *s, uint64_t ps)
{
    cpu_charge(&s->cpu, ps, s->hosted ? CAT_GUEST_UNVIRT : CAT_NATIVE_GUEST);
}

void vmm_guest_ctxsw(Sys *s, uint64_t ps)
{
    s->n.guest_ctxsw++;
    cpu_charge(&s->cpu, ps, s->hosted ? CAT_GUEST_CTXSW : CAT_NATIVE_GUEST);
    vmm_priv_insns(s, COST_PRIV_PER_CTXSW);
}
