/* timeline: streaming Chrome / Perfetto trace-event JSON (see sim/timeline.h). */
#include "sim/timeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct TlTrack {
    unsigned pid, tid;
    SimTime last_start, last_end; /* last slice emitted (written or not) */
    bool has_last, last_written;
} TlTrack;

struct Timeline {
    FILE *f;
    char *path, *tmp;
    SimTime from, to;
    uint64_t events;
    bool failed;
    int err_no;
    TlTrack tracks[TIMELINE_MAX_TRACKS];
    int ntracks;
    char *procs[TIMELINE_MAX_TRACKS];
    unsigned threads_in[TIMELINE_MAX_TRACKS];
    int nprocs;
};

/* ---- output helpers ----------------------------------------------------------- */

static void put_time(FILE *f, SimTime ps)
{
    fprintf(f, "%" PRIu64 ".%06" PRIu64, ps / SIM_US, ps % SIM_US);
}

static void put_string(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            putc(*p, f);
    }
    putc('"', f);
}

/* Start an event: the separator and the opening brace. */
static void begin_event(Timeline *tl)
{
    fputs(tl->events ? ",\n{" : "\n{", tl->f);
    tl->events++;
}

static void end_event(Timeline *tl)
{
    putc('}', tl->f);
    if (ferror(tl->f) && !tl->failed) {
        tl->failed = true;
        tl->err_no = errno;
    }
}

/* ---- API ---------------------------------------------------------------------------- */

Timeline *timeline_open(const char *path, SimTime from, SimTime to, char *err, size_t errlen)
{
    if (from >= to) {
        snprintf(err, errlen, "timeline: empty window");
        return NULL;
    }
    Timeline *tl = calloc(1, sizeof *tl);
    size_t n = strlen(path) + 32;
    if (!tl || !(tl->path = strdup(path)) || !(tl->tmp = malloc(n))) {
        snprintf(err, errlen, "timeline: out of memory");
        if (tl)
            free(tl->path);
        free(tl);
        return NULL;
    }
    snprintf(tl->tmp, n, "%s.tmp.%ld", path, (long)getpid());
    tl->f = fopen(tl->tmp, "w");
    if (!tl->f) {
        snprintf(err, errlen, "timeline: cannot create %s: %s", tl->tmp, strerror(errno));
        free(tl->tmp);
        free(tl->path);
        free(tl);
        return NULL;
    }
    setvbuf(tl->f, NULL, _IOFBF, 1 << 16);
    tl->from = from;
    tl->to = to;
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", tl->f);
    return tl;
}

