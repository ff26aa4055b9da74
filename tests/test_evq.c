/* Tests for sim/evq: ordering, ties, cancel, handlers, run/stop/interrupt,
 * counters, and a seeded randomized comparison against a simple reference. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/evq.h"
#include "sim/rng.h"
#include "tests/check.h"

/* ---- a log of executed events ------------------------------------------------ */
typedef struct Log {
    Evq *q;
    uint64_t arg[4096];
    SimTime when[4096];
    size_t n;
} Log;

static void log_fn(void *opaque, uint64_t arg)
{
    Log *l = opaque;
    if (l->n < 4096) {
        l->arg[l->n] = arg;
        l->when[l->n] = evq_now(l->q);
    }
    l->n++;
}

static void test_order(void)
{
    Evq *q = evq_new();
    Log l = {.q = q};
    Rng r;
    rng_seed(&r, 7);
    SimTime t[1000];
    for (int i = 0; i < 1000; i++) {
        t[i] = rng_below(&r, 1000000);
        evq_at(q, t[i], log_fn, &l, (uint64_t)i);
    }
    CHECK_EQ_U(evq_size(q), 1000);
    uint64_t ran = evq_run(q, SIM_TIME_MAX, NULL);
    CHECK_EQ_U(ran, 1000);
    CHECK_EQ_U(l.n, 1000);
    CHECK_EQ_U(evq_size(q), 0);
    CHECK_EQ_U(evq_executed(q), 1000);
    CHECK_EQ_U(evq_next_time(q), SIM_TIME_MAX);
    int sorted = 1, times_ok = 1;
    for (size_t i = 0; i < l.n; i++) {
        if (l.when[i] != t[l.arg[i]])
            times_ok = 0;
        if (i && (l.when[i] < l.when[i - 1] ||
                  (l.when[i] == l.when[i - 1] && l.arg[i] < l.arg[i - 1])))
            sorted = 0;
    }
    CHECK(times_ok);
    CHECK(sorted);
    CHECK(!evq_step(q));
    evq_free(q);
}

static void test_ties(void)
{
    Evq *q = evq_new();
    Log l = {.q = q};
    /* 300 events at one time, interleaved with others at earlier and later times. */
    for (uint64_t i = 0; i < 300; i++) {
        evq_at(q, 5 * SIM_NS, log_fn, &l, 1000 + i);
        evq_at(q, (i % 2) ? 9 * SIM_NS : 1 * SIM_NS, log_fn, &l, 5000 + i);
    }
    evq_run(q, SIM_TIME_MAX, NULL);
    CHECK_EQ_U(l.n, 600);
    /* first the 150 at 1 ns in order, then the 300 at 5 ns in order, then 9 ns */
    int ok = 1;
    for (size_t i = 0; i < 150; i++)
        ok &= l.arg[i] == 5000 + 2 * i && l.when[i] == SIM_NS;
    CHECK(ok);
    ok = 1;
    for (size_t i = 0; i < 300; i++)
        ok &= l.arg[150 + i] == 1000 + i && l.when[150 + i] == 5 * SIM_NS;
    CHECK(ok);
    ok = 1;
    for (size_t i = 0; i < 150; i++)
        ok &= l.arg[450 + i] == 5001 + 2 * i;
    CHECK(ok);
    evq_free(q);
}

/* ---- handlers that act on the queue ----------------------------------------- */
typedef struct Ctx {
    Evq *q;
    Log *log;
    EvqId victim;
    bool cancel_result;
    EvqId self;
    bool self_cancel_result;
    size_t size_inside;
    SimTime next_inside;
    int chain_left;
} Ctx;

static void cancel_victim_fn(void *opaque, uint64_t arg)
{
    Ctx *c = opaque;
    log_fn(c->log, arg);
    c->cancel_result = evq_cancel(c->q, c->victim);
    c->self_cancel_result = evq_cancel(c->q, c->self);
}

