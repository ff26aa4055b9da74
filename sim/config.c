/* config: strict, versioned JSON configuration over the one defaults table
 * (sim/schema.def). See sim/config.h for the file format and the precedence.
 *
 * jansson keeps no positions after parsing, so each loaded text is also scanned
 * once by a small tokenizer (pos_index) that records the line and column of every
 * object key under its dotted path; semantic errors then read "file:line: ...".
 */
#include "sim/config.h"
#include "sim/util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/presets.h"

/* ---- the schema table ----------------------------------------------------- */

typedef struct CfgSchema {
    CfgType type;
    const char *path;
    int64_t idef, ilo, ihi;
    double ndef, nlo, nhi;
    bool bdef;
    const char *sdef, *choices;
    const char *desc;
} CfgSchema;

static const CfgSchema schema[CFG__COUNT] = {
#define CFG_INT(id_, path_, def_, lo_, hi_, desc_) \
    [CFG_##id_] = {.type = CFGT_INT, .path = path_, .idef = (def_), .ilo = (lo_), .ihi = (hi_), .desc = desc_},
#define CFG_NUM(id_, path_, def_, lo_, hi_, desc_) \
    [CFG_##id_] = {.type = CFGT_NUM, .path = path_, .ndef = (def_), .nlo = (lo_), .nhi = (hi_), .desc = desc_},
#define CFG_BOOL(id_, path_, def_, desc_) \
    [CFG_##id_] = {.type = CFGT_BOOL, .path = path_, .bdef = (def_), .desc = desc_},
#define CFG_STR(id_, path_, def_, choices_, desc_) \
    [CFG_##id_] = {.type = CFGT_STR, .path = path_, .sdef = def_, .choices = choices_, .desc = desc_},
#include "sim/schema.def"
#undef CFG_INT
#undef CFG_NUM
#undef CFG_BOOL
#undef CFG_STR
};

/* Top-level keys handled here rather than by the schema. */
static const char *const meta_keys[] = {"version", "name", "description", "base", "provenance",
                                        "vnicsim_version"};
#define META_COUNT (sizeof meta_keys / sizeof meta_keys[0])

/* ---- the Config ------------------------------------------------------------ */

typedef union CfgValue {
    int64_t i;
    double n;
    bool b;
    char *s;
} CfgValue;

enum { ORIGIN_DEFAULT, ORIGIN_FILE, ORIGIN_SET };

struct Config {
    CfgValue val[CFG__COUNT];
    unsigned char origin[CFG__COUNT];
    int set_src[CFG__COUNT];  /* index into sources[] of the layer that set the key */
    int set_line[CFG__COUNT]; /* line of the key in that layer, 0 if unknown */
    char **sources;           /* message names of the layers loaded so far */
    int nsources;
    char *name, *description;
    json_t *prov; /* object: path -> source text */
};

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d) {
        fputs("vnicsim: out of memory\n", stderr);
        abort();
    }
    return memcpy(d, s, n);
}

Config *cfg_new(void)
{
    Config *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    for (int k = 0; k < CFG__COUNT; k++) {
        const CfgSchema *s = &schema[k];
        switch (s->type) {
        case CFGT_INT: c->val[k].i = s->idef; break;
        case CFGT_NUM: c->val[k].n = s->ndef; break;
        case CFGT_BOOL: c->val[k].b = s->bdef; break;
        case CFGT_STR: c->val[k].s = xstrdup(s->sdef); break;
        }
        c->set_src[k] = -1;
    }
    c->name = xstrdup("default");
    c->description = xstrdup("");
    c->prov = json_object();
    return c;
}

void cfg_free(Config *c)
{
    if (!c)
        return;
    for (int k = 0; k < CFG__COUNT; k++)
        if (schema[k].type == CFGT_STR)
            free(c->val[k].s);
    for (int i = 0; i < c->nsources; i++)
        free(c->sources[i]);
    free(c->sources);
    free(c->name);
    free(c->description);
    json_decref(c->prov);
    free(c);
}

Config *cfg_clone(const Config *c)
{
    Config *d = malloc(sizeof *d);
    if (!d)
        return NULL;
    *d = *c;
    for (int k = 0; k < CFG__COUNT; k++)
        if (schema[k].type == CFGT_STR)
            d->val[k].s = xstrdup(c->val[k].s);
    d->sources = c->nsources ? malloc((size_t)c->nsources * sizeof *d->sources) : NULL;
    for (int i = 0; i < c->nsources; i++)
        d->sources[i] = xstrdup(c->sources[i]);
    d->name = xstrdup(c->name);
    d->description = xstrdup(c->description);
    d->prov = json_deep_copy(c->prov);
    return d;
}

static int add_source(Config *c, const char *source)
{
    char **v = realloc(c->sources, (size_t)(c->nsources + 1) * sizeof *v);
    if (!v)
        abort();
    c->sources = v;
    v[c->nsources] = xstrdup(source);
    return c->nsources++;
}

/* ---- accessors -------------------------------------------------------------- */

int64_t cfg_int(const Config *c, CfgKey k) { return c->val[k].i; }
double cfg_num(const Config *c, CfgKey k) { return c->val[k].n; }
bool cfg_bool(const Config *c, CfgKey k) { return c->val[k].b; }
const char *cfg_str(const Config *c, CfgKey k) { return c->val[k].s; }
const char *cfg_name(const Config *c) { return c->name; }
const char *cfg_description(const Config *c) { return c->description; }
bool cfg_is_set(const Config *c, CfgKey k) { return c->origin[k] != ORIGIN_DEFAULT; }
const char *cfg_key_path(CfgKey k) { return (unsigned)k < CFG__COUNT ? schema[k].path : NULL; }
const char *cfg_key_desc(CfgKey k) { return (unsigned)k < CFG__COUNT ? schema[k].desc : NULL; }
CfgType cfg_key_type(CfgKey k) { return schema[k].type; }

#define PROV_DEFAULT "default (sim/schema.def)"
#define PROV_SET_PREFIX "command line: --set "

/* A cost still at its default has the schema as its source; a cost set with
 * --set gets an explicit entry naming the assignment (see cfg_apply_set). */
const char *cfg_provenance(const Config *c, const char *path)
{
    const char *p = json_string_value(json_object_get(c->prov, path));
    if (p)
        return p;
    CfgKey k = cfg_key_find(path);
    if ((int)k >= 0 && c->origin[k] == ORIGIN_DEFAULT && strncmp(path, "costs.", 6) == 0)
        return PROV_DEFAULT;
    return NULL;
}

CfgKey cfg_key_find(const char *path)
{
    for (int k = 0; k < CFG__COUNT; k++)
        if (strcmp(schema[k].path, path) == 0)
            return (CfgKey)k;
    return (CfgKey)-1;
}

/* True when some key lives below `path` (path is a section such as "costs"). */
static bool is_section(const char *path)
{
    size_t n = strlen(path);
    for (int k = 0; k < CFG__COUNT; k++)
        if (strncmp(schema[k].path, path, n) == 0 && schema[k].path[n] == '.')
            return true;
    return false;
}

/* ---- errors ----------------------------------------------------------------- */

static int fail(CfgError *err, const char *source, int line, int column, const char *path,
                const char *fmt, ...)
{
    if (!err)
        return -1;
    snprintf(err->source, sizeof err->source, "%s", source);
    err->line = line;
    err->column = column;
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    int n;
    if (line > 0 && column > 0)
        n = snprintf(err->text, sizeof err->text, "%s:%d:%d: ", source, line, column);
    else if (line > 0)
        n = snprintf(err->text, sizeof err->text, "%s:%d: ", source, line);
    else
        n = snprintf(err->text, sizeof err->text, "%s: ", source);
    if (n < 0 || (size_t)n >= sizeof err->text)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text + n, sizeof err->text - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static void consider(const char *path, const char *cand, size_t candlen, char *best,
                     size_t bestlen, size_t *bestd)
{
    char buf[200];
    if (candlen >= sizeof buf)
        return;
    memcpy(buf, cand, candlen);
    buf[candlen] = 0;
    size_t d = util_edit_distance(path, buf);
    if (d < *bestd) {
        *bestd = d;
        snprintf(best, bestlen, "%s", buf);
    }
}

/* The closest schema path or section name to `path`, or "" when nothing is close.
 * With `meta`, the top-level metadata keys are candidates too. A key that only
 * lacks its section ("world_switch_cycles" for "costs.world_switch_cycles") is
 * matched by its last component. */
static void suggest(const char *path, bool meta, char *best, size_t bestlen)
{
    size_t bestd = SIZE_MAX;
    best[0] = 0;
    for (int k = 0; k < CFG__COUNT; k++) {
        const char *p = schema[k].path;
        consider(path, p, strlen(p), best, bestlen, &bestd);
        for (const char *dot = strchr(p, '.'); dot; dot = strchr(dot + 1, '.'))
            consider(path, p, (size_t)(dot - p), best, bestlen, &bestd);
    }
    if (meta)
        for (size_t i = 0; i < META_COUNT; i++)
            consider(path, meta_keys[i], strlen(meta_keys[i]), best, bestlen, &bestd);
    size_t len = strlen(path);
    if (bestd != SIZE_MAX && bestd <= 2 + len / 5 && bestd < len)
        return;
    best[0] = 0;
    const char *last = strrchr(path, '.');
    last = last ? last + 1 : path;
    for (int k = 0; k < CFG__COUNT; k++) {
        const char *p = schema[k].path, *pl = strrchr(p, '.');
        if (pl && strcmp(pl + 1, last) == 0) {
            snprintf(best, bestlen, "%s", p);
            return;
        }
    }
}

static int fail_unknown(CfgError *err, const char *source, int line, const char *what,
                        const char *path, bool meta)
{
    char best[200];
    suggest(path, meta, best, sizeof best);
    if (best[0])
        return fail(err, source, line, 0, path, "unknown %s '%s' (did you mean '%s'?)", what,
                    path, best);
    return fail(err, source, line, 0, path, "unknown %s '%s'", what, path);
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* ---- key positions ------------------------------------------------------------ */

typedef struct PosEntry {
    char *path;
    int line, column;
} PosEntry;

typedef struct PosIndex {
    PosEntry *v;
    size_t n, cap;
} PosIndex;

static void pos_add(PosIndex *ix, const char *path, int line, int column)
{
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 32;
        PosEntry *v = realloc(ix->v, cap * sizeof *v);
        if (!v)
            return;
        ix->v = v;
        ix->cap = cap;
    }
    ix->v[ix->n++] = (PosEntry){xstrdup(path), line, column};
}

static void pos_free(PosIndex *ix)
{
    for (size_t i = 0; i < ix->n; i++)
        free(ix->v[i].path);
    free(ix->v);
}

static int pos_line(const PosIndex *ix, const char *path)
{
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->v[i].path, path) == 0)
            return ix->v[i].line;
    return 0;
}

/* Record the position of every object key under its dotted path. The text has
 * already been parsed by jansson, so only the structure matters here: strings
 * (with escapes), object and array nesting, and which strings are keys. */
static void pos_scan(PosIndex *ix, const char *text)
{
    enum { MAXDEPTH = 64 };
    struct {
        bool object;
        size_t prefix; /* length of the path of this container */
    } st[MAXDEPTH];
    int depth = 0;
    bool expect_key = false;
    char path[512] = "";
    size_t plen = 0;     /* current container's path length */
    size_t vlen = 0;     /* path length of the value about to be read */
    int line = 1, col = 0;
    for (const char *p = text; *p; p++) {
        col++;
        char ch = *p;
        if (ch == '\n') {
            line++;
            col = 0;
            continue;
        }
        if (ch == '"') {
            int kline = line, kcol = col;
            const char *s = ++p;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1])
                    p++, col++;
                p++, col++;
            }
            col++;
            size_t klen = (size_t)(p - s);
            if (depth > 0 && st[depth - 1].object && expect_key) {
                size_t np = plen;
                if (np && np + 1 < sizeof path)
                    path[np++] = '.';
                if (np + klen < sizeof path) {
                    memcpy(path + np, s, klen);
                    path[np + klen] = 0;
                    pos_add(ix, path, kline, kcol);
                    vlen = np + klen;
                }
                expect_key = false;
            }
            if (!*p)
                break;
            continue;
        }
        if (ch == '{' || ch == '[') {
            if (depth == MAXDEPTH)
                return;
            size_t pre = depth == 0 ? 0 : vlen;
            st[depth].object = ch == '{';
            st[depth].prefix = pre;
            depth++;
            plen = pre;
            path[plen] = 0;
            expect_key = ch == '{';
        } else if (ch == '}' || ch == ']') {
            if (depth > 0)
                depth--;
            plen = depth > 0 ? st[depth - 1].prefix : 0;
            path[plen] = 0;
            vlen = plen;
        } else if (ch == ',') {
            path[plen] = 0;
            vlen = plen;
            expect_key = depth > 0 && st[depth - 1].object;
        }
    }
}

