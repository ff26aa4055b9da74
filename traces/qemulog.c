/* qemulog: QEMU trace-log importer and any-format trace input; see qemulog.h. */
#include "traces/qemulog.h"
#include "traces/lex.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QEMULOG_DETECT_LINES 1000 /* how far the format detection looks */
#define QEMULOG_MAX_VCPU_TIDS 64

struct QemulogReader {
    QemulogFormat fmt;
    DtraceReader *dt;        /* QEMULOG_FMT_DTRACE */
    DtraceLineIn *in;        /* the QEMU formats */
    char *path;
    DtraceHeader hdr;
    bool have_t0;
    uint64_t t0_us;          /* raw: absolute time of the first pcnet-io access */
    uint64_t last_t;
    uint64_t tids[QEMULOG_MAX_VCPU_TIDS]; /* threads that made pcnet-io accesses */
    unsigned ntids;
    bool failed;
    char err[DTRACE_ERR_MAX];
};

/* QEMU log decimals: 1..19 digits. */
static int qdec(const char *s, size_t n, uint64_t *out)
{
    return n > 19 ? -1 : lex_dec(s, n, UINT64_MAX, out);
}

/* "key=<hex or dec>" token; hex when it starts with 0x. Optional "[n]" suffix goes
 * to *bracket (when not NULL). */
static int qkv(const LexTok *t, const char *key, uint64_t *out, uint64_t *bracket)
{
    size_t kl = strlen(key);
    if (t->n <= kl + 1 || memcmp(t->s, key, kl) != 0 || t->s[kl] != '=')
        return -1;
    const char *v = t->s + kl + 1;
    size_t vn = t->n - kl - 1;
    if (bracket) {
        const char *lb = memchr(v, '[', vn);
        if (!lb || v[vn - 1] != ']')
            return -1;
        if (qdec(lb + 1, (size_t)(v + vn - 1 - (lb + 1)), bracket) < 0)
            return -1;
        vn = (size_t)(lb - v);
    }
    if (vn >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
        return lex_hex(v, vn, 0, UINT64_MAX, out);
    return qdec(v, vn, out);
}

static void qerr(QemulogReader *r, unsigned ln, const char *fmt, ...)
{
    char msg[DTRACE_ERR_MAX - 100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, sizeof r->err, "%s:%u: %s", r->path, ln, msg);
    r->failed = true;
}

const char *qemulog_format_name(QemulogFormat f)
{
    switch (f) {
    case QEMULOG_FMT_DTRACE: return "vnicsim-dtrace";
    case QEMULOG_FMT_RAW: return "qemu-log";
    case QEMULOG_FMT_CONDENSED: return "pcnet-ports";
    }
    return "?";
}

/* "tid@sec.usec:" prefix; returns the length of the prefix or 0. */
static size_t qraw_prefix(const char *l, uint64_t *tid, uint64_t *us)
{
    const char *p = l;
    uint64_t a = 0, s = 0, u = 0;
    size_t nd = 0;
    while (isdigit((unsigned char)*p) && nd < 19)
        a = a * 10 + (uint64_t)(*p++ - '0'), nd++;
    if (!nd || *p++ != '@')
        return 0;
    nd = 0;
    while (isdigit((unsigned char)*p) && nd < 15)
        s = s * 10 + (uint64_t)(*p++ - '0'), nd++;
    if (!nd || *p++ != '.')
        return 0;
    nd = 0;
    while (isdigit((unsigned char)*p) && nd < 7)
        u = u * 10 + (uint64_t)(*p++ - '0'), nd++;
    if (nd != 6 || *p++ != ':')
        return 0;
    if (tid)
        *tid = a;
    if (us)
        *us = s * 1000000u + u;
    return (size_t)(p - l);
}

static bool qcondensed_line(const char *l)
{
    const char *p = l;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p++ != ' ')
        return false;
    static const char *const ops[] = {"R ", "W ", "IRQ ", "EV ", "CON"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strncmp(p, ops[i], strlen(ops[i])) == 0)
            return true;
    return false;
}