static void test_cancel(void)
{
    Evq *q = evq_new();
    Log l = {.q = q};
    CHECK(!evq_cancel(q, 0));
    CHECK(!evq_cancel(q, 1));
    CHECK(!evq_cancel(q, 0xffffffffffffffffull));
    EvqId a = evq_at(q, 10, log_fn, &l, 1);
    EvqId b = evq_at(q, 20, log_fn, &l, 2);
    EvqId c = evq_at(q, 30, log_fn, &l, 3);
    CHECK(a != 0 && b != 0 && c != 0 && a != b && b != c);
    CHECK_EQ_U(evq_size(q), 3);
    CHECK(evq_cancel(q, b));       /* pending */
    CHECK_EQ_U(evq_size(q), 2);
    CHECK(!evq_cancel(q, b));      /* double cancel */
    CHECK(evq_cancel(q, a));       /* the earliest: next_time must move on */
    CHECK_EQ_U(evq_next_time(q), 30);
    CHECK_EQ_U(evq_size(q), 1);
    /* a reused slot must not be cancellable through the old id */
    EvqId d = evq_at(q, 40, log_fn, &l, 4);
    CHECK(!evq_cancel(q, a));
    CHECK(!evq_cancel(q, b));
    CHECK_EQ_U(evq_run(q, SIM_TIME_MAX, NULL), 2);
    CHECK_EQ_U(l.n, 2);
    CHECK_EQ_U(l.arg[0], 3);
    CHECK_EQ_U(l.arg[1], 4);
    CHECK(!evq_cancel(q, c));      /* already ran */
    CHECK(!evq_cancel(q, d));
    CHECK_EQ_U(evq_executed(q), 2);

    /* cancel from inside a handler: a later event, and an event at the same time */
    for (int same = 0; same < 2; same++) {
        l.n = 0;
        Ctx cx = {.q = q, .log = &l};
        SimTime t0 = evq_now(q) + 100;
        cx.self = evq_at(q, t0, cancel_victim_fn, &cx, 10);
        cx.victim = evq_at(q, same ? t0 : t0 + 50, log_fn, &l, 11);
        evq_at(q, t0 + 60, log_fn, &l, 12);
        evq_run(q, SIM_TIME_MAX, NULL);
        CHECK(cx.cancel_result);
        CHECK(!cx.self_cancel_result); /* the running event is no longer pending */
        CHECK_EQ_U(l.n, 2);
        CHECK_EQ_U(l.arg[0], 10);
        CHECK_EQ_U(l.arg[1], 12);
        CHECK_EQ_U(evq_size(q), 0);
    }
    evq_free(q);
}

static void test_cancel_many(void)
{
    /* Cancel most of a large set (forces compaction), then check the rest. */
    Evq *q = evq_new();
    Log l = {.q = q};
    Rng r;
    rng_seed(&r, 99);
    enum { N = 4000 };
    static EvqId ids[N];
    static SimTime when[N];
    static bool gone[N];
    for (int i = 0; i < N; i++) {
        when[i] = rng_below(&r, 100000);
        ids[i] = evq_at(q, when[i], log_fn, &l, (uint64_t)i);
    }
    size_t left = N;
    for (int i = 0; i < N; i++) {
        if (i % 10 != 3) {
            CHECK(evq_cancel(q, ids[i]));
            gone[i] = true;
            left--;
        }
    }
    CHECK_EQ_U(evq_size(q), left);
    SimTime min = SIM_TIME_MAX;
    for (int i = 0; i < N; i++)
        if (!gone[i] && when[i] < min)
            min = when[i];
    CHECK_EQ_U(evq_next_time(q), min);
    evq_run(q, SIM_TIME_MAX, NULL);
    CHECK_EQ_U(l.n, left);
    int ok = 1;
    for (size_t i = 0; i < l.n && i < 4096; i++) {
        ok &= !gone[l.arg[i]] && l.when[i] == when[l.arg[i]];
        if (i)
            ok &= l.when[i] > l.when[i - 1] ||
                  (l.when[i] == l.when[i - 1] && l.arg[i] > l.arg[i - 1]);
    }
    CHECK(ok);
    evq_free(q);
}

