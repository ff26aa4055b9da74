/* sweep: parameter sweeps, one process per point, merged into CSV (see sim/sweep.h). */
#include "sim/sweep.h"
#include "sim/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sim/config.h"

extern char **environ;

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };
enum { MAX_REPEAT = 100000 };
#define MAX_POINTS 1000000u

static const char usage_sweep[] =
    "usage: vnicsim sweep SPEC.json -o DIR [-j N] [--resume] [--force]\n"
    "       vnicsim sweep SPEC.json -o DIR --list-points [--resume]\n"
    "       vnicsim sweep SPEC.json -o DIR --point K [--resume]\n"
    "       vnicsim sweep SPEC.json -o DIR --merge\n"
    "       vnicsim sweep SPEC.json --check\n"
    "\n"
    "Run every point of a sweep spec, each in its own 'vnicsim run' process writing\n"
    "DIR/points/K/{config,results,host}.json, then merge them into DIR/sweep.csv (one\n"
    "row per point: point, repeat, seed, the axes, every scalar of results.json) and\n"
    "DIR/summary.csv (one row per combination: n, then the mean and the 95 %\n"
    "confidence half-width of each metric across repeats).\n"
    "\n"
    "  -o, --output DIR   sweep directory (required except with --check)\n"
    "  -j, --jobs N       run N points at a time (default 1)\n"
    "  --resume           skip points whose results.json exists\n"
    "  --force            run into a non-empty DIR, re-running every point\n"
    "  --list-points      print one shell command per point (for GNU parallel, Slurm)\n"
    "  --point K          run point K alone (0-based), in the foreground\n"
    "  --merge            only merge the points found in DIR\n"
    "  --check            validate the spec, print the number of points\n"
    "  --program PATH     the vnicsim binary that runs the points (default: this one)\n"
    "\n"
    "A spec: {\"version\": 1, \"base\": {\"preset\", \"config\", \"set\": {PATH: VALUE}},\n"
    "\"axes\": [{\"path\": PATH, \"values\": [...]} or {\"path\": PATH, \"range\": {\"from\",\n"
    "\"to\", \"step\" or \"points\" + \"scale\": \"linear\"|\"log\"}}], \"zip\": [[PATH, ...]],\n"
    "\"repeat\": R}; PATH \"preset\" sweeps over built-in presets. First axis slowest,\n"
    "repeats innermost; repeat r runs with seed + r.\n"
    "\n"
    "Spec format and cluster recipes: analysis/README.md. Exit status: 0 success,\n"
    "1 a point failed, 2 usage or spec error, 130/143 stopped by SIGINT/SIGTERM.\n";

/* ---- small utilities --------------------------------------------------------- */

typedef struct Buf {
    char *p;
    size_t n, cap;
} Buf;

static void buf_addn(Buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            fputs("vnicsim sweep: out of memory\n", stderr);
            exit(EXIT_RUNTIME);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void buf_add(Buf *b, const char *s)
{
    buf_addn(b, s, strlen(s));
}

static void buf_printf(Buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        buf_addn(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_addn(b, big, (size_t)n);
    free(big);
}

void sweep_fmt_double(char *buf, unsigned long len, double x)
{
    if (!isfinite(x)) {
        snprintf(buf, len, "%s", isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf"));
        return;
    }
    if (x == floor(x) && fabs(x) < 1e15) { /* integral values without an exponent */
        snprintf(buf, len, "%.0f", x);
        return;
    }
    char best[40] = "", t[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, x);
        if (strtod(t, NULL) == x && (!best[0] || strlen(t) < strlen(best)))
            snprintf(best, sizeof best, "%s", t);
    }
    snprintf(buf, len, "%s", best);
}

/* Two-sided 95 % quantiles of Student's t distribution, dof 1..30. */
static const double T95[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

double sweep_t95(int dof)
{
    if (dof < 1)
        return NAN;
    if (dof <= 30)
        return T95[dof - 1];
    if (dof <= 40)
        return 2.021; /* dof 40; conservative between 30 and 40 */
    if (dof <= 60)
        return 2.000;
    if (dof <= 120)
        return 1.980;
    return 1.960;
}

/* The candidate closest to `word`, or NULL when none is close. */
static const char *closest(const char *word, const char *const *cand, size_t n)
{
    const char *best = NULL;
    size_t bd = SIZE_MAX, lim = strlen(word) / 3 + 2;
    for (size_t i = 0; i < n; i++) {
        size_t d = util_edit_distance(word, cand[i]);
        if (d < bd) {
            bd = d;
            best = cand[i];
        }
    }
    return bd <= lim ? best : NULL;
}

static const char *closest_key_path(const char *word)
{
    const char *cand[CFG__COUNT + 1];
    for (int k = 0; k < CFG__COUNT; k++)
        cand[k] = cfg_key_path((CfgKey)k);
    cand[CFG__COUNT] = "preset";
    return closest(word, cand, CFG__COUNT + 1);
}

/* The pseudo key of an axis over built-in presets ("path": "preset"). */
#define PRESET_AXIS CFG__COUNT


static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Write text to dir/name via a temporary file, fsync and rename. 0 or -1. */
static int write_atomic(const char *dir, const char *name, const char *text, size_t n)
{
    char tmp[4200], dst[4200];
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        goto fail;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, text + off, n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            unlink(tmp);
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, dst) != 0) {
        unlink(tmp);
        goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "vnicsim sweep: cannot write %s: %s\n", dst, strerror(errno));
    return -1;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    Buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_addn(&b, chunk, n);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b.p);
        return NULL;
    }
    if (!b.p)
        buf_add(&b, "");
    return b.p;
}

/* Absolute version of path (not resolving links; the file need not exist). */
static void absolute(char *out, size_t len, const char *path)
{
    if (path[0] == '/') {
        snprintf(out, len, "%s", path);
        return;
    }
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) {
        snprintf(out, len, "%s", path);
        return;
    }
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    if (snprintf(out, len, "%s/%s", cwd, path) >= (int)len)
        snprintf(out, len, "%s", path);
}

static void shell_quote(Buf *b, const char *s)
{
    bool plain = *s != 0;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=+:,@%", *p))
            plain = false;
    if (plain) {
        buf_add(b, s);
        return;
    }
    buf_add(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            buf_add(b, "'\\''");
        else
            buf_addn(b, p, 1);
    }
    buf_add(b, "'");
}

