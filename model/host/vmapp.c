/* vmapp: the VMApp's Lance emulation and the device's embedding (see vmapp.h). */
#include "model/host/vmapp.h"

#include <string.h>

#include "model/sys.h"

#define PORT_RDP 0x10u
#define CSR0_TDMD 0x0008u

static int op_dma_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
    Sys *s = opaque;
    return gmem_read(s->gmem, addr, buf, len);
}

static int op_dma_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
    Sys *s = opaque;
    return gmem_write(s->gmem, addr, buf, len);
}

static void op_set_irq(void *opaque, int level)
{
    Sys *s = opaque;
    s->vmm.nic_line = level != 0;
    if (level)
        cpu_kick(&s->cpu);
}

static void op_frame_out(void *opaque, const uint8_t *frame, size_t len, bool fcs)
{
    (void)fcs;
    Sys *s = opaque;
    if (s->hosted) {
        vmnet_transmit(s, frame, len);
    } else {
        s->n.tx_frames_wire++;
        wire_send(&s->wire, WIRE_TO_PEER, s->cpu.t, frame, len);
    }
}

static uint64_t op_now_ns(void *opaque)
{
    Sys *s = opaque;
    SimTime now = evq_now(s->q);
    if (!s->cpu.idle && s->cpu.t > now)
        now = s->cpu.t;
    return now / SIM_NS;
}

static void poll_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Sys *s = opaque;
    s->vmapp.poll_ev = 0;
    pcnet_timer_expired(s->dev); /* the chip's own poll: no CPU time */
}

static void op_timer_arm(void *opaque, uint64_t delay_ns)
{
    Sys *s = opaque;
    if (s->vmapp.poll_ev)
        evq_cancel(s->q, s->vmapp.poll_ev);
    SimTime at = op_now_ns(s) * SIM_NS + delay_ns * SIM_NS;
    s->vmapp.poll_ev = evq_at(s->q, at, poll_event, s, 0);
}

static void op_timer_cancel(void *opaque)
{
    Sys *s = opaque;
    if (s->vmapp.poll_ev)
        evq_cancel(s->q, s->vmapp.poll_ev);
    s->vmapp.poll_ev = 0;
}

int vmapp_init(Sys *s)
{
    VmApp *a = &s->vmapp;
    memset(a, 0, sizeof *a);
    a->ops.opaque = s;
    a->ops.dma_read = op_dma_read;
    a->ops.dma_write = op_dma_write;
    a->ops.set_irq = op_set_irq;
    a->ops.frame_out = op_frame_out;
    a->ops.tx_pending = NULL; /* transmit runs inside the access that demands it */
    a->ops.now_ns = op_now_ns;
    a->ops.timer_arm = op_timer_arm;
    a->ops.timer_cancel = op_timer_cancel;
    s->dev = pcnet_new(&a->ops, s->guest_mac, PCNET_PROFILE_DATASHEET);
    return s->dev ? 0 : -1;
}

void vmapp_free(Sys *s)
{
    pcnet_free(s->dev);
    s->dev = NULL;
}

typedef enum EmuKind { EMU_STATUS, EMU_TX, EMU_OTHER } EmuKind;

static EmuKind classify(Sys *s, uint32_t offset, bool write, uint32_t value)
{
    if (offset != PORT_RDP || pcnet_rap(s->dev) != 0)
        return EMU_OTHER;
    return (write && (value & CSR0_TDMD)) ? EMU_TX : EMU_STATUS;
}

static void charge_emu(Sys *s, EmuKind k)
{
    switch (k) {
    case EMU_TX:
        s->n.lance_tx_emu++;
        cpu_charge(&s->cpu, s->costs.lance_tx, CAT_LANCE_TX_EMU);
        break;
    case EMU_STATUS:
        s->n.lance_status_emu++;
        cpu_charge(&s->cpu, s->costs.lance_status, CAT_LANCE_STATUS_EMU);
        break;
    case EMU_OTHER:
        s->n.lance_other_emu++;
        cpu_charge(&s->cpu, s->costs.lance_other, CAT_LANCE_OTHER_EMU);
        break;
    }
}

/* Frames transmitted beyond the one the transmit emulation was charged for. */
static void charge_extra_tx(Sys *s, EmuKind k, uint64_t before)
{
    uint64_t d = pcnet_counters(s->dev)->tx_frames - before;
    if (k == EMU_TX && d > 0)
        d--;
    for (; d > 0; d--) {
        s->n.lance_tx_emu++;
        cpu_charge(&s->cpu, s->costs.lance_tx, CAT_LANCE_TX_EMU);
    }
}

uint32_t vmapp_port_in(Sys *s, uint32_t offset, unsigned size)
{
    EmuKind k = classify(s, offset, false, 0);
    uint64_t before = pcnet_counters(s->dev)->tx_frames;
    charge_emu(s, k);
    uint32_t v = pcnet_io_read(s->dev, offset, size);
    charge_extra_tx(s, k, before);
    return v;
}

void vmapp_port_out(Sys *s, uint32_t offset, unsigned size, uint32_t value)
{
    EmuKind k = classify(s, offset, true, value);
    uint64_t before = pcnet_counters(s->dev)->tx_frames;
    charge_emu(s, k);
    pcnet_io_write(s->dev, offset, size, value);
    charge_extra_tx(s, k, before);
}

void vmapp_wakeup(Sys *s)
{
    uint8_t buf[VMNET_FRAME_MAX];
    cpu_charge(&s->cpu, s->costs.vmapp_select, CAT_HOST_OTHER); /* select() over all devices */
    size_t len;
    while ((len = vmnet_pop_for_vm(s, buf, sizeof buf)) > 0) {
        s->n.vmnet_rx++;
        cpu_charge(&s->cpu, s->costs.vmnet_rx, CAT_VMNET_RX);
        if (pcnet_receive(s->dev, buf, len) == PCNET_RX_MISSED)
            s->vmapp.rx_missed++;
    }
}

void vmapp_native_wire_rx(void *opaque, const uint8_t *frame, size_t len)
{
    Sys *s = opaque;
    s->n.rx_frames_wire++;
    if (pcnet_receive(s->dev, frame, len) == PCNET_RX_MISSED)
        s->vmapp.rx_missed++;
}
