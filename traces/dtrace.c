/* dtrace: reader and writer of the project's driver-trace format; see dtrace.h and
 * traces/README.md (the grammar). */
#include "traces/dtrace.h"
#include "traces/lex.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define DTRACE_LINE_MAX (1u << 20) /* longest line accepted by the line reader */

/* ------------------------------------------------------------------ line input */

struct DtraceLineIn {
    gzFile gz;
    char *path;
    char *buf;
    size_t cap;
    unsigned lineno;
};

static void dtrace_seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

DtraceLineIn *dtrace_lines_open(const char *path, char *err, size_t errlen)
{
    DtraceLineIn *in = calloc(1, sizeof *in);
    if (!in) {
        dtrace_seterr(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    errno = 0;
    in->gz = gzopen(path, "rb");
    if (!in->gz) {
        dtrace_seterr(err, errlen, "%s: cannot open: %s", path,
                      errno ? strerror(errno) : "out of memory");
        free(in);
        return NULL;
    }
    in->path = strdup(path);
    in->cap = 4096;
    in->buf = malloc(in->cap);
    if (!in->path || !in->buf) {
        dtrace_seterr(err, errlen, "%s: out of memory", path);
        dtrace_lines_close(in);
        return NULL;
    }
    return in;
}

int dtrace_lines_next(DtraceLineIn *in, char **line, unsigned *lineno, char *err, size_t errlen)
{
    size_t len = 0;
    for (;;) {
        if (!gzgets(in->gz, in->buf + len, (int)(in->cap - len))) {
            int zerr = 0;
            const char *msg = gzerror(in->gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END) {
                dtrace_seterr(err, errlen, "%s:%u: read error: %s", in->path, in->lineno + 1,
                              zerr == Z_ERRNO ? strerror(errno) : msg);
                return -1;
            }
            if (len == 0)
                return 0;
            break; /* last line without a newline */
        }
        len += strlen(in->buf + len);
        if (len > 0 && in->buf[len - 1] == '\n')
            break;
        if (gzeof(in->gz))
            break;
        if (in->cap >= DTRACE_LINE_MAX) {
            dtrace_seterr(err, errlen, "%s:%u: line longer than %u bytes", in->path,
                          in->lineno + 1, DTRACE_LINE_MAX);
            return -1;
        }
        char *nb = realloc(in->buf, in->cap * 2);
        if (!nb) {
            dtrace_seterr(err, errlen, "%s: out of memory", in->path);
            return -1;
        }
        in->buf = nb;
        in->cap *= 2;
    }
    while (len > 0 && (in->buf[len - 1] == '\n' || in->buf[len - 1] == '\r'))
        in->buf[--len] = '\0';
    in->lineno++;
    *line = in->buf;
    *lineno = in->lineno;
    return 1;
}

void dtrace_lines_close(DtraceLineIn *in)
{
    if (!in)
        return;
    if (in->gz)
        gzclose(in->gz);
    free(in->path);
    free(in->buf);
    free(in);
}

static const char *const dtrace_kind_names[] = {
    [DTRACE_READ] = "R",      [DTRACE_WRITE] = "W",  [DTRACE_IRQ] = "IRQ",
    [DTRACE_INIT] = "INIT",   [DTRACE_RLEN] = "RLEN", [DTRACE_RINGS] = "RINGS",
    [DTRACE_SRESET] = "SRESET", [DTRACE_MEM] = "MEM",
};

const char *dtrace_kind_name(DtraceKind k)
{
    if ((unsigned)k < sizeof dtrace_kind_names / sizeof dtrace_kind_names[0] && dtrace_kind_names[k])
        return dtrace_kind_names[k];
    return "?";
}

#define PERR(...) do { dtrace_seterr(err, errlen, __VA_ARGS__); return -1; } while (0)

int dtrace_parse_record(const char *line, DtraceRec *rec, uint8_t *buf, char *err, size_t errlen)
{
    LexTok t[8];
    int n = lex_split(line, t, 8, true);
    if (n < 0)
        PERR("too many fields");
    if (n < 2)
        PERR("a record needs a time and a kind");
    memset(rec, 0, sizeof *rec);
    uint64_t v;
    if (lex_dec(t[0].s, t[0].n, UINT64_MAX, &v) < 0)
        PERR("bad time '%.*s' (integer nanoseconds)", (int)t[0].n, t[0].s);
    rec->t_ns = v;
    const LexTok *k = &t[1];
    int want;
    if (lex_tok_is(k, "R") || lex_tok_is(k, "W")) {
        rec->kind = lex_tok_is(k, "R") ? DTRACE_READ : DTRACE_WRITE;
        want = 5;
        if (n != want)
            PERR("%s needs OFFSET SIZE VALUE (got %d fields)", lex_tok_is(k, "R") ? "R" : "W", n - 2);
        if (lex_hex(t[2].s, t[2].n, 2, 0x1f, &v) < 0)
            PERR("bad offset '%.*s' (0x00..0x1f, two hex digits)", (int)t[2].n, t[2].s);
        rec->off = (uint8_t)v;
        if (lex_dec(t[3].s, t[3].n, 4, &v) < 0 || (v != 1 && v != 2 && v != 4))
            PERR("bad size '%.*s' (1, 2 or 4)", (int)t[3].n, t[3].s);
        rec->size = (uint8_t)v;
        if (lex_hex(t[4].s, t[4].n, 2u * rec->size, UINT32_MAX, &v) < 0)
            PERR("bad value '%.*s' (0x and %u hex digits for size %u)", (int)t[4].n, t[4].s,
                 2u * rec->size, rec->size);
        rec->value = (uint32_t)v;
        if (rec->off + rec->size > 0x20)
            PERR("access at 0x%02x size %u crosses the end of the 32-byte BAR", rec->off, rec->size);
    } else if (lex_tok_is(k, "IRQ")) {
        rec->kind = DTRACE_IRQ;
        if (n != 3 && n != 4)
            PERR("IRQ needs LEVEL [async]");
        if (lex_dec(t[2].s, t[2].n, 1, &v) < 0 || t[2].n != 1)
            PERR("bad IRQ level '%.*s' (0 or 1)", (int)t[2].n, t[2].s);
        rec->level = (uint8_t)v;
        if (n == 4) {
            if (!lex_tok_is(&t[3], "async"))
                PERR("unexpected '%.*s' after IRQ level (only 'async')", (int)t[3].n, t[3].s);
            rec->async = true;
        }
    } else if (lex_tok_is(k, "INIT")) {
        rec->kind = DTRACE_INIT;
        if (n != 3)
            PERR("INIT needs ADDRESS");
        if (lex_hex(t[2].s, t[2].n, 0, UINT64_MAX, &v) < 0)
            PERR("bad INIT address '%.*s'", (int)t[2].n, t[2].s);
        rec->addr = v;
    } else if (lex_tok_is(k, "RLEN")) {
        rec->kind = DTRACE_RLEN;
        if (n != 4)
            PERR("RLEN needs RLEN TLEN");
        if (lex_dec(t[2].s, t[2].n, 15, &v) < 0)
            PERR("bad RLEN '%.*s' (0..15)", (int)t[2].n, t[2].s);
        rec->rlen = (uint8_t)v;
        if (lex_dec(t[3].s, t[3].n, 15, &v) < 0)
            PERR("bad TLEN '%.*s' (0..15)", (int)t[3].n, t[3].s);
        rec->tlen = (uint8_t)v;
    } else if (lex_tok_is(k, "RINGS")) {
        rec->kind = DTRACE_RINGS;
        if (n != 7)
            PERR("RINGS needs SS32 RDRA RCVRL TDRA XMTRL");
        if (lex_dec(t[2].s, t[2].n, 1, &v) < 0)
            PERR("bad SS32 '%.*s' (0 or 1)", (int)t[2].n, t[2].s);
        rec->ss32 = (uint8_t)v;
        if (lex_hex(t[3].s, t[3].n, 0, UINT32_MAX, &v) < 0)
            PERR("bad RDRA '%.*s'", (int)t[3].n, t[3].s);
        rec->rdra = (uint32_t)v;
        if (lex_dec(t[4].s, t[4].n, 65535, &v) < 0)
            PERR("bad RCVRL '%.*s' (0..65535)", (int)t[4].n, t[4].s);
        rec->rcvrl = (uint32_t)v;
        if (lex_hex(t[5].s, t[5].n, 0, UINT32_MAX, &v) < 0)
            PERR("bad TDRA '%.*s'", (int)t[5].n, t[5].s);
        rec->tdra = (uint32_t)v;
        if (lex_dec(t[6].s, t[6].n, 65535, &v) < 0)
            PERR("bad XMTRL '%.*s' (0..65535)", (int)t[6].n, t[6].s);
        rec->xmtrl = (uint32_t)v;
    } else if (lex_tok_is(k, "SRESET")) {
        rec->kind = DTRACE_SRESET;
        if (n != 2)
            PERR("SRESET takes no arguments");
    } else if (lex_tok_is(k, "MEM")) {
        rec->kind = DTRACE_MEM;
        if (n != 4)
            PERR("MEM needs ADDRESS HEXBYTES");
        if (lex_hex(t[2].s, t[2].n, 0, UINT64_MAX, &v) < 0)
            PERR("bad MEM address '%.*s'", (int)t[2].n, t[2].s);
        rec->addr = v;
        if (t[3].n == 0 || t[3].n % 2 || t[3].n / 2 > DTRACE_MEM_MAX)
            PERR("MEM bytes must be an even number of hex digits, 2..%u", 2 * DTRACE_MEM_MAX);
        for (size_t i = 0; i < t[3].n; i += 2) {
            int hi = lex_hexval(t[3].s[i]), lo = lex_hexval(t[3].s[i + 1]);
            if (hi < 0 || lo < 0)
                PERR("bad hex byte '%.2s' in MEM data", t[3].s + i);
            buf[i / 2] = (uint8_t)(hi << 4 | lo);
        }
        rec->data = buf;
        rec->len = t[3].n / 2;
    } else {
        PERR("unknown record kind '%.*s'", (int)k->n, k->s);
    }
    return 0;
}

int dtrace_parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = lex_hexval(s[0]), lo = hi < 0 ? -1 : lex_hexval(s[1]);
        if (hi < 0 || lo < 0)
            return -1;
        mac[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i < 5 && *s++ != ':')
            return -1;
    }
    return *s ? -1 : 0;
}