/* JSON scalar as command-line / CSV text (reals: shortest round trip). */
static void scalar_text(Buf *b, const json_t *v)
{
    char tmp[64];
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        sweep_fmt_double(tmp, sizeof tmp, json_real_value(v));
        buf_add(b, tmp);
        break;
    case JSON_TRUE:
        buf_add(b, "true");
        break;
    case JSON_FALSE:
        buf_add(b, "false");
        break;
    case JSON_STRING:
        buf_add(b, json_string_value(v));
        break;
    default:
        break;
    }
}

static void csv_cell(Buf *b, const json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (!json_is_string(v)) {
        scalar_text(b, v);
        return;
    }
    const char *s = json_string_value(v);
    bool quote = !*s || strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[strlen(s) - 1] == ' ';
    if (!quote) {
        buf_add(b, s);
        return;
    }
    buf_add(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_add(b, "\"\"");
        else
            buf_addn(b, p, 1);
    }
    buf_add(b, "\"");
}

static void csv_name(Buf *b, const char *s)
{
    json_t *v = json_string(s);
    csv_cell(b, v);
    json_decref(v);
}

/* ---- the spec ------------------------------------------------------------------- */

typedef struct Axis {
    char path[160];
    CfgKey key;
    json_t *values; /* array of scalars */
    int dim;
} Axis;

typedef struct Dim {
    int first;  /* axis index of the first member */
    size_t len; /* number of values */
} Dim;

typedef struct Spec {
    char file[4096];  /* as given */
    char afile[4096]; /* absolute */
    char *preset;
    char *config; /* absolute path */
    char **sets;  /* "path=value" */
    int nsets;
    Axis *axes;
    int naxes;
    Dim *dims;
    int ndims;
    int repeat;
    int preset_axis; /* index of the "preset" axis, -1 when none */
    size_t ncombos, npoints;
    Config *base; /* defaults, base.preset, base.config, base.set */
} Spec;

static void spec_free(Spec *s)
{
    free(s->preset);
    free(s->config);
    for (int i = 0; i < s->nsets; i++)
        free(s->sets[i]);
    free(s->sets);
    for (int i = 0; i < s->naxes; i++)
        json_decref(s->axes[i].values);
    free(s->axes);
    free(s->dims);
    cfg_free(s->base);
    memset(s, 0, sizeof *s);
}

static int spec_err(const Spec *s, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", s->file);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* Unknown keys of object o (at JSON path `where`) against the allowed names. */
static int check_keys(const Spec *s, json_t *o, const char *where, const char *const *allowed,
                      size_t n)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        bool ok = false;
        for (size_t i = 0; i < n; i++)
            ok |= strcmp(k, allowed[i]) == 0;
        if (ok)
            continue;
        const char *best = closest(k, allowed, n);
        if (best)
            return spec_err(s, "%s%sunknown key '%s' (did you mean '%s'?)", where, *where ? ": " : "", k,
                            best);
        Buf b = {0};
        for (size_t i = 0; i < n; i++)
            buf_printf(&b, "%s'%s'", i ? ", " : "", allowed[i]);
        spec_err(s, "%s%sunknown key '%s' (expected %s)", where, *where ? ": " : "", k, b.p);
        free(b.p);
        return -1;
    }
    return 0;
}

static char *assignment(const char *path, const json_t *v)
{
    Buf b = {0};
    buf_add(&b, path);
    buf_add(&b, "=");
    if (json_is_string(v)) {
        /* JSON text of the string, so that "true" or "12" stay strings */
        char *t = json_dumps(v, JSON_ENCODE_ANY);
        buf_add(&b, t ? t : "\"\"");
        free(t);
    } else {
        scalar_text(&b, v);
    }
    return b.p;
}

/* Apply path=v to c; on error print it naming `where`. */
static int apply_value(const Spec *s, Config *c, const char *path, const json_t *v, const char *where)
{
    char *a = assignment(path, v);
    CfgError err;
    int r = cfg_apply_set(c, a, &err);
    free(a);
    if (r != 0) {
        const char *msg = err.text;
        const char *pfx = strstr(msg, ": ");
        if (strncmp(msg, "--set", 5) == 0 && pfx)
            msg = pfx + 2;
        return spec_err(s, "%s: %s", where, msg);
    }
    return 0;
}

static bool is_number(const json_t *v)
{
    return json_is_integer(v) || json_is_real(v);
}

static double num(const json_t *v)
{
    return json_number_value(v);
}

