/* plot: figures from a sweep directory (see sim/plot.h).
 *
 * The data of every figure is written apart from the gnuplot scripts: DIR/plots/NAME.dat
 * (extracted from summary.csv, sweep.csv and the points' results.json) and
 * DIR/plots/render.sh, which calls the scripts of analysis/plots/ on them. plot_main
 * runs render.sh; running it again re-renders the figures without re-running
 * anything.
 */
#include "sim/plot.h"
#include "sim/util.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char usage_plot[] =
    "usage: vnicsim plot DIR [-o OUTDIR] [--scripts SCRIPTDIR] [--no-render]\n"
    "\n"
    "Render the figures of a sweep directory (written by 'vnicsim sweep') as PNG and\n"
    "SVG with gnuplot: throughput and CPU idle vs send size (a curve per\n"
    "configuration, 95 % confidence bars when repeated), the stacked CPU breakdown\n"
    "per configuration, the latency CDF (from each point's latency_hist), and\n"
    "throughput and idle vs every other numeric swept parameter.\n"
    "\n"
    "  -o, --output OUTDIR  where the figures go (default DIR/plots)\n"
    "  --scripts DIR        the gnuplot scripts (default: analysis/plots next to the\n"
    "                       program, or $VNICSIM_PLOTS)\n"
    "  --no-render          only write the data files and render.sh\n"
    "\n"
    "OUTDIR receives the data (*.dat), render.sh (re-renders without re-running)\n"
    "and the figures (*.png, *.svg).\n";

/* ---- CSV ------------------------------------------------------------------------ */

typedef struct Csv {
    char **cell; /* row-major, row 0 = header */
    size_t ncols, nrows;
} Csv;

static void csv_free(Csv *c)
{
    for (size_t i = 0; i < c->ncols * c->nrows; i++)
        free(c->cell[i]);
    free(c->cell);
    memset(c, 0, sizeof *c);
}

static const char *cell(const Csv *c, size_t r, size_t col)
{
    return c->cell[r * c->ncols + col];
}

static int csv_load(Csv *c, const char *path)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "vnicsim plot: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 0, n = 0, rowlen = 0, line = 1;
    char *field = NULL;
    size_t flen = 0, fcap = 0;
    bool quoted = false, any = false;
    int ch, rc = 0;
    for (;;) {
        ch = fgetc(f);
        if (quoted) {
            if (ch == EOF) {
                fprintf(stderr, "vnicsim plot: %s:%zu: unterminated quoted field\n", path, line);
                rc = -1;
                break;
            }
            if (ch == '"') {
                int nx = fgetc(f);
                if (nx == '"') {
                    ch = '"';
                } else {
                    ungetc(nx, f);
                    quoted = false;
                    continue;
                }
            }
            if (ch == '\n')
                line++;
        } else if (ch == '"') {
            quoted = true;
            any = true;
            continue;
        } else if (ch == ',' || ch == '\n' || ch == EOF) {
            if (ch == EOF && !any && flen == 0 && rowlen == 0)
                break;
            if (n + 1 > cap) {
                cap = cap ? cap * 2 : 256;
                c->cell = realloc(c->cell, cap * sizeof *c->cell);
            }
            c->cell[n++] = strndup(field ? field : "", flen);
            flen = 0;
            any = false;
            rowlen++;
            if (ch == ',')
                continue;
            if (c->nrows == 0) {
                c->ncols = rowlen;
            } else if (rowlen != c->ncols) {
                fprintf(stderr, "vnicsim plot: %s:%zu: %zu fields, the header has %zu\n", path, line, rowlen,
                        c->ncols);
                c->nrows++;
                rc = -1;
                break;
            }
            c->nrows++;
            rowlen = 0;
            line++;
            if (ch == EOF)
                break;
            continue;
        } else if (ch == '\r') {
            continue;
        }
        if (flen + 2 > fcap) {
            fcap = fcap ? fcap * 2 : 64;
            field = realloc(field, fcap);
        }
        field[flen++] = (char)ch;
        any = true;
    }
    free(field);
    fclose(f);
    if (rc == 0 && c->nrows == 0) {
        fprintf(stderr, "vnicsim plot: %s: empty\n", path);
        rc = -1;
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(c->cell[i]);
        free(c->cell);
        memset(c, 0, sizeof *c);
    }
    return rc;
}

