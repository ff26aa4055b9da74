/* evq: the pending-event set.
 *
 * Structure: a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, 1990) with
 * multi-bit digits and a small sorted front. It is valid because simulated time
 * never goes backwards (evq_at asserts when >= now).
 *
 *  - The front is a short array sorted by (time, insertion order), consumed from
 *    its head. It owns every pending time in [now, front_hi].
 *  - Every later entry sits in a radix bucket (d, v): d is the highest
 *    EVQ_DIGIT_BITS-bit digit in which its time differs from now, v its own value
 *    of that digit. Buckets in (d, v) order are in time order, and an entry's
 *    bucket does not change while now moves inside the range of one bucket.
 *  - Scheduling is an append to one bucket, or a short insertion into the front.
 *  - When the front runs dry, the lowest non-empty bucket is taken: if it is small
 *    it is sorted (stably) into the front, which then owns that bucket's whole
 *    range; otherwise it is redistributed around its minimum m (entries equal to m
 *    form the front, the rest go to strictly lower digits). An entry moves at most
 *    once per digit and, in practice, 2 to 4 times; all of this is sequential
 *    memory traffic, unlike the dependent random loads of a heap's sift loop.
 *    Each bucket keeps its minimum, so evq_next_time is O(1) without cancels.
 *  - Entries reaching the front have their slots prefetched (they run within the
 *    next few steps), which hides the one random access per event.
 *  - A front that owns a wide range and grows past EVQ_FRONT_MAX entries gives
 *    them back to the buckets, so scheduling stays O(1) amortized.
 *
 * Ties: a bucket is kept in insertion order (appends are newest; a bucket only
 * receives redistributed entries while empty, in the order of the bucket they
 * leave), and the front sorts stably and inserts after equal times, so equal-time
 * events run in the order they were scheduled without storing a sequence number.
 *
 * Payload: (fn, opaque, arg) lives in a slot array with a LIFO free list, so
 * scheduling never calls malloc in steady state and a just-freed (cache-hot) slot
 * is reused first. An EvqId is gen << 32 | (slot + 1); a slot's generation advances
 * when its event runs or is cancelled, so stale ids are refused (a 32-bit
 * generation wraps after 2^32 reuses of one slot).
 *
 * Cancel is lazy: the slot is marked (fn = NULL) and its entry becomes a tombstone,
 * dropped when reached. While tombstones exist, a bucket is filtered before it is
 * taken (so times reported and reached are live events' times; this reads the slot
 * of each entry moved, measured at +10-25 % per hold with one lingering
 * tombstone), and everything is compacted when tombstones outnumber live entries,
 * which bounds memory at about twice the live set.
 */
#include "sim/evq.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef EVQ_DIGIT_BITS
#define EVQ_DIGIT_BITS 5
#endif
#ifndef EVQ_SMALL
#define EVQ_SMALL 16 /* buckets up to this size are sorted into the front */
#endif
#ifndef EVQ_PREFETCH_MAX
#define EVQ_PREFETCH_MAX 64 /* prefetch the slots of a redistributed bucket this small */
#endif
#define EVQ_FRONT_MAX 64 /* a front this long spills back to buckets (see evq_at) */
#define EVQ_RADIX (1u << EVQ_DIGIT_BITS)
#define EVQ_DIGITS ((64 + EVQ_DIGIT_BITS - 1) / EVQ_DIGIT_BITS)
#define EVQ_NBUCKETS (EVQ_DIGITS * EVQ_RADIX) /* bucket d * RADIX + v */
#define EVQ_MAPWORDS ((EVQ_NBUCKETS + 63) / 64)
#define EVQ_SLOT_MASK 0xffffffffull
#define EVQ_NO_SLOT 0xffffffffu
#define EVQ_INTERRUPT_EVERY 4096u
#define EVQ_COMPACT_MIN 64u
#define EVQ_HUGE ((size_t)2 << 20)
#define EVQ_COLD __attribute__((noinline, cold)) /* keeps slow paths out of hot callers */

typedef struct EvqItem {
    SimTime time;
    uint64_t slot;
} EvqItem;

typedef struct EvqVec {
    EvqItem *v;
    size_t n, cap;
    SimTime min; /* minimum time in v[0..n) (tombstones included); MAX if empty */
} EvqVec;

typedef struct EvqSlot {
    EvqFn fn; /* NULL: free, or cancelled while its entry is pending */
    void *opaque;
    uint64_t arg;
    uint32_t gen;
    uint32_t next_free;
} EvqSlot;