static void chain_fn(void *opaque, uint64_t arg)
{
    Ctx *c = opaque;
    log_fn(c->log, arg);
    c->size_inside = evq_size(c->q);
    c->next_inside = evq_next_time(c->q);
    if (c->chain_left-- > 0) {
        evq_after(c->q, 0, chain_fn, c, arg + 1);  /* same time: after queued peers */
        evq_after(c->q, 7, chain_fn, c, arg + 100);
    }
}

static void test_handlers_schedule(void)
{
    Evq *q = evq_new();
    Log l = {.q = q};
    Ctx c = {.q = q, .log = &l, .chain_left = 1};
    evq_at(q, 3, chain_fn, &c, 0);
    evq_at(q, 3, log_fn, &l, 50);
    evq_at(q, 100, log_fn, &l, 60);
    /* the first handler sees 2 others pending, the earliest at 3 */
    CHECK(evq_step(q));
    CHECK_EQ_U(c.size_inside, 2);
    CHECK_EQ_U(c.next_inside, 3);
    CHECK_EQ_U(evq_size(q), 4);
    evq_run(q, SIM_TIME_MAX, NULL);
    /* order: 0@3, 50@3, 1@3 (scheduled by 0, after 50), 100@10, 60@100 */
    CHECK_EQ_U(l.n, 5);
    uint64_t want[] = {0, 50, 1, 100, 60};
    SimTime wt[] = {3, 3, 3, 10, 100};
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_U(l.arg[i], want[i]);
        CHECK_EQ_U(l.when[i], wt[i]);
    }
    CHECK_EQ_U(evq_now(q), 100);
    evq_free(q);
}

static int cmp_pair(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b; /* (time, tag) */
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1];
}

static void test_burst_into_sparse(void)
{
    /* A sparse queue, then a burst of events between its entries and at now
     * (exercises the front taking a wide range and giving it back). */
    Evq *q = evq_new();
    Log l = {.q = q};
    Rng r;
    rng_seed(&r, 3);
    static uint64_t want[1003][2];
    size_t n = 0;
    SimTime base = 5 * SIM_MS;
    for (uint64_t i = 0; i < 3; i++) {
        evq_at(q, base + i * SIM_US, log_fn, &l, i);
        want[n][0] = base + i * SIM_US;
        want[n++][1] = i;
    }
    CHECK(evq_step(q)); /* now = base */
    n = 0;
    for (uint64_t i = 0; i < 3; i++)
        if (i) {
            want[n][0] = base + i * SIM_US;
            want[n++][1] = i;
        }
    for (uint64_t i = 100; i < 1100; i++) {
        SimTime t = base + (rng_below(&r, 4) == 0 ? 0 : rng_below(&r, 3 * SIM_US));
        evq_at(q, t, log_fn, &l, i);
        want[n][0] = t;
        want[n++][1] = i;
    }
    qsort(want, n, sizeof want[0], cmp_pair); /* tags grow with scheduling order */
    CHECK_EQ_U(evq_size(q), n);
    CHECK_EQ_U(evq_next_time(q), want[0][0]);
    l.n = 0;
    evq_run(q, SIM_TIME_MAX, NULL);
    CHECK_EQ_U(l.n, n);
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= l.arg[i] == want[i][1] && l.when[i] == want[i][0];
    CHECK(ok);
    evq_free(q);
}

static void test_extreme_times(void)
{
    /* times across the whole 64-bit range, with ties at the very end */
    Evq *q = evq_new();
    Log l = {.q = q};
    static const SimTime t[] = {SIM_TIME_MAX, 0, SIM_TIME_MAX - 1, (SimTime)1 << 63,
                                SIM_TIME_MAX, ((SimTime)1 << 63) - 1, 1, SIM_TIME_MAX - 1};
    for (uint64_t i = 0; i < 8; i++)
        evq_at(q, t[i], log_fn, &l, i);
    static const uint64_t order[] = {1, 6, 5, 3, 2, 7, 0, 4};
    CHECK_EQ_U(evq_run(q, SIM_TIME_MAX, NULL), 8);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ_U(l.arg[i], order[i]);
        CHECK_EQ_U(l.when[i], t[order[i]]);
    }
    CHECK_EQ_U(evq_now(q), SIM_TIME_MAX);
    evq_at(q, SIM_TIME_MAX, log_fn, &l, 9); /* at now is allowed */
    CHECK(evq_step(q));
    CHECK_EQ_U(l.arg[8], 9);
    evq_free(q);
}

