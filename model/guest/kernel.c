/* kernel: guest interrupt routines, bottom half, NAPI, tasks (see kernel.h). */
#include "model/guest/kernel.h"

#include <stdlib.h>
#include <string.h>

#include "model/sys.h"

#define GK_NAPI_ROUNDS 32 /* polls run per softirq before deferring (net_rx_action) */

static void stk_rx_frame(void *opaque, const uint8_t *frame, size_t len)
{
    Sys *s = opaque;
    GuestKernel *g = &s->gk;
    if (s->replay) { /* the replayed traffic's receiver */
        replay_guest_rx(s->replay, frame, len);
        return;
    }
    if (g->bl_count == GK_BACKLOG || len > GK_FRAME_MAX) {
        g->backlog_drops++; /* netif_rx: backlog full */
        return;
    }
    unsigned i = (g->bl_head + g->bl_count) % GK_BACKLOG;
    memcpy(g->bl[i], frame, len);
    g->bl_len[i] = (uint16_t)len;
    g->bl_count++;
}

static void stk_tx_done(void *opaque, uint64_t cookie, bool ok)
{
    (void)opaque; (void)cookie; (void)ok; /* the skb is freed; TCP keeps its clone */
}

static void stk_napi_schedule(void *opaque)
{
    Sys *s = opaque;
    s->gk.napi_pending = true;
}

static void stk_queue_state(void *opaque, bool stopped)
{
    Sys *s = opaque;
    if (!stopped) {
        s->tcp.driver_stopped = false;
        s->gk.push_pending = true; /* netif_wake_queue: the qdisc runs again */
    }
}

int guest_init(Sys *s)
{
    GuestKernel *g = &s->gk;
    memset(g, 0, sizeof *g);
    g->bl = calloc(GK_BACKLOG, sizeof *g->bl);
    if (!g->bl)
        return -1;
    g->tick_period_ps = SIM_S / (uint64_t)cfg_int(s->cfg, CFG_GUEST_HZ);
    g->napi_budget = (int)cfg_int(s->cfg, CFG_GUEST_NAPI_BUDGET);
    g->in_task = false;
    g->stack.opaque = s;
    g->stack.rx_frame = stk_rx_frame;
    g->stack.tx_done = stk_tx_done;
    g->stack.napi_schedule = stk_napi_schedule;
    g->stack.queue_state = stk_queue_state;
    return 0;
}

void guest_free(Sys *s)
{
    free(s->gk.bl);
    s->gk.bl = NULL;
}

bool guest_irq_deliverable(const Sys *s)
{
    if (s->dtg) /* a recorded driver takes the NIC's interrupt where its recording did */
        return s->gk.timer_pending || (s->vmm.nic_line && dtg_irq_wanted(s->dtg));
    return s->vmm.nic_line || s->gk.timer_pending;
}

bool guest_has_work(const Sys *s)
{
    const GuestKernel *g = &s->gk;
    return g->napi_pending || g->push_pending || g->bl_count > 0 || tcp_task_runnable(s) ||
           (s->replay && replay_guest_has_work(s->replay)) || (s->dtg && dtg_has_work(s->dtg));
}

/* Hand the oldest backlog frame to TCP; the slot is freed after TCP is done
 * with it (a nested ISR may append to the backlog meanwhile). */
static void backlog_one(Sys *s)
{
    GuestKernel *g = &s->gk;
    unsigned i = g->bl_head;
    tcp_rx_frame(s, g->bl[i], g->bl_len[i]);
    g->bl_head = (g->bl_head + 1) % GK_BACKLOG;
    g->bl_count--;
}

/* net_bh / net_rx_action: frames queued by netif_rx go up to TCP; NAPI polls.
 * Interrupts are on (the poll itself runs with them off: the driver's lock). */
static void bottom_half(Sys *s)
{
    GuestKernel *g = &s->gk;
    bool prev = guest_set_if(s, true);
    for (int round = 0; g->napi_pending && round < GK_NAPI_ROUNDS; round++) {
        guest_set_if(s, false);
        int work = pcnet32_poll(s->drv, g->napi_budget);
        sys_drv_done(s);
        guest_set_if(s, true);
        if (work < g->napi_budget)
            g->napi_pending = false;
        while (g->bl_count) /* NAPI hands frames up directly */
            backlog_one(s);
    }
    while (g->bl_count)
        backlog_one(s);
    if (g->push_pending) {
        g->push_pending = false;
        tcp_push(s);
    }
    guest_set_if(s, prev);
}

