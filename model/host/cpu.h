/* cpu: one host CPU, its two worlds, and the exact accounting of its time.
 *
 * The CPU runs one piece of work at a time. A piece of work (a guest routine, a
 * host IRQ handler, a VMApp emulation) runs as one event: while it runs, every
 * cost it incurs is a charge that advances the CPU's cursor `t` past the event
 * time, and any side effect it has on the outside world (a frame handed to the
 * wire) is stamped with the cursor. When the piece ends, the CPU schedules its
 * dispatcher at the cursor; the guest's (virtual) interrupts that arrived
 * meanwhile are taken then, as with local IRQs off.
 *
 * Preemption: inside a piece, a charge from t to t+ps is split at every engine
 * event due in (t, t+ps]; those events run nested (evq_run_nested) with the
 * cursor at their time: they change device and host state and set pending flags
 * only (cpu_kick is a no-op while a piece runs). After each such point, and at
 * the end of every charge, the preemption hook (cpu_set_preempt) runs: it takes
 * the host interrupts now pending (model.c), charging their work at the cursor,
 * and the rest of the interrupted charge follows. Not while a device call is in
 * progress (cpu_hold: charges inside it only advance the cursor, events wait for
 * the next boundary), and never inside the hook itself (no host IRQ in a host
 * IRQ; events still run nested there). World switches are atomic; a switch from
 * the host world to the VMM is also a preemption point (before it), so what
 * arrived during a host-world device call is taken in the host world.
 * A second hook (cpu_set_preempt2) runs right after the first at the charge
 * boundaries (not at the switch point), unless either hook is running: model.c
 * takes the guest's virtual interrupts there when the guest can take them; the
 * first hook can still preempt the second's charges.
 * When the dispatcher finds nothing to do the CPU is idle until the next
 * cpu_kick().
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
#include "sim/rng.h"
#include "sim/timeline.h"

typedef enum CpuWorld { CPU_WORLD_HOST = 0, CPU_WORLD_VMM } CpuWorld;

typedef void (*CpuDispatchFn)(void *opaque);
/* The preemption hook: take what may interrupt the current piece, at the cursor. */
typedef void (*CpuPreemptFn)(void *opaque);
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
    /* Cost variability (costs.variability_pct; 0 = off): each charge and world
     * switch is drawn uniformly from [1 - v, 1 + v] x its mean, v = var_ppm / 1e6,
     * from a stream seeded by the run's seed (cpu_set_variability). */
    uint32_t var_ppm;
    Rng rng;
    SimTime cat_time[CAT__COUNT];
    uint64_t cat_count[CAT__COUNT];
    SimTime idle_time;
    uint64_t idle_periods;
    uint64_t world_switches;
    uint64_t dispatches;
    CpuSwitchFn on_switch;
    void *on_switch_opaque;
    /* Preemption (see above). */
    CpuPreemptFn preempt;  /* NULL: pieces run to completion */
    void *preempt_opaque;
    bool in_piece;         /* the dispatcher is running a piece */
    bool in_preempt;       /* the hook is running */
    /* A second, lower-priority hook (cpu_set_preempt2): run at the same points,
     * right after the first, when neither hook is running. Its charges may be
     * preempted by the first hook, never by itself. */
    CpuPreemptFn preempt2;
    void *preempt2_opaque;
    bool in_preempt2;
    unsigned hold;         /* device calls in progress */
    uint64_t nested_events; /* events run inside pieces */
    uint64_t preempt_points; /* boundaries where the hook ran */
    /* Timeline (NULL: none, see cpu_timeline): every charge becomes a slice named
     * by its category on track tl_track, idle periods slices named "idle", and
     * the current world slices on tl_world_track. */
    Timeline *tl;
    int tl_track, tl_world_track;
    SimTime tl_world_since;
} Cpu;

void cpu_init(Cpu *c, Evq *q, CpuDispatchFn fn, void *opaque, SimTime ws_cost, SimTime ws_penalty);
/* Cost variability: +-ppm (parts per million of each cost), drawn from a stream
 * seeded with `seed`; 0 = every event costs its mean. */
void cpu_set_variability(Cpu *c, uint32_t ppm, uint64_t seed);
/* `ps` drawn with the CPU's variability (unchanged when it is off); also used
 * for the peer's costs, from the same stream. */
SimTime cpu_vary(Cpu *c, SimTime ps);
/* Install the preemption hook (NULL: none). */
void cpu_set_preempt(Cpu *c, CpuPreemptFn fn, void *opaque);
/* Install the second preemption hook (NULL: none); it needs the first. */
void cpu_set_preempt2(Cpu *c, CpuPreemptFn fn, void *opaque);
/* Around a call into the device model: no nested events, no preemption. */
static inline void cpu_hold(Cpu *c) { c->hold++; }
static inline void cpu_release(Cpu *c) { c->hold--; }
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
