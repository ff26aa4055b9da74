/* rng: xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64.
 *
 * Written from the published algorithm description; the known-answer values in
 * tests/test_rng.c were produced by an independent Python implementation. */
#include "sim/rng.h"

#include <assert.h>
#include <math.h>

static uint64_t rng_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void rng_seed(Rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&x);
    /* splitmix64 is a bijection of a counter, so four consecutive outputs are never
     * all zero; the all-zero state (the only bad one) cannot arise. */
}

uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

double rng_uniform(Rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Lemire's multiply-and-reject: the high half of x*n is uniform on [0, n) once
 * the low half is outside the short leftover range of 2^64 mod n values. */
uint64_t rng_below(Rng *r, uint64_t n)
{
    assert(n > 0);
    unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t threshold = (0 - n) % n; /* 2^64 mod n */
        while (lo < threshold) {
            m = (unsigned __int128)rng_next(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double rng_exp(Rng *r, double mean)
{
    assert(mean > 0);
    /* 1 - u lies in (0, 1], so the logarithm is finite. */
    return -mean * log(1.0 - rng_uniform(r));
}
