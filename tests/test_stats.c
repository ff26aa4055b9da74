/* Tests for sim/stats: histogram accuracy against exact quantiles, merge, reset,
 * bucket export, time-weighted averages, categories and the registry. */
#include <math.h>
#include <stdlib.h>

#include "sim/rng.h"
#include "sim/stats.h"
#include "tests/check.h"

static const double quantiles[] = {0.0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0};
#define NQ (sizeof quantiles / sizeof quantiles[0])

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The exact value at quantile q of sorted v[0..n): rank ceil(q n), at least 1. */
static uint64_t exact_quantile(const uint64_t *v, size_t n, double q)
{
    double r = q * (double)n;
    size_t rank = (size_t)r;
    if ((double)rank < r)
        rank++;
    if (rank < 1)
        rank = 1;
    return v[rank - 1];
}

/* Check every quantile of h against the data: never below the exact value, above
 * it by less than 2^-SUB_BITS relative, exact below 2^SUB_BITS, capped at max. */
static void check_against(const char *what, StatsHist *h, uint64_t *v, size_t n)
{
    qsort(v, n, sizeof v[0], cmp_u64);
    CHECK_EQ_U(stats_hist_count(h), n);
    CHECK_EQ_U(stats_hist_min(h), v[0]);
    CHECK_EQ_U(stats_hist_max(h), v[n - 1]);
    long double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = (double)(sum / n);
    CHECKF(fabs(stats_hist_mean(h) - mean) <= 1e-9 * mean, "%s: mean %.17g vs %.17g", what,
           stats_hist_mean(h), mean);
    for (size_t k = 0; k < NQ; k++) {
        uint64_t want = exact_quantile(v, n, quantiles[k]);
        uint64_t got = stats_hist_quantile(h, quantiles[k]);
        int ok = got >= want && got <= v[n - 1] &&
                 (long double)(got - want) <= (long double)want / (1u << STATS_HIST_SUB_BITS);
        if (want < (1u << STATS_HIST_SUB_BITS))
            ok = ok && got == want;
        CHECKF(ok, "%s: q=%g got %llu, exact %llu", what, quantiles[k],
               (unsigned long long)got, (unsigned long long)want);
    }
    /* exported buckets: increasing bounds, counts add up, each value in its bucket */
    static uint64_t up[8000], cnt[8000];
    size_t nb = stats_hist_buckets(h, up, cnt, 8000);
    CHECK(nb > 0 && nb <= 8000);
    uint64_t total = 0;
    int incr = 1;
    for (size_t i = 0; i < nb; i++) {
        total += cnt[i];
        incr &= cnt[i] > 0 && (i == 0 || up[i] > up[i - 1]);
    }
    CHECKF(total == n, "%s: buckets sum %llu, count %zu", what, (unsigned long long)total, n);
    CHECK(incr);
    /* walking data and buckets together: the values in bucket i are <= up[i] and
     * > up[i-1], and there are cnt[i] of them */
    size_t j = 0;
    int placed = 1;
    for (size_t i = 0; i < nb && placed; i++) {
        for (uint64_t c = 0; c < cnt[i]; c++, j++)
            placed &= j < n && v[j] <= up[i] && (i == 0 || v[j] > up[i - 1]);
    }
    CHECKF(placed && j == n, "%s: values do not match exported buckets", what);
}

typedef uint64_t (*Gen)(Rng *r);

static uint64_t gen_small(Rng *r) { return rng_below(r, 4); }                 /* near 0 */
static uint64_t gen_uniform(Rng *r) { return rng_below(r, 100000); }
static uint64_t gen_exp(Rng *r) { return (uint64_t)rng_exp(r, 1e6); }         /* ps latencies */
static uint64_t gen_logu(Rng *r) { return rng_next(r) >> rng_below(r, 64); }  /* all magnitudes */
static uint64_t gen_huge(Rng *r) { return ((uint64_t)1 << 63) + rng_below(r, (uint64_t)1 << 62); }
static uint64_t gen_top(Rng *r) { return UINT64_MAX - rng_below(r, 1000); }