/* ------------------------------------------------------------------ reader */

struct DtraceReader {
    DtraceLineIn *in;
    char *path;
    DtraceHeader hdr;
    char *pending;      /* first record line, read while parsing the header */
    unsigned pending_line;
    uint64_t last_t;
    bool failed;
    char err[DTRACE_ERR_MAX];
    uint8_t mem[DTRACE_MEM_MAX];
};

static int dtrace_header_line(DtraceReader *r, const char *line, unsigned ln)
{
    const char *sp = strchr(line, ' ');
    size_t kl = sp ? (size_t)(sp - line) : strlen(line);
    const char *val = sp ? sp + 1 : "";
    while (*val == ' ')
        val++;
    if (kl == 7 && !memcmp(line, "@source", 7)) {
        snprintf(r->hdr.source, sizeof r->hdr.source, "%s", val);
    } else if (kl == 4 && !memcmp(line, "@bar", 4)) {
        uint64_t v;
        if (lex_hex(val, strlen(val), 0, UINT64_MAX, &v) < 0) {
            snprintf(r->err, sizeof r->err, "%s:%u: bad @bar '%s'", r->path, ln, val);
            return -1;
        }
        r->hdr.has_bar = true;
        r->hdr.bar = v;
    } else if (kl == 4 && !memcmp(line, "@mac", 4)) {
        if (dtrace_parse_mac(val, r->hdr.mac) < 0) {
            snprintf(r->err, sizeof r->err, "%s:%u: bad @mac '%s' (aa:bb:cc:dd:ee:ff)", r->path, ln, val);
            return -1;
        }
        r->hdr.has_mac = true;
    } else {
        snprintf(r->err, sizeof r->err, "%s:%u: unknown header key '%.*s'", r->path, ln, (int)kl, line);
        return -1;
    }
    return 0;
}