/* ---- run / stop / interrupt ---------------------------------------------------- */
static void stopper_fn(void *opaque, uint64_t arg)
{
    Ctx *c = opaque;
    log_fn(c->log, arg);
    evq_stop(c->q);
}

static volatile sig_atomic_t flag;

static void flag_fn(void *opaque, uint64_t arg)
{
    Ctx *c = opaque;
    c->log->n++;
    if (arg == 1)
        flag = 1;
    evq_after(c->q, 1, flag_fn, c, 0);
}

static void test_run(void)
{
    Evq *q = evq_new();
    Log l = {.q = q};
    for (uint64_t i = 1; i <= 10; i++)
        evq_at(q, i * 10, log_fn, &l, i);
    CHECK_EQ_U(evq_run(q, 35, NULL), 3);       /* 10, 20, 30 */
    CHECK_EQ_U(evq_now(q), 30);
    CHECK_EQ_U(evq_next_time(q), 40);
    CHECK_EQ_U(evq_run(q, 40, NULL), 1);       /* until is inclusive */
    CHECK_EQ_U(evq_run(q, 40, NULL), 0);
    CHECK_EQ_U(evq_run(q, 39, NULL), 0);

    Ctx c = {.q = q, .log = &l};
    evq_at(q, 55, stopper_fn, &c, 99);
    l.n = 0;
    CHECK_EQ_U(evq_run(q, SIM_TIME_MAX, NULL), 2); /* 50, then 55 stops */
    CHECK_EQ_U(l.arg[1], 99);
    CHECK_EQ_U(evq_now(q), 55);
    CHECK_EQ_U(evq_size(q), 5);
    CHECK_EQ_U(evq_run(q, SIM_TIME_MAX, NULL), 5); /* stop does not persist */
    CHECK_EQ_U(evq_executed(q), 11);

    /* interrupt: an endless self-rescheduling event; the flag ends the run */
    l.n = 0;
    flag = 0;
    evq_after(q, 1, flag_fn, &c, 0);
    evq_after(q, 2, flag_fn, &c, 1);
    uint64_t n = evq_run(q, SIM_TIME_MAX, &flag);
    CHECK(n >= 2 && n <= 2 + 10000);
    CHECK_EQ_U(n, l.n);
    CHECK_EQ_U(evq_size(q), 2);
    /* flag already set: nothing runs */
    CHECK_EQ_U(evq_run(q, SIM_TIME_MAX, &flag), 0);
    flag = 0;
    /* two chains, one event per chain per ps: 20 or 21 events within 10 ps
     * depending on whether the interrupted run left a same-time peer */
    SimTime until = evq_now(q) + 10;
    n = evq_run(q, until, &flag);
    CHECK(n == 20 || n == 21);
    CHECK(evq_next_time(q) > until);
    CHECK_EQ_U(evq_now(q), until);
    evq_free(q);
}

/* ---- randomized comparison against a reference ---------------------------------- */
/* The reference keeps pending events in an unsorted array and picks the minimum
 * (time, seq) by linear scan. Handlers make random decisions (schedule, cancel)
 * drawn from one seeded Rng, mirrored in the reference. */
typedef struct RefEv {
    SimTime t;
    uint64_t seq, tag;
    EvqId id;
} RefEv;

typedef struct Fuzz {
    Evq *q;
    Rng r;
    RefEv pend[2048];
    size_t npend;
    EvqId done_ids[256]; /* some ids of executed or cancelled events */
    uint64_t seq, tag;
    uint64_t executed, mismatches, cancels, stale_cancels;
    bool wide; /* delays of any magnitude (exercises every radix digit) */
} Fuzz;

static void fuzz_fn(void *opaque, uint64_t tag);

