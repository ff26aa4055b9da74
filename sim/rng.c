/* rng: xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64.
 *
 * Written from the published algorithm descriptions; the known-answer values in
 * tests/test_rng.c were produced by an independent Python implementation.
 * rng_exp uses an exponential ziggurat rather than -log(u): about 4x fewer
 * instructions and no libm call on the fast path (it sits on the simulator's
 * hot path: every exponential delay). */
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

/* Exponential ziggurat tables, 256 layers, 53-bit integers (Marsaglia and Tsang 2000).
 * Generated once with Python 3 (float64 arithmetic) by this script:
 *
 *     # Exponential ziggurat tables (Marsaglia and Tsang 2000), 256 layers, 53-bit
 *     # uniform integers. r and v are the published constants for the exponential case.
 *     import math
 *     N = 256
 *     r = 7.69711747013104972
 *     v = 3.949659822581572e-3
 *     m = 2.0 ** 53
 *     ke = [0] * N; we = [0.0] * N; fe = [0.0] * N
 *     de = r; te = de
 *     q = v / math.exp(-de)
 *     ke[0] = int((de / q) * m); ke[1] = 0
 *     we[0] = q / m; we[N - 1] = de / m
 *     fe[0] = 1.0; fe[N - 1] = math.exp(-de)
 *     for i in range(N - 2, 0, -1):
 *         de = -math.log(v / de + math.exp(-de))
 *         ke[i + 1] = int((de / te) * m)
 *         te = de
 *         fe[i] = math.exp(-de)
 *         we[i] = de / m
 * then printed as C (ke: integers; we, fe: float.hex()). The fast path uses only
 * these tables and integer-to-double products, so it is bit-identical everywhere. */
