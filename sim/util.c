/* util: small helpers shared by the sim/ modules; see util.h. */
#include "sim/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

size_t util_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 200 || lb > 200)
        return SIZE_MAX;
    size_t row[201];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

int util_mkdirs(const char *dir)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int util_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "vnicsim %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'vnicsim %s --help')\n", cmd);
    return 2;
}

int util_opt_value(int argc, char **argv, int *i, const char *name, bool short_attached, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    bool attached = short_attached && name[1] != '-';
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=' && !attached) {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != 0 && attached) {
        *val = a + n;
        return 1;
    }
    if (a[n] != 0)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

void util_status_clear(bool *shown)
{
    if (*shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        *shown = false;
    }
}