static int col(const Csv *c, const char *name)
{
    for (size_t i = 0; i < c->ncols; i++)
        if (strcmp(cell(c, 0, i), name) == 0)
            return (int)i;
    return -1;
}

static bool parse_num(const char *s, double *v)
{
    char *end;
    if (!*s)
        return false;
    *v = strtod(s, &end);
    return *end == 0;
}

static double num_or_nan(const Csv *c, size_t r, int k)
{
    double v;
    return k >= 0 && parse_num(cell(c, r, (size_t)k), &v) ? v : NAN;
}

static const char *short_name(const char *path)
{
    const char *d = strrchr(path, '.');
    return d ? d + 1 : path;
}

/* ---- output helpers ---------------------------------------------------------------- */

static void put_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(" NaN", f);
    else
        fprintf(f, " %.10g", v);
}

/* A gnuplot string: double quotes; '"' and '\' are replaced. */
static void put_label(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        fputc(*s == '"' ? '\'' : (*s == '\\' ? '/' : *s), f);
    fputc('"', f);
}

typedef struct Lbl {
    char *p;
    size_t n;
} Lbl;

static void lbl_add(Lbl *l, const char *s)
{
    size_t k = strlen(s);
    l->p = realloc(l->p, l->n + k + 1);
    memcpy(l->p + l->n, s, k + 1);
    l->n += k;
}

/* Label of row r over the axes 1..naxes except `skip` (0: none); axis a is column
 * first + a - 1 (summary.csv: first = 1; sweep.csv: point, repeat, seed, so 3). */
static char *row_label(const Csv *s, size_t r, size_t first, size_t naxes, size_t skip, bool names,
                       const char *sep)
{
    Lbl l = {0};
    lbl_add(&l, "");
    for (size_t a = 1; a <= naxes; a++) {
        if (a == skip)
            continue;
        if (l.n)
            lbl_add(&l, sep);
        if (names) {
            lbl_add(&l, short_name(cell(s, 0, first + a - 1)));
            lbl_add(&l, "=");
        }
        lbl_add(&l, cell(s, r, first + a - 1));
    }
    return l.p;
}

/* ---- series figures (x = one axis, a curve per combination of the others) ---------- */

typedef struct Pt {
    double x;
    size_t row;
} Pt;

static int cmp_pt(const void *a, const void *b)
{
    const Pt *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->row < q->row ? -1 : (p->row > q->row);
}

/* Writes OUT/name: blocks (one per series) of "x goodput ci idle ci". Returns the
 * number of series, or -1. *logx tells whether x spans a decade or more above 0. */
static int write_series(const Csv *s, size_t naxes, size_t ax, const char *path, bool *logx, bool *err)
{
    int cg = col(s, "metrics.goodput_mbps.mean"), cgc = col(s, "metrics.goodput_mbps.ci95");
    int ci = col(s, "metrics.cpu_idle_pct.mean"), cic = col(s, "metrics.cpu_idle_pct.ci95");
    size_t nrows = s->nrows - 1;
    char **labels = calloc(nrows + 1, sizeof *labels);
    size_t *series = calloc(nrows + 1, sizeof *series), nseries = 0;
    double xmin = INFINITY, xmax = -INFINITY;
    for (size_t r = 1; r <= nrows; r++) {
        char *l = row_label(s, r, 1, naxes, ax, true, ", ");
        size_t k;
        for (k = 0; k < nseries; k++)
            if (strcmp(labels[k], l) == 0)
                break;
        if (k == nseries)
            labels[nseries++] = l;
        else
            free(l);
        series[r - 1] = k;
        double x = num_or_nan(s, r, (int)ax);
        if (x < xmin)
            xmin = x;
        if (x > xmax)
            xmax = x;
    }
    *logx = xmin > 0 && xmax / xmin >= 10;
    *err = false;
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vnicsim plot: cannot write %s: %s\n", path, strerror(errno));
        nseries = 0;
    } else {
        fprintf(f, "# x = %s; columns: x, metrics.goodput_mbps mean, ci95, metrics.cpu_idle_pct mean, ci95\n",
                cell(s, 0, ax));
        Pt *pts = calloc(nrows + 1, sizeof *pts);
        for (size_t k = 0; k < nseries; k++) {
            size_t np = 0;
            for (size_t r = 1; r <= nrows; r++)
                if (series[r - 1] == k)
                    pts[np++] = (Pt){num_or_nan(s, r, (int)ax), r};
            qsort(pts, np, sizeof *pts, cmp_pt);
            if (k)
                fputs("\n\n", f);
            put_label(f, nseries == 1 && !labels[k][0] ? "model" : labels[k]);
            fputc('\n', f);
            for (size_t i = 0; i < np; i++) {
                size_t r = pts[i].row;
                double e1 = num_or_nan(s, r, cgc), e2 = num_or_nan(s, r, cic);
                *err |= !isnan(e1) || !isnan(e2);
                fprintf(f, "%.17g", pts[i].x);
                put_num(f, num_or_nan(s, r, cg));
                put_num(f, e1);
                put_num(f, num_or_nan(s, r, ci));
                put_num(f, e2);
                fputc('\n', f);
            }
        }
        free(pts);
        if (fclose(f) != 0)
            nseries = 0;
    }
    for (size_t k = 0; k < nseries; k++)
        free(labels[k]);
    free(labels);
    free(series);
    return nseries ? (int)nseries : -1;
}

