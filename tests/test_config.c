/* test_config: strict configuration loading, presets and their provenance.
 *
 * Error fixtures (jansson invalid/ suite style): tests/fixtures/config/<class>.json
 * (or <class>.set, one --set assignment) next to <class>.err, the exact expected
 * message with the fixture directory written as @DIR@. Run from the repository root
 * (make test does).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model.h"
#include "sim/config.h"
#include "sim/presets.h"
#include "tests/check.h"

#define FIXDIR "tests/fixtures/config"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = 0;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = 0;
    return buf;
}

/* The error text with FIXDIR replaced by @DIR@. */
static void undir(const char *in, char *out, size_t outlen)
{
    size_t o = 0, dl = strlen(FIXDIR);
    while (*in && o + 6 < outlen) {
        if (strncmp(in, FIXDIR, dl) == 0) {
            memcpy(out + o, "@DIR@", 5);
            o += 5;
            in += dl;
        } else {
            out[o++] = *in++;
        }
    }
    out[o] = 0;
}

/* Load the fixture <name>.json (or apply <name>.set) on top of `preset` (or the
 * defaults), then check provenance; expect failure with the message in <name>.err. */
static void expect_error(const char *name, const char *preset)
{
    char path[256], epath[256];
    snprintf(epath, sizeof epath, FIXDIR "/%s.err", name);
    char *want = slurp(epath);
    CHECKF(want != NULL, "fixture %s missing", epath);
    if (!want)
        return;
    Config *c = cfg_new();
    CfgError err;
    memset(&err, 0, sizeof err);
    int rc = 0;
    if (preset)
        CHECKF(cfg_apply_preset(c, preset, &err) == 0, "%s: preset %s: %s", name, preset, err.text);
    snprintf(path, sizeof path, FIXDIR "/%s.set", name);
    char *set = access(path, R_OK) == 0 ? slurp(path) : NULL;
    if (set) {
        rc = cfg_apply_set(c, set, &err);
    } else {
        snprintf(path, sizeof path, FIXDIR "/%s.json", name);
        rc = cfg_apply_file(c, path, &err);
        if (rc == 0)
            rc = cfg_check_provenance(c, &err);
    }
    char got[700];
    undir(err.text, got, sizeof got);
    CHECKF(rc == -1, "%s: expected an error, got none", name);
    CHECKF(strcmp(got, want) == 0, "%s:\n      got  %s\n      want %s", name, got, want);
    /* the message starts with the source and, for file errors past parsing, a line */
    if (!set && rc == -1)
        CHECKF(strncmp(err.source, FIXDIR "/", strlen(FIXDIR) + 1) == 0, "%s: source %s", name,
               err.source);
    free(set);
    free(want);
    cfg_free(c);
}