/* Expand a range into axis->values. */
static int expand_range(const Spec *s, Axis *ax, json_t *r, const char *where)
{
    static const char *const keys[] = {"from", "to", "step", "points", "scale"};
    if (!json_is_object(r))
        return spec_err(s, "%s: must be an object {from, to, step | points, scale}", where);
    if (check_keys(s, r, where, keys, 5))
        return -1;
    json_t *from = json_object_get(r, "from"), *to = json_object_get(r, "to");
    json_t *step = json_object_get(r, "step"), *points = json_object_get(r, "points");
    json_t *scale = json_object_get(r, "scale");
    if (!from || !to)
        return spec_err(s, "%s: needs 'from' and 'to'", where);
    if (!is_number(from) || !is_number(to))
        return spec_err(s, "%s: 'from' and 'to' must be numbers", where);
    if (!step == !points)
        return spec_err(s, "%s: needs exactly one of 'step' or 'points'", where);
    CfgType ty = ax->key == PRESET_AXIS ? CFGT_STR : cfg_key_type(ax->key);
    if (ty != CFGT_INT && ty != CFGT_NUM)
        return spec_err(s, "%s: a range needs a numeric key; '%s' is not one (use 'values')", where,
                        ax->path);
    double a = num(from), b = num(to);
    bool ints = ty == CFGT_INT;
    json_t *vals = json_array();
    if (step) {
        if (scale)
            return json_decref(vals), spec_err(s, "%s: 'scale' goes with 'points', not 'step'", where);
        if (!is_number(step) || !(num(step) > 0))
            return json_decref(vals), spec_err(s, "%s: 'step' must be a positive number", where);
        if (b < a)
            return json_decref(vals), spec_err(s, "%s: 'to' must not be below 'from' with a 'step'", where);
        if (ints && json_is_integer(from) && json_is_integer(to) && json_is_integer(step)) {
            json_int_t ia = json_integer_value(from), ib = json_integer_value(to),
                       is = json_integer_value(step);
            if ((ib - ia) / is + 1 > (json_int_t)MAX_POINTS)
                return json_decref(vals), spec_err(s, "%s: too many values", where);
            for (json_int_t x = ia; x <= ib; x += is) {
                json_array_append_new(vals, json_integer(x));
                if (x > ib - is)
                    break;
            }
        } else {
            double st = num(step), n = floor((b - a) / st * (1 + 1e-12) + 1e-9) + 1;
            if (!(n <= MAX_POINTS))
                return json_decref(vals), spec_err(s, "%s: too many values", where);
            for (size_t i = 0; i < (size_t)n; i++) {
                double x = a + (double)i * st;
                if (ints) {
                    if (x != floor(x))
                        return json_decref(vals),
                               spec_err(s, "%s: value %g of integer key '%s' is not an integer", where, x,
                                        ax->path);
                    json_array_append_new(vals, json_integer((json_int_t)x));
                } else {
                    json_array_append_new(vals, json_real(x));
                }
            }
        }
    } else {
        const char *sc = "linear";
        if (scale) {
            if (!json_is_string(scale))
                return json_decref(vals), spec_err(s, "%s.scale: must be \"linear\" or \"log\"", where);
            sc = json_string_value(scale);
            if (strcmp(sc, "linear") != 0 && strcmp(sc, "log") != 0) {
                const char *const sv[] = {"linear", "log"};
                const char *best = closest(sc, sv, 2);
                json_decref(vals);
                if (best)
                    return spec_err(s, "%s.scale: unknown scale '%s' (did you mean '%s'?)", where, sc, best);
                return spec_err(s, "%s.scale: unknown scale '%s' (expected \"linear\" or \"log\")", where, sc);
            }
        }
        if (!json_is_integer(points) || json_integer_value(points) < 1 ||
            json_integer_value(points) > (json_int_t)MAX_POINTS)
            return json_decref(vals), spec_err(s, "%s.points: must be an integer >= 1", where);
        size_t n = (size_t)json_integer_value(points);
        if (n == 1 && a != b)
            return json_decref(vals), spec_err(s, "%s.points: 1 point needs 'from' equal to 'to'", where);
        bool lg = strcmp(sc, "log") == 0;
        if (lg && !(a > 0 && b > 0))
            return json_decref(vals), spec_err(s, "%s: a log scale needs 'from' and 'to' above 0", where);
        for (size_t i = 0; i < n; i++) {
            double f = n > 1 ? (double)i / (double)(n - 1) : 0, x;
            if (i == n - 1)
                x = b;
            else if (lg)
                x = exp(log(a) + f * (log(b) - log(a)));
            else
                x = a + f * (b - a);
            if (ints) {
                double rx = floor(x + 0.5);
                if (!(fabs(rx) < 9.2e18))
                    return json_decref(vals), spec_err(s, "%s: value %g out of range", where, x);
                json_int_t iv = (json_int_t)rx;
                size_t k = json_array_size(vals);
                if (k && json_integer_value(json_array_get(vals, k - 1)) == iv)
                    return json_decref(vals),
                           spec_err(s, "%s: %zu points give the integer %" JSON_INTEGER_FORMAT
                                       " twice for '%s'; use fewer points",
                                    where, n, iv, ax->path);
                json_array_append_new(vals, json_integer(iv));
            } else {
                json_array_append_new(vals, json_real(x));
            }
        }
    }
    ax->values = vals;
    return 0;
}

/* A configuration from the built-in preset `preset` (the value of a "preset" axis),
 * then base.config and base.set; NULL after printing an error naming `where`. */
static Config *base_for(const Spec *s, const char *preset, const char *where)
{
    Config *c = cfg_new();
    CfgError err;
    if (cfg_apply_preset(c, preset, &err) != 0 || (s->config && cfg_apply_file(c, s->config, &err) != 0)) {
        spec_err(s, "%s: %s", where, err.text);
        cfg_free(c);
        return NULL;
    }
    for (int i = 0; i < s->nsets; i++)
        if (cfg_apply_set(c, s->sets[i], &err) != 0) {
            spec_err(s, "%s: %s", where, err.text);
            cfg_free(c);
            return NULL;
        }
    return c;
}