static void test_hist_distributions(void)
{
    static const struct {
        const char *name;
        Gen gen;
        size_t n;
    } cases[] = {{"near-zero", gen_small, 5000},       {"uniform", gen_uniform, 100000},
                 {"exponential", gen_exp, 100000},     {"log-uniform", gen_logu, 100000},
                 {"near 2^63", gen_huge, 50000},       {"near 2^64", gen_top, 20000},
                 {"few", gen_logu, 3}};
    Rng r;
    rng_seed(&r, 31337);
    static uint64_t v[100000];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        StatsHist *h = stats_hist_new();
        for (size_t i = 0; i < cases[c].n; i++) {
            v[i] = cases[c].gen(&r);
            stats_hist_add(h, v[i]);
        }
        check_against(cases[c].name, h, v, cases[c].n);
        stats_hist_free(h);
    }
}

static void test_hist_edges(void)
{
    StatsHist *h = stats_hist_new();
    /* empty */
    CHECK_EQ_U(stats_hist_count(h), 0);
    CHECK_EQ_U(stats_hist_quantile(h, 0.5), 0);
    CHECK_EQ_U(stats_hist_max(h), 0);
    CHECK_EQ_U(stats_hist_min(h), 0);
    CHECK(stats_hist_mean(h) == 0.0);
    CHECK_EQ_U(stats_hist_buckets(h, NULL, NULL, 0), 0);
    /* single value: every quantile is that value (capped at the exact max) */
    stats_hist_add(h, 123456789);
    for (size_t k = 0; k < NQ; k++)
        CHECK_EQ_U(stats_hist_quantile(h, quantiles[k]), 123456789);
    CHECK(stats_hist_mean(h) == 123456789.0);
    uint64_t up, cnt;
    CHECK_EQ_U(stats_hist_buckets(h, &up, &cnt, 1), 1);
    CHECK(up >= 123456789 && up - 123456789 < 123456789 / 128);
    CHECK_EQ_U(cnt, 1);
    /* zero and the largest value */
    stats_hist_reset(h);
    stats_hist_add(h, 0);
    stats_hist_add(h, UINT64_MAX);
    CHECK_EQ_U(stats_hist_quantile(h, 0.5), 0);
    CHECK_EQ_U(stats_hist_quantile(h, 1.0), UINT64_MAX);
    CHECK_EQ_U(stats_hist_min(h), 0);
    CHECK_EQ_U(stats_hist_max(h), UINT64_MAX);
    CHECK(fabs(stats_hist_mean(h) - 0x1p63) < 1e3); /* the sum does not overflow */
    /* out-of-range q is clamped */
    CHECK_EQ_U(stats_hist_quantile(h, -1.0), 0);
    CHECK_EQ_U(stats_hist_quantile(h, 2.0), UINT64_MAX);
    /* cap smaller than the number of buckets: full count returned, cap filled */
    stats_hist_reset(h);
    for (uint64_t x = 0; x < 50; x++)
        stats_hist_add(h, x * 1000);
    uint64_t ups[10], cnts[10];
    CHECK_EQ_U(stats_hist_buckets(h, ups, cnts, 10), 50);
    CHECK_EQ_U(ups[0], 0);
    CHECK(ups[9] >= 9000 && ups[9] < 9000 + 9000 / 128 + 1);
    stats_hist_free(h);
}

