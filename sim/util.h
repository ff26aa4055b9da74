/* util: small helpers shared by the sim/ modules (no simulation state). */
#ifndef VNICSIM_SIM_UTIL_H
#define VNICSIM_SIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Levenshtein distance between two strings, for "did you mean"; SIZE_MAX when
 * either is longer than 200 characters. */
size_t util_edit_distance(const char *a, const char *b);

/* mkdir -p: 0, or -1 with errno set. */
int util_mkdirs(const char *dir);
/* Erase a status line drawn on stderr (a terminal) if *shown, and clear *shown. */
void util_status_clear(bool *shown);

/* Command-line helpers of the vnicsim commands. */

/* Prints "vnicsim CMD: " + fmt (with arg) + " (see 'vnicsim CMD --help')" to stderr;
 * returns 2, the commands' usage-error exit status. */
int util_usage_error(const char *cmd, const char *fmt, const char *arg);

/* Matches option name at argv[*i] as "NAME VALUE" or "NAME=VALUE" and advances *i past
 * the value. With short_attached, a one-dash name takes an attached value instead of
 * "=" ("-j4", "-oDIR"). Returns 1 when matched (value in *val), 0 when argv[*i] is not
 * this option, -1 when the value is missing. */
int util_opt_value(int argc, char **argv, int *i, const char *name, bool short_attached, const char **val);

#endif