/* ---- breakdown ---------------------------------------------------------------------- */

/* Stacked CPU breakdown: rows = combinations, columns = breakdown.total.X.pct.mean
 * that are non-zero somewhere. Returns the number of categories, 0 when none. */
static int write_breakdown(const Csv *s, size_t naxes, const char *path, char *xlabel, size_t xlen)
{
    static const char pre[] = "breakdown.total.", suf[] = ".pct.mean";
    int *cats = calloc(s->ncols + 1, sizeof *cats), ncats = 0;
    for (size_t c = 0; c < s->ncols; c++) {
        const char *h = cell(s, 0, c);
        size_t n = strlen(h);
        if (strncmp(h, pre, sizeof pre - 1) != 0 || n < sizeof pre - 1 + sizeof suf - 1 ||
            strcmp(h + n - (sizeof suf - 1), suf) != 0)
            continue;
        bool nonzero = false;
        for (size_t r = 1; r < s->nrows; r++) {
            double v = num_or_nan(s, r, (int)c);
            nonzero |= !isnan(v) && v != 0;
        }
        if (nonzero)
            cats[ncats++] = (int)c;
    }
    if (!ncats) {
        free(cats);
        return 0;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        free(cats);
        return -1;
    }
    fputs("\"configuration\"", f);
    for (int i = 0; i < ncats; i++) {
        const char *h = cell(s, 0, (size_t)cats[i]) + sizeof pre - 1;
        char name[200];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(h) - (sizeof suf - 1)), h);
        fputc(' ', f);
        put_label(f, name);
    }
    fputc('\n', f);
    for (size_t r = 1; r < s->nrows; r++) {
        char *l = row_label(s, r, 1, naxes, 0, false, " / ");
        put_label(f, l[0] ? l : "model");
        free(l);
        for (int i = 0; i < ncats; i++)
            put_num(f, num_or_nan(s, r, cats[i]));
        fputc('\n', f);
    }
    free(cats);
    xlabel[0] = 0;
    for (size_t a = 1; a <= naxes; a++) {
        size_t n = strlen(xlabel);
        snprintf(xlabel + n, xlen - n, "%s%s", a > 1 ? " / " : "", short_name(cell(s, 0, a)));
    }
    return fclose(f) == 0 ? ncats : -1;
}

/* ---- latency CDF ---------------------------------------------------------------------- */

typedef struct Bucket {
    double upper;
    double count;
} Bucket;

static int cmp_bucket(const void *a, const void *b)
{
    const Bucket *p = a, *q = b;
    return p->upper < q->upper ? -1 : (p->upper > q->upper);
}

/* Adds the latency_hist of one results.json to *b. 1 added, 0 none in the file, -1 error. */
static int add_hist(const char *file, Bucket **b, size_t *n)
{
    json_error_t je;
    json_t *r = json_load_file(file, 0, &je);
    if (!r)
        return 0;
    json_t *h = json_object_get(json_object_get(r, "metrics"), "latency_hist");
    json_t *u = json_object_get(h, "upper_us"), *c = json_object_get(h, "count");
    int rc = 0;
    if (json_is_array(u) && json_is_array(c) && json_array_size(u) == json_array_size(c)) {
        size_t k = json_array_size(u);
        *b = realloc(*b, (*n + k + 1) * sizeof **b);
        for (size_t i = 0; i < k; i++)
            (*b)[(*n)++] = (Bucket){json_number_value(json_array_get(u, i)),
                                    json_number_value(json_array_get(c, i))};
        rc = 1;
    }
    json_decref(r);
    return rc;
}