static void fuzz_schedule(Fuzz *f)
{
    if (f->npend >= 2048)
        return;
    uint64_t k = rng_below(&f->r, 4);
    SimTime delay = k == 0 ? 0 : k == 1 ? rng_below(&f->r, 4) : rng_below(&f->r, 1000);
    if (f->wide && k == 3) /* a random bit length up to 61 */
        delay = rng_next(&f->r) >> (3 + rng_below(&f->r, 61));
    SimTime t = evq_now(f->q) + delay;
    RefEv *e = &f->pend[f->npend++];
    e->t = t;
    e->seq = f->seq++;
    e->tag = f->tag++;
    e->id = evq_at(f->q, t, fuzz_fn, f, e->tag);
}

static void fuzz_cancel(Fuzz *f)
{
    if (rng_below(&f->r, 4) == 0) {
        /* a stale id must be refused */
        EvqId id = f->done_ids[rng_below(&f->r, 256)];
        if (id && evq_cancel(f->q, id))
            f->mismatches++;
        f->stale_cancels++;
        return;
    }
    if (!f->npend)
        return;
    size_t i = rng_below(&f->r, f->npend);
    if (!evq_cancel(f->q, f->pend[i].id))
        f->mismatches++;
    f->done_ids[rng_below(&f->r, 256)] = f->pend[i].id;
    f->pend[i] = f->pend[--f->npend];
    f->cancels++;
}

static void fuzz_ops(Fuzz *f)
{
    uint64_t n = rng_below(&f->r, 5); /* 0..4 ops, mean 2: population drifts */
    for (uint64_t i = 0; i < n; i++) {
        if (rng_below(&f->r, 3) == 0)
            fuzz_cancel(f);
        else
            fuzz_schedule(f);
    }
}

static void fuzz_fn(void *opaque, uint64_t tag)
{
    Fuzz *f = opaque;
    /* the event run must be the reference minimum */
    size_t best = 0;
    for (size_t i = 1; i < f->npend; i++)
        if (f->pend[i].t < f->pend[best].t ||
            (f->pend[i].t == f->pend[best].t && f->pend[i].seq < f->pend[best].seq))
            best = i;
    if (!f->npend || f->pend[best].tag != tag || f->pend[best].t != evq_now(f->q)) {
        f->mismatches++;
        return;
    }
    f->done_ids[rng_below(&f->r, 256)] = f->pend[best].id;
    f->pend[best] = f->pend[--f->npend];
    f->executed++;
    if (evq_size(f->q) != f->npend)
        f->mismatches++;
    fuzz_ops(f);
    if (evq_size(f->q) != f->npend)
        f->mismatches++;
}

static void test_fuzz(bool wide)
{
    static Fuzz f;
    memset(&f, 0, sizeof f);
    f.wide = wide;
    f.q = evq_new();
    rng_seed(&f.r, wide ? 4242 : 20261129);
    uint64_t steps = 0;
    for (int round = 0; round < 60000; round++) {
        /* outside handlers: occasionally a burst of schedules or cancels */
        if (f.npend < 10 || rng_below(&f.r, 8) == 0) {
            for (int i = 0; i < 20; i++)
                fuzz_schedule(&f);
        }
        if (rng_below(&f.r, 6) == 0)
            fuzz_cancel(&f);
        SimTime min = SIM_TIME_MAX;
        for (size_t i = 0; i < f.npend; i++)
            if (f.pend[i].t < min)
                min = f.pend[i].t;
        if (evq_next_time(f.q) != min || evq_size(f.q) != f.npend)
            f.mismatches++;
        if (evq_step(f.q))
            steps++;
    }
    CHECK_EQ_U(f.mismatches, 0);
    CHECK_EQ_U(f.executed, steps);
    CHECK_EQ_U(evq_executed(f.q), steps);
    CHECK(f.executed > 50000);
    CHECK(f.cancels > 10000);
    CHECK(f.stale_cancels > 1000);
    /* drain */
    uint64_t left = f.npend;
    CHECK_EQ_U(evq_run(f.q, SIM_TIME_MAX, NULL) >= left, 1);
    CHECK_EQ_U(f.mismatches, 0);
    evq_free(f.q);
}