static int spec_load(Spec *s, const char *file)
{
    memset(s, 0, sizeof *s);
    s->preset_axis = -1;
    snprintf(s->file, sizeof s->file, "%s", file);
    absolute(s->afile, sizeof s->afile, file);
    json_error_t je;
    json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (je.line > 0)
            fprintf(stderr, "%s:%d:%d: %s\n", file, je.line, je.column, je.text);
        else
            fprintf(stderr, "%s: %s\n", file, je.text);
        return -1;
    }
    int rc = -1;
    char where[256];
    if (!json_is_object(root)) {
        spec_err(s, "a sweep spec must be a JSON object");
        goto out;
    }
    static const char *const top[] = {"version", "description", "base", "axes", "zip", "repeat"};
    if (check_keys(s, root, "", top, 6))
        goto out;
    json_t *ver = json_object_get(root, "version");
    if (!ver) {
        spec_err(s, "missing \"version\": 1");
        goto out;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
        spec_err(s, "version: unsupported spec version (this program reads version 1)");
        goto out;
    }
    json_t *desc = json_object_get(root, "description");
    if (desc && !json_is_string(desc)) {
        spec_err(s, "description: must be a string");
        goto out;
    }

    /* base */
    s->base = cfg_new();
    json_t *base = json_object_get(root, "base");
    if (base) {
        static const char *const bk[] = {"preset", "config", "set"};
        if (!json_is_object(base)) {
            spec_err(s, "base: must be an object {preset, config, set}");
            goto out;
        }
        if (check_keys(s, base, "base", bk, 3))
            goto out;
        json_t *p = json_object_get(base, "preset"), *c = json_object_get(base, "config");
        json_t *set = json_object_get(base, "set");
        CfgError err;
        if (p) {
            if (!json_is_string(p)) {
                spec_err(s, "base.preset: must be a preset name");
                goto out;
            }
            s->preset = strdup(json_string_value(p));
            if (cfg_apply_preset(s->base, s->preset, &err) != 0) {
                spec_err(s, "base.preset: %s", err.text);
                goto out;
            }
        }
        if (c) {
            if (!json_is_string(c)) {
                spec_err(s, "base.config: must be a file name");
                goto out;
            }
            const char *cf = json_string_value(c);
            char path[4096];
            if (cf[0] == '/') {
                snprintf(path, sizeof path, "%s", cf);
            } else {
                char dir[4096];
                snprintf(dir, sizeof dir, "%s", s->afile);
                char *slash = strrchr(dir, '/');
                if (slash)
                    *slash = 0;
                if (snprintf(path, sizeof path, "%s/%s", dir, cf) >= (int)sizeof path)
                    snprintf(path, sizeof path, "%s", cf);
            }
            s->config = strdup(path);
            if (cfg_apply_file(s->base, s->config, &err) != 0) {
                spec_err(s, "base.config: %s", err.text);
                goto out;
            }
        }
        if (set) {
            if (!json_is_object(set)) {
                spec_err(s, "base.set: must be an object {\"dotted.path\": value, ...}");
                goto out;
            }
            s->sets = calloc(json_object_size(set) + 1, sizeof *s->sets);
            const char *k;
            json_t *v;
            json_object_foreach(set, k, v) {
                snprintf(where, sizeof where, "base.set.%s", k);
                if ((int)cfg_key_find(k) < 0) {
                    const char *best = closest_key_path(k);
                    if (best)
                        spec_err(s, "base.set: unknown key '%s' (did you mean '%s'?)", k, best);
                    else
                        spec_err(s, "base.set: unknown key '%s'", k);
                    goto out;
                }
                if (json_is_object(v) || json_is_array(v) || json_is_null(v)) {
                    spec_err(s, "%s: must be a number, boolean or string", where);
                    goto out;
                }
                if (apply_value(s, s->base, k, v, where))
                    goto out;
                s->sets[s->nsets++] = assignment(k, v);
            }
        }
    }

    /* An output file named in the base would be written by every point (the last
     * one wins): such a key may only be swept, one file per point. */
    {
        static const CfgKey outs[] = {CFG_REPLAY_WIRE_PCAP, CFG_REPLAY_RECORD_DRIVER_TRACE,
                                      CFG_REPLAY_RECORD_DRIVER_PCAP};
        for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++)
            if (cfg_str(s->base, outs[i])[0]) {
                spec_err(s, "base: %s names an output file that every point would write; sweep it as an "
                         "axis (one file per point) or leave it empty", cfg_key_path(outs[i]));
                goto out;
            }
    }

    /* axes */
    json_t *axes = json_object_get(root, "axes");
    if (axes && !json_is_array(axes)) {
        spec_err(s, "axes: must be an array of axes");
        goto out;
    }
    size_t na = axes ? json_array_size(axes) : 0;
    s->axes = calloc(na + 1, sizeof *s->axes);
    for (size_t i = 0; i < na; i++) {
        json_t *a = json_array_get(axes, i);
        Axis *ax = &s->axes[i];
        s->naxes = (int)i + 1;
        ax->dim = -1;
        snprintf(where, sizeof where, "axes[%zu]", i);
        static const char *const ak[] = {"path", "values", "range"};
        if (!json_is_object(a)) {
            spec_err(s, "%s: must be an object {path, values | range}", where);
            goto out;
        }
        if (check_keys(s, a, where, ak, 3))
            goto out;
        json_t *p = json_object_get(a, "path");
        if (!json_is_string(p)) {
            spec_err(s, "%s: needs a \"path\" (a configuration key)", where);
            goto out;
        }
        snprintf(ax->path, sizeof ax->path, "%s", json_string_value(p));
        ax->key = strcmp(ax->path, "preset") == 0 ? PRESET_AXIS : cfg_key_find(ax->path);
        if (ax->key == PRESET_AXIS) {
            if (s->preset) {
                spec_err(s, "%s: an axis over presets replaces base.preset; remove one of them", where);
                goto out;
            }
            s->preset_axis = (int)i;
        }
        if ((int)ax->key < 0) {
            const char *best = closest_key_path(ax->path);
            if (best)
                spec_err(s, "%s.path: unknown key '%s' (did you mean '%s'?)", where, ax->path, best);
            else
                spec_err(s, "%s.path: unknown key '%s'", where, ax->path);
            goto out;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->axes[j].path, ax->path) == 0) {
                spec_err(s, "%s.path: '%s' is already swept by axes[%zu]", where, ax->path, j);
                goto out;
            }
        json_t *vals = json_object_get(a, "values"), *range = json_object_get(a, "range");
        if (!vals == !range) {
            spec_err(s, "%s: needs exactly one of \"values\" or \"range\"", where);
            goto out;
        }
        if (vals) {
            if (!json_is_array(vals) || json_array_size(vals) == 0) {
                spec_err(s, "%s.values: must be a non-empty array", where);
                goto out;
            }
            ax->values = json_deep_copy(vals);
        } else {
            char w2[300];
            snprintf(w2, sizeof w2, "%s.range", where);
            if (expand_range(s, ax, range, w2))
                goto out;
        }
        size_t k;
        json_t *v;
        json_array_foreach(ax->values, k, v) {
            char w2[480];
            snprintf(w2, sizeof w2, "%s (%s) value %zu", where, ax->path, k);
            if (json_is_object(v) || json_is_array(v) || json_is_null(v)) {
                spec_err(s, "%s: must be a number, boolean or string", w2);
                goto out;
            }
            int r;
            if (ax->key == PRESET_AXIS) {
                Config *c = json_is_string(v) ? base_for(s, json_string_value(v), w2) : NULL;
                if (!json_is_string(v))
                    spec_err(s, "%s: must be a preset name", w2);
                r = c ? 0 : -1;
                cfg_free(c);
            } else {
                Config *c = cfg_clone(s->base);
                r = apply_value(s, c, ax->path, v, w2);
                cfg_free(c);
            }
            if (r)
                goto out;
        }
    }

    /* zip groups */
    json_t *zip = json_object_get(root, "zip");
    int *group = calloc(na + 1, sizeof *group); /* zip group + 1 of each axis, 0 = none */
    if (zip) {
        if (!json_is_array(zip)) {
            spec_err(s, "zip: must be an array of groups of axis paths");
            free(group);
            goto out;
        }
        size_t g;
        json_t *grp;
        json_array_foreach(zip, g, grp) {
            snprintf(where, sizeof where, "zip[%zu]", g);
            if (!json_is_array(grp) || json_array_size(grp) < 2) {
                spec_err(s, "%s: must be an array of at least two axis paths", where);
                free(group);
                goto out;
            }
            size_t m, len = 0;
            json_t *pp;
            int firstax = -1;
            json_array_foreach(grp, m, pp) {
                int found = -1;
                if (json_is_string(pp))
                    for (size_t i = 0; i < na; i++)
                        if (strcmp(s->axes[i].path, json_string_value(pp)) == 0)
                            found = (int)i;
                if (found < 0) {
                    if (!json_is_string(pp)) {
                        spec_err(s, "%s[%zu]: must be an axis path", where, m);
                    } else {
                        const char **cand = calloc(na + 1, sizeof *cand);
                        for (size_t i = 0; i < na; i++)
                            cand[i] = s->axes[i].path;
                        const char *best = closest(json_string_value(pp), cand, na);
                        if (best)
                            spec_err(s, "%s[%zu]: '%s' is not an axis path (did you mean '%s'?)", where,
                                     m, json_string_value(pp), best);
                        else
                            spec_err(s, "%s[%zu]: '%s' is not an axis path", where, m,
                                     json_string_value(pp));
                        free(cand);
                    }
                    free(group);
                    goto out;
                }
                if (group[found]) {
                    spec_err(s, "%s[%zu]: axis '%s' is already in zip[%d]", where, m,
                             s->axes[found].path, group[found] - 1);
                    free(group);
                    goto out;
                }
                group[found] = (int)g + 1;
                size_t l = json_array_size(s->axes[found].values);
                if (m == 0) {
                    len = l;
                    firstax = found;
                } else if (l != len) {
                    spec_err(s, "%s: axes of a zip group need equal lengths: '%s' has %zu values, '%s' has %zu",
                             where, s->axes[firstax].path, len, s->axes[found].path, l);
                    free(group);
                    goto out;
                }
            }
        }
    }
    /* dimensions: each plain axis, and each zip group where its first member stands */
    s->dims = calloc(na + 1, sizeof *s->dims);
    for (size_t i = 0; i < na; i++) {
        if (s->axes[i].dim >= 0)
            continue;
        int d = s->ndims++;
        s->dims[d].first = (int)i;
        s->dims[d].len = json_array_size(s->axes[i].values);
        s->axes[i].dim = d;
        if (group[i])
            for (size_t j = i + 1; j < na; j++)
                if (group[j] == group[i])
                    s->axes[j].dim = d;
    }
    free(group);

    json_t *rep = json_object_get(root, "repeat");
    s->repeat = 1;
    if (rep) {
        if (!json_is_integer(rep) || json_integer_value(rep) < 1 || json_integer_value(rep) > MAX_REPEAT) {
            spec_err(s, "repeat: must be an integer in [1, %d]", MAX_REPEAT);
            goto out;
        }
        s->repeat = (int)json_integer_value(rep);
    }
    s->ncombos = 1;
    for (int d = 0; d < s->ndims; d++) {
        if (s->dims[d].len > MAX_POINTS / s->ncombos) {
            spec_err(s, "more than %u points", MAX_POINTS);
            goto out;
        }
        s->ncombos *= s->dims[d].len;
    }
    if ((size_t)s->repeat > MAX_POINTS / s->ncombos) {
        spec_err(s, "more than %u points", MAX_POINTS);
        goto out;
    }
    s->npoints = s->ncombos * (size_t)s->repeat;
    rc = 0;