struct Evq {
    EvqVec front;      /* sorted; consumed from v[head] */
    size_t head;
    SimTime front_hi;  /* the front owns pending times <= front_hi */
    EvqVec b[EVQ_NBUCKETS];
    uint64_t map[EVQ_MAPWORDS]; /* bit k set: bucket k is non-empty */
    uint64_t summary;  /* bit w set: map[w] != 0 */
    size_t count;      /* entries in front and buckets, tombstones included */
    size_t tombstones;
    EvqSlot *slots;
    uint32_t nslots, slot_cap;
    uint32_t free_head;
    bool running; /* a handler is executing */
    bool stop;
    SimTime now;
    uint64_t executed;
};

static void evq_die(const char *what)
{
    fprintf(stderr, "evq: out of memory (%s)\n", what);
    abort();
}

/* Cache-line aligned memory; large arrays are 2 MiB aligned and marked for
 * transparent huge pages (fewer TLB misses with millions of pending events). */
static void *evq_alloc(size_t bytes)
{
    void *p = NULL;
    if (bytes >= EVQ_HUGE) {
        bytes = (bytes + EVQ_HUGE - 1) & ~(EVQ_HUGE - 1);
        if (posix_memalign(&p, EVQ_HUGE, bytes) != 0)
            evq_die("array");
#ifdef MADV_HUGEPAGE
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* advisory: failure is harmless */
#endif
    } else {
        p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
        if (!p)
            evq_die("array");
    }
    return p;
}

EVQ_COLD static void evq_vec_grow(EvqVec *b)
{
    size_t cap = b->cap ? b->cap * 2 : 32;
    EvqItem *v = evq_alloc(cap * sizeof(EvqItem));
    if (b->n)
        memcpy(v, b->v, b->n * sizeof(EvqItem));
    free(b->v);
    b->v = v;
    b->cap = cap;
}

/* ---- radix buckets ------------------------------------------------------------ */

/* Bucket of time t > base: d * RADIX + v, where d is the highest digit in which t
 * differs from base and v is t's value of that digit. */
static inline unsigned evq_bucket_of(SimTime t, SimTime base)
{
    unsigned d = (63u - (unsigned)__builtin_clzll(t ^ base)) / EVQ_DIGIT_BITS;
    unsigned v = (unsigned)(t >> (d * EVQ_DIGIT_BITS)) & (EVQ_RADIX - 1);
    return d * EVQ_RADIX + v;
}

/* Largest time in bucket k relative to base. */
static inline SimTime evq_bucket_hi(unsigned k, SimTime base)
{
    unsigned shift = (k / EVQ_RADIX) * EVQ_DIGIT_BITS;
    SimTime low_mask = shift ? (SIM_TIME_MAX >> (64 - shift)) : 0;
    SimTime digit_mask = (SimTime)(EVQ_RADIX - 1) << shift;
    return (base & ~(digit_mask | low_mask)) | ((SimTime)(k % EVQ_RADIX) << shift) | low_mask;
}

static inline void evq_map_clear(Evq *q, unsigned k)
{
    q->map[k / 64] &= ~(1ull << (k % 64));
    if (!q->map[k / 64])
        q->summary &= ~(1ull << (k / 64));
}

/* Lowest non-empty bucket (summary must be non-zero). */
static inline unsigned evq_map_first(const Evq *q)
{
    unsigned w = (unsigned)__builtin_ctzll(q->summary);
    return w * 64 + (unsigned)__builtin_ctzll(q->map[w]);
}

static inline void evq_bucket_push(Evq *q, unsigned k, EvqItem it)
{
    EvqVec *b = &q->b[k];
    if (b->n == b->cap)
        evq_vec_grow(b);
    b->v[b->n++] = it;
    /* branch-free: an empty bucket's min is SIM_TIME_MAX, and setting a map bit
     * that is already set is harmless */
    b->min = it.time < b->min ? it.time : b->min;
    q->map[k / 64] |= 1ull << (k % 64);
    q->summary |= 1ull << (k / 64);
}

/* ---- the front -------------------------------------------------------------------- */

static inline bool evq_front_empty(const Evq *q)
{
    return q->head == q->front.n;
}

/* Insert keeping (time, insertion) order: after every entry with time <= it.time. */
__attribute__((noinline)) static void evq_front_insert(Evq *q, EvqItem it)
{
    EvqVec *f = &q->front;
    if (f->n == f->cap) {
        if (q->head) { /* reclaim the consumed prefix first */
            memmove(f->v, f->v + q->head, (f->n - q->head) * sizeof(EvqItem));
            f->n -= q->head;
            q->head = 0;
        }
        if (f->n == f->cap)
            evq_vec_grow(f);
    }
    size_t i = f->n;
    while (i > q->head && f->v[i - 1].time > it.time)
        i--;
    if (i < f->n)
        memmove(f->v + i + 1, f->v + i, (f->n - i) * sizeof(EvqItem));
    f->v[i] = it;
    f->n++;
}