/* ---- scheduling in the past is a programming error ---------------------------- */
static void nop_fn(void *opaque, uint64_t arg)
{
    (void)opaque;
    (void)arg;
}

static void test_past_asserts(void)
{
#ifdef NDEBUG
    CHECK(1); /* asserts compiled out: nothing to check */
#else
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* silence the assertion message in the child */
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        Evq *q = evq_new();
        evq_at(q, 100, nop_fn, NULL, 0);
        evq_step(q);
        evq_at(q, 99, nop_fn, NULL, 0);
        _exit(0);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
#endif
}


/* evq_run_nested: a handler that advances its own cursor runs what falls inside. */
typedef struct Nest {
    Evq *q;
    Log *log;
    SimTime until;
    uint64_t ran;
    SimTime now_after;
    bool stop_inside;
} Nest;

static void nest_stop_fn(void *opaque, uint64_t arg)
{
    Nest *n = opaque;
    log_fn(n->log, arg);
    evq_stop(n->q);
}

static void nest_outer_fn(void *opaque, uint64_t arg)
{
    Nest *n = opaque;
    log_fn(n->log, arg);
    /* scheduled from inside, within the window: must run nested, in time order */
    evq_at(n->q, evq_now(n->q) + 5, log_fn, n->log, evq_now(n->q) + 5);
    n->ran = evq_run_nested(n->q, n->until);
    n->now_after = evq_now(n->q);
    log_fn(n->log, 999); /* the rest of the outer handler */
}

static void test_nested(void)
{
    Evq *q = evq_new();
    Log l = {.q = q};
    Nest n = {.q = q, .log = &l, .until = 20};
    evq_at(q, 10, nest_outer_fn, &n, 10);
    evq_at(q, 20, log_fn, &l, 20); /* == until: runs nested */
    evq_at(q, 12, log_fn, &l, 12);
    evq_at(q, 21, log_fn, &l, 21); /* after: runs after the outer handler */
    CHECK_EQ_U(evq_run(q, SIM_TIME_MAX, NULL), 5);
    CHECK_EQ_U(n.ran, 3);
    CHECK_EQ_U(n.now_after, 20);
    static const uint64_t want[] = {10, 12, 15, 20, 999, 21};
    static const SimTime when[] = {10, 12, 15, 20, 20, 21};
    CHECK_EQ_U(l.n, 6);
    for (size_t i = 0; i < 6 && i < l.n; i++) {
        CHECK_EQ_U(l.arg[i], want[i]);
        CHECK_EQ_U(l.when[i], when[i]);
    }
    CHECK_EQ_U(evq_executed(q), 5);

    /* evq_stop from a nested handler: the nested run stops at once, and the outer
     * evq_run returns after the outer handler */
    Log l2 = {.q = q};
    Nest m = {.q = q, .log = &l2, .until = 100};
    evq_at(q, 30, nest_outer_fn, &m, 30);
    evq_at(q, 40, nest_stop_fn, &m, 40);
    evq_at(q, 50, log_fn, &l2, 50);
    CHECK_EQ_U(evq_run(q, SIM_TIME_MAX, NULL), 3); /* 30, then 35 and 40 nested */
    CHECK_EQ_U(m.ran, 2);
    CHECK_EQ_U(l2.n, 4);
    CHECK_EQ_U(l2.arg[1], 35);
    CHECK_EQ_U(l2.arg[2], 40);
    CHECK_EQ_U(l2.arg[3], 999);
    CHECK_EQ_U(evq_size(q), 1); /* 50: not reached */
    CHECK_EQ_U(evq_run(q, SIM_TIME_MAX, NULL), 1);
    CHECK_EQ_U(l2.arg[4], 50);
    evq_free(q);
}

int main(void)
{
    test_order();
    test_ties();
    test_cancel();
    test_cancel_many();
    test_handlers_schedule();
    test_burst_into_sparse();
    test_extreme_times();
    test_run();
    test_nested();
    test_fuzz(false);
    test_fuzz(true);
    test_past_asserts();
    return check_report("test_evq");
}
