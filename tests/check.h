/* Tiny test kit shared by tests/test_*.c.
 *
 *   CHECK(cond)                 one check; a failure prints file:line and the expression
 *   CHECKF(cond, fmt, ...)      the same with a formatted explanation
 *   CHECK_EQ_U(a, b)            unsigned comparison that prints both values
 *   CHECK_STR(a, b)             string equality that prints both strings
 *   return check_report("name") at the end of main(): prints the summary line
 *   "# name: P passed, F failed" that tests/run.sh adds up, and returns the exit status.
 */
#ifndef VNICSIM_TESTS_CHECK_H
#define VNICSIM_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static unsigned check_passed, check_failed;

#define CHECKF(cond, ...)                                                       \
    do {                                                                        \
        if (cond) {                                                             \
            check_passed++;                                                     \
        } else {                                                                \
            check_failed++;                                                     \
            printf("not ok %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
            printf(__VA_ARGS__);                                                \
            printf("\n");                                                       \
        }                                                                       \
    } while (0)

#define CHECK(cond) CHECKF(cond, "%s", "failed")

#define CHECK_EQ_U(a, b)                                                        \
    do {                                                                        \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);            \
        CHECKF(check_a_ == check_b_, "%s = 0x%" PRIx64 " (%" PRIu64 "), "       \
               "expected 0x%" PRIx64 " (%" PRIu64 ")", #a, check_a_, check_a_,  \
               check_b_, check_b_);                                             \
    } while (0)

#define CHECK_STR(a, b)                                                         \
    do {                                                                        \
        const char *check_a_ = (a), *check_b_ = (b);                            \
        CHECKF(check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0,         \
               "got \"%s\", expected \"%s\"", check_a_ ? check_a_ : "(null)",   \
               check_b_ ? check_b_ : "(null)");                                 \
    } while (0)

static inline int check_report(const char *name)
{
    printf("# %s: %u passed, %u failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
