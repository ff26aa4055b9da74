/* vmnet: VMNet, the physical NIC (82557 + eepro100.c) and host interrupt
 * handling (see vmnet.h). */
#include "model/host/vmnet.h"

#include <stdlib.h>
#include <string.h>

#include "model/sys.h"
#include "model/tlhook.h"

static int ring_init(VmNetRing *r)
{
    memset(r, 0, sizeof *r);
    r->buf = calloc(VMNET_RING, sizeof *r->buf);
    return r->buf ? 0 : -1;
}

static bool ring_push(VmNetRing *r, const uint8_t *frame, size_t len, SimTime at)
{
    if (r->count == VMNET_RING || len > VMNET_FRAME_MAX) {
        r->drops++;
        return false;
    }
    unsigned i = (r->head + r->count) % VMNET_RING;
    memcpy(r->buf[i], frame, len);
    r->len[i] = (uint16_t)len;
    r->at[i] = at;
    r->count++;
    return true;
}

static size_t ring_pop(VmNetRing *r, uint8_t *buf, size_t cap, SimTime *at /* NULL: not wanted */)
{
    if (!r->count)
        return 0;
    unsigned i = r->head;
    if (at)
        *at = r->at[i];
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
    v->cmdintr_every = (unsigned)cfg_int(s->cfg, CFG_HOST_NIC_TX_CMDINTR_EVERY);
    v->tick_period_ps = SIM_S / (uint64_t)cfg_int(s->cfg, CFG_HOST_HZ);
    return 0;
}

void vmnet_free(Sys *s)
{
    free(s->vmnet.nic_rx.buf);
    free(s->vmnet.to_vm.buf);
    s->vmnet.nic_rx.buf = s->vmnet.to_vm.buf = NULL;
}

void vmnet_reset_counts(Sys *s)
{
    VmNet *v = &s->vmnet;
    v->irq_nic_count = v->irq_cna = v->irq_cx = v->irq_fr = v->cu_suspends = 0;
    v->rx_queued = v->rx_deferred = v->rx_read = 0;
    v->rx_wait_sum = v->rx_wait_max = 0;
}

/* The NIC raises (or keeps raising) its interrupt line for `bits`. */
static void nic_assert(Sys *s, uint8_t bits)
{
    s->vmnet.scb_stat |= bits;
    s->vmnet.irq_nic = true;
    cpu_kick(&s->cpu);
}

#define CU_ARG_CMDINTR ((uint64_t)1 << 63)

/* The CU completed TxCB number `arg` (1-based; top bit: it had the I bit). It
 * continues with the next TxCB if the driver appended one (clearing this one's S
 * bit) before now; otherwise it suspends on this one's S bit: CNA. */
static void cu_done_event(void *opaque, uint64_t arg)
{
    Sys *s = opaque;
    VmNet *v = &s->vmnet;
    uint64_t n = arg & ~CU_ARG_CMDINTR;
    SimTime now = evq_now(s->q);
    uint8_t bits = 0;
    v->tx_done = n;
    if (arg & CU_ARG_CMDINTR)
        bits |= VMNET_SCB_CX;
    bool next = v->tx_frames > n && v->append_t[(n + 1) % VMNET_CU_HIST] < now;
    if (!next) {
        v->cu_suspends++;
        bits |= VMNET_SCB_CNA;
    }
    if (bits)
        nic_assert(s, bits);
}

void vmnet_transmit(Sys *s, const uint8_t *frame, size_t len)
{
    VmNet *v = &s->vmnet;
    s->n.vmnet_tx++;
    cpu_charge(&s->cpu, s->costs.vmnet_tx, CAT_VMNET_TX);
    tlhook_cpu_frame(s, frame, len, TIMELINE_FLOW_STEP);
    s->n.tx_frames_wire++;
    /* speedo_start_xmit: a TxCB with S (and I on every N-th), S cleared on the
     * previous one, CU_RESUME; the CU sends the frames in order. */
    uint64_t n = ++v->tx_frames;
    v->append_t[n % VMNET_CU_HIST] = s->cpu.t;
    bool intr = v->cmdintr_every && n % v->cmdintr_every == 0;
    SimTime arrive = wire_send(&s->wire, WIRE_TO_PEER, s->cpu.t, frame, len);
    if (s->tl_flow) {
        /* timeline: the segment whose start_xmit runs has left the CPU (a host IRQ
         * taken inside start_xmit can flush it with send combining); the rest of
         * start_xmit's accesses are not points of its journey, whose next point,
         * on the wire, may lie after them (the NIC's queue) */
        TcpFrameInfo fi;
        if (tcp_parse_frame(frame, len, &fi) == 0 && fi.payload &&
            tlhook_seg_id((uint64_t)fi.seq + fi.payload) == s->tl_flow)
            s->tl_flow = 0;
    }
    SimTime done = arrive - s->wire.propagation; /* the TxCB completes with its last bit */
    evq_at(s->q, done, cu_done_event, s, n | (intr ? CU_ARG_CMDINTR : 0));
}

bool vmnet_irq_pending(const Sys *s)
{
    return s->vmnet.irq_nic || s->vmnet.irq_timer;
}