/* One CDF block per combination (repeats pooled). Returns the number of series. */
static int write_latency(const char *dir, const Csv *w, size_t naxes, const char *path)
{
    /* sweep.csv: point, repeat, seed, axes..., */
    char **labels = calloc(w->nrows + 1, sizeof *labels);
    size_t nl = 0;
    for (size_t r = 1; r < w->nrows; r++) {
        char *l = row_label(w, r, 3, naxes, 0, true, ", ");
        size_t k;
        for (k = 0; k < nl; k++)
            if (strcmp(labels[k], l) == 0)
                break;
        if (k == nl)
            labels[nl++] = l;
        else
            free(l);
    }
    FILE *f = fopen(path, "w");
    int nseries = 0;
    if (!f)
        goto out;
    fputs("# latency CDF per configuration (repeats pooled): upper bound (us), fraction <= bound\n", f);
    for (size_t k = 0; k < nl; k++) {
        Bucket *b = NULL;
        size_t nb = 0;
        for (size_t r = 1; r < w->nrows; r++) {
            char *l = row_label(w, r, 3, naxes, 0, true, ", ");
            bool mine = strcmp(l, labels[k]) == 0;
            free(l);
            if (!mine)
                continue;
            char file[4400];
            snprintf(file, sizeof file, "%s/points/%s/results.json", dir, cell(w, r, 0));
            add_hist(file, &b, &nb);
        }
        double total = 0;
        for (size_t i = 0; i < nb; i++)
            total += b[i].count;
        if (nb && total > 0) {
            qsort(b, nb, sizeof *b, cmp_bucket);
            if (nseries)
                fputs("\n\n", f);
            put_label(f, labels[k][0] ? labels[k] : "model");
            fputc('\n', f);
            double cum = 0;
            for (size_t i = 0; i < nb; i++) {
                cum += b[i].count;
                if (i + 1 < nb && b[i + 1].upper == b[i].upper)
                    continue; /* same bucket from another repeat */
                fprintf(f, "%.10g %.10g\n", b[i].upper, cum / total);
            }
            nseries++;
        }
        free(b);
    }
    if (fclose(f) != 0)
        nseries = -1;
out:
    for (size_t k = 0; k < nl; k++)
        free(labels[k]);
    free(labels);
    return nseries;
}

/* ---- driver ------------------------------------------------------------------------------ */

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int find_scripts(char *out, size_t len, const char *given)
{
    char probe[4400];
    if (given) {
        snprintf(out, len, "%s", given);
        snprintf(probe, sizeof probe, "%s/throughput_vs_send.gp", out);
        if (access(probe, R_OK) == 0)
            return 0;
        fprintf(stderr, "vnicsim plot: %s holds no throughput_vs_send.gp\n", given);
        return -1;
    }
    char exe[4096] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *s = strrchr(exe, '/');
        if (s)
            *s = 0;
    }
    const char *env = getenv("VNICSIM_PLOTS");
    char cand[5][4200];
    int nc = 0;
    if (env && *env)
        snprintf(cand[nc++], sizeof cand[0], "%s", env);
    if (exe[0]) {
        snprintf(cand[nc++], sizeof cand[0], "%s/../analysis/plots", exe);
        snprintf(cand[nc++], sizeof cand[0], "%s/../../analysis/plots", exe);
        snprintf(cand[nc++], sizeof cand[0], "%s/../share/vnicsim/plots", exe);
    }
    snprintf(cand[nc++], sizeof cand[0], "analysis/plots");
    for (int i = 0; i < nc; i++) {
        if (snprintf(probe, sizeof probe, "%s/throughput_vs_send.gp", cand[i]) >= (int)sizeof probe)
            continue;
        if (access(probe, R_OK) == 0) {
            char *rp = realpath(cand[i], NULL);
            if (snprintf(out, len, "%s", rp ? rp : cand[i]) >= (int)len)
                rp = (free(rp), NULL);
            free(rp);
            return 0;
        }
    }
    fprintf(stderr, "vnicsim plot: cannot find the gnuplot scripts (analysis/plots); use --scripts DIR "
                    "or set VNICSIM_PLOTS\n");
    return -1;
}

