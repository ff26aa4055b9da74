/* out: result directories and atomically written JSON files.
 *
 * A run writes config.json, results.json and host.json into one directory. Each
 * file is written to a temporary file in the same directory, flushed, fsync'd and
 * renamed into place, so a reader never sees a half-written file.
 */
#ifndef VNICSIM_SIM_OUT_H
#define VNICSIM_SIM_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* "results/<name>-<UTC yyyymmddThhmmss.uuuuuuZ>" into buf; characters other than
 * letters, digits, '.', '_' and '-' in name become '_'. */
void out_default_dir(char *buf, size_t len, const char *name);

/* Create dir (and its parents) if needed. A directory that already holds entries is
 * refused unless `force`. Returns 0, or 2 when refused (non-empty, not a directory),
 * or 1 on a system error; err holds the message. *created tells whether this call
 * created the directory itself. */
int out_prepare_dir(const char *dir, bool force, bool *created, char *err, size_t errlen);

/* Write j as dir/file with a trailing newline, keys in insertion order, reals with
 * `precision` significant digits (1..17; 17 round-trips every double). 0 or -1. */
int out_write_json(const char *dir, const char *file, const json_t *j, int precision, char *err,
                   size_t errlen);

/* Remove dir if it is empty (after an interrupted run). */
void out_remove_if_empty(const char *dir);

#endif