#define RNG_ZIG_R 0x1.ec9d9297ebb83p+2 /* 7.69711747013105: start of the tail */
static const uint64_t rng_zig_ke[256] = {
    0x1c5214272497a8ull, 0x00000000000000ull, 0x137d5bd79c28d1ull, 0x186ef58e3f38c6ull,
    0x1a9bb7320eaf00ull, 0x1bd127f719437aull, 0x1c951d0f88646full, 0x1d1bfe2d5c38f8ull,
    0x1d7e5bd56b1856ull, 0x1dc934dd172c28ull, 0x1e0409dfac9d91ull, 0x1e337b71d47809ull,
    0x1e5a8b177cb77dull, 0x1e7b42096f044cull, 0x1e970daf08ae22ull, 0x1eaef5b14ef087ull,
    0x1ec3bd07b46544ull, 0x1ed5f6f08799bcull, 0x1ee614ae6e5678ull, 0x1ef46eca361cc0ull,
    0x1f014b76ddd498ull, 0x1f0ce313a796abull, 0x1f176369f1f76full, 0x1f20f20c452567ull,
    0x1f29ae1951a86cull, 0x1f31b18fb9552aull, 0x1f39125157c0feull, 0x1f3fe2eb6e6946ull,
    0x1f463332d788f5ull, 0x1f4c10bf1d3a08ull, 0x1f51874c5c331cull, 0x1f56a109c3ecb9ull,
    0x1f5b66d9099992ull, 0x1f5fe08210d08aull, 0x1f6414dd44576cull, 0x1f6809f6859677ull,
    0x1f6bc52a2b02e1ull, 0x1f6f4b3d32e4f2ull, 0x1f72a07190f135ull, 0x1f75c8974d09d4ull,
    0x1f78c71b045cbdull, 0x1f7b9f12413ff3ull, 0x1f7e5346079f88ull, 0x1f80e63be21136ull,
    0x1f835a3dad915full, 0x1f85b16056b910ull, 0x1f87ed89b24261ull, 0x1f8a10759374f8ull,
    0x1f8c1bba3d39aaull, 0x1f8e10cc45d047ull, 0x1f8ff102013e16ull, 0x1f91bd968358dfull,
    0x1f9377ac47afd5ull, 0x1f95204f8b64dbull, 0x1f96b878633890ull, 0x1f98410c968890ull,
    0x1f99bae146ba7full, 0x1f9b26bc697effull, 0x1f9c85561b7179ull, 0x1f9dd759cfd802ull,
    0x1f9f1d6761a1ceull, 0x1fa058140936bfull, 0x1fa187eb3a3339ull, 0x1fa2ad6f6bc4fbull,
    0x1fa3c91ace0682ull, 0x1fa4db5fee6aa2ull, 0x1fa5e4aa4d097dull, 0x1fa6e55ee46782ull,
    0x1fa7dddca51ec4ull, 0x1fa8ce7ce6a875ull, 0x1fa9b793ce5fedull, 0x1faa9970adb858ull,
    0x1fab745e588232ull, 0x1fac48a3740585ull, 0x1fad1682bf9fe8ull, 0x1fadde3b5782c2ull,
    0x1faea008f21d6cull, 0x1faf5c2418b07full, 0x1fb012c25b7a12ull, 0x1fb0c41681dff4ull,
    0x1fb17050b6f1f9ull, 0x1fb2179eb2963aull, 0x1fb2ba2bdfa84cull, 0x1fb358217f4e19ull,
    0x1fb3f1a6c9be0cull, 0x1fb486e10cacd6ull, 0x1fb517f3c793fbull, 0x1fb5a500c5fdaaull,
    0x1fb62e2837fe58ull, 0x1fb6b388c90109ull, 0x1fb7353fb50798ull, 0x1fb7b368dc7da9ull,
    0x1fb82e1ed6ba08ull, 0x1fb8a57b0347f6ull, 0x1fb919959a0f73ull, 0x1fb98a85ba7203ull,
    0x1fb9f861796f25ull, 0x1fba633deee286ull, 0x1fbacb2f41ec17ull, 0x1fbb3048b49145ull,
    0x1fbb929caea4e2ull, 0x1fbbf23cc8029eull, 0x1fbc4f39d22997ull, 0x1fbca9a3e140d5ull,
    0x1fbd018a548f9eull, 0x1fbd56fbde729dull, 0x1fbdaa068bd66cull, 0x1fbdfab7cb3f41ull,
    0x1fbe491c7364ddull, 0x1fbe9540c9695full, 0x1fbedf3086b129ull, 0x1fbf26f6de6176ull,
    0x1fbf6c9e828ae3ull, 0x1fbfb031a904c4ull, 0x1fbff1ba0ffdb0ull, 0x1fc0314102458aull,
    0x1fc06ecf5b54b4ull, 0x1fc0aa6d8b1428ull, 0x1fc0e42399698aull, 0x1fc11bf9298a64ull,
    0x1fc151f57d1942ull, 0x1fc1861f770f4bull, 0x1fc1b87d9e74b4ull, 0x1fc1e91620ea43ull,
    0x1fc217eed505dfull, 0x1fc2450d3c83ffull, 0x1fc27076864fc2ull, 0x1fc29a2f90630full,
    0x1fc2c23ce98046ull, 0x1fc2e8a2d2c6b4ull, 0x1fc30d654122edull, 0x1fc33087de9c0full,
    0x1fc3520e0b7ec7ull, 0x1fc371fadf66f9ull, 0x1fc390512a2887ull, 0x1fc3ad137497faull,
    0x1fc3c844013349ull, 0x1fc3e1e4ccab3full, 0x1fc3f9f78e4da8ull, 0x1fc4107db85061ull,
    0x1fc4257877fd68ull, 0x1fc438e8b5bfc7ull, 0x1fc44acf15112aull, 0x1fc45b2bf447e9ull,
    0x1fc469ff6c4503ull, 0x1fc477495001b3ull, 0x1fc483092bfbb9ull, 0x1fc48d3e457ff7ull,
    0x1fc495e799d21bull, 0x1fc49d03dd30b1ull, 0x1fc4a29179b434ull, 0x1fc4a68e8e07fbull,
    0x1fc4a8f8ebfb8bull, 0x1fc4a9ce16eaa0ull, 0x1fc4a90b41fa33ull, 0x1fc4a6ad4e28a1ull,
    0x1fc4a2b0c82e76ull, 0x1fc49d11e62de3ull, 0x1fc495cc852df6ull, 0x1fc48cdc265ec1ull,
    0x1fc4823bec237aull, 0x1fc475e696dee7ull, 0x1fc467d6817e83ull, 0x1fc458059dc038ull,
    0x1fc4466d702e22ull, 0x1fc433070bcb99ull, 0x1fc41dcb0d6e0eull, 0x1fc406b196bbf7ull,
    0x1fc3edb248cb62ull, 0x1fc3d2c43e593dull, 0x1fc3b5de0591b5ull, 0x1fc396f599614dull,
    0x1fc376005a4593ull, 0x1fc352f3069372ull, 0x1fc32dc1b22819ull, 0x1fc3065fbd7888ull,
    0x1fc2dcbfcbf263ull, 0x1fc2b0d3b99fa0ull, 0x1fc2828c8ffcf0ull, 0x1fc251da79f164ull,
    0x1fc21eacb6d39eull, 0x1fc1e8f18c6757ull, 0x1fc1b09637bb3dull, 0x1fc17586dccd11ull,
    0x1fc137ae74d6b7ull, 0x1fc0f6f6bb2414ull, 0x1fc0b348184da4ull, 0x1fc06c898baff1ull,
    0x1fc022a092f365ull, 0x1fbfd5710f72baull, 0x1fbf84dd294890ull, 0x1fbf30c52fc60bull,
    0x1fbed907770cc6ull, 0x1fbe7d80327ddaull, 0x1fbe1e094ba615ull, 0x1fbdba7a354408ull,
    0x1fbd52a7b9f826ull, 0x1fbce663c6201bull, 0x1fbc757d2c4de5ull, 0x1fbbffbf63b7aaull,
    0x1fbb84f23fe6a2ull, 0x1fbb04d9a0d18dull, 0x1fba7f351a70adull, 0x1fb9f3bf92b61aull,
    0x1fb9622ed4abfcull, 0x1fb8ca33174a18ull, 0x1fb82b76765b54ull, 0x1fb7859c5b895dull,
    0x1fb6d840d55594ull, 0x1fb622f7d96943ull, 0x1fb5654c6f37e2ull, 0x1fb49ebfbf69d1ull,
    0x1fb3cec803e747ull, 0x1fb2f4cf539c40ull, 0x1fb21032442854ull, 0x1fb1203e5a9605ull,
    0x1fb0243042e1c3ull, 0x1faf1b31c479a7ull, 0x1fae045767e106ull, 0x1facde9dbf2d73ull,
    0x1faba8e640060bull, 0x1faa61f399ff28ull, 0x1fa908656f66a2ull, 0x1fa79ab3508d3dull,
    0x1fa61726d1f214ull, 0x1fa47bd48bea00ull, 0x1fa2c693c5c095ull, 0x1fa0f4f47df316ull,
    0x1f9f04336bbe0bull, 0x1f9cf12b79f9bdull, 0x1f9ab84415abc5ull, 0x1f98555b782fb9ull,
    0x1f95c3abd03f79ull, 0x1f92fda9cef1f3ull, 0x1f8ffcda9ae41dull, 0x1f8cb99e7385f8ull,
    0x1f892aec479608ull, 0x1f8545f904db90ull, 0x1f80fdc336039cull, 0x1f7c427839e926ull,
    0x1f7700a3582accull, 0x1f71200f1a241dull, 0x1f6a8234b7352cull, 0x1f630000a8e267ull,
    0x1f5a66904fe3c5ull, 0x1f50724ece1172ull, 0x1f44c7665c6fdbull, 0x1f36e5a38a59a3ull,
    0x1f261434503409ull, 0x1f113e047b0414ull, 0x1ef6aefa57cbe7ull, 0x1ed38ca188151eull,
    0x1ea2a61e122db1ull, 0x1e5961c78b267cull, 0x1dddf62bac0bb0ull, 0x1cdb4dd9e4e8beull,
};
static const double rng_zig_we[256] = {
    0x1.164ec94bf5dd5p-50, 0x1.0589d8b5d33cdp-57, 0x1.ad6b2495b434cp-57,
    0x1.19335a95b89a1p-56, 0x1.522e6e54a26dcp-56, 0x1.85090fbc27740p-56,
    0x1.b38d1ef79b4cdp-56, 0x1.decd8b76dbaccp-56, 0x1.03bf049c65aebp-55,
    0x1.170db24d6f531p-55, 0x1.2980290da2502p-55, 0x1.3b388fe3d6da5p-55,
    0x1.4c515c60bfd07p-55, 0x1.5cdf89d0249b2p-55, 0x1.6cf40f0a72ab4p-55,
    0x1.7c9cdda17cf17p-55, 0x1.8be5954d35f72p-55, 0x1.9ad80552236dbp-55,
    0x1.a97c8be5d5112p-55, 0x1.b7da5dddda2d9p-55, 0x1.c5f7bd78c3ea2p-55,
    0x1.d3da24df17b53p-55, 0x1.e186678f1727cp-55, 0x1.ef00ccf5f4ed0p-55,
    0x1.fc4d25d683132p-55, 0x1.04b76ed6a74eep-54, 0x1.0b348479b8094p-54,
    0x1.119f38749f548p-54, 0x1.17f8ceb4bdf3ap-54, 0x1.1e426e93e4983p-54,
    0x1.247d26538feccp-54, 0x1.2aa9ee12367abp-54, 0x1.30c9aa526d9ecp-54,
    0x1.36dd2e26d81a3p-54, 0x1.3ce53d1216243p-54, 0x1.42e28ca7066ebp-54,
    0x1.48d5c5f35e6b7p-54, 0x1.4ebf86bcd0b38p-54, 0x1.54a0629786ef3p-54,
    0x1.5a78e3db8bea4p-54, 0x1.60498c7dd2e77p-54, 0x1.6612d6d0c6889p-54,
    0x1.6bd5362faa8edp-54, 0x1.7191179799065p-54, 0x1.7746e2307791ep-54,
    0x1.7cf6f7c7e811ep-54, 0x1.82a1b53fed545p-54, 0x1.884772f2be199p-54,
    0x1.8de8850d0c4d8p-54, 0x1.93853bdfda1f4p-54, 0x1.991de42ad12e8p-54,
    0x1.9eb2c75ff036fp-54, 0x1.a4442be1487fcp-54, 0x1.a9d255396d212p-54,
    0x1.af5d844f2247bp-54, 0x1.b4e5f794c974ep-54, 0x1.ba6beb33f8f3dp-54,
    0x1.bfef99359fe4dp-54, 0x1.c57139a70d253p-54, 0x1.caf102bc25a90p-54,
    0x1.d06f28ef0e6b0p-54, 0x1.d5ebdf1d86b43p-54, 0x1.db6756a42900dp-54,
    0x1.e0e1bf77c31b5p-54, 0x1.e65b483cf0ffbp-54, 0x1.ebd41e5e21b1ap-54,
    0x1.f14c6e2029457p-54, 0x1.f6c462b57fe6dp-54, 0x1.fc3c26504a959p-54,
    0x1.00d9f119a3cb5p-53, 0x1.0395df60db13fp-53, 0x1.0651f1c7276d5p-53,
    0x1.090e3bb4b004fp-53, 0x1.0bcad03710114p-53, 0x1.0e87c207a2f44p-53,
    0x1.114523917abf3p-53, 0x1.140306f707d9cp-53, 0x1.16c17e1777fd9p-53,
    0x1.19809a93d2374p-53, 0x1.1c406dd3d5261p-53, 0x1.1f01090a9c4c1p-53,
    0x1.21c27d3b10de4p-53, 0x1.2484db3c2a308p-53, 0x1.274833bd0187ep-53,
    0x1.2a0c9748bcd88p-53, 0x1.2cd2164a53b3cp-53, 0x1.2f98c11031700p-53,
    0x1.3260a7cfb75f1p-53, 0x1.3529daa8a1b81p-53, 0x1.37f469a851ad1p-53,
    0x1.3ac064ccfefdep-53, 0x1.3d8ddc08d334fp-53, 0x1.405cdf44f09a6p-53,
    0x1.432d7e6466cb2p-53, 0x1.45ffc94716c89p-53, 0x1.48d3cfcc883a6p-53,
    0x1.4ba9a1d6b1887p-53, 0x1.4e814f4cb45cep-53, 0x1.515ae81d900dfp-53,
    0x1.54367c42cb5dcp-53, 0x1.57141bc316f0bp-53, 0x1.59f3d6b4e9cddp-53,
    0x1.5cd5bd4119318p-53, 0x1.5fb9dfa56cf0ap-53, 0x1.62a04e3731a12p-53,
    0x1.65891965c9b70p-53, 0x1.687451bd3ebd2p-53, 0x1.6b6207e8d3cc3p-53,
    0x1.6e524cb59a5ecp-53, 0x1.714531150a9dfp-53, 0x1.743ac61fa0400p-53,
    0x1.77331d177d113p-53, 0x1.7a2e476b123eep-53, 0x1.7d2c56b7d17dbp-53,
    0x1.802d5ccce725bp-53, 0x1.83316badfe60dp-53, 0x1.86389596108cap-53,
    0x1.8942ecfa40f37p-53, 0x1.8c50848cc6077p-53, 0x1.8f616f3fe14f7p-53,
    0x1.9275c048e73c5p-53, 0x1.958d8b235826ep-53, 0x1.98a8e3940bbd8p-53,
    0x1.9bc7ddac70341p-53, 0x1.9eea8dcdde935p-53, 0x1.a21108ad05911p-53,
    0x1.a53b63556c674p-53, 0x1.a869b32d0f2f3p-53, 0x1.ab9c0df81655ep-53,
    0x1.aed289dcaace3p-53, 0x1.b20d3d66e8b99p-53, 0x1.b54c3f8cf2526p-53,
    0x1.b88fa7b324f9ap-53, 0x1.bbd78db0725f4p-53, 0x1.bf2409d2dfd69p-53,
    0x1.c27534e42e011p-53, 0x1.c5cb282eab188p-53, 0x1.c925fd82323e0p-53,
    0x1.cc85cf395a551p-53, 0x1.cfeab83ed7165p-53, 0x1.d354d4130f293p-53,
    0x1.d6c43ed1ea3e4p-53, 0x1.da391538da4f0p-53, 0x1.ddb374ad23564p-53,
    0x1.e1337b4265081p-53, 0x1.e4b947c16a437p-53, 0x1.e844f9af42365p-53,
    0x1.ebd6b154a765ep-53, 0x1.ef6e8fc5b914ep-53, 0x1.f30cb6ea0bc66p-53,
    0x1.f6b1498515eb6p-53, 0x1.fa5c6b3efe1ccp-53, 0x1.fe0e40add09c0p-53,
    0x1.00e377af911c8p-52, 0x1.02c34ef11390fp-52, 0x1.04a6b9e922497p-52,
    0x1.068dccf1126cfp-52, 0x1.08789cf3aad03p-52, 0x1.0a673f733c80dp-52,
    0x1.0c59ca9009463p-52, 0x1.0e50550efcfabp-52, 0x1.104af660befc2p-52,
    0x1.1249c6a92153ep-52, 0x1.144cdec6f3a1fp-52, 0x1.1654585c404b4p-52,
    0x1.18604dd6fae91p-52, 0x1.1a70da7a27814p-52, 0x1.1c861a6782a4ep-52,
    0x1.1ea02aa9b3364p-52, 0x1.20bf293f0f495p-52, 0x1.22e33524fe543p-52,
    0x1.250c6e6403badp-52, 0x1.273af61c7da99p-52, 0x1.296eee942531ep-52,
    0x1.2ba87b445db44p-52, 0x1.2de7c0e962d64p-52, 0x1.302ce59265958p-52,
    0x1.327810b2aa7c3p-52, 0x1.34c96b33bc959p-52, 0x1.37211f88ca84ap-52,
    0x1.397f59c345137p-52, 0x1.3be447a8d8b77p-52, 0x1.3e5018caddec3p-52,
    0x1.40c2fe9f5eea0p-52, 0x1.433d2c9bd42ebp-52, 0x1.45bed851bc920p-52,
    0x1.4848398d39426p-52, 0x1.4ad98a75da140p-52, 0x1.4d7307b1cb11bp-52,
    0x1.5014f08b994fcp-52, 0x1.52bf871acaaa5p-52, 0x1.5573106f8a74ep-52,
    0x1.582fd4c1b4455p-52, 0x1.5af61fa38e0fcp-52, 0x1.5dc640388bd92p-52,
    0x1.60a089708186dp-52, 0x1.63855247b2e89p-52, 0x1.6674f60c3f427p-52,
    0x1.696fd4a9748e4p-52, 0x1.6c7652f9a7b14p-52, 0x1.6f88db1f424fdp-52,
    0x1.72a7dce5cd20ep-52, 0x1.75d3ce2bd71b9p-52, 0x1.790d2b56b71efp-52,
    0x1.7c5477d1476c9p-52, 0x1.7faa3e96e1408p-52, 0x1.830f12cc0beb9p-52,
    0x1.8683906687337p-52, 0x1.8a085ce695ba0p-52, 0x1.8d9e2823b368bp-52,
    0x1.9145ad2f37539p-52, 0x1.94ffb34fc2a04p-52, 0x1.98cd0f18d1acep-52,
    0x1.9caea3a24d9e0p-52, 0x1.a0a563e49f16ep-52, 0x1.a4b2543e84c31p-52,
    0x1.a8d68c2ad86dfp-52, 0x1.ad13382d845bap-52, 0x1.b1699c003b5ffp-52,
    0x1.b5db15091ea05p-52, 0x1.ba691d276da54p-52, 0x1.bf154de4bef6dp-52,
    0x1.c3e1641c2e09dp-52, 0x1.c8cf442c8c8eap-52, 0x1.cde0fecf2a975p-52,
    0x1.d318d6b2738bbp-52, 0x1.d87946fec3be2p-52, 0x1.de050af4ef195p-52,
    0x1.e3bf26e190956p-52, 0x1.e9aaf2af383b7p-52, 0x1.efcc26750ea40p-52,
    0x1.f626e9791f79dp-52, 0x1.fcbfe43f6c6dcp-52, 0x1.01ce2b362ec29p-51,
    0x1.056118bf58eeap-51, 0x1.091c1cdcba549p-51, 0x1.0d031785d489bp-51,
    0x1.111a8034392a1p-51, 0x1.1567867754424p-51, 0x1.19f03bcb3c2d0p-51,
    0x1.1ebbca0c9fa77p-51, 0x1.23d2bb659919ap-51, 0x1.293f5ae49aaa0p-51,
    0x1.2f0e38a4411ebp-51, 0x1.354ee27ccf758p-51, 0x1.3c14ec7c8b85cp-51,
    0x1.4379766e4135dp-51, 0x1.4b9d7cd4751ccp-51, 0x1.54ad83ccf73f1p-51,
    0x1.5ee7ae17313cep-51, 0x1.6aa676d4bbf6ep-51, 0x1.78750d6eac62bp-51,
    0x1.8939fe6f2ed16p-51, 0x1.9e9dc0d487b82p-51, 0x1.bc39e51da71fap-51,
    0x1.ec9d9297ebb83p-51,
};
static const double rng_zig_fe[256] = {
    0x1.0000000000000p+0, 0x1.e0545e58812c6p-1, 0x1.cd0a65082010dp-1,
    0x1.be5007beb7c0cp-1, 0x1.b210f0ee67fedp-1, 0x1.a76baa562fb93p-1,
    0x1.9de9715556e36p-1, 0x1.95431c455aac7p-1, 0x1.8d4a376d3d2b2p-1,
    0x1.85de87806c631p-1, 0x1.7ee8a2d243198p-1, 0x1.7856e9b09d4eap-1,
    0x1.721bb5ba94bc9p-1, 0x1.6c2c349841927p-1, 0x1.667fa6d4f5c63p-1,
    0x1.610edc1a7afbfp-1, 0x1.5bd3d694caccbp-1, 0x1.56c9882da87c6p-1,
    0x1.51eba157889eap-1, 0x1.4d366c151f8fbp-1, 0x1.48a6afb8ee0b3p-1,
    0x1.44399afa8e16dp-1, 0x1.3fecb2bb18bc5p-1, 0x1.3bbdc44e1d157p-1,
    0x1.37aada708de1bp-1, 0x1.33b23450e6358p-1, 0x1.2fd23e345da9cp-1,
    0x1.2c098b61f4f60p-1, 0x1.2856d111132f8p-1, 0x1.24b8e228c50dcp-1,
    0x1.212eaba813f00p-1, 0x1.1db7319877bbfp-1, 0x1.1a518c71e3b5ap-1,
    0x1.16fce6dce7022p-1, 0x1.13b87bc3316cep-1, 0x1.108394a1cc3bep-1,
    0x1.0d5d8812b1e5bp-1, 0x1.0a45b8854d059p-1, 0x1.073b931ee3babp-1,
    0x1.043e8ebd26575p-1, 0x1.014e2b160f350p-1, 0x1.fcd3dfe2145cdp-2,
    0x1.f722d8ebfc650p-2, 0x1.f1886d1eb42a1p-2, 0x1.ec03d4b969de2p-2,
    0x1.e6945367dd3a1p-2, 0x1.e139375e1384bp-2, 0x1.dbf1d88a72159p-2,
    0x1.d6bd97db9edc5p-2, 0x1.d19bde97e1a54p-2, 0x1.cc8c1dc40e0dap-2,
    0x1.c78dcd983fba7p-2, 0x1.c2a06d00ea5c8p-2, 0x1.bdc3812aeeefap-2,
    0x1.b8f6951990bcbp-2, 0x1.b4393945480b1p-2, 0x1.af8b03428efa0p-2,
    0x1.aaeb8d6fdf725p-2, 0x1.a65a76aa3017ep-2, 0x1.a1d7620752231p-2,
    0x1.9d61f695a37cep-2, 0x1.98f9df2097be3p-2, 0x1.949ec9f9a814ap-2,
    0x1.905068c545d3dp-2, 0x1.8c0e704b75d72p-2, 0x1.87d8984bc3fc3p-2,
    0x1.83ae9b544616fp-2, 0x1.7f90369b6ce8fp-2, 0x1.7b7d29dc68053p-2,
    0x1.77753735e7317p-2, 0x1.7378230b08e1dp-2, 0x1.6f85b3e649ecep-2,
    0x1.6b9db25e4e9cdp-2, 0x1.67bfe8fc60dd0p-2, 0x1.63ec242482813p-2,
    0x1.602231fef58a5p-2, 0x1.5c61e2631ee9ap-2, 0x1.58ab06c3aaa1cp-2,
    0x1.54fd721bda413p-2, 0x1.5158f8dde8a22p-2, 0x1.4dbd70e26f948p-2,
    0x1.4a2ab158bdafdp-2, 0x1.46a092b80bf19p-2, 0x1.431eeeb18420cp-2,
    0x1.3fa5a0230a178p-2, 0x1.3c34830abb2aep-2, 0x1.38cb747b17e17p-2,
    0x1.356a528fcd104p-2, 0x1.3210fc631245bp-2, 0x1.2ebf520394295p-2,
    0x1.2b75346ae2286p-2, 0x1.283285745764cp-2, 0x1.24f727d477720p-2,
    0x1.21c2ff10b7f21p-2, 0x1.1e95ef77b09fcp-2, 0x1.1b6fde19abc7bp-2,
    0x1.1850b0c1919a2p-2, 0x1.15384dee2920ep-2, 0x1.12269ccba9fd9p-2,
    0x1.0f1b852d9a68ap-2, 0x1.0c16ef88f5350p-2, 0x1.0918c4ee93e30p-2,
    0x1.0620ef05d90efp-2, 0x1.032f580797c49p-2, 0x1.0043eab934786p-2,
    0x1.fabd24cff938cp-3, 0x1.f4fe75c963eb6p-3, 0x1.ef4ba0fe8e0d2p-3,
    0x1.e9a4800594127p-3, 0x1.e408ed62f83dbp-3, 0x1.de78c48224f6dp-3,
    0x1.d8f3e1ae3eeedp-3, 0x1.d37a220b43231p-3, 0x1.ce0b638f6d0d1p-3,
    0x1.c8a784fce1833p-3, 0x1.c34e65db9b020p-3, 0x1.bdffe67394467p-3,
    0x1.b8bbe7c72e4d7p-3, 0x1.b3824b8dcef6fp-3, 0x1.ae52f42eb5b3bp-3,
    0x1.a92dc4bc03c78p-3, 0x1.a412a0edf5ceap-3, 0x1.9f016d1e4c53fp-3,
    0x1.99fa0e43e1650p-3, 0x1.94fc69ee692cdp-3, 0x1.900866425bba6p-3,
    0x1.8b1de9f506300p-3, 0x1.863cdc48c1b24p-3, 0x1.816525094e810p-3,
    0x1.7c96ac8851bd8p-3, 0x1.77d15b99f4727p-3, 0x1.73151b91a2862p-3,
    0x1.6e61d63ee8512p-3, 0x1.69b775ea6da50p-3, 0x1.6515e5530d1d3p-3,
    0x1.607d0fab06a57p-3, 0x1.5bece0954c2dcp-3, 0x1.57654422e791ap-3,
    0x1.52e626d078c6dp-3, 0x1.4e6f7583cb71dp-3, 0x1.4a011d89830b8p-3,
    0x1.459b0c92dcce7p-3, 0x1.413d30b386abbp-3, 0x1.3ce7785f8a926p-3,
    0x1.3899d2694d5eap-3, 0x1.34542dffa0ccfp-3, 0x1.30167aabe7d8dp-3,
    0x1.2be0a8504cf52p-3, 0x1.27b2a7260995ep-3, 0x1.238c67bbbe895p-3,
    0x1.1f6ddaf3dca81p-3, 0x1.1b56f2031d682p-3, 0x1.17479e6f0ae93p-3,
    0x1.133fd20c9714ap-3, 0x1.0f3f7efec1739p-3, 0x1.0b4697b54b648p-3,
    0x1.07550eeb7a5d7p-3, 0x1.036ad7a6e7f1cp-3, 0x1.ff0fca6cbeabfp-4,
    0x1.f758566190445p-4, 0x1.efaf3ae83c36bp-4, 0x1.e8146048eb9fbp-4,
    0x1.e087af561bb29p-4, 0x1.d909116ad93c6p-4, 0x1.d198706914e04p-4,
    0x1.ca35b6b80fd85p-4, 0x1.c2e0cf42e10dbp-4, 0x1.bb99a577126b9p-4,
    0x1.b460254356572p-4, 0x1.ad343b165548fp-4, 0x1.a615d3dd938e1p-4,
    0x1.9f04dd046f452p-4, 0x1.9801447336b9ap-4, 0x1.910af88e574e2p-4,
    0x1.8a21e835a5362p-4, 0x1.834602c3bc4dfp-4, 0x1.7c77380d7a719p-4,
    0x1.75b5786193c44p-4, 0x1.6f00b488416dap-4, 0x1.6858ddc30b643p-4,
    0x1.61bde5ccadf19p-4, 0x1.5b2fbed91bb60p-4, 0x1.54ae5b959d057p-4,
    0x1.4e39af290d94bp-4, 0x1.47d1ad343987dp-4, 0x1.417649d25b12dp-4,
    0x1.3b277999b9fbdp-4, 0x1.34e5319c6e735p-4, 0x1.2eaf676948dedp-4,
    0x1.2886110ce058dp-4, 0x1.22692512c9da8p-4, 0x1.1c589a86fa35bp-4,
    0x1.165468f7553adp-4, 0x1.105c88756ca69p-4, 0x1.0a70f19871b53p-4,
    0x1.04919d7f5c82fp-4, 0x1.fd7d0ba6996a4p-5, 0x1.f1ef49944e85fp-5,
    0x1.e679ea52eb30dp-5, 0x1.db1ce49315835p-5, 0x1.cfd83031e796dp-5,
    0x1.c4abc6407220bp-5, 0x1.b997a10bed9a6p-5, 0x1.ae9bbc26a80a5p-5,
    0x1.a3b81471bf158p-5, 0x1.98eca827b7c6dp-5, 0x1.8e3976e80778dp-5,
    0x1.839e81c3a398cp-5, 0x1.791bcb4ab08bdp-5, 0x1.6eb1579b6af70p-5,
    0x1.645f2c726a05fp-5, 0x1.5a25513c5d2e6p-5, 0x1.5003cf296c606p-5,
    0x1.45fab14266b32p-5, 0x1.3c0a047ff1917p-5, 0x1.3231d7e3f14c6p-5,
    0x1.28723c956c024p-5, 0x1.1ecb45ff312ebp-5, 0x1.153d09f19b3b8p-5,
    0x1.0bc7a0c7cd667p-5, 0x1.026b2590dfb02p-5, 0x1.f24f6c7af98b8p-6,
    0x1.dffae7a51748ep-6, 0x1.cdd9054331b2fp-6, 0x1.bbea150fa5893p-6,
    0x1.aa2e6e6924ebdp-6, 0x1.98a670f132a69p-6, 0x1.8752853ec9987p-6,
    0x1.76331da87fcb3p-6, 0x1.6548b72a24093p-6, 0x1.5493da6ab026bp-6,
    0x1.44151ce87f0d6p-6, 0x1.33cd225315d9ap-6, 0x1.23bc9e1b93a47p-6,
    0x1.13e4554725f72p-6, 0x1.04452091e0303p-6, 0x1.e9bfdde89c7f4p-7,
    0x1.cb6b9146e277dp-7, 0x1.ad8fa5542c955p-7, 0x1.902ea688fa7e1p-7,
    0x1.734b6e6aa7514p-7, 0x1.56e930be416e7p-7, 0x1.3b0b8c1516f7cp-7,
    0x1.1fb69edb37688p-7, 0x1.04ef2295fd80fp-7, 0x1.d5751fa745debp-8,
    0x1.a23e9d4974855p-8, 0x1.7049f37ec363ep-8, 0x1.3fa97cee32315p-8,
    0x1.1073d69574056p-8, 0x1.c58b381cd4b2ep-9, 0x1.6d888f3a1ff15p-9,
    0x1.1946ba8e1a333p-9, 0x1.92bb5540c3e39p-10, 0x1.fb20af78dfcc7p-11,
    0x1.dc31c329f0b48p-12,
};

