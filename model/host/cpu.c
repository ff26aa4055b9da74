/* cpu: serialized work, worlds and exact accounting (see cpu.h). */
#include "model/host/cpu.h"

#include <assert.h>
#include <string.h>

static void cpu_event(void *opaque, uint64_t arg)
{
    (void)arg;
    Cpu *c = opaque;
    c->dispatches++;
    c->in_piece = true;
    c->dispatch(c->opaque);
    c->in_piece = false;
}

void cpu_init(Cpu *c, Evq *q, CpuDispatchFn fn, void *opaque, SimTime ws_cost, SimTime ws_penalty)
{
    memset(c, 0, sizeof *c);
    c->q = q;
    c->dispatch = fn;
    c->opaque = opaque;
    c->world = CPU_WORLD_HOST;
    c->idle = true;
    c->t = evq_now(q);
    c->acct_start = c->t;
    c->ws_cost = ws_cost;
    c->ws_penalty = ws_penalty;
}

static const char *const WORLD_ARGS[] = {"{\"world\":\"host\"}", "{\"world\":\"vmm\"}"};

/* The slice of a charge about to be added at the cursor. `kind` is the slice's
 * "cat" in the trace: work, world_switch or switch_refill. */
static void tl_charge(Cpu *c, SimTime ps, CostCat cat, const char *kind)
{
    timeline_slice(c->tl, c->tl_track, cost_cat_name(cat), kind, c->t, ps, WORLD_ARGS[c->world]);
}

void cpu_set_preempt(Cpu *c, CpuPreemptFn fn, void *opaque)
{
    c->preempt = fn;
    c->preempt_opaque = opaque;
}

void cpu_set_preempt2(Cpu *c, CpuPreemptFn fn, void *opaque)
{
    c->preempt2 = fn;
    c->preempt2_opaque = opaque;
}

/* Add `ps` of `cat` at the cursor, split at the events due meanwhile (see cpu.h). */
static void advance(Cpu *c, SimTime ps, CostCat cat)
{
    for (;;) {
        /* events and the hook run only inside a piece, outside device calls; the
         * hook's own charges run events but do not call the hook again */
        bool nest = c->in_piece && !c->hold && c->preempt;
        SimTime piece = ps;
        if (nest) {
            SimTime next = evq_next_time(c->q);
            if (next > c->t && next < c->t + ps)
                piece = next - c->t; /* > 0: the loop ends (an event left at the
                                      * cursor by evq_stop does not split) */
        }
        if (piece) {
            if (c->tl)
                tl_charge(c, piece, cat, "work");
            c->t += piece;
            c->cat_time[cat] += piece;
            ps -= piece;
        }
        if (nest) {
            if (evq_next_time(c->q) <= c->t)
                c->nested_events += evq_run_nested(c->q, c->t);
            if (!c->in_preempt) {
                c->in_preempt = true;
                c->preempt_points++;
                c->preempt(c->preempt_opaque);
                c->in_preempt = false;
                if (c->preempt2 && !c->in_preempt2) {
                    c->in_preempt2 = true;
                    c->preempt2(c->preempt2_opaque);
                    c->in_preempt2 = false;
                }
            }
        }
        if (!ps)
            return;
    }
}

SimTime cpu_vary(Cpu *c, SimTime ps)
{
    if (!c->var_ppm || !ps)
        return ps;
    int64_t d = (int64_t)rng_below(&c->rng, 2 * (uint64_t)c->var_ppm + 1) - (int64_t)c->var_ppm;
    __int128 v = (__int128)ps * (1000000 + d) / 1000000;
    return (SimTime)v;
}

void cpu_set_variability(Cpu *c, uint32_t ppm, uint64_t seed)
{
    c->var_ppm = ppm;
    rng_seed(&c->rng, seed);
}

void cpu_charge(Cpu *c, SimTime ps, CostCat cat)
{
    c->cat_count[cat]++;
    advance(c, cpu_vary(c, ps), cat);
}