static void test_error_fixtures(void)
{
    static const char *const classes[] = {
        "syntax",          "duplicate_key",      "version_missing", "version_new",
        "version_old",     "unknown_key",        "unknown_section", "wrong_type",
        "out_of_range",    "bad_choice",         "provenance_missing", "provenance_unknown",
        "base_unknown",    "base_cycle",         "set_syntax",      "set_unknown",
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        expect_error(classes[i], NULL);
}

/* The schema table itself: unique, well-formed paths; no key is also a section;
 * cfg_key_find/cfg_key_path agree; every default passes its own validation. */
static void test_schema(void)
{
    for (int k = 0; k < CFG__COUNT; k++) {
        const char *p = cfg_key_path((CfgKey)k);
        CHECKF(p && p[0] && p[0] != '.' && p[strlen(p) - 1] != '.' && !strstr(p, ".."),
               "bad path '%s'", p ? p : "(null)");
        CHECKF((int)cfg_key_find(p) == k, "cfg_key_find(%s) = %d, want %d", p,
               (int)cfg_key_find(p), k);
        for (int j = 0; j < CFG__COUNT; j++) {
            const char *q = cfg_key_path((CfgKey)j);
            size_t n = strlen(p);
            if (j != k && strncmp(q, p, n) == 0 && q[n] == '.')
                CHECKF(0, "key '%s' is also a section (of '%s')", p, q);
        }
        CHECKF(cfg_key_desc((CfgKey)k) && cfg_key_desc((CfgKey)k)[0], "'%s' has no description",
               p);
    }
    CHECK((int)cfg_key_find("no.such.key") == -1);
    CHECK((int)cfg_key_find("") == -1);

    /* the defaults, written out, load back (so every default lies in its range) */
    Config *d = cfg_new();
    json_t *j = cfg_to_json(d);
    char *text = json_dumps(j, JSON_REAL_PRECISION(17));
    Config *e = cfg_new();
    CfgError err;
    int rc = cfg_apply_text(e, text, "defaults", NULL, "defaults", &err);
    CHECKF(rc == 0, "defaults do not validate: %s", rc ? err.text : "");
    free(text);
    json_decref(j);
    cfg_free(d);
    cfg_free(e);
}

static void test_defaults(void)
{
    Config *c = cfg_new();
    CHECK_EQ_U(cfg_int(c, CFG_SEED), 1);
    CHECK(cfg_num(c, CFG_RUN_MAX_SIM_TIME_MS) == 600000);
    CHECK(!cfg_is_set(c, CFG_SEED));
    CHECK_STR(cfg_name(c), "default");
    CHECK_STR(cfg_description(c), "");
    CHECK(cfg_provenance(c, "seed") == NULL);
    json_t *j = cfg_to_json(c);
    CHECK_EQ_U(json_integer_value(json_object_get(j, "version")), 1);
    CHECK_EQ_U(json_integer_value(json_object_get(j, "seed")), 1);
    CHECK(json_real_value(json_object_get(json_object_get(j, "run"), "max_sim_time_ms")) ==
          600000.0);
    CHECK(json_is_object(json_object_get(j, "provenance")));
    json_decref(j);
    cfg_free(c);
}

static void test_precedence(void)
{
    CfgError err;
    Config *c = cfg_new();
    /* precedence_child.json: base precedence.json (seed 5, max 10 ms), sets seed 6 */
    CHECKF(cfg_apply_file(c, FIXDIR "/precedence_child.json", &err) == 0, "%s", err.text);
    CHECK_EQ_U(cfg_int(c, CFG_SEED), 6);
    CHECK(cfg_num(c, CFG_RUN_MAX_SIM_TIME_MS) == 10);
    CHECK_STR(cfg_name(c), "precedence_child");
    CHECK_STR(cfg_description(c), "precedence test: the base's description is inherited");
    CHECK_STR(cfg_provenance(c, "seed"), "overridden by the child");
    CHECK_STR(cfg_provenance(c, "run.max_sim_time_ms"), "set by the base");
    CHECK(cfg_is_set(c, CFG_SEED));
    /* --set last, in order, validated like file values */
    CHECK(cfg_apply_set(c, "seed=9", &err) == 0);
    CHECK(cfg_apply_set(c, "seed=11", &err) == 0);
    CHECK_EQ_U(cfg_int(c, CFG_SEED), 11);
    CHECK(cfg_apply_set(c, "run.max_sim_time_ms=2", &err) == 0);
    CHECK(cfg_num(c, CFG_RUN_MAX_SIM_TIME_MS) == 2);
    CHECK(cfg_apply_set(c, "seed=-1", &err) == -1);
    CHECK_STR(err.text, "--set seed=-1: key 'seed' = -1 is out of range [0, 9223372036854775807]");
    CHECK(cfg_apply_set(c, "seed=1.5", &err) == -1);
    CHECK_STR(err.text, "--set seed=1.5: key 'seed' must be an integer, got a real number");
    CHECK(cfg_apply_set(c, "run.max_sim_time_ms=fast", &err) == -1);
    CHECK_STR(err.text,
              "--set run.max_sim_time_ms=fast: key 'run.max_sim_time_ms' must be a number, got a string");
    CHECK(cfg_apply_set(c, "run=1", &err) == -1);
    CHECK_EQ_U(cfg_int(c, CFG_SEED), 11); /* failed sets changed nothing */
    cfg_free(c);

    /* a file on top of each preset: its keys win, the preset's others remain */
    for (const PresetBlob *p = preset_blobs; p->name; p++) {
        Config *a = cfg_new(), *b = cfg_new();
        CHECKF(cfg_apply_preset(a, p->name, &err) == 0, "%s: %s", p->name, err.text);
        CHECKF(cfg_apply_preset(b, p->name, &err) == 0, "%s: %s", p->name, err.text);
        CHECK(cfg_apply_file(b, FIXDIR "/precedence.json", &err) == 0);
        CHECK_EQ_U(cfg_int(b, CFG_SEED), 5);
        for (int k = 0; k < CFG__COUNT; k++) {
            if (k == CFG_SEED || k == CFG_RUN_MAX_SIM_TIME_MS)
                continue;
            bool same = false;
            switch (cfg_key_type((CfgKey)k)) {
            case CFGT_INT: same = cfg_int(a, (CfgKey)k) == cfg_int(b, (CfgKey)k); break;
            case CFGT_NUM: same = cfg_num(a, (CfgKey)k) == cfg_num(b, (CfgKey)k); break;
            case CFGT_BOOL: same = cfg_bool(a, (CfgKey)k) == cfg_bool(b, (CfgKey)k); break;
            case CFGT_STR: same = strcmp(cfg_str(a, (CfgKey)k), cfg_str(b, (CfgKey)k)) == 0; break;
            }
            CHECKF(same, "%s: key %s lost under a file", p->name, cfg_key_path((CfgKey)k));
        }
        cfg_free(a);
        cfg_free(b);
    }
}

/* A string key takes a bare --set value; other keys do not. */
static void test_set_strings(void)
{
    for (int k = 0; k < CFG__COUNT; k++) {
        if (cfg_key_type((CfgKey)k) != CFGT_STR)
            continue;
        Config *c = cfg_new();
        CfgError err;
        char a[300];
        /* the current value (valid by construction), once bare and once as JSON */
        snprintf(a, sizeof a, "%s=%s", cfg_key_path((CfgKey)k), cfg_str(c, (CfgKey)k));
        CHECKF(cfg_apply_set(c, a, &err) == 0, "%s: %s", a, err.text);
        snprintf(a, sizeof a, "%s=\"%s\"", cfg_key_path((CfgKey)k), cfg_str(c, (CfgKey)k));
        CHECKF(cfg_apply_set(c, a, &err) == 0, "%s: %s", a, err.text);
        CHECK(cfg_is_set(c, (CfgKey)k));
        /* a string key takes text that happens to parse as another JSON type as text */
        snprintf(a, sizeof a, "%s=123", cfg_key_path((CfgKey)k));
        int rc = cfg_apply_set(c, a, &err);
        CHECKF(rc == 0 || strstr(err.text, "is not a valid choice"), "%s: %s", a, err.text);
        if (rc == 0)
            CHECK_STR(cfg_str(c, (CfgKey)k), "123");
        cfg_free(c);
    }
}

/* cfg_to_json -> file -> load gives the same JSON, for the defaults and each preset. */
static void roundtrip_one(Config *c, const char *what)
{
    char path[] = "/tmp/vnicsim-test-config-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    json_t *j1 = cfg_to_json(c);
    size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(cfg_real_precision(c));
    CHECK(json_dumpfd(j1, fd, flags) == 0);
    close(fd);
    Config *d = cfg_new();
    CfgError err;
    int rc = cfg_apply_file(d, path, &err);
    CHECKF(rc == 0, "%s: reload failed: %s", what, rc ? err.text : "");
    json_t *j2 = cfg_to_json(d);
    char *s1 = json_dumps(j1, flags), *s2 = json_dumps(j2, flags);
    CHECKF(json_equal(j1, j2) && strcmp(s1, s2) == 0, "%s: round trip differs:\n%s\n---\n%s",
           what, s1, s2);
    free(s1);
    free(s2);
    json_decref(j1);
    json_decref(j2);
    cfg_free(d);
    unlink(path);
}

static void test_roundtrip(void)
{
    Config *c = cfg_new();
    roundtrip_one(c, "defaults");
    CfgError err;
    CHECK(cfg_apply_set(c, "run.max_sim_time_ms=0.1", &err) == 0); /* needs 17 digits */
    CHECK(cfg_apply_set(c, "seed=12345678901", &err) == 0);
    roundtrip_one(c, "defaults with --set");
    cfg_free(c);
    for (const PresetBlob *p = preset_blobs; p->name; p++) {
        c = cfg_new();
        if (cfg_apply_preset(c, p->name, &err) == 0)
            roundtrip_one(c, p->name);
        cfg_free(c);
    }
}

/* Every embedded preset loads, has a one-line description, and every cost it (or
 * its base chain) sets has a provenance entry; every provenance entry names a real
 * key (checked while loading). */
static void test_presets(void)
{
    int n = 0;
    for (const PresetBlob *p = preset_blobs; p->name; p++, n++) {
        CHECK(preset_find(p->name) == p);
        Config *c = cfg_new();
        CfgError err;
        int rc = cfg_apply_preset(c, p->name, &err);
        CHECKF(rc == 0, "preset %s: %s", p->name, rc ? err.text : "");
        if (rc == 0) {
            rc = cfg_check_provenance(c, &err);
            CHECKF(rc == 0, "preset %s: %s", p->name, rc ? err.text : "");
            CHECKF(cfg_description(c)[0] != 0, "preset %s has no description", p->name);
            CHECK_STR(cfg_name(c), p->name);
            json_t *j = cfg_to_json(c);
            const char *key;
            json_t *v;
            json_object_foreach(json_object_get(j, "provenance"), key, v)
                CHECKF((int)cfg_key_find(key) >= 0, "preset %s: provenance of unknown key %s",
                       p->name, key);
            json_decref(j);
        }
        cfg_free(c);
    }
    CHECK(preset_find("no-such-preset") == NULL);
    /* the preset `vnicsim run` falls back to is built in (once configs/ has presets) */
    if (n > 0)
        CHECKF(preset_find(MODEL_DEFAULT_PRESET) != NULL, "default preset %s not embedded",
               MODEL_DEFAULT_PRESET);
    Config *c = cfg_new();
    CfgError err;
    CHECK(cfg_apply_preset(c, "no-such-preset", &err) == -1);
    CHECK_STR(err.text, "--preset: no preset named 'no-such-preset' (see 'vnicsim presets')");
    cfg_free(c);
}

/* Provenance: required for every cost a file sets, inherited through "base",
 * overridable; --set values need none. */
static void test_provenance(void)
{
    CfgError err;
    Config *c = cfg_new();
    CHECKF(cfg_apply_file(c, FIXDIR "/provenance_ok.json", &err) == 0, "%s", err.text);
    CHECKF(cfg_check_provenance(c, &err) == 0, "%s", err.text);
    CHECK_STR(cfg_provenance(c, "costs.iret_cycles"), "test fixture: IRET");
    CHECK_STR(cfg_provenance(c, "costs.vmm_trap_cycles"), "default (sim/schema.def)");
    CHECK(cfg_apply_set(c, "costs.vmm_trap_cycles=77", &err) == 0);
    CHECK_EQ_U(cfg_int(c, CFG_COSTS_VMM_TRAP_CYCLES), 77);
    CHECK_STR(cfg_provenance(c, "costs.vmm_trap_cycles"),
              "command line: --set costs.vmm_trap_cycles=77");
    CHECK(cfg_check_provenance(c, &err) == 0);
    roundtrip_one(c, "costs from a file, a --set and defaults");
    cfg_free(c);

    /* the child changes a cost and keeps the base's source; overrides another source */
    c = cfg_new();
    CHECKF(cfg_apply_file(c, FIXDIR "/provenance_inherited.json", &err) == 0, "%s", err.text);
    CHECKF(cfg_check_provenance(c, &err) == 0, "%s", err.text);
    CHECK_EQ_U(cfg_int(c, CFG_COSTS_IRET_CYCLES), 3000);
    CHECK_EQ_U(cfg_int(c, CFG_COSTS_WORLD_SWITCH_CYCLES), 2459);
    CHECK_STR(cfg_provenance(c, "costs.iret_cycles"), "test fixture: IRET");
    CHECK_STR(cfg_provenance(c, "costs.world_switch_cycles"), "overridden by the child");
    json_t *j = cfg_to_json(c);
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "provenance"),
                                                "costs.world_switch_cycles")),
              "overridden by the child");
    json_decref(j);
    cfg_free(c);

    /* a cost without provenance fails on top of a preset as well */
    for (const PresetBlob *p = preset_blobs; p->name; p++) {
        c = cfg_new();
        CHECK(cfg_apply_preset(c, p->name, &err) == 0);
        CHECK(cfg_apply_text(c, "{\"version\": 1, \"costs\": {\"vmm_trap_cycles\": 1}}", "mem.json",
                             NULL, "mem", &err) == 0);
        if (!cfg_provenance(c, "costs.vmm_trap_cycles")) { /* no entry inherited */
            CHECK(cfg_check_provenance(c, &err) == -1);
            CHECK_STR(err.text, "mem.json:1: cost 'costs.vmm_trap_cycles' has no provenance entry");
        }
        cfg_free(c);
    }

    c = cfg_new();
    CHECK(cfg_apply_text(c, "{\"version\": 1, \"provenance\": {\"seed\": 3}}", "p.json", NULL, "p",
                         &err) == -1);
    CHECK_STR(err.text, "p.json:1: provenance of 'seed' must be a non-empty string, got an integer");
    CHECK(cfg_apply_text(c, "{\"version\": 1, \"provenance\": []}", "q.json", NULL, "q", &err) == -1);
    CHECK_STR(err.text, "q.json:1: key 'provenance' must be an object, got an array");
    cfg_free(c);
}