out:
    json_decref(root);
    if (rc)
        spec_free(s);
    return rc;
}

/* Index into dimension d of combination c (first dimension slowest). */
static size_t dim_index(const Spec *s, size_t combo, int d)
{
    for (int e = s->ndims - 1; e > d; e--)
        combo /= s->dims[e].len;
    return combo % s->dims[d].len;
}

static const json_t *axis_value(const Spec *s, size_t combo, int a)
{
    return json_array_get(s->axes[a].values, dim_index(s, combo, s->axes[a].dim));
}

/* The point's configuration (base + axes + seed); NULL after printing an error. */
static Config *point_config(const Spec *s, size_t k, int64_t *seed)
{
    size_t combo = k / (size_t)s->repeat;
    int r = (int)(k % (size_t)s->repeat);
    char where[200];
    snprintf(where, sizeof where, "point %zu", k);
    Config *c = s->preset_axis >= 0
                    ? base_for(s, json_string_value(axis_value(s, combo, s->preset_axis)), where)
                    : cfg_clone(s->base);
    if (!c)
        return NULL;
    for (int a = 0; a < s->naxes; a++)
        if (a != s->preset_axis && apply_value(s, c, s->axes[a].path, axis_value(s, combo, a), where)) {
            cfg_free(c);
            return NULL;
        }
    int64_t sd = cfg_int(c, CFG_SEED);
    if (sd > INT64_MAX - r) {
        spec_err(s, "point %zu: seed %" PRId64 " + repeat %d overflows", k, sd, r);
        cfg_free(c);
        return NULL;
    }
    sd += r;
    json_t *sv = json_integer(sd);
    int bad = apply_value(s, c, "seed", sv, where);
    json_decref(sv);
    if (bad) {
        cfg_free(c);
        return NULL;
    }
    *seed = sd;
    return c;
}

/* argv for "PROGRAM run ... -o OUTDIR --force" of point k (NULL-terminated, malloc'd). */
static char **point_argv(const Spec *s, const char *program, size_t k, int64_t seed, const char *outdir)
{
    size_t cap = 8 + 2 * ((size_t)s->nsets + (size_t)s->naxes + 1);
    char **av = calloc(cap, sizeof *av);
    size_t n = 0;
    size_t combo = k / (size_t)s->repeat;
    av[n++] = strdup(program);
    av[n++] = strdup("run");
    if (s->preset_axis >= 0) {
        av[n++] = strdup("--preset");
        av[n++] = strdup(json_string_value(axis_value(s, combo, s->preset_axis)));
    } else if (s->preset) {
        av[n++] = strdup("--preset");
        av[n++] = strdup(s->preset);
    }
    if (s->config) {
        av[n++] = strdup("--config");
        av[n++] = strdup(s->config);
    }
    for (int i = 0; i < s->nsets; i++) {
        av[n++] = strdup("--set");
        av[n++] = strdup(s->sets[i]);
    }
    for (int a = 0; a < s->naxes; a++) {
        if (a == s->preset_axis)
            continue;
        av[n++] = strdup("--set");
        av[n++] = assignment(s->axes[a].path, axis_value(s, combo, a));
    }
    char sb[64];
    snprintf(sb, sizeof sb, "seed=%" PRId64, seed);
    av[n++] = strdup("--set");
    av[n++] = strdup(sb);
    av[n++] = strdup("-o");
    av[n++] = strdup(outdir);
    av[n++] = strdup("--force");
    av[n] = NULL;
    return av;
}

static void argv_free(char **av)
{
    for (char **p = av; p && *p; p++)
        free(*p);
    free(av);
}