/* The front owns a whole bucket's range; when many new events land in it, sorted
 * insertion would cost O(front) each. Give back every entry later than now to the
 * buckets, relative to now (they go to digits below the front's bucket, which are
 * empty), and keep only the entries at now. */
EVQ_COLD static void evq_front_spill(Evq *q)
{
    EvqVec *f = &q->front;
    size_t w = q->head;
    for (size_t i = q->head; i < f->n; i++) {
        EvqItem it = f->v[i];
        if (it.time == q->now) /* a prefix: the front is sorted */
            f->v[w++] = it;
        else
            evq_bucket_push(q, evq_bucket_of(it.time, q->now), it);
    }
    f->n = w;
    q->front_hi = q->now;
}

/* ---- slots ----------------------------------------------------------------- */

EVQ_COLD static uint32_t evq_slot_new(Evq *q)
{
    if (q->nslots == q->slot_cap) {
        uint32_t cap = q->slot_cap ? q->slot_cap * 2 : 256;
        if (cap <= q->slot_cap || cap >= EVQ_NO_SLOT)
            evq_die("too many pending events");
        EvqSlot *slots = evq_alloc((size_t)cap * sizeof(EvqSlot));
        if (q->nslots)
            memcpy(slots, q->slots, (size_t)q->nslots * sizeof(EvqSlot));
        free(q->slots);
        q->slots = slots;
        q->slot_cap = cap;
    }
    uint32_t s = q->nslots++;
    q->slots[s].gen = 0;
    return s;
}

static inline uint32_t evq_slot_alloc(Evq *q)
{
    uint32_t s = q->free_head;
    if (s == EVQ_NO_SLOT)
        return evq_slot_new(q);
    q->free_head = q->slots[s].next_free;
    return s;
}

static inline void evq_slot_free(Evq *q, uint32_t s)
{
    EvqSlot *sl = &q->slots[s];
    sl->fn = NULL;
    sl->next_free = q->free_head;
    q->free_head = s;
}

static inline bool evq_is_tomb(const Evq *q, EvqItem it)
{
    return q->slots[it.slot].fn == NULL;
}

/* ---- tombstones ------------------------------------------------------------- */

static void evq_drop(Evq *q, EvqItem it)
{
    evq_slot_free(q, (uint32_t)it.slot);
    q->tombstones--;
    q->count--;
}

/* Drop the tombstones of bucket k, keeping order, and recompute its min. */
static void evq_bucket_clean(Evq *q, unsigned k)
{
    EvqVec *b = &q->b[k];
    size_t w = 0;
    b->min = SIM_TIME_MAX;
    for (size_t i = 0; i < b->n; i++) {
        EvqItem it = b->v[i];
        if (evq_is_tomb(q, it)) {
            evq_drop(q, it);
            continue;
        }
        if (it.time < b->min)
            b->min = it.time;
        b->v[w++] = it;
    }
    b->n = w;
    if (w == 0)
        evq_map_clear(q, k);
}

/* Drop tombstones at the head of the front. */
static void evq_clean_head(Evq *q)
{
    EvqVec *f = &q->front;
    while (q->head < f->n && evq_is_tomb(q, f->v[q->head]))
        evq_drop(q, f->v[q->head++]);
    if (q->head == f->n)
        q->head = f->n = 0;
}

static void evq_compact(Evq *q)
{
    EvqVec *f = &q->front;
    size_t w = 0;
    for (size_t i = q->head; i < f->n; i++) {
        if (evq_is_tomb(q, f->v[i]))
            evq_drop(q, f->v[i]);
        else
            f->v[w++] = f->v[i];
    }
    f->n = w;
    q->head = 0;
    for (unsigned k = 0; k < EVQ_NBUCKETS; k++)
        if (q->b[k].n)
            evq_bucket_clean(q, k);
    assert(q->tombstones == 0);
}

/* ---- the core: find the next live event ----------------------------------------- */

/* Lowest non-empty bucket with a live entry, dropping tombstones as needed;
 * -1 if none. */
static int evq_first_bucket(Evq *q)
{
    while (q->summary) {
        unsigned k = evq_map_first(q);
        if (!q->tombstones)
            return (int)k;
        evq_bucket_clean(q, k);
        if (q->b[k].n)
            return (int)k;
    }
    return -1;
}

