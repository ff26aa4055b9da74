/* cpu: one host CPU, its two worlds, and the exact accounting of its time.
 *
 * The CPU runs one piece of work at a time. A piece of work (a guest routine, a
 * host IRQ handler, a VMApp emulation) runs to completion as one event: while it
 * runs, every cost it incurs is a charge that advances the CPU's cursor `t` past
 * the event time, and any side effect it has on the outside world (a frame handed
 * to the wire) is stamped with the cursor. When the piece ends, the CPU schedules
 * its dispatcher at the cursor; interrupts that arrived meanwhile are taken then,
 * as with local IRQs off. When the dispatcher finds nothing to do the CPU is idle
 * until the next cpu_kick().
 *
 * Accounting is exact: the category times plus the idle time equal the time
 * elapsed since the last cpu_reset_accounting(), to the picosecond.
 */
#ifndef VNICSIM_MODEL_HOST_CPU_H
#define VNICSIM_MODEL_HOST_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "model/costs.h"
#include "sim/evq.h"
#include "sim/timeline.h"

typedef enum CpuWorld { CPU_WORLD_HOST = 0, CPU_WORLD_VMM } CpuWorld;

typedef void (*CpuDispatchFn)(void *opaque);
/* Told of every world switch (at the cursor time of the switch). */
typedef void (*CpuSwitchFn)(void *opaque, SimTime t);

typedef struct Cpu {
    Evq *q;
    CpuDispatchFn dispatch;
    void *opaque;
    SimTime t;            /* cursor: CPU time accounted up to here */
    SimTime acct_start;   /* start of the measured interval */
    CpuWorld world;
    bool idle;            /* no dispatch pending: idle since `t` */
    SimTime ws_cost, ws_penalty;
    SimTime cat_time[CAT__COUNT];
    uint64_t cat_count[CAT__COUNT];
    SimTime idle_time;
    uint64_t idle_periods;
    uint64_t world_switches;
    uint64_t dispatches;
    CpuSwitchFn on_switch;
    void *on_switch_opaque;
    /* Timeline (NULL: none, see cpu_timeline): every charge becomes a slice named
     * by its category on track tl_track, idle periods slices named "idle", and
     * the current world slices on tl_world_track. */
    Timeline *tl;
    int tl_track, tl_world_track;
    SimTime tl_world_since;
} Cpu;

void cpu_init(Cpu *c, Evq *q, CpuDispatchFn fn, void *opaque, SimTime ws_cost, SimTime ws_penalty);
/* Charge `ps` of work to category `cat` (counts one event). */
void cpu_charge(Cpu *c, SimTime ps, CostCat cat);
/* Add time to a category without counting an event (for pieces of one event). */
void cpu_charge_more(Cpu *c, SimTime ps, CostCat cat);
/* Switch to `w` if not there: add the switch's time to `cat` and the guest's
 * refill penalty to guest_unvirtualized (neither counts as an event of its
 * category; world_switches counts them). Returns true if a switch happened. */
bool cpu_world(Cpu *c, CpuWorld w, CostCat cat);
/* Something may need the CPU: if idle, close the idle period at max(now, t) and
 * schedule the dispatcher. No effect when busy (a dispatch is already pending). */
void cpu_kick(Cpu *c);
/* Called by the dispatcher at the end of a piece of work: schedule the next
 * dispatch at the cursor. */
void cpu_continue(Cpu *c);
/* Called by the dispatcher when there is nothing to do: idle from the cursor. */
void cpu_go_idle(Cpu *c);
/* Bring the cursor to `now` when idle (accounting the idle time). */
void cpu_sync(Cpu *c, SimTime now);
/* Zero the accounting; the measured interval starts at max(now, t). */
void cpu_reset_accounting(Cpu *c, SimTime now);
/* End of the measured interval: accounts idle up to max(now, t); returns it. */
SimTime cpu_close(Cpu *c, SimTime now);
SimTime cpu_busy_time(const Cpu *c);
/* Write the CPU's work to `tl` from now on: charges and idle on `track`, the
 * world that runs on `world_track`. */
void cpu_timeline(Cpu *c, Timeline *tl, int track, int world_track);
/* End of the timeline: close the current world's slice at the cursor. */
void cpu_timeline_finish(Cpu *c);

#endif