/* ---- running points ---------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct Run {
    const Spec *s;
    const char *program, *dir;
    bool log_to_file;
} Run;

static void point_dir(char *buf, size_t len, const char *dir, size_t k)
{
    snprintf(buf, len, "%s/points/%zu", dir, k);
}

/* Start point k; returns the child's pid or -1 (message printed). */
static pid_t start_point(const Run *R, size_t k)
{
    int64_t seed;
    Config *c = point_config(R->s, k, &seed);
    if (!c)
        return -1;
    cfg_free(c);
    char pd[4200], res[4300], logf[4300];
    point_dir(pd, sizeof pd, R->dir, k);
    if (util_mkdirs(pd) != 0) {
        fprintf(stderr, "vnicsim sweep: cannot create %s: %s\n", pd, strerror(errno));
        return -1;
    }
    snprintf(res, sizeof res, "%s/results.json", pd);
    unlink(res); /* a stale result must not survive a failed re-run */
    char **av = point_argv(R->s, R->program, k, seed, pd);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (R->log_to_file) {
        snprintf(logf, sizeof logf, "%s/run.log", pd);
        posix_spawn_file_actions_addopen(&fa, 1, logf, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    }
    pid_t pid;
    int e = posix_spawn(&pid, R->program, &fa, NULL, av, environ);
    posix_spawn_file_actions_destroy(&fa);
    argv_free(av);
    if (e != 0) {
        fprintf(stderr, "vnicsim sweep: cannot start %s: %s\n", R->program, strerror(e));
        return -1;
    }
    return pid;
}

static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return EXIT_RUNTIME;
}

static void fmt_dur(char *buf, size_t len, double s)
{
    if (!(s >= 0) || s > 359999)
        snprintf(buf, len, "--:--");
    else if (s >= 3600)
        snprintf(buf, len, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
    else
        snprintf(buf, len, "%d:%02d", (int)s / 60, (int)s % 60);
}

typedef struct Bar {
    bool tty, shown;
    size_t total, done, failed, skipped;
    double start, last;
    int jobs;
} Bar;

static void bar_draw(Bar *b, bool force)
{
    if (!b->tty)
        return;
    double t = wall_now();
    if (!force && t - b->last < 0.2)
        return;
    b->last = t;
    size_t ran = b->done + b->failed, todo = b->total - b->skipped;
    char eta[32];
    fmt_dur(eta, sizeof eta, ran ? (t - b->start) / (double)ran * (double)(todo - ran) : -1);
    char bar[31];
    size_t fill = todo ? (ran * 30) / todo : 30;
    for (size_t i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = 0;
    fprintf(stderr, "\rsweep [%s] %zu/%zu points", bar, ran + b->skipped, b->total);
    if (b->failed)
        fprintf(stderr, ", %zu failed", b->failed);
    fprintf(stderr, "  ETA %s\033[K", eta);
    fflush(stderr);
    b->shown = true;
}

/* Run the points in todo[] with `jobs` workers. Returns 0, 1 (a point failed) or
 * 128+signal. */
static int run_points(const Run *R, const size_t *todo, size_t ntodo, int jobs, size_t skipped)
{
    pid_t *pids = calloc((size_t)jobs, sizeof *pids);
    size_t *pk = calloc((size_t)jobs, sizeof *pk);
    Bar bar = {.tty = isatty(2) == 1, .total = R->s->npoints, .skipped = skipped, .start = wall_now(),
               .jobs = jobs};
    size_t next = 0;
    int running = 0, rc = EXIT_OK;
    while ((next < ntodo && !stop_signal) || running > 0) {
        while (!stop_signal && next < ntodo && running < jobs) {
            size_t k = todo[next++];
            pid_t pid = start_point(R, k);
            if (pid < 0) {
                bar.failed++;
                rc = EXIT_RUNTIME;
                continue;
            }
            for (int i = 0; i < jobs; i++)
                if (!pids[i]) {
                    pids[i] = pid;
                    pk[i] = k;
                    break;
                }
            running++;
        }
        if (stop_signal) {
            for (int i = 0; i < jobs; i++)
                if (pids[i])
                    kill(pids[i], stop_signal);
        }
        int st;
        pid_t w = running ? waitpid(-1, &st, WNOHANG) : 0;
        if (w <= 0) {
            bar_draw(&bar, false);
            if (running)
                sleep_ms(20);
            continue;
        }
        for (int i = 0; i < jobs; i++) {
            if (pids[i] != w)
                continue;
            pids[i] = 0;
            running--;
            int code = exit_code(st);
            char res[4300], pd[4200];
            point_dir(pd, sizeof pd, R->dir, pk[i]);
            snprintf(res, sizeof res, "%s/results.json", pd);
            if (code == 0 && file_exists(res)) {
                bar.done++;
            } else if (!stop_signal) {
                bar.failed++;
                rc = EXIT_RUNTIME;
                util_status_clear(&bar.shown);
                fprintf(stderr, "vnicsim sweep: point %zu failed (exit %d); see %s/run.log\n", pk[i], code,
                        pd);
            }
        }
        bar_draw(&bar, false);
    }
    bar_draw(&bar, true);
    util_status_clear(&bar.shown);
    free(pids);
    free(pk);
    if (stop_signal)
        return 128 + stop_signal;
    if (bar.tty || bar.failed)
        fprintf(stderr, "vnicsim sweep: %zu points run, %zu skipped, %zu failed (%.1f s)\n", bar.done,
                skipped, bar.failed, wall_now() - bar.start);
    return rc;
}

/* ---- merge -------------------------------------------------------------------------- */

/* Every scalar of v under prefix into flat (arrays are skipped). */
static void flatten(json_t *flat, const char *prefix, json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c) {
            size_t n = strlen(prefix) + strlen(k) + 2;
            char *p = malloc(n);
            snprintf(p, n, "%s%s%s", prefix, *prefix ? "." : "", k);
            flatten(flat, p, c);
            free(p);
        }
    } else if (!json_is_array(v) && *prefix) {
        json_object_set(flat, prefix, v);
    }
}

typedef struct Merged {
    json_t **flat; /* per point, NULL when absent */
    json_t *cols;  /* column name -> true, in first-appearance order */
    size_t present;
} Merged;

static void merged_free(Merged *m, size_t n)
{
    for (size_t k = 0; k < n; k++)
        json_decref(m->flat[k]);
    free(m->flat);
    json_decref(m->cols);
}

static int load_points(const Spec *s, const char *dir, Merged *m)
{
    m->flat = calloc(s->npoints, sizeof *m->flat);
    m->cols = json_object();
    m->present = 0;
    int bad = 0;
    for (size_t k = 0; k < s->npoints; k++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/points/%zu/results.json", dir, k);
        if (!file_exists(path))
            continue;
        json_error_t je;
        json_t *r = json_load_file(path, 0, &je);
        if (!r || !json_is_object(r)) {
            fprintf(stderr, "vnicsim sweep: %s:%d:%d: %s\n", path, je.line, je.column,
                    r ? "not a JSON object" : je.text);
            json_decref(r);
            bad = 1;
            continue;
        }
        json_t *flat = json_object();
        flatten(flat, "", r);
        json_decref(r);
        const char *key;
        json_t *v;
        json_object_foreach(flat, key, v) {
            if (!json_object_get(m->cols, key))
                json_object_set_new(m->cols, key, json_true());
        }
        m->flat[k] = flat;
        m->present++;
    }
    return bad;
}