/* cfg_clone: an independent deep copy (sweeps vary one key per point). */
static void test_clone(void)
{
    Config *a = cfg_new();
    CfgError err;
    CHECK(cfg_apply_file(a, FIXDIR "/provenance_inherited.json", &err) == 0);
    Config *b = cfg_clone(a);
    json_t *ja = cfg_to_json(a), *jb = cfg_to_json(b);
    CHECK(json_equal(ja, jb));
    CHECK(cfg_apply_set(b, "seed=77", &err) == 0);
    CHECK(cfg_apply_set(b, "vmm.mode=native", &err) == 0);
    CHECK_EQ_U(cfg_int(a, CFG_SEED), 1);
    CHECK_STR(cfg_str(a, CFG_VMM_MODE), "hosted");
    CHECK_STR(cfg_str(b, CFG_VMM_MODE), "native");
    CHECK(!cfg_is_set(a, CFG_SEED) && cfg_is_set(b, CFG_SEED));
    CHECK_STR(cfg_name(b), "provenance_inherited");
    json_decref(ja);
    json_decref(jb);
    cfg_free(a);
    cfg_free(b);
}

/* Line numbers come from scanning the text: nested keys, keys after strings with
 * escaped quotes and braces, and keys inside arrays elsewhere in the file. */
static void test_positions(void)
{
    const char *text = "{\n"
                       "  \"version\": 1,\n"
                       "  \"description\": \"tricky \\\" { [ , text\",\n"
                       "  \"provenance\": {\"seed\": \"x\"},\n"
                       "  \"run\": {\n"
                       "\n"
                       "    \"max_sim_time_ms\": -5\n"
                       "  }\n"
                       "}\n";
    Config *c = cfg_new();
    CfgError err;
    CHECK(cfg_apply_text(c, text, "mem.json", NULL, "mem", &err) == -1);
    CHECK_EQ_U(err.line, 7);
    CHECK_STR(err.path, "run.max_sim_time_ms");
    CHECK_STR(err.text, "mem.json:7: key 'run.max_sim_time_ms' = -5 is out of range [0.001, 1e+09]");
    cfg_free(c);

    c = cfg_new();
    CHECK(cfg_apply_text(c, "{\"version\": 1, \"description\": \"two\\nlines\"}", "d.json", NULL,
                         "d", &err) == -1);
    CHECK_STR(err.text, "d.json:1: \"description\" must be one line");
    CHECK(cfg_apply_text(c, "[1, 2]", "a.json", NULL, "a", &err) == -1);
    CHECK_STR(err.text, "a.json:1: the top level must be a JSON object, got an array");
    CHECK(cfg_apply_text(c, "{\"version\": 1, \"run\": 3}", "s.json", NULL, "s", &err) == -1);
    CHECK_STR(err.text, "s.json:1: section 'run' must be an object, got an integer");
    CHECK(cfg_apply_text(c, "{\"version\": 1, \"seed\": {\"x\": 1}}", "o.json", NULL, "o", &err) ==
          -1);
    CHECK_STR(err.text, "o.json:1: key 'seed' must be an integer, got an object");
    CHECK(cfg_apply_text(c, "{\"version\": 1,\n \"name\": \"../x\"}", "n.json", NULL, "n", &err) ==
          -1);
    CHECK_STR(err.text, "n.json:2: \"name\" must be letters, digits, '.', '_' or '-' (it names "
                        "result directories)");
    CHECK(cfg_apply_file(c, FIXDIR "/no-such-file.json", &err) == -1);
    CHECK_STR(err.text, FIXDIR "/no-such-file.json: cannot read: No such file or directory");
    cfg_free(c);
}

int main(void)
{
    if (access(FIXDIR, R_OK) != 0) {
        CHECKF(0, "run from the repository root (%s not found)", FIXDIR);
        return check_report("test_config");
    }
    test_schema();
    test_defaults();
    test_error_fixtures();
    test_precedence();
    test_set_strings();
    test_roundtrip();
    test_presets();
    test_provenance();
    test_clone();
    test_positions();
    return check_report("test_config");
}