int timeline_track(Timeline *tl, const char *process, const char *thread)
{
    if (tl->ntracks >= TIMELINE_MAX_TRACKS)
        return -1;
    int p;
    for (p = 0; p < tl->nprocs; p++)
        if (strcmp(tl->procs[p], process) == 0)
            break;
    if (p == tl->nprocs) {
        if (!(tl->procs[p] = strdup(process)))
            return -1;
        tl->nprocs++;
        begin_event(tl);
        fprintf(tl->f, "\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":", p + 1);
        put_string(tl->f, process);
        fprintf(tl->f, "}");
        end_event(tl);
        begin_event(tl);
        fprintf(tl->f, "\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"name\":\"process_sort_index\","
                "\"args\":{\"sort_index\":%d}", p + 1, p + 1);
        end_event(tl);
    }
    TlTrack *t = &tl->tracks[tl->ntracks];
    memset(t, 0, sizeof *t);
    t->pid = (unsigned)p + 1;
    t->tid = ++tl->threads_in[p];
    begin_event(tl);
    fprintf(tl->f, "\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"name\":\"thread_name\",\"args\":{\"name\":",
            t->pid, t->tid);
    put_string(tl->f, thread);
    fprintf(tl->f, "}");
    end_event(tl);
    begin_event(tl);
    fprintf(tl->f, "\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"name\":\"thread_sort_index\","
            "\"args\":{\"sort_index\":%u}", t->pid, t->tid, t->tid);
    end_event(tl);
    return tl->ntracks++;
}

void timeline_slice(Timeline *tl, int track, const char *name, const char *cat, SimTime start,
                    SimTime dur, const char *args)
{
    if (track < 0 || track >= tl->ntracks || dur == 0)
        return;
    TlTrack *t = &tl->tracks[track];
    t->has_last = true;
    t->last_start = start;
    t->last_end = start + dur;
    t->last_written = start < tl->to && start + dur > tl->from;
    if (!t->last_written)
        return;
    begin_event(tl);
    fprintf(tl->f, "\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":", t->pid, t->tid);
    put_time(tl->f, start);
    fputs(",\"dur\":", tl->f);
    put_time(tl->f, dur);
    fputs(",\"name\":", tl->f);
    put_string(tl->f, name);
    if (cat) {
        fputs(",\"cat\":", tl->f);
        put_string(tl->f, cat);
    }
    if (args) {
        fputs(",\"args\":", tl->f);
        fputs(args, tl->f);
    }
    end_event(tl);
}

void timeline_flow(Timeline *tl, int track, const char *name, uint64_t id, TimelineFlow phase)
{
    if (track < 0 || track >= tl->ntracks)
        return;
    TlTrack *t = &tl->tracks[track];
    if (!t->has_last || !t->last_written)
        return;
    static const char ph[] = {'s', 't', 'f'};
    begin_event(tl);
    fprintf(tl->f, "\"ph\":\"%c\",\"pid\":%u,\"tid\":%u,\"ts\":", ph[phase], t->pid, t->tid);
    put_time(tl->f, t->last_start + (t->last_end - t->last_start) / 2);
    fprintf(tl->f, ",\"id\":%" PRIu64 ",\"cat\":\"flow\",\"name\":", id);
    put_string(tl->f, name);
    fputs(",\"bp\":\"e\"", tl->f);
    end_event(tl);
}

void timeline_instant(Timeline *tl, const char *name, SimTime t)
{
    if (t < tl->from || t >= tl->to)
        return;
    begin_event(tl);
    fputs("\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0,\"ts\":", tl->f);
    put_time(tl->f, t);
    fputs(",\"name\":", tl->f);
    put_string(tl->f, name);
    end_event(tl);
}

void timeline_last_slice(const Timeline *tl, int track, SimTime *start, SimTime *end)
{
    *start = *end = 0;
    if (track >= 0 && track < tl->ntracks && tl->tracks[track].has_last) {
        *start = tl->tracks[track].last_start;
        *end = tl->tracks[track].last_end;
    }
}

uint64_t timeline_events(const Timeline *tl) { return tl->events; }

static void timeline_free(Timeline *tl)
{
    for (int p = 0; p < tl->nprocs; p++)
        free(tl->procs[p]);
    free(tl->tmp);
    free(tl->path);
    free(tl);
}

int timeline_close(Timeline *tl, char *err, size_t errlen)
{
    fputs("\n]}\n", tl->f);
    if (ferror(tl->f) && !tl->failed) {
        tl->failed = true;
        tl->err_no = errno;
    }
    if (fflush(tl->f) != 0 && !tl->failed) {
        tl->failed = true;
        tl->err_no = errno;
    }
    if (fsync(fileno(tl->f)) != 0 && errno != EINVAL && !tl->failed) {
        tl->failed = true;
        tl->err_no = errno;
    }
    if (fclose(tl->f) != 0 && !tl->failed) {
        tl->failed = true;
        tl->err_no = errno;
    }
    tl->f = NULL;
    int rc = 0;
    if (tl->failed) {
        snprintf(err, errlen, "timeline: cannot write %s: %s", tl->tmp,
                 strerror(tl->err_no ? tl->err_no : EIO));
        remove(tl->tmp);
        rc = -1;
    } else if (rename(tl->tmp, tl->path) != 0) {
        snprintf(err, errlen, "timeline: cannot rename %s to %s: %s", tl->tmp, tl->path,
                 strerror(errno));
        remove(tl->tmp);
        rc = -1;
    }
    timeline_free(tl);
    return rc;
}

void timeline_discard(Timeline *tl)
{
    if (!tl)
        return;
    if (tl->f)
        fclose(tl->f);
    remove(tl->tmp);
    timeline_free(tl);
}

/* Decimal microseconds with up to 6 decimals -> ps. 0 ok, -1 bad. */
static int parse_us(const char *s, size_t n, SimTime *out)
{
    SimTime whole = 0, frac = 0;
    size_t i = 0, digits = 0, fd = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (whole > (SIM_TIME_MAX / SIM_US - 9) / 10)
            return -1;
        whole = whole * 10 + (SimTime)(s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, fd++) {
            if (fd >= 6)
                return -1;
            frac = frac * 10 + (SimTime)(s[i] - '0');
        }
        digits += fd;
    }
    if (i != n || digits == 0)
        return -1;
    for (; fd < 6; fd++)
        frac *= 10;
    *out = whole * SIM_US + frac;
    return 0;
}

int timeline_parse_window(const char *text, SimTime *from, SimTime *to, char *err, size_t errlen)
{
    const char *colon = strchr(text, ':');
    if (!colon) {
        snprintf(err, errlen, "window '%s': expected START_US:END_US", text);
        return -1;
    }
    size_t a = (size_t)(colon - text), b = strlen(colon + 1);
    *from = 0;
    *to = SIM_TIME_MAX;
    if ((a && parse_us(text, a, from) != 0) || (b && parse_us(colon + 1, b, to) != 0)) {
        snprintf(err, errlen, "window '%s': START_US and END_US must be non-negative decimal "
                 "microseconds with at most 6 decimals", text);
        return -1;
    }
    if (*from >= *to) {
        snprintf(err, errlen, "window '%s': START_US must be smaller than END_US", text);
        return -1;
    }
    return 0;
}
