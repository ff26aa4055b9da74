/* evq: the pending-event set and the simulation clock.
 *
 * Simulated time is an integer count of picoseconds (SimTime). Events run in
 * (time, insertion sequence) order, so two events scheduled for the same time
 * run in the order they were scheduled, and a run is reproducible bit for bit.
 * The engine knows no model types: an event is a function, an opaque pointer
 * and a 64-bit argument.
 */
#ifndef VNICSIM_SIM_EVQ_H
#define VNICSIM_SIM_EVQ_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t SimTime; /* picoseconds; 2^64 ps is about 213 days */

#define SIM_PS ((SimTime)1)
#define SIM_NS ((SimTime)1000)
#define SIM_US ((SimTime)1000000)
#define SIM_MS ((SimTime)1000000000)
#define SIM_S  ((SimTime)1000000000000)
#define SIM_TIME_MAX UINT64_MAX

typedef void (*EvqFn)(void *opaque, uint64_t arg);
typedef uint64_t EvqId; /* 0 never names an event */
typedef struct Evq Evq;

Evq *evq_new(void);
void evq_free(Evq *q);

/* Current simulated time: the time of the event being (or last) executed. */
SimTime evq_now(const Evq *q);

/* Schedule fn(opaque, arg) at absolute time `when` (>= now) or `delay` after now.
 * Returns an id for evq_cancel. */
EvqId evq_at(Evq *q, SimTime when, EvqFn fn, void *opaque, uint64_t arg);
EvqId evq_after(Evq *q, SimTime delay, EvqFn fn, void *opaque, uint64_t arg);

/* Cancel a pending event. Returns true if it was pending (and now will not run),
 * false if it already ran, was already cancelled, or never existed. */
bool evq_cancel(Evq *q, EvqId id);

/* Run the next event, if any. Returns false when nothing is pending. */
bool evq_step(Evq *q);

/* Run events until none is pending, the next one lies after `until`, evq_stop()
 * is called from a handler, or *interrupt becomes non-zero (may be NULL; checked
 * every few thousand events). Returns the number of events executed by this call
 * (nested ones included). */
uint64_t evq_run(Evq *q, SimTime until, volatile sig_atomic_t *interrupt);

/* From inside a handler (and only there): run, in order, every pending event with
 * time <= `until` (>= now), then return to the calling handler; now is left at the
 * last one run. For a handler that advances its own time cursor past now and must
 * see what happens meanwhile (model/host/cpu.c). Stops early if a nested handler
 * calls evq_stop(), and leaves that request for the outer evq_run. Nested calls
 * may nest. Returns the number of events run. */
uint64_t evq_run_nested(Evq *q, SimTime until);

/* Ask evq_run to return after the current event. */
void evq_stop(Evq *q);

size_t evq_size(const Evq *q);          /* pending (not cancelled) events */
uint64_t evq_executed(const Evq *q);    /* events executed since evq_new */
SimTime evq_next_time(const Evq *q);    /* SIM_TIME_MAX when empty */

#endif
