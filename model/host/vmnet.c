/* vmnet: VMNet, the physical NIC and host interrupt handling (see vmnet.h). */
#include "model/host/vmnet.h"

#include <stdlib.h>
#include <string.h>

#include "model/sys.h"

static int ring_init(VmNetRing *r)
{
    memset(r, 0, sizeof *r);
    r->buf = calloc(VMNET_RING, sizeof *r->buf);
    return r->buf ? 0 : -1;
}

static bool ring_push(VmNetRing *r, const uint8_t *frame, size_t len)
{
    if (r->count == VMNET_RING || len > VMNET_FRAME_MAX) {
        r->drops++;
        return false;
    }
    unsigned i = (r->head + r->count) % VMNET_RING;
    memcpy(r->buf[i], frame, len);
    r->len[i] = (uint16_t)len;
    r->count++;
    return true;
}

static size_t ring_pop(VmNetRing *r, uint8_t *buf, size_t cap)
{
    if (!r->count)
        return 0;
    unsigned i = r->head;
    size_t len = r->len[i];
    if (len > cap)
        len = cap;
    memcpy(buf, r->buf[i], len);
    r->head = (r->head + 1) % VMNET_RING;
    r->count--;
    return len;
}

int vmnet_init(Sys *s)
{
    VmNet *v = &s->vmnet;
    memset(v, 0, sizeof *v);
    if (ring_init(&v->nic_rx) || ring_init(&v->to_vm))
        return -1;
    v->tx_irq_interval = (unsigned)cfg_int(s->cfg, CFG_HOST_NIC_TX_IRQ_INTERVAL);
    v->tick_period_ps = SIM_S / (uint64_t)cfg_int(s->cfg, CFG_HOST_HZ);
    return 0;
}

void vmnet_free(Sys *s)
{
    free(s->vmnet.nic_rx.buf);
    free(s->vmnet.to_vm.buf);
    s->vmnet.nic_rx.buf = s->vmnet.to_vm.buf = NULL;
}

static void tx_irq_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Sys *s = opaque;
    s->vmnet.irq_nic = true;
    cpu_kick(&s->cpu);
}

void vmnet_transmit(Sys *s, const uint8_t *frame, size_t len)
{
    VmNet *v = &s->vmnet;
    s->n.vmnet_tx++;
    cpu_charge(&s->cpu, s->costs.vmnet_tx, CAT_VMNET_TX);
    s->n.tx_frames_wire++;
    v->tx_frames++;
    SimTime done = wire_send(&s->wire, WIRE_TO_PEER, s->cpu.t, frame, len);
    if (v->tx_irq_interval && ++v->tx_since_irq >= v->tx_irq_interval) {
        v->tx_since_irq = 0;
        evq_at(s->q, done, tx_irq_event, s, 0);
    }
}

bool vmnet_irq_pending(const Sys *s)
{
    return s->vmnet.irq_nic || s->vmnet.irq_timer;
}

void vmnet_host_irq_routine(Sys *s)
{
    VmNet *v = &s->vmnet;
    Cpu *c = &s->cpu;
    bool was_vmm = c->world == CPU_WORLD_VMM;
    bool guest_idle = s->gk.halted;
    SimTime t0 = c->t;
    if (was_vmm) {
        s->n.host_irqs_forced++;
        cpu_world(c, CPU_WORLD_HOST, CAT_HOST_IRQ);
    }
    bool for_vm = false;
    if (v->irq_nic) {
        v->irq_nic = false;
        s->n.host_irqs++;
        cpu_charge(c, s->costs.host_irq, CAT_HOST_IRQ);
        uint8_t buf[VMNET_FRAME_MAX];
        size_t len;
        while ((len = ring_pop(&v->nic_rx, buf, sizeof buf)) > 0) /* bridge into VMNet */
            for_vm |= ring_push(&v->to_vm, buf, len);
    }
    if (v->irq_timer) {
        v->irq_timer = false;
        s->n.host_irqs++;
        cpu_charge(c, s->costs.host_irq, CAT_HOST_IRQ);
    }
    if (guest_idle) {
        s->host_irq_idle_time += c->t - t0;
        s->host_irq_idle_count++;
    }
    /* The VMApp gets control: back from its ioctl (the VMM was running) or woken in
     * select() by a frame for the VM. */
    if (was_vmm || for_vm)
        vmapp_wakeup(s, !was_vmm);
    if (was_vmm)
        cpu_world(c, CPU_WORLD_VMM, CAT_HOST_IRQ);
}

size_t vmnet_pop_for_vm(Sys *s, uint8_t *buf, size_t cap)
{
    return ring_pop(&s->vmnet.to_vm, buf, cap);
}

void vmnet_wire_rx(void *opaque, const uint8_t *frame, size_t len)
{
    Sys *s = opaque;
    s->n.rx_frames_wire++;
    ring_push(&s->vmnet.nic_rx, frame, len);
    s->vmnet.irq_nic = true;
    cpu_kick(&s->cpu);
}

void vmnet_timer_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Sys *s = opaque;
    if (s->done)
        return;
    s->vmnet.irq_timer = true;
    cpu_kick(&s->cpu);
    evq_after(s->q, s->vmnet.tick_period_ps, vmnet_timer_event, s, 0);
}