static void test_hist_add_n_merge_reset(void)
{
    Rng r;
    rng_seed(&r, 8);
    StatsHist *a = stats_hist_new(), *b = stats_hist_new(), *all = stats_hist_new();
    StatsHist *bulk = stats_hist_new();
    static uint64_t v[60000];
    for (size_t i = 0; i < 60000; i++) {
        v[i] = (i % 3) ? (uint64_t)rng_exp(&r, 5e5) : gen_logu(&r);
        stats_hist_add(i < 25000 ? a : b, v[i]);
        stats_hist_add(all, v[i]);
    }
    stats_hist_merge(a, b);
    CHECK_EQ_U(stats_hist_count(a), stats_hist_count(all));
    CHECK_EQ_U(stats_hist_min(a), stats_hist_min(all));
    CHECK_EQ_U(stats_hist_max(a), stats_hist_max(all));
    CHECK(stats_hist_mean(a) == stats_hist_mean(all));
    for (size_t k = 0; k < NQ; k++)
        CHECK_EQ_U(stats_hist_quantile(a, quantiles[k]), stats_hist_quantile(all, quantiles[k]));
    static uint64_t ua[8000], ca[8000], ub[8000], cb[8000];
    size_t na = stats_hist_buckets(a, ua, ca, 8000), nall = stats_hist_buckets(all, ub, cb, 8000);
    CHECK_EQ_U(na, nall);
    CHECK(memcmp(ua, ub, na * 8) == 0 && memcmp(ca, cb, na * 8) == 0);
    check_against("merged", a, v, 60000);
    /* merging into an empty histogram, and merging an empty one */
    StatsHist *e = stats_hist_new();
    stats_hist_merge(e, all);
    stats_hist_merge(e, bulk); /* bulk is still empty */
    CHECK_EQ_U(stats_hist_quantile(e, 0.99), stats_hist_quantile(all, 0.99));
    CHECK_EQ_U(stats_hist_min(e), stats_hist_min(all));
    /* add_n is n adds */
    StatsHist *one = stats_hist_new();
    stats_hist_add_n(bulk, 777, 1000);
    stats_hist_add_n(bulk, 5, 0);
    stats_hist_add_n(bulk, 1u << 20, 3);
    for (int i = 0; i < 1000; i++)
        stats_hist_add(one, 777);
    for (int i = 0; i < 3; i++)
        stats_hist_add(one, 1u << 20);
    CHECK_EQ_U(stats_hist_count(bulk), 1003);
    CHECK_EQ_U(stats_hist_min(bulk), 777);
    CHECK(stats_hist_mean(bulk) == stats_hist_mean(one));
    for (size_t k = 0; k < NQ; k++)
        CHECK_EQ_U(stats_hist_quantile(bulk, quantiles[k]), stats_hist_quantile(one, quantiles[k]));
    /* reset: empty again, then usable */
    stats_hist_reset(a);
    CHECK_EQ_U(stats_hist_count(a), 0);
    CHECK_EQ_U(stats_hist_buckets(a, ua, ca, 8000), 0);
    CHECK_EQ_U(stats_hist_quantile(a, 0.5), 0);
    stats_hist_add(a, 42);
    CHECK_EQ_U(stats_hist_quantile(a, 0.5), 42);
    CHECK_EQ_U(stats_hist_min(a), 42);
    CHECK_EQ_U(stats_hist_buckets(a, ua, ca, 8000), 1);
    stats_hist_free(a);
    stats_hist_free(b);
    stats_hist_free(all);
    stats_hist_free(bulk);
    stats_hist_free(e);
    stats_hist_free(one);
}

static void test_twa(void)
{
    StatsTwa t;
    stats_twa_init(&t, 100, 2.0);
    CHECK(stats_twa_mean(&t, 100) == 2.0); /* no time elapsed: the current value */
    stats_twa_set(&t, 110, 4.0);           /* 2 for 10 ps */
    CHECK(stats_twa_mean(&t, 110) == 2.0);
    CHECK(stats_twa_mean(&t, 120) == 3.0); /* then 4 for 10 ps */
    stats_twa_set(&t, 120, 0.0);
    stats_twa_set(&t, 120, 10.0);          /* zero-length interval contributes nothing */
    CHECK(stats_twa_mean(&t, 140) == (20.0 + 40.0 + 200.0) / 40.0);
    /* a queue length over a long run in picoseconds */
    stats_twa_init(&t, 0, 0.0);
    for (int i = 1; i <= 1000; i++)
        stats_twa_set(&t, (SimTime)i * SIM_US, (double)(i % 2)); /* 0,1,0,1 ... */
    CHECK(fabs(stats_twa_mean(&t, 1000 * SIM_US) - 0.5) < 1e-12);
}