/* Ziggurat: pick a layer with 8 random bits and a point in it with 53 others; the
 * point lies under the density in about 98 % of draws (one table compare). The rest
 * take the wedge test or, in the base layer, the tail r + Exp(1); they live in a
 * separate function so that the fast path needs no stack frame. */
__attribute__((noinline, cold)) static double rng_exp_slow(Rng *r, unsigned i, double v,
                                                           double mean)
{
    for (;;) {
        if (i == 0) /* 1 - u lies in (0, 1]: the logarithm is finite */
            return (RNG_ZIG_R - log1p(-rng_uniform(r))) * mean;
        if (rng_zig_fe[i] + rng_uniform(r) * (rng_zig_fe[i - 1] - rng_zig_fe[i]) < exp(-v))
            return v * mean;
        uint64_t x = rng_next(r);
        i = (unsigned)(x & 0xff);
        uint64_t j = x >> 11;
        v = (double)j * rng_zig_we[i];
        if (j < rng_zig_ke[i])
            return v * mean;
    }
}

double rng_exp(Rng *r, double mean)
{
    assert(mean > 0);
    uint64_t x = rng_next(r);
    unsigned i = (unsigned)(x & 0xff);
    uint64_t j = x >> 11;
    double v = (double)j * rng_zig_we[i];
    if (j < rng_zig_ke[i])
        return v * mean;
    return rng_exp_slow(r, i, v, mean);
}
