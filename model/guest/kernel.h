/* kernel: the guest kernel around the driver: interrupt entry and exit, the
 * bottom half (netif_rx backlog -> TCP), NAPI polling, the timer tick, the two
 * tasks (nettest and idle) and their context switches.
 *
 * Guest routines run to completion (see docs/model.md): an interrupt routine is
 * IRQ entry + PIC mask/ack + the driver's handler + the bottom half + PIC unmask +
 * IRET; a task step is one segment's worth of nettest work. Interrupts raised
 * during a routine are taken when it ends, as with local IRQs off.
 */
#ifndef VNICSIM_MODEL_GUEST_KERNEL_H
#define VNICSIM_MODEL_GUEST_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/guest/pcnet32.h"

struct Sys;

#define GK_BACKLOG 128
#define GK_FRAME_MAX 1536

typedef struct GuestKernel {
    bool in_task;        /* current context: nettest (true) or idle (false) */
    bool halted;         /* idle task executed HLT; waiting for an interrupt */
    bool timer_pending;  /* timer tick (IRQ 0) pending */
    bool napi_pending;   /* NAPI poll scheduled (pcnet32-napi) */
    bool push_pending;   /* the driver woke its queue: TCP should transmit */
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
/* Run one piece of non-interrupt work. */
void guest_work_routine(struct Sys *s);
/* Nothing to do: switch to the idle task and halt. */
void guest_halt(struct Sys *s);
/* Timer event callback (opaque = Sys). */
void guest_timer_event(void *opaque, uint64_t arg);

#endif
