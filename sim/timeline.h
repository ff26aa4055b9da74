/* timeline: a streaming writer of Chrome / Perfetto trace-event JSON.
 *
 * Generic: it knows tracks (a process and a thread of the trace viewer), slices
 * ("X" complete events), flows ("s"/"t"/"f" events, each bound to a slice) and
 * instants; nothing about what is being traced. Times are simulated picoseconds
 * and are written in microseconds with six decimals, so every timestamp and
 * duration in the file is exact to the picosecond (12.345678 us).
 *
 * Events are written as they come (nothing of the run is kept in memory) to a
 * temporary file next to the target; timeline_close() renames it into place, so
 * the target is either absent or complete. A window [from, to) restricts the file
 * to slices that intersect it (written whole, not clipped), the flows bound to
 * them and the instants inside it.
 *
 * The caller emits the slices of one track in time order and without overlap
 * (the writer checks neither; tests/t_timeline.sh checks the output).
 */
#ifndef VNICSIM_SIM_TIMELINE_H
#define VNICSIM_SIM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/evq.h"

typedef struct Timeline Timeline;

typedef enum TimelineFlow {
    TIMELINE_FLOW_START = 0, /* "s": first point of a flow */
    TIMELINE_FLOW_STEP,      /* "t": an intermediate point */
    TIMELINE_FLOW_END        /* "f": last point */
} TimelineFlow;

#define TIMELINE_MAX_TRACKS 32

/* Open `path` for writing (through a temporary file in the same directory).
 * `from`/`to`: the window in simulated time (0 and SIM_TIME_MAX for everything).
 * NULL on error with a message in err. */
Timeline *timeline_open(const char *path, SimTime from, SimTime to, char *err, size_t errlen);

/* A track: thread `thread` of process `process` (processes are created on first
 * use, in order; the names are written as metadata). Returns a track handle >= 0,
 * or -1 when there are already TIMELINE_MAX_TRACKS tracks. */
int timeline_track(Timeline *tl, const char *process, const char *thread);

/* A slice [start, start + dur) on a track. `cat` may be NULL; `args` is NULL or
 * the text of a JSON object ({"k":1}), written as is. Zero-length slices are
 * dropped. */
void timeline_slice(Timeline *tl, int track, const char *name, const char *cat, SimTime start,
                    SimTime dur, const char *args);

/* A point of flow `id` named `name` (a viewer matches the points of one flow by
 * name and id), bound to the last slice emitted on `track`: it is written in the
 * middle of that slice, so a viewer attaches it there. Nothing is written if that
 * slice was outside the window or the track has no slice yet. */
void timeline_flow(Timeline *tl, int track, const char *name, uint64_t id, TimelineFlow phase);

/* A global instant event (a vertical line across all tracks) at time t. */
void timeline_instant(Timeline *tl, const char *name, SimTime t);

/* The last slice emitted on a track: its start and end (0, 0 if none). */
void timeline_last_slice(const Timeline *tl, int track, SimTime *start, SimTime *end);

uint64_t timeline_events(const Timeline *tl); /* events written so far */

/* Finish the JSON, flush, rename into place and free. 0 ok; -1 on any write
 * error so far (the temporary file is removed), message in err. */
int timeline_close(Timeline *tl, char *err, size_t errlen);

/* Give up: remove the temporary file and free (NULL is fine). */
void timeline_discard(Timeline *tl);

/* Parse "START_US:END_US" (decimal microseconds, up to 6 decimals; either side
 * may be empty for an open end) into picoseconds. 0 ok, -1 with message. */
int timeline_parse_window(const char *text, SimTime *from, SimTime *to, char *err, size_t errlen);

#endif