static int qdetect(const char *path, QemulogFormat *fmt, char *err, size_t errlen)
{
    DtraceLineIn *in = dtrace_lines_open(path, err, errlen);
    if (!in)
        return -1;
    char *l;
    unsigned ln;
    int rc, found = -1, nonblank = 0;
    while (found < 0 && (rc = dtrace_lines_next(in, &l, &ln, err, errlen)) > 0 &&
           ln <= QEMULOG_DETECT_LINES) {
        if (!l[0])
            continue;
        if (nonblank++ == 0) {
            if (strncmp(l, DTRACE_MAGIC, strlen(DTRACE_MAGIC)) == 0) {
                found = QEMULOG_FMT_DTRACE;
                break;
            }
            if (qcondensed_line(l)) {
                found = QEMULOG_FMT_CONDENSED;
                break;
            }
        }
        if (qraw_prefix(l, NULL, NULL))
            found = QEMULOG_FMT_RAW;
    }
    dtrace_lines_close(in);
    if (found < 0 && rc < 0)
        return -1;
    if (found < 0) {
        snprintf(err, errlen, "%s: not a driver trace: expected '%s %d', a QEMU log "
                 "(tid@sec.usec:event, -msg timestamp=on) or a pcnet-ports.txt",
                 path, DTRACE_MAGIC, DTRACE_VERSION);
        return -1;
    }
    *fmt = (QemulogFormat)found;
    return 0;
}

QemulogReader *qemulog_open(const char *path, char *err, size_t errlen)
{
    QemulogFormat fmt;
    if (qdetect(path, &fmt, err, errlen) < 0)
        return NULL;
    QemulogReader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(r);
        return NULL;
    }
    r->fmt = fmt;
    if (fmt == QEMULOG_FMT_DTRACE) {
        r->dt = dtrace_open(path, err, errlen);
        if (!r->dt)
            goto fail;
        r->hdr = *dtrace_header(r->dt);
    } else {
        r->in = dtrace_lines_open(path, err, errlen);
        if (!r->in)
            goto fail;
        r->hdr.version = DTRACE_VERSION;
        snprintf(r->hdr.source, sizeof r->hdr.source, "%s %s", qemulog_format_name(fmt), path);
    }
    return r;
fail:
    qemulog_close(r);
    return NULL;
}

QemulogFormat qemulog_format(const QemulogReader *r) { return r->fmt; }
const DtraceHeader *qemulog_header(const QemulogReader *r) { return &r->hdr; }

const char *qemulog_error(const QemulogReader *r)
{
    return r->fmt == QEMULOG_FMT_DTRACE && r->dt ? dtrace_error(r->dt) : r->err;
}

void qemulog_close(QemulogReader *r)
{
    if (!r)
        return;
    dtrace_close(r->dt);
    dtrace_lines_close(r->in);
    free(r->path);
    free(r);
}

/* Parses the arguments of a pcnet_* event into rec. 1: a record; 0: an event we do
 * not import; -1: malformed (message set). */