bool guest_set_if(Sys *s, bool on)
{
    bool prev = s->gk.if_on;
    s->gk.if_on = on;
    return prev;
}

bool guest_irq_interruptible(const Sys *s)
{
    return s->gk.if_on && !s->gk.in_hardirq && guest_irq_deliverable(s);
}

/* The hard part of an interrupt: virtual delivery, entry, PIC mask/ack, the
 * driver's handler (or the tick), PIC unmask. Interrupts off. */
static void hard_irq(Sys *s, bool nested)
{
    GuestKernel *g = &s->gk;
    bool timer = g->timer_pending; /* IRQ 0 has the highest 8259 priority */
    if (timer) {
        g->ticks_taken++;
        g->last_tick_t = s->cpu.t;
        g->last_tick_nested = nested;
        g->last_tick_if = nested && g->if_on;
    }
    g->if_on = false;
    g->in_hardirq = true;
    s->n.guest_irqs++;
    vmm_deliver_irq(s);
    vmm_guest_code(s, s->costs.guest_irq);
    vmm_priv_insns(s, COST_PRIV_PER_IRQ);
    for (int i = 0; i < COST_PIC_ACCESSES_BEFORE; i++)
        vmm_pic_access(s);
    if (timer) {
        g->timer_pending = false;
        s->n.guest_ticks++;
        vmm_guest_code(s, s->costs.guest_tick);
        vmm_priv_insns(s, COST_PRIV_PER_TICK);
    } else if (s->dtg) {
        dtg_isr(s->dtg); /* the recorded interrupt run */
    } else {
        (void)pcnet32_interrupt(s->drv);
        sys_drv_done(s);
    }
    for (int i = 0; i < COST_PIC_ACCESSES_AFTER; i++)
        vmm_pic_access(s);
}

void guest_irq_routine(Sys *s)
{
    GuestKernel *g = &s->gk;
    hard_irq(s, false);
    g->in_hardirq = false;
    bottom_half(s); /* do_bottom_half: interrupts on */
    g->if_on = false;
    vmm_iret(s);
}

void guest_irq_nested(Sys *s)
{
    GuestKernel *g = &s->gk;
    bool prev = g->if_on;
    g->nested_irqs++;
    hard_irq(s, true);
    vmm_iret(s); /* the bottom half stays pending: it runs after the routine */
    g->in_hardirq = false;
    g->if_on = prev;
}

void guest_work_routine(Sys *s)
{
    GuestKernel *g = &s->gk;
    if (g->napi_pending || g->push_pending || g->bl_count) {
        bottom_half(s);
        g->if_on = false;
        return;
    }
    if (s->dtg && dtg_has_work(s->dtg)) { /* the recorded driver's next run */
        if (!g->in_task && dtg_task_next(s->dtg)) { /* a poll end runs as the softirq */
            vmm_guest_ctxsw(s, s->costs.guest_ctxsw);
            g->in_task = true;
        }
        dtg_step(s->dtg);
        return;
    }
    if (s->replay && replay_guest_has_work(s->replay)) { /* the replay's sender task */
        if (!g->in_task) {
            vmm_guest_ctxsw(s, s->costs.guest_ctxsw);
            g->in_task = true;
        }
        replay_guest_step(s->replay);
        return;
    }
    if (!tcp_task_runnable(s))
        return;
    if (!g->in_task) {
        g->if_on = false; /* schedule(): the runqueue lock, irqs off */
        vmm_guest_ctxsw(s, s->costs.guest_ctxsw);
        g->in_task = true;
    }
    g->if_on = true; /* nettest in send(): tcp.c turns it off around start_xmit */
    tcp_task_step(s);
    g->if_on = false;
}

void guest_halt(Sys *s)
{
    GuestKernel *g = &s->gk;
    g->if_on = false; /* schedule(), then the idle loop's cli; sti;hlt */
    if (g->in_task) {
        vmm_guest_ctxsw(s, s->costs.guest_ctxsw);
        g->in_task = false;
    }
    vmm_hlt(s);
    g->halted = true;
}

void guest_timer_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Sys *s = opaque;
    if (s->done)
        return;
    s->gk.timer_pending = true;
    cpu_kick(&s->cpu);
    evq_after(s->q, s->gk.tick_period_ps, guest_timer_event, s, 0);
}