/* ---- value validation ------------------------------------------------------------ */

static bool choice_ok(const char *choices, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = choices; p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0)
            return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

/* Check v against key k and store it. */
static int set_value(Config *c, CfgKey k, const json_t *v, const char *source, int line,
                     int srcidx, unsigned char origin, CfgError *err)
{
    const CfgSchema *s = &schema[k];
    const char *path = s->path;
    switch (s->type) {
    case CFGT_INT: {
        if (!json_is_integer(v))
            return fail(err, source, line, 0, path, "key '%s' must be an integer, got %s", path,
                        json_type_name(v));
        int64_t x = json_integer_value(v);
        if (x < s->ilo || x > s->ihi)
            return fail(err, source, line, 0, path,
                        "key '%s' = %lld is out of range [%lld, %lld]", path, (long long)x,
                        (long long)s->ilo, (long long)s->ihi);
        c->val[k].i = x;
        break;
    }
    case CFGT_NUM: {
        if (!json_is_number(v))
            return fail(err, source, line, 0, path, "key '%s' must be a number, got %s", path,
                        json_type_name(v));
        double x = json_number_value(v);
        if (!(x >= s->nlo && x <= s->nhi))
            return fail(err, source, line, 0, path, "key '%s' = %.17g is out of range [%g, %g]",
                        path, x, s->nlo, s->nhi);
        c->val[k].n = x;
        break;
    }
    case CFGT_BOOL:
        if (!json_is_boolean(v))
            return fail(err, source, line, 0, path, "key '%s' must be true or false, got %s",
                        path, json_type_name(v));
        c->val[k].b = json_is_true(v);
        break;
    case CFGT_STR: {
        if (!json_is_string(v))
            return fail(err, source, line, 0, path, "key '%s' must be a string, got %s", path,
                        json_type_name(v));
        const char *x = json_string_value(v);
        if (s->choices && !choice_ok(s->choices, x)) {
            char list[256];
            snprintf(list, sizeof list, "%s", s->choices);
            for (char *q = list; *q; q++)
                if (*q == '|')
                    *q = ',';
            /* "a,b,c" -> "a, b, c" */
            char pretty[400];
            size_t o = 0;
            for (const char *q = list; *q && o + 3 < sizeof pretty; q++) {
                pretty[o++] = *q;
                if (*q == ',')
                    pretty[o++] = ' ';
            }
            pretty[o] = 0;
            return fail(err, source, line, 0, path,
                        "key '%s' = \"%s\" is not a valid choice (choose one of: %s)", path, x,
                        pretty);
        }
        free(c->val[k].s);
        c->val[k].s = xstrdup(x);
        break;
    }
    }
    c->origin[k] = origin;
    c->set_src[k] = srcidx;
    c->set_line[k] = line;
    return 0;
}

