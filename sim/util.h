/* util: small helpers shared by the sim/ modules (no simulation state). */
#ifndef VNICSIM_SIM_UTIL_H
#define VNICSIM_SIM_UTIL_H

#include <stddef.h>

/* Levenshtein distance between two strings, for "did you mean"; SIZE_MAX when
 * either is longer than 200 characters. */
size_t util_edit_distance(const char *a, const char *b);

/* mkdir -p: 0, or -1 with errno set. */
int util_mkdirs(const char *dir);

#endif