static void test_registry(void)
{
    Stats *s = stats_new();
    CHECK_EQ_U(stats_count(s), 0);
    CHECK(stats_find(s, "nothing") == NULL);
    char name[32];
    snprintf(name, sizeof name, "vm0.frames");
    uint64_t *frames = stats_counter(s, name, "frames", "frames sent");
    name[0] = 'X'; /* the registry keeps its own copy */
    StatsTwa *qlen = stats_twa(s, "host.qlen", "pkts", "queue length");
    StatsCategory *exits = stats_category(s, "cpu.vmexit", "VM exit handling");
    StatsHist *lat = stats_hist(s, "lat.rtt", "ps", "round trip");
    CHECK(frames && qlen && exits && lat);
    CHECK_EQ_U(stats_count(s), 4);
    const StatsEntry *e = stats_find(s, "vm0.frames");
    CHECK(e && e->kind == STATS_COUNTER && &e->u.counter == frames);
    CHECK_STR(e->unit, "frames");
    CHECK_STR(e->desc, "frames sent");
    CHECK(stats_find(s, "Xm0.frames") == NULL);
    CHECK(stats_entry(s, 0) == e);
    CHECK(stats_entry(s, 3)->kind == STATS_HIST && stats_entry(s, 3)->u.hist == lat);
    CHECK(stats_entry(s, 4) == NULL);
    CHECK_STR(stats_find(s, "cpu.vmexit")->unit, "ps");
    /* same name and kind: the same value */
    CHECK(stats_counter(s, "vm0.frames", "frames", "again") == frames);
    CHECK(stats_hist(s, "lat.rtt", "ps", "again") == lat);
    CHECK_EQ_U(stats_count(s), 4);
    /* use them */
    *frames += 5;
    stats_twa_init(qlen, 0, 3.0);
    stats_charge(exits, 1500);
    stats_charge(exits, 500);
    stats_hist_add(lat, 1000);
    CHECK_EQ_U(exits->time, 2000);
    CHECK_EQ_U(exits->count, 2);
    /* many more entries: earlier pointers stay valid, lookups still work */
    uint64_t *c[500];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "c%d", i);
        c[i] = stats_counter(s, name, "", "");
        *c[i] = (uint64_t)i;
    }
    CHECK_EQ_U(stats_count(s), 504);
    CHECK_EQ_U(*frames, 5);
    int found = 1;
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "c%d", i);
        const StatsEntry *ce = stats_find(s, name);
        found &= ce && &ce->u.counter == c[i] && ce->u.counter == (uint64_t)i &&
                 stats_entry(s, 4 + (size_t)i) == ce;
    }
    CHECK(found);
    CHECK(stats_find(s, "lat.rtt")->u.hist == lat);
    /* reset: everything zero, twa restarts at now with its current value */
    stats_twa_set(qlen, 100, 7.0);
    stats_reset(s, 200);
    CHECK_EQ_U(*frames, 0);
    CHECK_EQ_U(*c[499], 0);
    CHECK_EQ_U(exits->time, 0);
    CHECK_EQ_U(exits->count, 0);
    CHECK_EQ_U(stats_hist_count(lat), 0);
    CHECK_EQ_U(qlen->start, 200);
    CHECK(stats_twa_mean(qlen, 300) == 7.0);
    stats_free(s);
    stats_free(NULL);
}

int main(void)
{
    test_hist_distributions();
    test_hist_edges();
    test_hist_add_n_merge_reset();
    test_twa();
    test_registry();
    return check_report("test_stats");
}
