/* stats: counters, time-weighted averages, CPU-time categories, histograms.
 *
 * Histogram layout (log-linear, as in HdrHistogram): with S = STATS_HIST_SUB_BITS,
 * values below 2^(S+1) have a bucket each (exact); a value v >= 2^(S+1) with top
 * bit p is put in bucket (p - S + 1) * 2^S + (v >> (p - S)) - 2^S, i.e. each
 * power-of-two range [2^p, 2^(p+1)) is cut into 2^S equal sub-buckets of width
 * 2^(p-S). The bucket index is continuous with the exact range, so one formula
 * covers both. 2^S * (65 - S) buckets cover all of uint64 (59 KiB with S = 7):
 * O(1) insertion, fixed memory. A bucket's upper bound exceeds any value in it by
 * less than 2^(p-S) <= v * 2^-S, so reported quantiles are within 2^-S relative. */
#include "sim/stats.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIST_SUB (1u << STATS_HIST_SUB_BITS)
#define HIST_NBUCKETS ((size_t)HIST_SUB * (65 - STATS_HIST_SUB_BITS))

struct StatsHist {
    uint64_t count;
    uint64_t min, max;
    unsigned __int128 sum; /* exact: 2^64 values below 2^64 cannot overflow it */
    size_t lo, hi;         /* lowest and highest non-empty bucket when count > 0 */
    uint64_t bucket[HIST_NBUCKETS];
};

static void stats_die(const char *what)
{
    fprintf(stderr, "stats: out of memory (%s)\n", what);
    abort();
}

/* ---- histogram ------------------------------------------------------------ */

static inline size_t hist_index(uint64_t v)
{
    if (v < 2 * (uint64_t)HIST_SUB)
        return (size_t)v;
    unsigned p = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = p - STATS_HIST_SUB_BITS;
    return (size_t)(shift + 1) * HIST_SUB + (size_t)((v >> shift) - HIST_SUB);
}

/* Inclusive upper bound of bucket i. */
static uint64_t hist_upper(size_t i)
{
    if (i < 2 * (size_t)HIST_SUB)
        return (uint64_t)i;
    unsigned shift = (unsigned)(i / HIST_SUB) - 1;
    uint64_t sub = HIST_SUB + i % HIST_SUB;
    return (sub << shift) + ((1ull << shift) - 1);
}

StatsHist *stats_hist_new(void)
{
    StatsHist *h = calloc(1, sizeof(*h));
    if (!h)
        stats_die("histogram");
    return h;
}

void stats_hist_free(StatsHist *h)
{
    free(h);
}

void stats_hist_add_n(StatsHist *h, uint64_t v, uint64_t n)
{
    if (n == 0)
        return;
    size_t i = hist_index(v);
    if (h->count == 0) {
        h->min = h->max = v;
        h->lo = h->hi = i;
    } else {
        if (v < h->min)
            h->min = v;
        if (v > h->max)
            h->max = v;
        if (i < h->lo)
            h->lo = i;
        if (i > h->hi)
            h->hi = i;
    }
    h->bucket[i] += n;
    h->count += n;
    h->sum += (unsigned __int128)v * n;
}

void stats_hist_add(StatsHist *h, uint64_t v)
{
    stats_hist_add_n(h, v, 1);
}

void stats_hist_merge(StatsHist *into, const StatsHist *from)
{
    if (from->count == 0)
        return;
    for (size_t i = from->lo; i <= from->hi; i++)
        into->bucket[i] += from->bucket[i];
    if (into->count == 0) {
        into->min = from->min;
        into->max = from->max;
        into->lo = from->lo;
        into->hi = from->hi;
    } else {
        if (from->min < into->min)
            into->min = from->min;
        if (from->max > into->max)
            into->max = from->max;
        if (from->lo < into->lo)
            into->lo = from->lo;
        if (from->hi > into->hi)
            into->hi = from->hi;
    }
    into->count += from->count;
    into->sum += from->sum;
}

void stats_hist_reset(StatsHist *h)
{
    if (h->count)
        memset(&h->bucket[h->lo], 0, (h->hi - h->lo + 1) * sizeof(h->bucket[0]));
    h->count = 0;
    h->min = h->max = 0;
    h->sum = 0;
    h->lo = h->hi = 0;
}

uint64_t stats_hist_count(const StatsHist *h)
{
    return h->count;
}

uint64_t stats_hist_min(const StatsHist *h)
{
    return h->count ? h->min : 0;
}

uint64_t stats_hist_max(const StatsHist *h)
{
    return h->count ? h->max : 0;
}

double stats_hist_mean(const StatsHist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}

uint64_t stats_hist_quantile(const StatsHist *h, double q)
{
    if (h->count == 0)
        return 0;
    if (!(q > 0.0)) /* also NaN */
        q = 0.0;
    if (q > 1.0)
        q = 1.0;
    /* rank (1-based) of the value at quantile q: ceil(q * count), at least 1 */
    double r = q * (double)h->count;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r)
        rank++;
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (size_t i = h->lo; i <= h->hi; i++) {
        seen += h->bucket[i];
        if (seen >= rank) {
            uint64_t up = hist_upper(i);
            return up < h->max ? up : h->max;
        }
    }
    return h->max; /* not reached: the buckets add up to count */
}

size_t stats_hist_buckets(const StatsHist *h, uint64_t *upper, uint64_t *count, size_t cap)
{
    size_t n = 0;
    if (h->count == 0)
        return 0;
    for (size_t i = h->lo; i <= h->hi; i++) {
        if (!h->bucket[i])
            continue;
        if (n < cap) {
            if (upper)
                upper[n] = hist_upper(i);
            if (count)
                count[n] = h->bucket[i];
        }
        n++;
    }
    return n;
}

