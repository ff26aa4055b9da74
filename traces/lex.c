/* lex: small tokenizer and number parsers shared by the trace readers; see lex.h. */
#include "traces/lex.h"

#include <ctype.h>
#include <string.h>

int lex_split(const char *line, LexTok *t, int max, bool comments)
{
    int n = 0;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || (comments && *p == '#'))
            return n;
        if (n == max)
            return -1;
        t[n].s = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        t[n].n = (size_t)(p - t[n].s);
        n++;
    }
}

bool lex_tok_is(const LexTok *t, const char *w)
{
    return t->n == strlen(w) && memcmp(t->s, w, t->n) == 0;
}

int lex_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int lex_dec(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    if (n == 0 || n > 20)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

int lex_hex(const char *s, size_t n, size_t digits, uint64_t max, uint64_t *out)
{
    if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return -1;
    size_t nd = n - 2;
    if (digits ? nd != digits : nd > 16)
        return -1;
    uint64_t v = 0;
    for (size_t i = 2; i < n; i++) {
        int h = lex_hexval(s[i]);
        if (h < 0)
            return -1;
        v = v << 4 | (uint64_t)h;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}
