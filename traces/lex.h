/* lex: small tokenizer and number parsers shared by the trace readers. */
#ifndef VNICSIM_TRACES_LEX_H
#define VNICSIM_TRACES_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct LexTok {
    const char *s;
    size_t n;
} LexTok;

/* Splits line at blanks (space, tab) into at most max tokens. With comments, a '#'
 * that starts a token ends the line. Returns the count, or -1 when there are more
 * than max tokens. */
int lex_split(const char *line, LexTok *t, int max, bool comments);

/* Token equals the word w. */
bool lex_tok_is(const LexTok *t, const char *w);

/* Value of one hex digit, or -1. */
int lex_hexval(char c);

/* Decimal in s[0..n), no sign, 1..20 digits, no overflow, at most max: 0, else -1. */
int lex_dec(const char *s, size_t n, uint64_t max, uint64_t *out);

/* "0x" + hex digits in s[0..n); digits == 0: 1..16 digits, else exactly that many;
 * at most max: 0, else -1. */
int lex_hex(const char *s, size_t n, size_t digits, uint64_t max, uint64_t *out);

#endif
