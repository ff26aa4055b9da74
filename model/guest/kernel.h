/* kernel: the guest kernel around the driver: interrupt entry and exit, the
 * bottom half (netif_rx backlog -> TCP), NAPI polling, the timer tick, the two
 * tasks (nettest and idle) and their context switches.
 *
 * Guest routines (see docs/model.md): an interrupt routine is IRQ entry + PIC
 * mask/ack + the driver's handler + PIC unmask + the bottom half + IRET; a task
 * step is one segment's worth of nettest work. The kernel tracks the guest's
 * interrupt flag through a routine (`if_on`): on in the send() system call, the
 * copy from user space, TCP's per-segment work outside the driver and the bottom
 * half's TCP processing; off in the driver's start_xmit (spinlock, irqsave), the
 * hard ISR, the NAPI poll, the context switch and the idle task's cli;hlt. At a
 * charge boundary where the flag is on (model.c, cpu.h's second hook), a pending
 * interrupt is taken nested: entry, PIC, the hard ISR, IRET (guest_irq_nested);
 * its bottom half is left to run after the interrupted routine (the frames stay
 * in the backlog, as Linux 2.2's BHs do not run re-entrantly and TCP processing
 * of an owned socket waits for release_sock). Interrupts raised where the flag
 * is off wait for the next point where it is on, or the routine's end.
 */
#ifndef VNICSIM_MODEL_GUEST_KERNEL_H
#define VNICSIM_MODEL_GUEST_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/guest/pcnet32.h"
#include "sim/evq.h"

struct Sys;

#define GK_BACKLOG 128
#define GK_FRAME_MAX 1536

typedef struct GuestKernel {
    bool in_task;        /* current context: nettest (true) or idle (false) */
    bool halted;         /* idle task executed HLT; waiting for an interrupt */
    bool timer_pending;  /* timer tick (IRQ 0) pending */
    bool napi_pending;   /* NAPI poll scheduled (pcnet32-napi) */
    bool push_pending;   /* the driver woke its queue: TCP should transmit */
    bool if_on;          /* the guest's interrupt flag in the running routine */
    bool in_hardirq;     /* in the hard interrupt part (entry .. IRET) */
    uint64_t nested_irqs; /* interrupts taken at an IF=1 point inside a routine
                          * (measured interval: model.c resets it) */
    uint64_t ticks_taken; /* timer interrupts taken (all, measured or not) */
    SimTime last_tick_t; /* cursor when the last tick's delivery began */
    bool last_tick_nested; /* ... taken inside a routine (else between routines) */
    bool last_tick_if;   /* ... the interrupted code's flag (nested only) */
    uint64_t tick_period_ps;
    int napi_budget;
    uint16_t bl_len[GK_BACKLOG];
    uint8_t (*bl)[GK_FRAME_MAX];
    unsigned bl_head, bl_count;
    uint64_t backlog_drops;
    DrvStack stack;
} GuestKernel;

int guest_init(struct Sys *s);
void guest_free(struct Sys *s);
/* An interrupt is deliverable to the guest now (NIC line or timer). */
bool guest_irq_deliverable(const struct Sys *s);
/* The guest has non-interrupt work (NAPI poll, TCP push, nettest). */
bool guest_has_work(const struct Sys *s);
/* Run one interrupt routine (must be deliverable). */
void guest_irq_routine(struct Sys *s);
/* An interrupt may be taken inside the running routine now: the guest's
 * interrupt flag is on, it is not in its hard ISR, and one is deliverable. */
bool guest_irq_interruptible(const struct Sys *s);
/* Take one deliverable interrupt nested at the cursor: entry, PIC, the hard ISR
 * (or the tick), IRET; the bottom half is deferred (left pending). */
void guest_irq_nested(struct Sys *s);
/* Set the guest's interrupt flag; returns the previous value. */
bool guest_set_if(struct Sys *s, bool on);
/* Run one piece of non-interrupt work. */
void guest_work_routine(struct Sys *s);
/* Nothing to do: switch to the idle task and halt. */
void guest_halt(struct Sys *s);
/* Timer event callback (opaque = Sys). */
void guest_timer_event(void *opaque, uint64_t arg);

#endif