/* ---- loading ------------------------------------------------------------------------ */

enum { CHAIN_MAX = 16 };

/* The layers being loaded, outermost first, to detect base cycles. */
typedef struct Chain {
    char ids[CHAIN_MAX][512];  /* "preset:NAME" or the file's real path */
    char names[CHAIN_MAX][256]; /* as shown in messages */
    int n;
} Chain;

typedef struct Layer {
    Config *c;
    const char *source;
    const PosIndex *pos;
    int srcidx;
} Layer;

static int walk(Layer *L, const json_t *obj, const char *prefix, CfgError *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        char path[400];
        if (prefix[0])
            snprintf(path, sizeof path, "%s.%s", prefix, key);
        else
            snprintf(path, sizeof path, "%s", key);
        if (!prefix[0]) {
            bool meta = false;
            for (size_t i = 0; i < META_COUNT; i++)
                meta |= strcmp(key, meta_keys[i]) == 0;
            if (meta)
                continue;
        }
        int line = pos_line(L->pos, path);
        CfgKey k = cfg_key_find(path);
        if ((int)k >= 0) {
            if (set_value(L->c, k, v, L->source, line, L->srcidx, ORIGIN_FILE, err))
                return -1;
        } else if (is_section(path)) {
            if (!json_is_object(v))
                return fail(err, L->source, line, 0, path, "section '%s' must be an object, got %s",
                            path, json_type_name(v));
            if (walk(L, v, path, err))
                return -1;
        } else {
            return fail_unknown(err, L->source, line, json_is_object(v) ? "section" : "key", path,
                                !prefix[0]);
        }
    }
    return 0;
}