static int qpcnet_event(QemulogReader *r, unsigned ln, const char *ev, size_t evn, const char *args,
                        bool condensed, DtraceRec *rec)
{
    LexTok t[8];
    int n = lex_split(args, t, 8, false);
    uint64_t v, b;
#define EVIS(name) (evn == strlen(name) && memcmp(ev, name, evn) == 0)
    /* The raw log prints the device pointer first ("s=0x..."); extract.py drops it. */
    int i0 = 0;
    if (!condensed && n > 0 && t[0].n > 2 && t[0].s[0] == 's' && t[0].s[1] == '=')
        i0 = 1;
    if (EVIS("pcnet_s_reset")) {
        rec->kind = DTRACE_SRESET;
        return 1;
    }
    if (EVIS("pcnet_isr_change")) {
        /* "INTA=%d<=%d": new level, then the old one */
        if (n - i0 != 1 || t[i0].n < 8 || memcmp(t[i0].s, "INTA=", 5) != 0)
            goto bad;
        const char *lt = memchr(t[i0].s, '<', t[i0].n);
        if (!lt || lt + 1 >= t[i0].s + t[i0].n || lt[1] != '=')
            goto bad;
        uint64_t nl, ol;
        if (qdec(t[i0].s + 5, (size_t)(lt - t[i0].s - 5), &nl) < 0 ||
            qdec(lt + 2, (size_t)(t[i0].s + t[i0].n - lt - 2), &ol) < 0 || nl > 1 || ol > 1)
            goto bad;
        rec->kind = DTRACE_IRQ;
        rec->level = (uint8_t)nl;
        return 1;
    }
    if (EVIS("pcnet_init")) {
        if (n - i0 != 1 || qkv(&t[i0], "init_addr", &v, NULL) < 0)
            goto bad;
        rec->kind = DTRACE_INIT;
        rec->addr = v;
        return 1;
    }
    if (EVIS("pcnet_rlen_tlen")) {
        if (n - i0 != 2 || qkv(&t[i0], "rlen", &v, NULL) < 0 || v > 15)
            goto bad;
        rec->rlen = (uint8_t)v;
        if (qkv(&t[i0 + 1], "tlen", &v, NULL) < 0 || v > 15)
            goto bad;
        rec->tlen = (uint8_t)v;
        rec->kind = DTRACE_RLEN;
        return 1;
    }
    if (EVIS("pcnet_ss32_rdra_tdra")) {
        if (n - i0 != 3 || qkv(&t[i0], "ss32", &v, NULL) < 0 || v > 1)
            goto bad;
        rec->ss32 = (uint8_t)v;
        if (qkv(&t[i0 + 1], "rdra", &v, &b) < 0 || v > UINT32_MAX || b > 65535)
            goto bad;
        rec->rdra = (uint32_t)v;
        rec->rcvrl = (uint32_t)b;
        if (qkv(&t[i0 + 2], "tdra", &v, &b) < 0 || v > UINT32_MAX || b > 65535)
            goto bad;
        rec->tdra = (uint32_t)v;
        rec->xmtrl = (uint32_t)b;
        rec->kind = DTRACE_RINGS;
        return 1;
    }
    return 0; /* pcnet_ioport_*, pcnet_aprom_*, pcnet_user_int, ...: not imported */
#undef EVIS
bad:
    qerr(r, ln, "malformed %.*s event: '%s'", (int)evn, ev, args);
    return -1;
}