void cpu_charge_more(Cpu *c, SimTime ps, CostCat cat)
{
    advance(c, ps, cat);
}

bool cpu_world(Cpu *c, CpuWorld w, CostCat cat)
{
    if (c->world == w)
        return false;
    if (w == CPU_WORLD_VMM && c->in_piece && !c->hold && c->preempt && !c->in_preempt) {
        /* the host world's last chance: what arrived while it ran (inside device
         * calls) is taken here, by the host kernel, without a switch */
        if (evq_next_time(c->q) <= c->t)
            c->nested_events += evq_run_nested(c->q, c->t);
        c->in_preempt = true;
        c->preempt_points++;
        c->preempt(c->preempt_opaque);
        c->in_preempt = false;
        if (c->world == w)
            return false;
    }
    if (c->tl) {
        timeline_slice(c->tl, c->tl_world_track, c->world == CPU_WORLD_VMM ? "VMM world" : "host world",
                       "world", c->tl_world_since, c->t - c->tl_world_since, NULL);
        c->tl_world_since = c->t;
    }
    c->world = w;
    c->world_switches++;
    if (c->on_switch)
        c->on_switch(c->on_switch_opaque, c->t);
    SimTime wsc = cpu_vary(c, c->ws_cost);
    if (c->tl)
        tl_charge(c, wsc, cat, "world_switch");
    c->t += wsc;
    c->cat_time[cat] += wsc;
    if (c->ws_penalty) {
        SimTime pen = cpu_vary(c, c->ws_penalty);
        if (c->tl)
            tl_charge(c, pen, CAT_GUEST_UNVIRT, "switch_refill");
        c->t += pen;
        c->cat_time[CAT_GUEST_UNVIRT] += pen;
    }
    return true;
}

void cpu_sync(Cpu *c, SimTime now)
{
    if (c->idle && now > c->t) {
        if (c->tl)
            timeline_slice(c->tl, c->tl_track, "idle", "idle", c->t, now - c->t, WORLD_ARGS[c->world]);
        c->idle_time += now - c->t;
        c->t = now;
    }
}

void cpu_kick(Cpu *c)
{
    if (!c->idle)
        return;
    SimTime now = evq_now(c->q);
    cpu_sync(c, now);
    c->idle = false;
    evq_at(c->q, c->t, cpu_event, c, 0);
}

void cpu_continue(Cpu *c)
{
    assert(!c->idle);
    evq_at(c->q, c->t, cpu_event, c, 0);
}

void cpu_go_idle(Cpu *c)
{
    c->idle = true;
    c->idle_periods++;
}

void cpu_reset_accounting(Cpu *c, SimTime now)
{
    cpu_sync(c, now);
    memset(c->cat_time, 0, sizeof c->cat_time);
    memset(c->cat_count, 0, sizeof c->cat_count);
    c->idle_time = 0;
    c->idle_periods = 0;
    c->world_switches = 0;
    c->acct_start = c->t;
}

SimTime cpu_close(Cpu *c, SimTime now)
{
    cpu_sync(c, now);
    return c->t;
}

SimTime cpu_busy_time(const Cpu *c)
{
    SimTime s = 0;
    for (int i = 0; i < CAT__COUNT; i++)
        s += c->cat_time[i];
    return s;
}

void cpu_timeline(Cpu *c, Timeline *tl, int track, int world_track)
{
    c->tl = tl;
    c->tl_track = track;
    c->tl_world_track = world_track;
    c->tl_world_since = c->t;
}

void cpu_timeline_finish(Cpu *c)
{
    if (!c->tl)
        return;
    timeline_slice(c->tl, c->tl_world_track, c->world == CPU_WORLD_VMM ? "VMM world" : "host world",
                   "world", c->tl_world_since, c->t - c->tl_world_since, NULL);
    c->tl_world_since = c->t;
}