static bool dtrace_blank(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    return *line == '\0' || *line == '#';
}

DtraceReader *dtrace_open(const char *path, char *err, size_t errlen)
{
    DtraceReader *r = calloc(1, sizeof *r);
    if (!r) {
        dtrace_seterr(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    r->path = strdup(path);
    r->in = dtrace_lines_open(path, err, errlen);
    if (!r->path || !r->in)
        goto fail;
    char *line;
    unsigned ln;
    int rc = dtrace_lines_next(r->in, &line, &ln, err, errlen);
    if (rc < 0)
        goto fail;
    if (rc == 0) {
        dtrace_seterr(err, errlen, "%s: empty file (expected '%s %d')", path, DTRACE_MAGIC, DTRACE_VERSION);
        goto fail;
    }
    size_t ml = strlen(DTRACE_MAGIC);
    if (strncmp(line, DTRACE_MAGIC, ml) != 0 || line[ml] != ' ') {
        dtrace_seterr(err, errlen, "%s:1: not a vnicsim driver trace (first line must be '%s %d')",
                      path, DTRACE_MAGIC, DTRACE_VERSION);
        goto fail;
    }
    uint64_t ver;
    if (lex_dec(line + ml + 1, strlen(line + ml + 1), 1000000, &ver) < 0) {
        dtrace_seterr(err, errlen, "%s:1: bad format version '%s'", path, line + ml + 1);
        goto fail;
    }
    if (ver != DTRACE_VERSION) {
        dtrace_seterr(err, errlen, "%s:1: format version %" PRIu64 " is %s than this reader's (%d)",
                      path, ver, ver > DTRACE_VERSION ? "newer" : "older", DTRACE_VERSION);
        goto fail;
    }
    r->hdr.version = (int)ver;
    for (;;) {
        rc = dtrace_lines_next(r->in, &line, &ln, err, errlen);
        if (rc < 0)
            goto fail;
        if (rc == 0)
            break;
        if (dtrace_blank(line))
            continue;
        if (line[0] == '@') {
            if (dtrace_header_line(r, line, ln) < 0) {
                dtrace_seterr(err, errlen, "%s", r->err);
                goto fail;
            }
            continue;
        }
        r->pending = strdup(line);
        r->pending_line = ln;
        if (!r->pending) {
            dtrace_seterr(err, errlen, "%s: out of memory", path);
            goto fail;
        }
        break;
    }
    return r;
fail:
    dtrace_close(r);
    return NULL;
}

const DtraceHeader *dtrace_header(const DtraceReader *r) { return &r->hdr; }
const char *dtrace_error(const DtraceReader *r) { return r->err; }

int dtrace_next(DtraceReader *r, DtraceRec *rec)
{
    if (r->failed)
        return -1;
    for (;;) {
        char *line;
        unsigned ln;
        char *owned = NULL;
        if (r->pending) {
            owned = r->pending;
            line = owned;
            ln = r->pending_line;
            r->pending = NULL;
        } else {
            int rc = dtrace_lines_next(r->in, &line, &ln, r->err, sizeof r->err);
            if (rc <= 0) {
                r->failed = rc < 0;
                return rc;
            }
        }
        if (dtrace_blank(line)) {
            free(owned);
            continue;
        }
        char msg[DTRACE_ERR_MAX - 64];
        int rc;
        if (line[0] == '@') {
            snprintf(msg, sizeof msg, "header line '%.40s' after the first record", line);
            rc = -1;
        } else {
            rc = dtrace_parse_record(line, rec, r->mem, msg, sizeof msg);
        }
        free(owned);
        if (rc == 0 && rec->t_ns < r->last_t) {
            snprintf(msg, sizeof msg, "time %" PRIu64 " goes backwards (previous %" PRIu64 ")",
                     rec->t_ns, r->last_t);
            rc = -1;
        }
        if (rc < 0) {
            snprintf(r->err, sizeof r->err, "%s:%u: %s", r->path, ln, msg);
            r->failed = true;
            return -1;
        }
        r->last_t = rec->t_ns;
        rec->line = ln;
        return 1;
    }
}

void dtrace_close(DtraceReader *r)
{
    if (!r)
        return;
    dtrace_lines_close(r->in);
    free(r->pending);
    free(r->path);
    free(r);
}

/* ------------------------------------------------------------------ writer */

struct DtraceWriter {
    FILE *f;        /* plain output (or stdout) */
    gzFile gz;      /* gzip output */
    bool is_stdout;
    bool failed;
    char *path;
    char *line;
    size_t cap;
};

static int dtrace_out(DtraceWriter *w, const char *s, size_t n)
{
    if (w->failed)
        return -1;
    if (w->gz) {
        if (gzwrite(w->gz, s, (unsigned)n) != (int)n)
            w->failed = true;
    } else if (fwrite(s, 1, n, w->f) != n) {
        w->failed = true;
    }
    return w->failed ? -1 : 0;
}

DtraceWriter *dtrace_create(const char *path, const DtraceHeader *h, char *err, size_t errlen)
{
    DtraceWriter *w = calloc(1, sizeof *w);
    if (!w) {
        dtrace_seterr(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    w->cap = 2 * DTRACE_MEM_MAX + 256;
    w->line = malloc(w->cap);
    w->path = strdup(path);
    if (!w->line || !w->path) {
        dtrace_seterr(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    size_t pl = strlen(path);
    errno = 0;
    if (strcmp(path, "-") == 0) {
        w->f = stdout;
        w->is_stdout = true;
    } else if (pl > 3 && strcmp(path + pl - 3, ".gz") == 0) {
        w->gz = gzopen(path, "wb9");
        if (!w->gz) {
            dtrace_seterr(err, errlen, "%s: cannot create: %s", path, errno ? strerror(errno) : "zlib");
            goto fail;
        }
    } else {
        w->f = fopen(path, "w");
        if (!w->f) {
            dtrace_seterr(err, errlen, "%s: cannot create: %s", path, strerror(errno));
            goto fail;
        }
    }
    char hb[600];
    int n = snprintf(hb, sizeof hb, "%s %d\n", DTRACE_MAGIC, DTRACE_VERSION);
    dtrace_out(w, hb, (size_t)n);
    if (h && h->source[0]) {
        n = snprintf(hb, sizeof hb, "@source %s\n", h->source);
        dtrace_out(w, hb, (size_t)n);
    }
    if (h && h->has_bar) {
        n = snprintf(hb, sizeof hb, "@bar 0x%" PRIx64 "\n", h->bar);
        dtrace_out(w, hb, (size_t)n);
    }
    if (h && h->has_mac) {
        n = snprintf(hb, sizeof hb, "@mac %02x:%02x:%02x:%02x:%02x:%02x\n", h->mac[0], h->mac[1],
                     h->mac[2], h->mac[3], h->mac[4], h->mac[5]);
        dtrace_out(w, hb, (size_t)n);
    }
    if (w->failed) {
        dtrace_seterr(err, errlen, "%s: write error", path);
        goto fail;
    }
    return w;
fail:
    if (w->gz)
        gzclose(w->gz);
    if (w->f && !w->is_stdout)
        fclose(w->f);
    free(w->line);
    free(w->path);
    free(w);
    return NULL;
}

int dtrace_format_record(const DtraceRec *rec, const char *comment, char *buf, size_t buflen)
{
    int n;
    switch (rec->kind) {
    case DTRACE_READ:
    case DTRACE_WRITE:
        if (rec->off > 0x1f || (rec->size != 1 && rec->size != 2 && rec->size != 4))
            return -1;
        n = snprintf(buf, buflen, "%" PRIu64 " %s 0x%02x %u 0x%0*" PRIx32, rec->t_ns,
                     rec->kind == DTRACE_READ ? "R" : "W", rec->off, rec->size, 2 * rec->size,
                     rec->size == 4 ? rec->value : rec->value & ((1u << (8 * rec->size)) - 1));
        break;
    case DTRACE_IRQ:
        n = snprintf(buf, buflen, "%" PRIu64 " IRQ %u%s", rec->t_ns, rec->level ? 1u : 0u,
                     rec->async ? " async" : "");
        break;
    case DTRACE_INIT:
        n = snprintf(buf, buflen, "%" PRIu64 " INIT 0x%" PRIx64, rec->t_ns, rec->addr);
        break;
    case DTRACE_RLEN:
        n = snprintf(buf, buflen, "%" PRIu64 " RLEN %u %u", rec->t_ns, rec->rlen & 15u, rec->tlen & 15u);
        break;
    case DTRACE_RINGS:
        n = snprintf(buf, buflen, "%" PRIu64 " RINGS %u 0x%08" PRIx32 " %" PRIu32 " 0x%08" PRIx32 " %" PRIu32,
                     rec->t_ns, rec->ss32 ? 1u : 0u, rec->rdra, rec->rcvrl & 0xffff, rec->tdra,
                     rec->xmtrl & 0xffff);
        break;
    case DTRACE_SRESET:
        n = snprintf(buf, buflen, "%" PRIu64 " SRESET", rec->t_ns);
        break;
    case DTRACE_MEM: {
        if (rec->len == 0 || rec->len > DTRACE_MEM_MAX || !rec->data)
            return -1;
        n = snprintf(buf, buflen, "%" PRIu64 " MEM 0x%" PRIx64 " ", rec->t_ns, rec->addr);
        if (n < 0 || (size_t)n + 2 * rec->len >= buflen)
            return -1;
        static const char hx[] = "0123456789abcdef";
        for (size_t i = 0; i < rec->len; i++) {
            buf[n++] = hx[rec->data[i] >> 4];
            buf[n++] = hx[rec->data[i] & 15];
        }
        buf[n] = '\0';
        break;
    }
    default:
        return -1;
    }
    if (n < 0 || (size_t)n >= buflen)
        return -1;
    if (comment && comment[0]) {
        int m = snprintf(buf + n, buflen - (size_t)n, " # %s", comment);
        if (m < 0 || (size_t)(n + m) >= buflen)
            return -1;
        n += m;
    }
    return n;
}

int dtrace_write(DtraceWriter *w, const DtraceRec *rec, const char *comment)
{
    int n = dtrace_format_record(rec, comment, w->line, w->cap - 1);
    if (n < 0)
        return -1;
    w->line[n++] = '\n';
    return dtrace_out(w, w->line, (size_t)n);
}

int dtrace_finish(DtraceWriter *w, char *err, size_t errlen)
{
    if (!w)
        return -1;
    bool bad = w->failed;
    if (w->gz) {
        if (gzclose(w->gz) != Z_OK)
            bad = true;
    } else if (w->is_stdout) {
        if (fflush(w->f) != 0)
            bad = true;
    } else if (fclose(w->f) != 0) {
        bad = true;
    }
    if (bad)
        dtrace_seterr(err, errlen, "%s: write error", w->path);
    free(w->line);
    free(w->path);
    free(w);
    return bad ? -1 : 0;
}
