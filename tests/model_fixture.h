/* model_fixture: building a Config from a preset plus "--set" overrides, running the
 * hosted model on it and reading its results, shared by the model tests. Errors are
 * printed and give NULL. */
#ifndef VNICSIM_TESTS_MODEL_FIXTURE_H
#define VNICSIM_TESTS_MODEL_FIXTURE_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"
#include "sim/config.h"

/* Preset name with the NULL-terminated overrides sets (may be NULL); caller frees. */
static inline Config *mf_preset(const char *name, const char *const *sets)
{
    CfgError e;
    Config *c = cfg_new();
    if (!c || cfg_apply_preset(c, name, &e) != 0) {
        printf("preset %s: %s\n", name, c ? e.text : "oom");
        cfg_free(c);
        return NULL;
    }
    for (; sets && *sets; sets++)
        if (cfg_apply_set(c, *sets, &e) != 0) {
            printf("--set %s: %s\n", *sets, e.text);
            cfg_free(c);
            return NULL;
        }
    return c;
}

/* Runs a preset with overrides; returns the results (caller decrefs) or NULL. */
static inline json_t *mf_run(const char *name, const char *const *sets)
{
    Config *c = mf_preset(name, sets);
    if (!c)
        return NULL;
    char err[256] = "";
    Model *m = model_new(c, err, sizeof err);
    json_t *r = NULL;
    if (!m)
        printf("model_new: %s\n", err);
    else if (model_run(m, NULL, NULL, NULL, err, sizeof err) != 0)
        printf("model_run: %s\n", err);
    else
        r = model_results(m);
    model_free(m);
    cfg_free(c);
    return r;
}

/* results.metrics.K as a double (0 when absent). */
static inline double mf_metric(json_t *r, const char *k)
{
    return json_real_value(json_object_get(json_object_get(r, "metrics"), k));
}

#endif