/* Time of the earliest live event (SIM_TIME_MAX if none); may drop tombstones. */
static SimTime evq_peek(Evq *q)
{
    if (q->tombstones)
        evq_clean_head(q);
    if (!evq_front_empty(q))
        return q->front.v[q->head].time;
    int k = evq_first_bucket(q);
    return k < 0 ? SIM_TIME_MAX : q->b[k].min;
}

/* Refill the empty front from bucket k (whose live minimum is its min). */
static void evq_refill(Evq *q, unsigned k)
{
    EvqVec *b = &q->b[k];
    EvqVec *f = &q->front;
    size_t n = b->n;
    SimTime m = b->min;
    q->head = f->n = 0;
    evq_map_clear(q, k);
    b->n = 0;
    b->min = SIM_TIME_MAX;
    if (n <= EVQ_SMALL) {
        /* Small: sorted into the front, which takes the whole range. */
        while (f->cap < n)
            evq_vec_grow(f);
        /* Stable rank sort: the rank of entry i is the number of entries before it
         * in (time, position) order. Branch-free, unlike an insertion sort, whose
         * data-dependent loop exits mispredict on random input. */
        SimTime tt[EVQ_SMALL];
        for (size_t i = 0; i < n; i++)
            tt[i] = b->v[i].time;
        for (size_t i = 0; i < n; i++) {
            SimTime t = tt[i];
            size_t rank = 0;
            for (size_t j = 0; j < i; j++)
                rank += tt[j] <= t;
            for (size_t j = i + 1; j < n; j++)
                rank += tt[j] < t;
            __builtin_prefetch(&q->slots[b->v[i].slot]); /* runs soon: hide the miss */
            f->v[rank] = b->v[i];
        }
        f->n = n;
        q->front_hi = evq_bucket_hi(k, q->now);
        return;
    }
    /* Large: redistribute around the minimum m. Entries equal to m form the front;
     * the others go to lower buckets relative to m. This moves the radix base to m
     * before any event at m has run, which is sound because the caller runs the
     * front's head (time m) right away. */
    EvqItem *v = b->v;
    if (n <= EVQ_PREFETCH_MAX) /* these events run within the next n steps */
        for (size_t i = 0; i < n; i++)
            __builtin_prefetch(&q->slots[v[i].slot]);
    for (size_t i = 0; i < n; i++) {
        if (v[i].time == m) {
            if (f->n == f->cap)
                evq_vec_grow(f);
            f->v[f->n++] = v[i];
        } else {
            unsigned j = evq_bucket_of(v[i].time, m);
            assert(j < k);
            evq_bucket_push(q, j, v[i]);
        }
    }
    q->front_hi = m;
}

/* Make the front's head the earliest live event, provided its time is <= until.
 * Returns false if there is no such event. */
static inline bool evq_advance(Evq *q, SimTime until)
{
    if (q->tombstones)
        evq_clean_head(q);
    if (!evq_front_empty(q))
        return q->front.v[q->head].time <= until;
    int k = evq_first_bucket(q);
    if (k < 0 || q->b[k].min > until)
        return false;
    evq_refill(q, (unsigned)k);
    return true;
}

/* Run the event at the head of the front (evq_advance returned true). */
static inline void evq_exec_head(Evq *q)
{
    EvqVec *f = &q->front;
    EvqItem it = f->v[q->head++];
    if (q->head < f->n)
        __builtin_prefetch(&q->slots[f->v[q->head].slot]);
    else
        q->head = f->n = 0;
    q->count--;
    EvqSlot *sl = &q->slots[it.slot];
    assert(sl->fn != NULL && it.time >= q->now);
    EvqFn fn = sl->fn;
    void *opaque = sl->opaque;
    uint64_t arg = sl->arg;
    sl->gen++;
    evq_slot_free(q, (uint32_t)it.slot);
    q->now = it.time;
    q->executed++;
    q->running = true;
    fn(opaque, arg);
    q->running = false;
}

/* ---- public API ----------------------------------------------------------- */

Evq *evq_new(void)
{
    Evq *q = calloc(1, sizeof(*q));
    if (!q)
        evq_die("queue");
    q->free_head = EVQ_NO_SLOT;
    for (unsigned k = 0; k < EVQ_NBUCKETS; k++)
        q->b[k].min = SIM_TIME_MAX;
    return q;
}

void evq_free(Evq *q)
{
    if (!q)
        return;
    free(q->front.v);
    for (unsigned k = 0; k < EVQ_NBUCKETS; k++)
        free(q->b[k].v);
    free(q->slots);
    free(q);
}