static void csv_axes_header(Buf *b, const Spec *s)
{
    for (int a = 0; a < s->naxes; a++) {
        buf_add(b, ",");
        csv_name(b, s->axes[a].path);
    }
}

static void csv_axes_row(Buf *b, const Spec *s, size_t combo)
{
    for (int a = 0; a < s->naxes; a++) {
        buf_add(b, ",");
        csv_cell(b, axis_value(s, combo, a));
    }
}

static int merge(const Spec *s, const char *dir, bool quiet)
{
    Merged m;
    int bad = load_points(s, dir, &m);
    /* a metric column is numeric when every value present is an integer or a real */
    size_t ncols = json_object_size(m.cols), c = 0;
    const char **names = calloc(ncols + 1, sizeof *names);
    bool *numeric = calloc(ncols + 1, sizeof *numeric);
    const char *key;
    json_t *v;
    json_object_foreach(m.cols, key, v) {
        names[c] = key;
        numeric[c] = true;
        for (size_t k = 0; k < s->npoints; k++) {
            json_t *x = m.flat[k] ? json_object_get(m.flat[k], key) : NULL;
            if (x && !json_is_null(x) && !is_number(x))
                numeric[c] = false;
        }
        c++;
    }

    Buf b = {0};
    buf_add(&b, "point,repeat,seed");
    csv_axes_header(&b, s);
    for (size_t i = 0; i < ncols; i++) {
        buf_add(&b, ",");
        csv_name(&b, names[i]);
    }
    buf_add(&b, "\n");
    for (size_t k = 0; k < s->npoints; k++) {
        if (!m.flat[k])
            continue;
        int64_t seed = 0;
        Config *cf = point_config(s, k, &seed);
        cfg_free(cf);
        buf_printf(&b, "%zu,%zu,%" PRId64, k, k % (size_t)s->repeat, seed);
        csv_axes_row(&b, s, k / (size_t)s->repeat);
        for (size_t i = 0; i < ncols; i++) {
            buf_add(&b, ",");
            csv_cell(&b, json_object_get(m.flat[k], names[i]));
        }
        buf_add(&b, "\n");
    }
    int rc = write_atomic(dir, "sweep.csv", b.p, b.n);
    b.n = 0;

    buf_add(&b, "combination");
    csv_axes_header(&b, s);
    buf_add(&b, ",n");
    for (size_t i = 0; i < ncols; i++) {
        if (!numeric[i])
            continue;
        Buf nm = {0};
        buf_printf(&nm, "%s.mean", names[i]);
        buf_add(&b, ",");
        csv_name(&b, nm.p);
        nm.n = 0;
        buf_printf(&nm, "%s.ci95", names[i]);
        buf_add(&b, ",");
        csv_name(&b, nm.p);
        free(nm.p);
    }
    buf_add(&b, "\n");
    double *xs = calloc((size_t)s->repeat, sizeof *xs);
    for (size_t combo = 0; combo < s->ncombos; combo++) {
        size_t n = 0;
        for (int r = 0; r < s->repeat; r++)
            n += m.flat[combo * (size_t)s->repeat + (size_t)r] != NULL;
        if (!n)
            continue;
        buf_printf(&b, "%zu", combo);
        csv_axes_row(&b, s, combo);
        buf_printf(&b, ",%zu", n);
        for (size_t i = 0; i < ncols; i++) {
            if (!numeric[i])
                continue;
            size_t nx = 0;
            for (int r = 0; r < s->repeat; r++) {
                json_t *f = m.flat[combo * (size_t)s->repeat + (size_t)r];
                json_t *x = f ? json_object_get(f, names[i]) : NULL;
                if (x && is_number(x))
                    xs[nx++] = num(x);
            }
            char t[64];
            buf_add(&b, ",");
            if (!nx) {
                buf_add(&b, ",");
                continue;
            }
            double sum = 0;
            for (size_t j = 0; j < nx; j++)
                sum += xs[j];
            double mean = sum / (double)nx;
            sweep_fmt_double(t, sizeof t, mean);
            buf_add(&b, t);
            buf_add(&b, ",");
            if (nx >= 2) {
                double ss = 0;
                for (size_t j = 0; j < nx; j++)
                    ss += (xs[j] - mean) * (xs[j] - mean);
                double ci = sweep_t95((int)nx - 1) * sqrt(ss / (double)(nx - 1)) / sqrt((double)nx);
                sweep_fmt_double(t, sizeof t, ci);
                buf_add(&b, t);
            }
        }
        buf_add(&b, "\n");
    }
    free(xs);
    if (rc == 0)
        rc = write_atomic(dir, "summary.csv", b.p, b.n);
    free(b.p);
    if (!quiet || m.present < s->npoints)
        fprintf(stderr, "vnicsim sweep: merged %zu of %zu points into %s/sweep.csv and %s/summary.csv\n",
                m.present, s->npoints, dir, dir);
    free(names);
    free(numeric);
    merged_free(&m, s->npoints);
    return rc != 0 || bad ? EXIT_RUNTIME : EXIT_OK;
}

/* ---- command line ----------------------------------------------------------------------- */

static bool parse_size(const char *t, size_t *out)
{
    char *end;
    errno = 0;
    if (!*t || *t == '-')
        return false;
    unsigned long long v = strtoull(t, &end, 10);
    if (*end || errno)
        return false;
    *out = (size_t)v;
    return true;
}

static bool dir_has_entries(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/points", dir);
    struct stat st;
    if (stat(p, &st) == 0)
        return true;
    snprintf(p, sizeof p, "%s/sweep.csv", dir);
    return stat(p, &st) == 0;
}