/* Shell single-quoted copy of s into f. */
static void sh_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* One render.sh line: gnuplot -e "VARS; data='D'; out='NAME.'$ext; term=$term" SCRIPT, for png and svg */
static void render_line(FILE *f, const char *script, const char *data, const char *name, const char *vars)
{
    fprintf(f, "for ext in png svg; do\n  [ $ext = png ] && term=$PNG || term=svg\n");
    fprintf(f, "  gnuplot -e \"%s%sdata='%s'; out='%s.$ext'; term='$term'\" \"$S/%s\"\n", vars, *vars ? "; " : "",
            data, name, script);
    fprintf(f, "done\n");
}

int plot_main(int argc, char **argv)
{
    const char *dir = NULL, *outdir = NULL, *scripts = NULL;
    bool render = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_plot, stdout);
            return EXIT_OK;
        }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--scripts") == 0) {
            if (i + 1 >= argc) {
                return util_usage_error("plot", "option '%s' needs a value", a);
            }
            if (strcmp(a, "--scripts") == 0)
                scripts = argv[++i];
            else
                outdir = argv[++i];
        } else if (strcmp(a, "--no-render") == 0) {
            render = false;
        } else if (a[0] == '-') {
            return util_usage_error("plot", "unknown option '%s'", a);
        } else if (dir) {
            fprintf(stderr, "vnicsim plot: unexpected argument '%s' (one DIR only)\n", a);
            return EXIT_USAGE;
        } else {
            dir = a;
        }
    }
    if (!dir) {
        return util_usage_error("plot", "%s", "no sweep DIR given");
    }
    char sdir[4096];
    if (find_scripts(sdir, sizeof sdir, scripts))
        return EXIT_USAGE;
    char sumf[4200], swf[4200], out[4200];
    snprintf(sumf, sizeof sumf, "%s/summary.csv", dir);
    snprintf(swf, sizeof swf, "%s/sweep.csv", dir);
    snprintf(out, sizeof out, "%s", outdir ? outdir : dir);
    if (!outdir)
        strncat(out, "/plots", sizeof out - strlen(out) - 1);
    Csv s, w;
    if (csv_load(&s, sumf))
        return EXIT_USAGE;
    if (csv_load(&w, swf)) {
        csv_free(&s);
        return EXIT_USAGE;
    }
    int ncol = col(&s, "n");
    int rc = EXIT_OK;
    if (s.ncols < 2 || strcmp(cell(&s, 0, 0), "combination") != 0 || ncol < 1 || s.nrows < 2) {
        fprintf(stderr, "vnicsim plot: %s is not a sweep summary with rows (combination, axes..., n, ...)\n",
                sumf);
        rc = EXIT_USAGE;
        goto done;
    }
    size_t naxes = (size_t)ncol - 1;
    if (!is_dir(out) && mkdir(out, 0777) != 0) {
        fprintf(stderr, "vnicsim plot: cannot create %s: %s\n", out, strerror(errno));
        rc = EXIT_RUNTIME;
        goto done;
    }

    char rpath[4400];
    snprintf(rpath, sizeof rpath, "%s/render.sh", out);
    FILE *rs = fopen(rpath, "w");
    if (!rs) {
        fprintf(stderr, "vnicsim plot: cannot write %s: %s\n", rpath, strerror(errno));
        rc = EXIT_RUNTIME;
        goto done;
    }
    fputs("#!/bin/sh\n# Re-render the figures from the data files next to this script (written by\n"
          "# 'vnicsim plot'); the gnuplot scripts are in S.\nset -e\ncd \"$(dirname \"$0\")\"\nS=",
          rs);
    sh_quote(rs, sdir);
    fputs("\nif gnuplot -e 'set terminal pngcairo' 2>/dev/null; then PNG=pngcairo; else PNG=png; fi\n", rs);
    int figures = 0;
    char path[4400], vars[1024];

    /* throughput and idle vs send size */
    int send_ax = -1;
    for (size_t a = 1; a <= naxes; a++) {
        size_t l = strlen(cell(&s, 0, a));
        if (l >= 10 && strcmp(cell(&s, 0, a) + l - 10, "send_bytes") == 0)
            send_ax = (int)a;
    }
    bool have_metrics = col(&s, "metrics.goodput_mbps.mean") >= 0 || col(&s, "metrics.cpu_idle_pct.mean") >= 0;
    if (send_ax > 0 && have_metrics) {
        bool logx, err;
        snprintf(path, sizeof path, "%s/send.dat", out);
        int ns = write_series(&s, naxes, (size_t)send_ax, path, &logx, &err);
        if (ns > 0) {
            snprintf(vars, sizeof vars, "nseries=%d; err=%d; logx=%d; xlabel='%s'", ns, err, logx,
                     cell(&s, 0, (size_t)send_ax));
            render_line(rs, "throughput_vs_send.gp", "send.dat", "throughput_vs_send", vars);
            render_line(rs, "idle_vs_send.gp", "send.dat", "idle_vs_send", vars);
            figures += 2;
        }
    }
    /* throughput and idle vs every other numeric axis (costs and the like) */
    for (size_t a = 1; a <= naxes && have_metrics; a++) {
        if ((int)a == send_ax || strcmp(cell(&s, 0, a), "seed") == 0)
            continue;
        bool numeric = true;
        for (size_t r = 1; r < s.nrows; r++) {
            double v;
            numeric &= parse_num(cell(&s, r, a), &v);
        }
        if (!numeric)
            continue;
        char name[200];
        snprintf(name, sizeof name, "vs_%s", short_name(cell(&s, 0, a)));
        if (snprintf(path, sizeof path, "%s/%s.dat", out, name) >= (int)sizeof path)
            continue;
        bool logx, err;
        int ns = write_series(&s, naxes, a, path, &logx, &err);
        if (ns > 0) {
            char data[240];
            snprintf(data, sizeof data, "%s.dat", name);
            snprintf(vars, sizeof vars, "nseries=%d; err=%d; logx=%d; xlabel='%s'", ns, err, logx, cell(&s, 0, a));
            render_line(rs, "vs_param.gp", data, name, vars);
            figures++;
        }
    }
    /* stacked CPU breakdown */
    char xl[512];
    snprintf(path, sizeof path, "%s/breakdown.dat", out);
    int nc = write_breakdown(&s, naxes, path, xl, sizeof xl);
    if (nc > 0) {
        snprintf(vars, sizeof vars, "ncats=%d; nrows=%zu; xlabel='%s'", nc, s.nrows - 1, xl);
        render_line(rs, "breakdown.gp", "breakdown.dat", "breakdown", vars);
        figures++;
    }
    /* latency CDF */
    if (w.ncols >= 3 + naxes && strcmp(cell(&w, 0, 0), "point") == 0) {
        snprintf(path, sizeof path, "%s/latency.dat", out);
        int ns = write_latency(dir, &w, naxes, path);
        if (ns > 0) {
            snprintf(vars, sizeof vars, "nseries=%d", ns);
            render_line(rs, "latency_cdf.gp", "latency.dat", "latency_cdf", vars);
            figures++;
        } else {
            unlink(path);
        }
    }
    if (fclose(rs) != 0) {
        rc = EXIT_RUNTIME;
        goto done;
    }
    chmod(rpath, 0755);
    if (!figures) {
        fprintf(stderr, "vnicsim plot: nothing to plot in %s (no send_bytes or numeric axis with "
                        "metrics, no breakdown, no latency_hist)\n", dir);
        rc = EXIT_RUNTIME;
        goto done;
    }
    if (render) {
        pid_t pid = fork();
        if (pid == 0) {
            execlp("sh", "sh", rpath, (char *)NULL);
            _exit(127);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "vnicsim plot: %s failed (is gnuplot installed? 'make deps' installs gnuplot-nox)\n",
                    rpath);
            rc = EXIT_RUNTIME;
            goto done;
        }
        fprintf(stderr, "vnicsim plot: %d figures (PNG and SVG) in %s/\n", figures, out);
    } else {
        fprintf(stderr, "vnicsim plot: data for %d figures in %s/; render with sh %s\n", figures, out, rpath);
    }
done:
    csv_free(&s);
    csv_free(&w);
    return rc;
}