static uint64_t qmask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* One raw line: 1 record, 0 skipped, -1 error. */
static int qraw_line(QemulogReader *r, const char *l, unsigned ln, DtraceRec *rec)
{
    uint64_t tid, us;
    size_t pl = qraw_prefix(l, &tid, &us);
    if (!pl) {
        if (strstr(l, "pcnet")) {
            qerr(r, ln, "malformed pcnet line (expected 'tid@sec.usec:event args')");
            return -1;
        }
        return 0; /* QEMU's own messages, console output, ... */
    }
    const char *ev = l + pl;
    size_t evn = strcspn(ev, " ");
    const char *args = ev + evn;
    while (*args == ' ')
        args++;
    bool is_mr_read = evn == 22 && memcmp(ev, "memory_region_ops_read", 22) == 0;
    bool is_mr_write = evn == 23 && memcmp(ev, "memory_region_ops_write", 23) == 0;
    if (is_mr_read || is_mr_write) {
        const char *nm = strstr(args, "name '");
        if (!nm || !strstr(nm, "pcnet"))
            return 0; /* another device's region */
        LexTok t[14];
        int n = lex_split(args, t, 14, false);
        uint64_t addr, val, size;
        if (n != 12 || !lex_tok_is(&t[0], "cpu") || !lex_tok_is(&t[2], "mr") || !lex_tok_is(&t[4], "addr") ||
            !lex_tok_is(&t[6], "value") || !lex_tok_is(&t[8], "size") || !lex_tok_is(&t[10], "name")) {
            qerr(r, ln, "malformed %.*s line: expected 'cpu N mr 0x.. addr 0x.. value 0x.. size N "
                 "name 'pcnet-io''", (int)evn, ev);
            return -1;
        }
        if (!lex_tok_is(&t[11], "'pcnet-io'")) {
            if (lex_tok_is(&t[11], "'pcnet-mmio'"))
                qerr(r, ln, "pcnet-mmio (BAR1) accesses are not supported; record through the I/O BAR");
            else
                qerr(r, ln, "unexpected region name %.*s", (int)t[11].n, t[11].s);
            return -1;
        }
        if (lex_hex(t[5].s, t[5].n, 0, UINT64_MAX, &addr) < 0) {
            qerr(r, ln, "bad addr '%.*s'", (int)t[5].n, t[5].s);
            return -1;
        }
        if (lex_hex(t[7].s, t[7].n, 0, UINT64_MAX, &val) < 0) {
            qerr(r, ln, "bad value '%.*s'", (int)t[7].n, t[7].s);
            return -1;
        }
        if (qdec(t[9].s, t[9].n, &size) < 0 || (size != 1 && size != 2 && size != 4)) {
            qerr(r, ln, "bad access size '%.*s' (1, 2 or 4)", (int)t[9].n, t[9].s);
            return -1;
        }
        if (!r->hdr.has_bar) {
            r->hdr.has_bar = true;
            r->hdr.bar = addr & ~(uint64_t)0x1f;
        }
        if (addr < r->hdr.bar || addr + size > r->hdr.bar + 0x20) {
            qerr(r, ln, "pcnet-io access at 0x%" PRIx64 " outside the I/O BAR 0x%" PRIx64 "-0x%" PRIx64
                 " (BAR moved?)", addr, r->hdr.bar, r->hdr.bar + 0x1f);
            return -1;
        }
        if (!r->have_t0) {
            r->have_t0 = true;
            r->t0_us = us;
        }
        bool known = false;
        for (unsigned i = 0; i < r->ntids; i++)
            known |= r->tids[i] == tid;
        if (!known && r->ntids < QEMULOG_MAX_VCPU_TIDS)
            r->tids[r->ntids++] = tid;
        rec->kind = is_mr_read ? DTRACE_READ : DTRACE_WRITE;
        rec->off = (uint8_t)(addr - r->hdr.bar);
        rec->size = (uint8_t)size;
        rec->value = (uint32_t)(val & qmask((unsigned)size));
    } else if (evn > 6 && memcmp(ev, "pcnet_", 6) == 0) {
        int rc = qpcnet_event(r, ln, ev, evn, args, false, rec);
        if (rc <= 0)
            return rc;
        if (rec->kind == DTRACE_IRQ) {
            bool vcpu = false;
            for (unsigned i = 0; i < r->ntids; i++)
                vcpu |= r->tids[i] == tid;
            rec->async = !vcpu;
        }
    } else {
        return 0;
    }
    uint64_t t = r->have_t0 && us > r->t0_us ? (us - r->t0_us) * 1000u : 0;
    rec->t_ns = t;
    return 1;
}