/* One pass of the host's interrupt handlers over what is pending (host world).
 * Returns true if a frame for the VM reached VMNet. */
static bool host_handlers(Sys *s)
{
    VmNet *v = &s->vmnet;
    Cpu *c = &s->cpu;
    bool for_vm = false;
    if (v->irq_nic) {
        /* speedo_interrupt: read and acknowledge the SCB status, receive every
         * frame in the ring (FR), reap the completed TxCBs (CX, CNA) */
        uint8_t st = v->scb_stat;
        v->irq_nic = false;
        v->scb_stat = 0;
        s->n.host_irqs++;
        v->irq_nic_count++;
        v->irq_cna += (st & VMNET_SCB_CNA) != 0;
        v->irq_cx += (st & VMNET_SCB_CX) != 0;
        v->irq_fr += (st & VMNET_SCB_FR) != 0;
        cpu_charge(c, s->costs.host_irq, CAT_HOST_IRQ);
        v->tx_reaped = v->tx_done;
        uint8_t buf[VMNET_FRAME_MAX];
        size_t len;
        while ((len = ring_pop(&v->nic_rx, buf, sizeof buf, NULL)) > 0) { /* bridge into VMNet */
            bool queued = ring_push(&v->to_vm, buf, len, c->t);
            for_vm |= queued;
            v->rx_queued += queued;
            if (!queued && s->replay)
                replay_host_rx_drop(s->replay, buf, len);
        }
    }
    if (v->irq_timer) {
        v->irq_timer = false;
        s->n.host_irqs++;
        cpu_charge(c, s->costs.host_irq, CAT_HOST_IRQ);
    }
    return for_vm;
}

void vmnet_host_irq_routine(Sys *s, bool vmapp_blocked)
{
    Cpu *c = &s->cpu;
    bool was_vmm = c->world == CPU_WORLD_VMM;
    bool guest_idle = s->gk.halted;
    SimTime t0 = c->t;
    if (was_vmm) {
        s->n.host_irqs_forced++;
        cpu_charge(c, 0, CAT_HOST_IRQ_SWITCH); /* counts the forced round trip */
        cpu_world(c, CPU_WORLD_HOST, CAT_HOST_IRQ_SWITCH);
    }
    /* The host kernel takes every interrupt pending, and any that comes while it
     * runs, before the VMApp gets control: back from its ioctl (the VMM was
     * running) or woken in select() by a frame for the VM. What comes while the
     * VMApp works is taken in the host world too, before the switch back.
     *
     * The VMApp looks for frames (select(), or the shared bits with IRQ
     * notification) only when a host IRQ brings it back from its ioctl, or when it
     * is blocked in select() at a guest HLT (paper §3, §4.3: the VMApp finds a
     * frame "with select()" on each NIC IRQ; select() "is still used when the
     * VMApp blocks on a guest HLT"). A frame that reaches VMNet while the VMApp is
     * busy emulating a port access wakes nobody: the VMApp is not waiting, and it
     * re-enters the VMM when the access is done; the frame waits in VMNet for the
     * next IRQ-induced return or HLT (docs/model.md §3). Polling after every
     * I/O-induced return would cost a select() per switching access (5 or more per frame),
     * more than Table 1 leaves for all other host work (2.5 %). */
    bool in_select = vmapp_blocked && guest_idle;
    for (int round = 0; round < 8 && vmnet_irq_pending(s); round++) {
        bool for_vm = false;
        uint64_t queued0 = s->vmnet.rx_queued;
        for (int guard = 0; guard < 64 && vmnet_irq_pending(s); guard++)
            for_vm |= host_handlers(s);
        if (guest_idle && round == 0) {
            s->host_irq_idle_time += c->t - t0;
            s->host_irq_idle_count++;
        }
        if ((was_vmm && round == 0) || (for_vm && (was_vmm || in_select)))
            vmapp_wakeup(s, !was_vmm && in_select);
        else if (for_vm)
            s->vmnet.rx_deferred += s->vmnet.rx_queued - queued0; /* nobody looks: they wait */
    }
    if (was_vmm)
        cpu_world(c, CPU_WORLD_VMM, CAT_HOST_IRQ_SWITCH);
}

bool vmnet_frames_for_vm(const Sys *s)
{
    return s->vmnet.to_vm.count > 0;
}

size_t vmnet_pop_for_vm(Sys *s, uint8_t *buf, size_t cap)
{
    VmNet *v = &s->vmnet;
    SimTime at = 0;
    size_t len = ring_pop(&v->to_vm, buf, cap, &at);
    if (len) {
        SimTime wait = s->cpu.t > at ? s->cpu.t - at : 0;
        v->rx_read++;
        v->rx_wait_sum += wait;
        if (wait > v->rx_wait_max)
            v->rx_wait_max = wait;
    }
    return len;
}

void vmnet_wire_rx(void *opaque, const uint8_t *frame, size_t len)
{
    Sys *s = opaque;
    s->n.rx_frames_wire++;
    ring_push(&s->vmnet.nic_rx, frame, len, evq_now(s->q));
    nic_assert(s, VMNET_SCB_FR);
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
