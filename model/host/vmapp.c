/* vmapp: the VMApp's Lance emulation and the device's embedding (see vmapp.h). */
#include "model/host/vmapp.h"

#include <string.h>

#include "model/sys.h"
#include "model/tlhook.h"

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
    dtrec_irq(s->dtrec, level);
    if (level)
        cpu_kick(&s->cpu);
}

static void op_frame_out(void *opaque, const uint8_t *frame, size_t len, bool fcs)
{
    (void)fcs;
    Sys *s = opaque;
    dtrec_tx_frame(s->dtrec, frame, len);
    if (s->hosted) {
        /* the VMApp's Lance transmit path for this frame, then its write() */
        s->n.lance_tx_emu++;
        s->vmapp.frames_out++;
        cpu_charge(&s->cpu, s->costs.lance_tx, CAT_LANCE_TX_EMU);
        tlhook_cpu_frame(s, frame, len, TIMELINE_FLOW_STEP);
        vmnet_transmit(s, frame, len);
    } else {
        s->n.tx_frames_wire++;
        wire_send(&s->wire, WIRE_TO_PEER, s->cpu.t, frame, len);
    }
}

static void op_tx_pending(void *opaque)
{
    Sys *s = opaque;
    s->vmapp.tx_work = true;
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
    cpu_hold(&s->cpu);
    pcnet_timer_expired(s->dev); /* the chip's own poll: no CPU time */
    cpu_release(&s->cpu);
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
    /* Without send combining the transmit runs inside the access that demands it;
     * with it, the device reports pending work and the VMApp runs it at a switch. */
    a->ops.tx_pending = (s->hosted && cfg_bool(s->cfg, CFG_OPT_SC_ENABLED)) ? op_tx_pending : NULL;
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
    switch (vmm_access_kind(s, offset, write, value)) {
    case VMM_ACC_TX: return EMU_TX;
    case VMM_ACC_STATUS: return EMU_STATUS;
    default: return EMU_OTHER;
    }
}

static void charge_emu(Sys *s, EmuKind k)
{
    if (k == EMU_STATUS) {
        s->n.lance_status_emu++;
        cpu_charge(&s->cpu, s->costs.lance_status, CAT_LANCE_STATUS_EMU);
    } else {
        s->n.lance_other_emu++;
        cpu_charge(&s->cpu, s->costs.lance_other, CAT_LANCE_OTHER_EMU);
    }
}

void vmapp_flush_tx(Sys *s)
{
    for (int guard = 0; s->vmapp.tx_work && guard < 64; guard++) {
        s->vmapp.tx_work = false;
        uint64_t before = s->vmapp.frames_out;
        cpu_hold(&s->cpu); /* its frame_out charges are not preemption points */
        pcnet_tx_run(s->dev);
        cpu_release(&s->cpu);
        s->vmm.sc_flushed_frames += s->vmapp.frames_out - before;
    }
    s->vmm.tx_queued = 0;
}

uint32_t vmapp_port_in(Sys *s, uint32_t offset, unsigned size)
{
    EmuKind k = classify(s, offset, false, 0);
    charge_emu(s, k);
    cpu_hold(&s->cpu);
    uint32_t v = pcnet_io_read(s->dev, offset, size);
    cpu_release(&s->cpu);
    vmapp_flush_tx(s);
    return v;
}

void vmapp_port_out(Sys *s, uint32_t offset, unsigned size, uint32_t value)
{
    EmuKind k = classify(s, offset, true, value);
    uint64_t before = s->vmapp.frames_out;
    if (k != EMU_TX)
        charge_emu(s, k); /* a transmit is charged per frame, in frame_out */
    cpu_hold(&s->cpu); /* a transmit's frame_out charges happen inside */
    pcnet_io_write(s->dev, offset, size, value);
    cpu_release(&s->cpu);
    vmapp_flush_tx(s);
    if (k == EMU_TX && s->vmapp.frames_out == before)
        charge_emu(s, EMU_STATUS); /* TDMD with nothing to send: a status write */
}

void vmapp_wakeup(Sys *s, bool in_select)
{
    uint8_t buf[VMNET_FRAME_MAX];
    vmapp_flush_tx(s); /* an interrupt-induced switch sends what send combining queued */
    /* When woken in the select() it blocked in at the guest's HLT, that call was
     * charged then. */
    if (!in_select && s->vmm.irq_notification)
        cpu_charge(&s->cpu, s->costs.vmapp_notify, CAT_HOST_OTHER); /* check the shared bits */
    else if (!in_select)
        cpu_charge(&s->cpu, s->costs.vmapp_select, CAT_HOST_OTHER); /* select() over all devices */
    size_t len;
    while ((len = vmnet_pop_for_vm(s, buf, sizeof buf)) > 0) {
        s->n.vmnet_rx++;
        cpu_charge(&s->cpu, s->costs.vmnet_rx, CAT_VMNET_RX);
        tlhook_cpu_frame(s, buf, len, TIMELINE_FLOW_STEP);
        cpu_hold(&s->cpu);
        dtrec_rx_begin(s->dtrec, buf, len);
        PcnetRxResult res = pcnet_receive(s->dev, buf, len);
        dtrec_rx_end(s->dtrec);
        if (res == PCNET_RX_MISSED)
            s->vmapp.rx_missed++;
        if (s->replay)
            replay_vnic_rx_result(s->replay, buf, len, res);
        cpu_release(&s->cpu);
    }
}

void vmapp_native_wire_rx(void *opaque, const uint8_t *frame, size_t len)
{
    Sys *s = opaque;
    s->n.rx_frames_wire++;
    dtrec_rx_begin(s->dtrec, frame, len);
    PcnetRxResult res = pcnet_receive(s->dev, frame, len);
    dtrec_rx_end(s->dtrec);
    if (res == PCNET_RX_MISSED)
        s->vmapp.rx_missed++;
    if (s->replay)
        replay_vnic_rx_result(s->replay, frame, len, res);
}