/* One condensed line: 1 record, 0 skipped, -1 error. */
static int qcondensed(QemulogReader *r, const char *l, unsigned ln, DtraceRec *rec)
{
    if (!l[0])
        return 0;
    /* "t_us OP ...": CON lines carry free text, so look at OP before splitting */
    const char *sp = strchr(l, ' ');
    if (sp && strncmp(sp, " CON", 4) == 0 && (sp[4] == ' ' || sp[4] == '\0'))
        return 0;
    LexTok t[16];
    int n = lex_split(l, t, 16, false);
    uint64_t tu, v;
    if (n < 2 || qdec(t[0].s, t[0].n, &tu) < 0)
        goto bad;
    rec->t_ns = tu * 1000u;
    if (lex_tok_is(&t[1], "R") || lex_tok_is(&t[1], "W")) {
        uint64_t off, size, val;
        if (n != 5 && n != 6) {
            qerr(r, ln, "port access needs 't_us R|W 0xOFF SIZE 0xVALUE [REG]'");
            return -1;
        }
        if (lex_hex(t[2].s, t[2].n, 0, UINT64_MAX, &off) < 0 || off > 0x1f) {
            qerr(r, ln, "bad offset '%.*s' (0x00..0x1f)", (int)t[2].n, t[2].s);
            return -1;
        }
        if (qdec(t[3].s, t[3].n, &size) < 0 || (size != 1 && size != 2 && size != 4) ||
            off + size > 0x20) {
            qerr(r, ln, "bad access size '%.*s' at offset 0x%02" PRIx64, (int)t[3].n, t[3].s, off);
            return -1;
        }
        if (lex_hex(t[4].s, t[4].n, 0, UINT64_MAX, &val) < 0 || val > qmask((unsigned)size)) {
            qerr(r, ln, "bad value '%.*s' for a %" PRIu64 "-byte access", (int)t[4].n, t[4].s, size);
            return -1;
        }
        rec->kind = lex_tok_is(&t[1], "R") ? DTRACE_READ : DTRACE_WRITE;
        rec->off = (uint8_t)off;
        rec->size = (uint8_t)size;
        rec->value = (uint32_t)val;
        r->have_t0 = true;
        return 1;
    }
    if (lex_tok_is(&t[1], "IRQ")) {
        if (n != 3 || qdec(t[2].s, t[2].n, &v) < 0 || v > 1) {
            qerr(r, ln, "IRQ needs a level 0 or 1");
            return -1;
        }
        rec->kind = DTRACE_IRQ;
        rec->level = (uint8_t)v;
        return 1;
    }
    if (lex_tok_is(&t[1], "EV")) {
        if (n < 3) {
            qerr(r, ln, "EV needs an event name");
            return -1;
        }
        const char *args = t[2].s + t[2].n;
        return qpcnet_event(r, ln, t[2].s, t[2].n, args, true, rec);
    }
bad:
    qerr(r, ln, "not a pcnet-ports line (expected 't_us R|W|IRQ|EV|CON ...')");
    return -1;
}

int qemulog_next(QemulogReader *r, DtraceRec *rec)
{
    if (r->fmt == QEMULOG_FMT_DTRACE)
        return dtrace_next(r->dt, rec);
    if (r->failed)
        return -1;
    for (;;) {
        char *l;
        unsigned ln;
        int rc = dtrace_lines_next(r->in, &l, &ln, r->err, sizeof r->err);
        if (rc <= 0) {
            r->failed = rc < 0;
            return rc;
        }
        memset(rec, 0, sizeof *rec);
        rc = r->fmt == QEMULOG_FMT_RAW ? qraw_line(r, l, ln, rec) : qcondensed(r, l, ln, rec);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        /* Lines of different host threads can be stamped slightly out of order: keep
         * the time non-decreasing (the record order is the log's order). */
        if (rec->t_ns < r->last_t)
            rec->t_ns = r->last_t;
        r->last_t = rec->t_ns;
        rec->line = ln;
        return 1;
    }
}

/* ------------------------------------------------------------------ whole traces */

void qemulog_trace_free(QemulogTrace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        if (t->recs[i].kind == DTRACE_MEM)
            free((void *)t->recs[i].data);
    free(t->recs);
    free(t->path);
    memset(t, 0, sizeof *t);
}

int qemulog_load(const char *path, QemulogTrace *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    QemulogReader *r = qemulog_open(path, err, errlen);
    if (!r)
        return -1;
    size_t cap = 1024;
    out->recs = malloc(cap * sizeof *out->recs);
    out->path = strdup(path);
    if (!out->recs || !out->path) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    DtraceRec rec;
    int rc;
    while ((rc = qemulog_next(r, &rec)) > 0) {
        if (out->n == cap) {
            DtraceRec *nr = realloc(out->recs, 2 * cap * sizeof *nr);
            if (!nr) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto fail;
            }
            out->recs = nr;
            cap *= 2;
        }
        if (rec.kind == DTRACE_MEM) {
            uint8_t *copy = malloc(rec.len);
            if (!copy) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto fail;
            }
            memcpy(copy, rec.data, rec.len);
            rec.data = copy;
        }
        out->recs[out->n++] = rec;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", qemulog_error(r));
        goto fail;
    }
    out->format = r->fmt;
    out->hdr = *qemulog_header(r);
    qemulog_close(r);
    return 0;
fail:
    qemulog_close(r);
    qemulog_trace_free(out);
    return -1;
}