int sweep_main(int argc, char **argv)
{
    const char *specf = NULL, *dir = NULL, *program = NULL, *val;
    size_t jobs = 1, point = 0;
    bool resume = false, force = false, list = false, merge_only = false, check = false, one = false;
    stop_signal = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_sweep, stdout);
            return EXIT_OK;
        }
        if ((r = util_opt_value(argc, argv, &i, "--output", true, &val)) == 0)
            r = util_opt_value(argc, argv, &i, "-o", true, &val);
        if (r < 0)
            return util_usage_error("sweep", "option '%s' needs a value", a);
        if (r) {
            dir = val;
            continue;
        }
        if ((r = util_opt_value(argc, argv, &i, "--jobs", true, &val)) == 0)
            r = util_opt_value(argc, argv, &i, "-j", true, &val);
        if (r < 0)
            return util_usage_error("sweep", "option '%s' needs a value", a);
        if (r) {
            if (!parse_size(val, &jobs) || jobs < 1 || jobs > 1024)
                return util_usage_error("sweep", "-j needs a number of jobs in [1, 1024], not '%s'", val);
            continue;
        }
        if ((r = util_opt_value(argc, argv, &i, "--point", true, &val)) != 0) {
            if (r < 0)
                return util_usage_error("sweep", "option '%s' needs a value", a);
            if (!parse_size(val, &point))
                return util_usage_error("sweep", "--point needs a point number K >= 0, not '%s'", val);
            one = true;
            continue;
        }
        if ((r = util_opt_value(argc, argv, &i, "--program", true, &val)) != 0) {
            if (r < 0)
                return util_usage_error("sweep", "option '%s' needs a value", a);
            program = val;
            continue;
        }
        if (strcmp(a, "--resume") == 0)
            resume = true;
        else if (strcmp(a, "--force") == 0)
            force = true;
        else if (strcmp(a, "--list-points") == 0)
            list = true;
        else if (strcmp(a, "--merge") == 0)
            merge_only = true;
        else if (strcmp(a, "--check") == 0)
            check = true;
        else if (a[0] == '-' && a[1])
            return util_usage_error("sweep", "unknown option '%s'", a);
        else if (specf)
            return util_usage_error("sweep", "unexpected argument '%s' (one SPEC only)", a);
        else
            specf = a;
    }
    if (!specf)
        return util_usage_error("sweep", "%s", "no SPEC.json given");
    if ((int)list + (int)one + (int)merge_only + (int)check > 1)
        return util_usage_error("sweep", "%s", "--list-points, --point, --merge and --check exclude each other");
    if (!dir && !check)
        return util_usage_error("sweep", "%s", "-o DIR is required");
    if (force && resume)
        return util_usage_error("sweep", "%s", "--force and --resume exclude each other");

    Spec s;
    if (spec_load(&s, specf) != 0)
        return EXIT_USAGE;
    int rc = EXIT_OK;
    /* every point must make a valid configuration before anything runs */
    for (size_t k = 0; k < s.npoints && !merge_only; k++) {
        int64_t seed;
        Config *c = point_config(&s, k, &seed);
        if (!c) {
            spec_free(&s);
            return EXIT_USAGE;
        }
        cfg_free(c);
    }
    if (check) {
        printf("%s: ok, %zu combinations x %d repeats = %zu points\n", specf, s.ncombos, s.repeat, s.npoints);
        spec_free(&s);
        return EXIT_OK;
    }

    char prog[4096], adir[4096];
    if (program) {
        absolute(prog, sizeof prog, program);
    } else {
        ssize_t n = readlink("/proc/self/exe", prog, sizeof prog - 1);
        if (n <= 0) {
            fprintf(stderr, "vnicsim sweep: cannot find this program (/proc/self/exe); use --program\n");
            spec_free(&s);
            return EXIT_RUNTIME;
        }
        prog[n] = 0;
    }
    absolute(adir, sizeof adir, dir);
    size_t dl = strlen(adir);
    while (dl > 1 && adir[dl - 1] == '/')
        adir[--dl] = 0;
    Run R = {.s = &s, .program = prog, .dir = adir, .log_to_file = true};

    if (list) {
        Buf b = {0};
        for (size_t k = 0; k < s.npoints; k++) {
            char res[4300];
            snprintf(res, sizeof res, "%s/points/%zu/results.json", adir, k);
            if (resume && file_exists(res))
                continue;
            b.n = 0;
            shell_quote(&b, prog);
            buf_add(&b, " sweep ");
            shell_quote(&b, s.afile);
            buf_add(&b, " -o ");
            shell_quote(&b, adir);
            buf_printf(&b, " --point %zu", k);
            if (program) {
                buf_add(&b, " --program ");
                shell_quote(&b, prog);
            }
            puts(b.p);
        }
        free(b.p);
        rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
    } else if (merge_only) {
        rc = merge(&s, adir, false);
    } else if (one) {
        if (point >= s.npoints) {
            fprintf(stderr, "vnicsim sweep: --point %zu: the sweep has points 0..%zu\n", point, s.npoints - 1);
            rc = EXIT_USAGE;
        } else {
            char res[4300];
            snprintf(res, sizeof res, "%s/points/%zu/results.json", adir, point);
            if (resume && file_exists(res)) {
                fprintf(stderr, "vnicsim sweep: point %zu already has results; skipped\n", point);
            } else {
                install_signals();
                R.log_to_file = false;
                pid_t pid = start_point(&R, point);
                if (pid < 0) {
                    rc = EXIT_RUNTIME;
                } else {
                    int st, sent = 0;
                    for (;;) {
                        pid_t w = waitpid(pid, &st, 0);
                        if (w == pid)
                            break;
                        if (w < 0 && errno != EINTR) {
                            st = EXIT_RUNTIME << 8;
                            break;
                        }
                        if (stop_signal && !sent) {
                            kill(pid, stop_signal);
                            sent = 1;
                        }
                    }
                    rc = exit_code(st);
                }
            }
        }
    } else {
        if (dir_has_entries(adir) && !resume && !force) {
            fprintf(stderr, "vnicsim sweep: %s already holds a sweep; use --resume to finish it or --force to "
                            "re-run every point\n", adir);
            spec_free(&s);
            return EXIT_USAGE;
        }
        char pts[4200];
        snprintf(pts, sizeof pts, "%s/points", adir);
        if (util_mkdirs(pts) != 0) {
            fprintf(stderr, "vnicsim sweep: cannot create %s: %s\n", pts, strerror(errno));
            spec_free(&s);
            return EXIT_RUNTIME;
        }
        char *text = read_text(specf);
        if (text) {
            write_atomic(adir, "spec.json", text, strlen(text));
            free(text);
        }
        install_signals();
        size_t *todo = calloc(s.npoints, sizeof *todo), nt = 0;
        for (size_t k = 0; k < s.npoints; k++) {
            char res[4300];
            snprintf(res, sizeof res, "%s/points/%zu/results.json", adir, k);
            if (!(resume && file_exists(res)))
                todo[nt++] = k;
        }
        rc = run_points(&R, todo, nt, (int)jobs, s.npoints - nt);
        free(todo);
        if (rc > 128) {
            fprintf(stderr, "vnicsim sweep: stopped by %s; finished points are kept (--resume continues)\n",
                    rc == 128 + SIGTERM ? "SIGTERM" : "SIGINT");
        } else {
            int mr = merge(&s, adir, true);
            if (mr && !rc)
                rc = mr;
        }
    }
    spec_free(&s);
    return rc;
}