static int load_text(Config *c, const char *text, const char *source, const char *dir,
                     const char *stem, const char *id, Chain *chain, CfgError *err);

static char *read_file(const char *path, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    for (;;) {
        if (n + 1 >= cap) {
            char *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    int saved = errno;
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(why, whylen, "%s", strerror(saved));
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    if (strlen(buf) != n) {
        snprintf(why, whylen, "file contains a NUL byte");
        free(buf);
        return NULL;
    }
    return buf;
}

/* "dir/name.json" -> "name" */
static void file_stem(const char *path, char *out, size_t outlen)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(out, outlen, "%s", b);
    size_t n = strlen(out);
    if (n > 5 && strcmp(out + n - 5, ".json") == 0)
        out[n - 5] = 0;
}

static void file_dir(const char *path, char *out, size_t outlen)
{
    const char *b = strrchr(path, '/');
    if (!b)
        snprintf(out, outlen, ".");
    else
        snprintf(out, outlen, "%.*s", (int)(b - path), path);
}

static int chain_find(const Chain *chain, const char *id)
{
    for (int i = 0; i < chain->n; i++)
        if (strcmp(chain->ids[i], id) == 0)
            return i;
    return -1;
}

static int chain_push(Chain *chain, const char *id, const char *source, CfgError *err)
{
    if (chain->n == CHAIN_MAX)
        return fail(err, source, 0, 0, "base", "base chain deeper than %d", CHAIN_MAX);
    snprintf(chain->ids[chain->n], sizeof chain->ids[0], "%s", id);
    snprintf(chain->names[chain->n], sizeof chain->names[0], "%s", source);
    chain->n++;
    return 0;
}

/* Fails when loading `id` as the base of the innermost layer would close a cycle. */
static int chain_check(const Chain *chain, const char *id, const char *source, int line,
                       CfgError *err)
{
    int i = chain_find(chain, id);
    if (i < 0)
        return 0;
    char cyc[400] = "";
    size_t o = 0;
    for (int j = i; j <= chain->n && o < sizeof cyc; j++)
        o += (size_t)snprintf(cyc + o, sizeof cyc - o, "%s%s", j > i ? " -> " : "",
                              chain->names[j < chain->n ? j : i]);
    return fail(err, source, line, 0, "base", "base cycle: %s", cyc);
}

static void file_id(const char *path, char *id, size_t idlen)
{
    char *rp = realpath(path, NULL);
    snprintf(id, idlen, "%s", rp ? rp : path);
    free(rp);
}

static int load_preset(Config *c, const char *name, Chain *chain, const char *source,
                       int line, CfgError *err)
{
    const PresetBlob *b = preset_find(name);
    if (!b) {
        if (!source)
            return fail(err, "--preset", 0, 0, "",
                        "no preset named '%s' (see 'vnicsim presets')", name);
        return fail(err, source, line, 0, "base",
                    "base preset '%s' does not exist (see 'vnicsim presets')", name);
    }
    char id[300];
    snprintf(id, sizeof id, "preset:%s", name);
    if (source && chain_check(chain, id, source, line, err))
        return -1;
    return load_text(c, b->json, b->path, NULL, b->name, id, chain, err);
}

static int load_file(Config *c, const char *path, Chain *chain, const char *source, int line,
                     CfgError *err)
{
    char why[128];
    char *text = read_file(path, why, sizeof why);
    if (!text) {
        if (source)
            return fail(err, source, line, 0, "base", "cannot read base file '%s': %s", path, why);
        return fail(err, path, 0, 0, "", "cannot read: %s", why);
    }
    char stem[256], dir[1024], id[1024];
    file_stem(path, stem, sizeof stem);
    file_dir(path, dir, sizeof dir);
    file_id(path, id, sizeof id);
    int r = source && chain_check(chain, id, source, line, err) ? -1
            : load_text(c, text, path, dir, stem, id, chain, err);
    free(text);
    return r;
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

static int load_text(Config *c, const char *text, const char *source, const char *dir,
                     const char *stem, const char *id, Chain *chain, CfgError *err)
{
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fail(err, source, je.line > 0 ? je.line : 1, je.column > 0 ? je.column : 1, "",
                    "%s", je.text);
    PosIndex pos = {0};
    int rc = -1;
    bool pushed = false;
    if (!json_is_object(root)) {
        fail(err, source, 1, 0, "", "the top level must be a JSON object, got %s",
             json_type_name(root));
        goto out;
    }
    pos_scan(&pos, text);
    if (chain_push(chain, id, source, err))
        goto out;
    pushed = true;

    /* version */
    json_t *ver = json_object_get(root, "version");
    int vline = pos_line(&pos, "version");
    if (!ver) {
        fail(err, source, 0, 0, "version", "missing \"version\" (this vnicsim reads version %d)",
             CFG_VERSION);
        goto out;
    }
    if (!json_is_integer(ver)) {
        fail(err, source, vline, 0, "version", "key 'version' must be an integer, got %s",
             json_type_name(ver));
        goto out;
    }
    json_int_t vn = json_integer_value(ver);
    if (vn > CFG_VERSION) {
        fail(err, source, vline, 0, "version",
             "configuration version %lld is newer than this vnicsim supports (%d)",
             (long long)vn, CFG_VERSION);
        goto out;
    }
    if (vn < CFG_VERSION) {
        fail(err, source, vline, 0, "version",
             "configuration version %lld is older than this vnicsim supports (%d)",
             (long long)vn, CFG_VERSION);
        goto out;
    }

    /* metadata types */
    static const char *const strkeys[] = {"name", "description", "base", "vnicsim_version"};
    for (size_t i = 0; i < sizeof strkeys / sizeof strkeys[0]; i++) {
        json_t *v = json_object_get(root, strkeys[i]);
        if (v && !json_is_string(v)) {
            fail(err, source, pos_line(&pos, strkeys[i]), 0, strkeys[i],
                 "key '%s' must be a string, got %s", strkeys[i], json_type_name(v));
            goto out;
        }
    }
    const char *desc = json_string_value(json_object_get(root, "description"));
    if (desc && strchr(desc, '\n')) {
        fail(err, source, pos_line(&pos, "description"), 0, "description",
             "\"description\" must be one line");
        goto out;
    }
    json_t *prov = json_object_get(root, "provenance");
    if (prov && !json_is_object(prov)) {
        fail(err, source, pos_line(&pos, "provenance"), 0, "provenance",
             "key 'provenance' must be an object, got %s", json_type_name(prov));
        goto out;
    }

    /* base first: its values and provenance lie below this layer's */
    const char *base = json_string_value(json_object_get(root, "base"));
    if (base) {
        int bline = pos_line(&pos, "base");
        size_t bl = strlen(base);
        bool is_file = strchr(base, '/') || (bl > 5 && strcmp(base + bl - 5, ".json") == 0);
        if (is_file) {
            if (!dir) {
                fail(err, source, bline, 0, "base", "a preset's base must be a preset name, not '%s'",
                     base);
                goto out;
            }
            char bpath[1024];
            if (base[0] == '/')
                snprintf(bpath, sizeof bpath, "%s", base);
            else
                snprintf(bpath, sizeof bpath, "%s/%s", dir, base);
            if (load_file(c, bpath, chain, source, bline, err))
                goto out;
        } else if (load_preset(c, base, chain, source, bline, err)) {
            goto out;
        }
    }

    Layer L = {c, source, &pos, add_source(c, source)};
    if (walk(&L, root, "", err))
        goto out;

    if (prov) {
        const char *key;
        json_t *v;
        json_object_foreach(prov, key, v) {
            char ppath[400];
            snprintf(ppath, sizeof ppath, "provenance.%s", key);
            int pline = pos_line(&pos, ppath);
            if ((int)cfg_key_find(key) < 0) {
                char best[200];
                suggest(key, false, best, sizeof best);
                if (best[0])
                    fail(err, source, pline, 0, ppath,
                         "provenance names unknown key '%s' (did you mean '%s'?)", key, best);
                else
                    fail(err, source, pline, 0, ppath, "provenance names unknown key '%s'", key);
                goto out;
            }
            if (!json_is_string(v) || json_string_length(v) == 0) {
                fail(err, source, pline, 0, ppath,
                     "provenance of '%s' must be a non-empty string, got %s", key,
                     json_is_string(v) ? "an empty string" : json_type_name(v));
                goto out;
            }
            json_object_set(c->prov, key, v);
        }
    }

    const char *name = json_string_value(json_object_get(root, "name"));
    if (name && (!name[0] || name[0] == '.' || strspn(name, NAME_CHARS) != strlen(name))) {
        fail(err, source, pos_line(&pos, "name"), 0, "name",
             "\"name\" must be letters, digits, '.', '_' or '-' (it names result directories)");
        goto out;
    }
    free(c->name);
    c->name = xstrdup(name ? name : stem);
    if (desc) {
        free(c->description);
        c->description = xstrdup(desc);
    }
    rc = 0;
out:
    if (pushed)
        chain->n--;
    pos_free(&pos);
    json_decref(root);
    return rc;
}

int cfg_apply_preset(Config *c, const char *name, CfgError *err)
{
    Chain chain = {.n = 0};
    return load_preset(c, name, &chain, NULL, 0, err);
}

int cfg_apply_file(Config *c, const char *path, CfgError *err)
{
    Chain chain = {.n = 0};
    return load_file(c, path, &chain, NULL, 0, err);
}

int cfg_apply_text(Config *c, const char *text, const char *source, const char *dir,
                   const char *stem, CfgError *err)
{
    Chain chain = {.n = 0};
    return load_text(c, text, source, dir, stem, source, &chain, err);
}

int cfg_apply_set(Config *c, const char *assignment, CfgError *err)
{
    char src[300];
    snprintf(src, sizeof src, "--set %s", assignment);
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return fail(err, src, 0, 0, "", "expected dotted.path=value");
    char path[200];
    size_t plen = (size_t)(eq - assignment);
    if (plen >= sizeof path)
        return fail(err, src, 0, 0, "", "key too long");
    memcpy(path, assignment, plen);
    path[plen] = 0;
    CfgKey k = cfg_key_find(path);
    if ((int)k < 0) {
        if (is_section(path))
            return fail(err, src, 0, 0, path,
                        "'%s' is a section; set one of its keys (e.g. '%s.<key>=value')", path,
                        path);
        return fail_unknown(err, src, 0, "key", path, false);
    }
    const char *text = eq + 1;
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (v && schema[k].type == CFGT_STR && !json_is_string(v)) {
        json_decref(v); /* "--set name=123": a string key takes the text as it is */
        v = NULL;
    }
    if (!v)
        v = json_string(text);
    if (!v)
        return fail(err, src, 0, 0, path, "value is not valid UTF-8");
    int r = set_value(c, k, v, src, 0, add_source(c, "--set"), ORIGIN_SET, err);
    json_decref(v);
    if (r == 0 && strncmp(path, "costs.", 6) == 0) {
        char prov[300];
        snprintf(prov, sizeof prov, PROV_SET_PREFIX "%s", assignment);
        json_object_set_new(c->prov, path, json_string(prov));
    }
    return r;
}

int cfg_check_provenance(const Config *c, CfgError *err)
{
    for (int k = 0; k < CFG__COUNT; k++) {
        if (strncmp(schema[k].path, "costs.", 6) != 0 || c->origin[k] != ORIGIN_FILE)
            continue;
        if (!cfg_provenance(c, schema[k].path)) {
            const char *src = c->set_src[k] >= 0 ? c->sources[c->set_src[k]] : "?";
            return fail(err, src, c->set_line[k], 0, schema[k].path,
                        "cost '%s' has no provenance entry", schema[k].path);
        }
    }
    return 0;
}

/* ---- output --------------------------------------------------------------------------- */

json_t *cfg_to_json(const Config *c)
{
    json_t *root = json_object();
    json_object_set_new(root, "version", json_integer(CFG_VERSION));
    json_object_set_new(root, "name", json_string(c->name));
    json_object_set_new(root, "description", json_string(c->description));
    for (int k = 0; k < CFG__COUNT; k++) {
        json_t *obj = root;
        char part[200];
        const char *p = schema[k].path;
        for (const char *dot; (dot = strchr(p, '.')); p = dot + 1) {
            snprintf(part, sizeof part, "%.*s", (int)(dot - p), p);
            json_t *sub = json_object_get(obj, part);
            if (!sub) {
                sub = json_object();
                json_object_set_new(obj, part, sub);
            }
            obj = sub;
        }
        json_t *v = NULL;
        switch (schema[k].type) {
        case CFGT_INT: v = json_integer(c->val[k].i); break;
        case CFGT_NUM: v = json_real(c->val[k].n); break;
        case CFGT_BOOL: v = json_boolean(c->val[k].b); break;
        case CFGT_STR: v = json_string(c->val[k].s); break;
        }
        json_object_set_new(obj, p, v);
    }
    /* provenance in schema order, whatever order the files gave it in */
    json_t *prov = json_object();
    for (int k = 0; k < CFG__COUNT; k++) {
        const char *v = cfg_provenance(c, schema[k].path);
        if (v)
            json_object_set_new(prov, schema[k].path, json_string(v));
    }
    json_object_set_new(root, "provenance", prov);
    return root;
}

int cfg_real_precision(const Config *c)
{
    int need = 15; /* fewer digits gain nothing and print 600000 as 6e5 */
    for (int k = 0; k < CFG__COUNT; k++) {
        if (schema[k].type != CFGT_NUM)
            continue;
        double x = c->val[k].n;
        int p = need;
        for (; p < 17; p++) {
            char buf[40];
            snprintf(buf, sizeof buf, "%.*g", p, x);
            if (strtod(buf, NULL) == x)
                break;
        }
        need = p;
    }
    return need;
}
