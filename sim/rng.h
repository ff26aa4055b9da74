/* rng: seeded deterministic PRNG (xoshiro256**, seeded through splitmix64).
 * Same seed, same sequence, on every machine. */
#ifndef VNICSIM_SIM_RNG_H
#define VNICSIM_SIM_RNG_H

#include <stdint.h>

typedef struct Rng {
    uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform(Rng *r);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(Rng *r, uint64_t n);
/* Exponentially distributed value with the given mean (> 0). */
double rng_exp(Rng *r, double mean);

#endif