SimTime evq_now(const Evq *q)
{
    return q->now;
}

/* The general case of evq_at: a new slot is needed, the event goes to the front,
 * or its bucket must grow. */
EVQ_COLD static EvqId evq_at_slow(Evq *q, SimTime when, EvqFn fn, void *opaque, uint64_t arg)
{
    uint32_t s = evq_slot_alloc(q);
    EvqSlot *sl = &q->slots[s];
    sl->fn = fn;
    sl->opaque = opaque;
    sl->arg = arg;
    EvqItem it = {when, s};
    if (when <= q->front_hi && q->front.n - q->head >= EVQ_FRONT_MAX && q->front_hi > q->now)
        evq_front_spill(q);
    if (when <= q->front_hi)
        evq_front_insert(q, it);
    else
        evq_bucket_push(q, evq_bucket_of(when, q->now), it);
    q->count++;
    return (EvqId)sl->gen << 32 | (s + 1);
}

EvqId evq_at(Evq *q, SimTime when, EvqFn fn, void *opaque, uint64_t arg)
{
    assert(fn != NULL);
    assert(when >= q->now && "evq_at: time in the past");
    /* Fast path (no call, no stack frame): a free slot, a bucket with room. */
    uint32_t s = q->free_head;
    if (s == EVQ_NO_SLOT || when <= q->front_hi)
        return evq_at_slow(q, when, fn, opaque, arg);
    unsigned k = evq_bucket_of(when, q->now);
    EvqVec *b = &q->b[k];
    if (b->n == b->cap)
        return evq_at_slow(q, when, fn, opaque, arg);
    EvqSlot *sl = &q->slots[s];
    q->free_head = sl->next_free;
    sl->fn = fn;
    sl->opaque = opaque;
    sl->arg = arg;
    evq_bucket_push(q, k, (EvqItem){when, s});
    q->count++;
    return (EvqId)sl->gen << 32 | (s + 1);
}

EvqId evq_after(Evq *q, SimTime delay, EvqFn fn, void *opaque, uint64_t arg)
{
    assert(delay <= SIM_TIME_MAX - q->now);
    return evq_at(q, q->now + delay, fn, opaque, arg);
}

bool evq_cancel(Evq *q, EvqId id)
{
    uint64_t s1 = id & EVQ_SLOT_MASK;
    if (s1 == 0 || s1 > q->nslots)
        return false;
    uint32_t s = (uint32_t)(s1 - 1);
    EvqSlot *sl = &q->slots[s];
    if (sl->fn == NULL || sl->gen != (uint32_t)(id >> 32))
        return false;
    sl->fn = NULL;
    sl->gen++;
    q->tombstones++;
    if (q->tombstones > EVQ_COMPACT_MIN && q->tombstones * 2 > q->count)
        evq_compact(q);
    return true;
}

bool evq_step(Evq *q)
{
    assert(!q->running && "evq_step/evq_run called from a handler");
    if (!evq_advance(q, SIM_TIME_MAX))
        return false;
    evq_exec_head(q);
    return true;
}

uint64_t evq_run_nested(Evq *q, SimTime until)
{
    assert(q->running && "evq_run_nested called outside a handler");
    assert(until >= q->now);
    uint64_t done = 0;
    while (!q->stop && evq_advance(q, until)) {
        evq_exec_head(q); /* clears running on return */
        q->running = true;
        done++;
    }
    return done;
}

uint64_t evq_run(Evq *q, SimTime until, volatile sig_atomic_t *interrupt)
{
    assert(!q->running && "evq_step/evq_run called from a handler");
    uint64_t first = q->executed; /* nested runs included */
    unsigned countdown = 1; /* check the flag before the first event too */
    q->stop = false;
    for (;;) {
        if (interrupt && --countdown == 0) {
            countdown = EVQ_INTERRUPT_EVERY;
            if (*interrupt)
                break;
        }
        if (!evq_advance(q, until))
            break;
        evq_exec_head(q);
        if (q->stop)
            break;
    }
    q->stop = false;
    return q->executed - first;
}

void evq_stop(Evq *q)
{
    q->stop = true;
}

size_t evq_size(const Evq *q)
{
    return q->count - q->tombstones;
}

uint64_t evq_executed(const Evq *q)
{
    return q->executed;
}

SimTime evq_next_time(const Evq *q)
{
    /* evq_peek may drop tombstones: a change of representation only. The queue is
     * always allocated by evq_new, never a const object, so the cast is sound. */
    return evq_peek((Evq *)q);
}
