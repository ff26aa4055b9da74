/* model: the hosted-virtualization performance model as one runnable job.
 *
 * The CLI (sim/cli.c) builds a Config, calls model_new, model_run, then writes
 * model_results() as results.json and model_print_summary() to stdout. Everything
 * the model computes goes through here; the CLI knows no model internals.
 */
#ifndef VNICSIM_MODEL_MODEL_H
#define VNICSIM_MODEL_MODEL_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/config.h"
#include "sim/evq.h"
#include "sim/timeline.h"

/* The configuration `vnicsim run` uses when neither --preset nor --config is given. */
#define MODEL_DEFAULT_PRESET "ws2-pc733"

typedef struct Model Model;

/* Progress report, called at most every few hundred milliseconds of wall time
 * (the CLI decides whether to print it). `fraction` in [0,1] or negative if unknown. */
typedef void (*ModelProgressFn)(void *opaque, SimTime now, double fraction, uint64_t events);

/* Build the model from a resolved configuration. NULL on error with a message in err. */
Model *model_new(const Config *cfg, char *err, size_t errlen);
void model_free(Model *m);

/* Run to completion. 0 done, 1 interrupted (*interrupt became non-zero), -1 error
 * (message in err). `progress` may be NULL. */
int model_run(Model *m, volatile sig_atomic_t *interrupt, ModelProgressFn progress,
              void *opaque, char *err, size_t errlen);

/* results.json: simulated results only ("schema_version": 1), deterministic for a
 * given configuration and seed. New reference; the caller frees it. */
json_t *model_results(const Model *m);

/* The human summary (tables shaped like the paper's) printed after a run. */
void model_print_summary(const Model *m, FILE *out);

/* Timeline (vnicsim run --timeline): from now on the run is written to `tl` as
 * trace events (model/tlhook.h: every CPU charge as a slice named by its cost
 * category, idle, the world, the wire, the peer, each segment's journey as a
 * flow). Call after model_new, before model_run; results are unaffected. The
 * caller owns `tl`: call model_timeline_detach (it closes the last slices) before
 * timeline_close. 0 ok, -1 with a message. */
int model_timeline(Model *m, Timeline *tl, char *err, size_t errlen);
void model_timeline_detach(Model *m);

uint64_t model_events(const Model *m);   /* events executed */
SimTime model_sim_time(const Model *m);  /* simulated time reached */

#endif
