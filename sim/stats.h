/* stats: the statistics registry.
 *
 * Four kinds, each declared once with a name, a unit and a description:
 *   counter   a uint64 that only counts up
 *   twa       a time-weighted average of a value that changes at instants (queue length)
 *   category  CPU time charged per category: total ps and number of charges
 *   hist      latency histogram, log-linear buckets with bounded relative error
 *             (p50/p90/p99/p99.9/max and the buckets for export)
 * Collection is kept apart from output: writers walk the registry.
 */
#ifndef VNICSIM_SIM_STATS_H
#define VNICSIM_SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"

/* ---- histogram ------------------------------------------------------------
 * Values are unsigned integers in any unit (the model uses picoseconds). Values
 * below 2^STATS_HIST_SUB_BITS are exact; above, each power-of-two range is split
 * into 2^STATS_HIST_SUB_BITS linear sub-buckets, so a quantile is reported with a
 * relative error below 2^-STATS_HIST_SUB_BITS (under 0.8 % with 7 bits). */
#define STATS_HIST_SUB_BITS 7

typedef struct StatsHist StatsHist;

StatsHist *stats_hist_new(void);
void stats_hist_free(StatsHist *h);
void stats_hist_add(StatsHist *h, uint64_t v);
void stats_hist_add_n(StatsHist *h, uint64_t v, uint64_t n);
void stats_hist_merge(StatsHist *into, const StatsHist *from);
void stats_hist_reset(StatsHist *h);
uint64_t stats_hist_count(const StatsHist *h);
uint64_t stats_hist_min(const StatsHist *h);
uint64_t stats_hist_max(const StatsHist *h);   /* exact */
double stats_hist_mean(const StatsHist *h);    /* exact (sum kept) */
/* Value at quantile q in [0,1]: the upper bound of the bucket holding it, capped
 * at the exact max. 0 when empty. */
uint64_t stats_hist_quantile(const StatsHist *h, double q);
/* Non-empty buckets in increasing order: returns the count of non-empty buckets;
 * fills up to `cap` entries of (inclusive upper bound, count). */
size_t stats_hist_buckets(const StatsHist *h, uint64_t *upper, uint64_t *count, size_t cap);

/* ---- time-weighted average ------------------------------------------------ */
typedef struct StatsTwa {
    SimTime start, last;
    double value;
    double area; /* value x ps, integrated up to `last` */
} StatsTwa;

void stats_twa_init(StatsTwa *t, SimTime now, double value);
void stats_twa_set(StatsTwa *t, SimTime now, double value);
double stats_twa_mean(const StatsTwa *t, SimTime now);

/* ---- registry -------------------------------------------------------------- */
typedef enum StatsKind { STATS_COUNTER, STATS_TWA, STATS_CATEGORY, STATS_HIST } StatsKind;

typedef struct StatsCategory {
    SimTime time; /* total picoseconds charged */
    uint64_t count;
} StatsCategory;

typedef struct StatsEntry {
    StatsKind kind;
    const char *name, *unit, *desc;
    union {
        uint64_t counter;
        StatsTwa twa;
        StatsCategory cat;
        StatsHist *hist;
    } u;
} StatsEntry;

typedef struct Stats Stats;

Stats *stats_new(void);
void stats_free(Stats *s);
/* Registration returns a stable pointer to the value (valid until stats_free). */
uint64_t *stats_counter(Stats *s, const char *name, const char *unit, const char *desc);
StatsTwa *stats_twa(Stats *s, const char *name, const char *unit, const char *desc);
StatsCategory *stats_category(Stats *s, const char *name, const char *desc);
StatsHist *stats_hist(Stats *s, const char *name, const char *unit, const char *desc);
size_t stats_count(const Stats *s);
const StatsEntry *stats_entry(const Stats *s, size_t i); /* in registration order */
const StatsEntry *stats_find(const Stats *s, const char *name);
/* Zero every value (end of warm-up); twa restart at `now`. */
void stats_reset(Stats *s, SimTime now);

static inline void stats_charge(StatsCategory *c, SimTime t)
{
    c->time += t;
    c->count++;
}

#endif