/* ---- time-weighted average ------------------------------------------------ */

void stats_twa_init(StatsTwa *t, SimTime now, double value)
{
    t->start = t->last = now;
    t->value = value;
    t->area = 0.0;
}

void stats_twa_set(StatsTwa *t, SimTime now, double value)
{
    assert(now >= t->last);
    t->area += t->value * (double)(now - t->last);
    t->last = now;
    t->value = value;
}

double stats_twa_mean(const StatsTwa *t, SimTime now)
{
    if (now <= t->start)
        return t->value;
    double area = t->area;
    if (now > t->last)
        area += t->value * (double)(now - t->last);
    /* now < last (asking about the past) is not meaningful; the area so far is used */
    SimTime end = now > t->last ? now : t->last;
    return area / (double)(end - t->start);
}

/* ---- registry -------------------------------------------------------------- */

struct Stats {
    StatsEntry **e; /* entries are allocated one by one: pointers into them are stable */
    size_t n, cap;
    size_t *index;  /* open-addressing hash of names: entry number + 1, 0 = empty */
    size_t index_cap; /* power of two */
};

static uint64_t stats_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static size_t stats_lookup(const Stats *s, const char *name)
{
    if (!s->index_cap)
        return 0;
    size_t mask = s->index_cap - 1;
    for (size_t i = stats_hash(name) & mask;; i = (i + 1) & mask) {
        size_t k = s->index[i];
        if (k == 0 || strcmp(s->e[k - 1]->name, name) == 0)
            return k;
    }
}

static void stats_index_insert(Stats *s, size_t k)
{
    size_t mask = s->index_cap - 1;
    size_t i = stats_hash(s->e[k - 1]->name) & mask;
    while (s->index[i])
        i = (i + 1) & mask;
    s->index[i] = k;
}

static char *stats_strdup(const char *str)
{
    char *d = strdup(str ? str : "");
    if (!d)
        stats_die("name");
    return d;
}

/* Find or add the entry `name` of `kind`. Re-registering a name with the same kind
 * returns the existing entry (so two instances can share a statistic); with a
 * different kind it is a programming error. */
static StatsEntry *stats_add(Stats *s, StatsKind kind, const char *name, const char *unit,
                             const char *desc)
{
    assert(name && *name);
    size_t k = stats_lookup(s, name);
    if (k) {
        StatsEntry *old = s->e[k - 1];
        if (old->kind != kind) {
            fprintf(stderr, "stats: \"%s\" registered twice with different kinds\n", name);
            abort();
        }
        return old;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        StatsEntry **e = realloc(s->e, cap * sizeof(*e));
        if (!e)
            stats_die("registry");
        s->e = e;
        s->cap = cap;
    }
    if ((s->n + 1) * 2 > s->index_cap) {
        size_t cap = s->index_cap ? s->index_cap * 2 : 64;
        size_t *index = calloc(cap, sizeof(*index));
        if (!index)
            stats_die("registry index");
        free(s->index);
        s->index = index;
        s->index_cap = cap;
        for (size_t i = 1; i <= s->n; i++)
            stats_index_insert(s, i);
    }
    StatsEntry *en = calloc(1, sizeof(*en));
    if (!en)
        stats_die("entry");
    en->kind = kind;
    en->name = stats_strdup(name);
    en->unit = stats_strdup(unit);
    en->desc = stats_strdup(desc);
    s->e[s->n++] = en;
    stats_index_insert(s, s->n);
    return en;
}

Stats *stats_new(void)
{
    Stats *s = calloc(1, sizeof(*s));
    if (!s)
        stats_die("registry");
    return s;
}

void stats_free(Stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        StatsEntry *en = s->e[i];
        if (en->kind == STATS_HIST)
            stats_hist_free(en->u.hist);
        free((char *)en->name);
        free((char *)en->unit);
        free((char *)en->desc);
        free(en);
    }
    free(s->e);
    free(s->index);
    free(s);
}

uint64_t *stats_counter(Stats *s, const char *name, const char *unit, const char *desc)
{
    return &stats_add(s, STATS_COUNTER, name, unit, desc)->u.counter;
}

StatsTwa *stats_twa(Stats *s, const char *name, const char *unit, const char *desc)
{
    return &stats_add(s, STATS_TWA, name, unit, desc)->u.twa;
}

StatsCategory *stats_category(Stats *s, const char *name, const char *desc)
{
    return &stats_add(s, STATS_CATEGORY, name, "ps", desc)->u.cat;
}

StatsHist *stats_hist(Stats *s, const char *name, const char *unit, const char *desc)
{
    StatsEntry *en = stats_add(s, STATS_HIST, name, unit, desc);
    if (!en->u.hist)
        en->u.hist = stats_hist_new();
    return en->u.hist;
}

size_t stats_count(const Stats *s)
{
    return s->n;
}

const StatsEntry *stats_entry(const Stats *s, size_t i)
{
    return i < s->n ? s->e[i] : NULL;
}

const StatsEntry *stats_find(const Stats *s, const char *name)
{
    size_t k = name ? stats_lookup(s, name) : 0;
    return k ? s->e[k - 1] : NULL;
}

void stats_reset(Stats *s, SimTime now)
{
    for (size_t i = 0; i < s->n; i++) {
        StatsEntry *en = s->e[i];
        switch (en->kind) {
        case STATS_COUNTER:
            en->u.counter = 0;
            break;
        case STATS_TWA:
            stats_twa_init(&en->u.twa, now, en->u.twa.value);
            break;
        case STATS_CATEGORY:
            en->u.cat.time = 0;
            en->u.cat.count = 0;
            break;
        case STATS_HIST:
            stats_hist_reset(en->u.hist);
            break;
        }
    }
}