int qemulog_probe_mac(const QemulogTrace *t, uint8_t mac[6])
{
    bool got[6] = {false};
    uint8_t ap[6] = {0};
    unsigned rap = 0;
    bool csr_got[3] = {false};
    uint16_t csr[3] = {0};
    for (size_t i = 0; i < t->n; i++) {
        const DtraceRec *r = &t->recs[i];
        if (r->kind != DTRACE_READ && r->kind != DTRACE_WRITE)
            continue;
        if (r->kind == DTRACE_WRITE && ((r->off == 0x12 && r->size == 2) || (r->off == 0x14 && r->size == 4)))
            rap = r->value & 0x7f;
        if (r->kind != DTRACE_READ)
            continue;
        if (r->off < 6 && r->size == 1 && !got[r->off]) {
            got[r->off] = true;
            ap[r->off] = (uint8_t)r->value;
        }
        if (r->off == 0x10 && rap >= 12 && rap <= 14 && !csr_got[rap - 12]) {
            csr_got[rap - 12] = true;
            csr[rap - 12] = (uint16_t)r->value;
        }
    }
    if (got[0] && got[1] && got[2] && got[3] && got[4] && got[5]) {
        memcpy(mac, ap, 6);
        return 0;
    }
    if (csr_got[0] && csr_got[1] && csr_got[2]) {
        for (int k = 0; k < 3; k++) {
            mac[2 * k] = (uint8_t)(csr[k] & 0xff);
            mac[2 * k + 1] = (uint8_t)(csr[k] >> 8);
        }
        return 0;
    }
    return -1;
}

char (*qemulog_reg_names(const QemulogTrace *t))[12]
{
    char (*names)[12] = calloc(t->n ? t->n : 1, sizeof *names);
    if (!names)
        return NULL;
    unsigned rap = 0;
    for (size_t i = 0; i < t->n; i++) {
        const DtraceRec *r = &t->recs[i];
        if (r->kind != DTRACE_READ && r->kind != DTRACE_WRITE)
            continue;
        const char *nm = "?";
        char buf[12];
        if (r->off < 0x10) {
            snprintf(buf, sizeof buf, "APROM[%u]", r->off);
            nm = buf;
        } else if (r->size == 2 || r->size == 4) {
            bool dw = r->size == 4;
            unsigned rap_off = dw ? 0x14 : 0x12, reset_off = dw ? 0x18 : 0x14, bdp_off = dw ? 0x1c : 0x16;
            if (r->off == 0x10) {
                snprintf(buf, sizeof buf, "CSR%u", rap);
                nm = buf;
            } else if (r->off == rap_off) {
                nm = "RAP";
                if (r->kind == DTRACE_WRITE)
                    rap = r->value & 0x7f;
            } else if (r->off == reset_off) {
                nm = "RESET";
            } else if (r->off == bdp_off) {
                snprintf(buf, sizeof buf, "BCR%u", rap);
                nm = buf;
            }
        }
        snprintf(names[i], sizeof names[i], "%s", nm);
    }
    return names;
}

int qemulog_convert(const char *in, const char *out, char *err, size_t errlen)
{
    QemulogTrace t;
    if (qemulog_load(in, &t, err, errlen) < 0)
        return -1;
    DtraceHeader h = t.hdr;
    h.version = DTRACE_VERSION;
    if (!h.has_mac && qemulog_probe_mac(&t, h.mac) == 0)
        h.has_mac = true;
    char (*names)[12] = qemulog_reg_names(&t);
    DtraceWriter *w = dtrace_create(out, &h, err, errlen);
    int rc = w && names ? 0 : -1;
    if (!names && w)
        snprintf(err, errlen, "out of memory");
    for (size_t i = 0; rc == 0 && i < t.n; i++) {
        const char *c = t.recs[i].kind == DTRACE_READ || t.recs[i].kind == DTRACE_WRITE ? names[i] : NULL;
        if (dtrace_write(w, &t.recs[i], c) < 0) {
            snprintf(err, errlen, "%s: cannot write record from %s:%u", out, in, t.recs[i].line);
            rc = -1;
        }
    }
    if (w && dtrace_finish(w, rc == 0 ? err : NULL, errlen) < 0)
        rc = -1;
    free(names);
    qemulog_trace_free(&t);
    return rc;
}
