/* test_timeline: the trace-event writer alone (sim/timeline.c): exact picosecond
 * times, metadata, slices and flows, the window, atomic output, window parsing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/timeline.h"
#include "tests/check.h"

static char dir[] = "/tmp/vnicsim-tl.XXXXXX";

static json_t *load(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fprintf(stderr, "%s:%d: %s\n", path, e.line, e.text);
    return j;
}

static size_t count_ph(json_t *evs, const char *ph)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(evs, i, e) if (strcmp(json_string_value(json_object_get(e, "ph")), ph) == 0) n++;
    return n;
}

static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return strstr(buf, needle) != NULL;
}

int main(void)
{
    char err[256], path[512], tmpname[600];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/t.json", dir);

    /* a whole timeline */
    Timeline *tl = timeline_open(path, 0, SIM_TIME_MAX, err, sizeof err);
    CHECK(tl != NULL);
    snprintf(tmpname, sizeof tmpname, "%s.tmp.%ld", path, (long)getpid());
    CHECK(access(tmpname, F_OK) == 0);   /* written to the temporary file ... */
    CHECK(access(path, F_OK) != 0);      /* ... not the target */
    int a = timeline_track(tl, "host", "CPU 0");
    int b = timeline_track(tl, "host", "world");
    int c = timeline_track(tl, "wire \"x\"", "to peer");
    CHECK_EQ_U(a, 0);
    CHECK_EQ_U(b, 1);
    CHECK_EQ_U(c, 2);
    timeline_flow(tl, a, "frame", 7, TIMELINE_FLOW_START); /* no slice yet: dropped */
    timeline_slice(tl, a, "guest", "work", 12345678, 1000001, "{\"world\":\"vmm\"}");
    timeline_flow(tl, a, "frame", 7, TIMELINE_FLOW_START);
    timeline_slice(tl, a, "zero", NULL, 13345679, 0, NULL); /* dropped */
    timeline_slice(tl, c, "data", "wire", 20000000, 3, NULL);
    timeline_flow(tl, c, "frame", 7, TIMELINE_FLOW_END);
    timeline_instant(tl, "mark", 5);
    SimTime s, e;
    timeline_last_slice(tl, c, &s, &e);
    CHECK_EQ_U(s, 20000000);
    CHECK_EQ_U(e, 20000003);
    CHECK(timeline_close(tl, err, sizeof err) == 0);
    CHECK(access(tmpname, F_OK) != 0);
    json_t *j = load(path);
    CHECK(j != NULL);
    json_t *evs = json_object_get(j, "traceEvents");
    CHECK(json_is_array(evs));
    CHECK_EQ_U(count_ph(evs, "X"), 2);
    CHECK_EQ_U(count_ph(evs, "s"), 1);
    CHECK_EQ_U(count_ph(evs, "f"), 1);
    CHECK_EQ_U(count_ph(evs, "i"), 1);
    CHECK_EQ_U(count_ph(evs, "M"), 10); /* 2 processes x 2 + 3 threads x 2 */
    /* exact decimal microseconds: 12345678 ps = 12.345678 us, 1000001 ps = 1.000001 us */
    CHECK(file_contains(path, "\"ts\":12.345678,\"dur\":1.000001,\"name\":\"guest\",\"cat\":\"work\","
                              "\"args\":{\"world\":\"vmm\"}"));
    CHECK(file_contains(path, "\"ts\":20.000000,\"dur\":0.000003"));
    /* flow points in the middle of their slice, bound to the enclosing slice */
    CHECK(file_contains(path, "\"ph\":\"s\",\"pid\":1,\"tid\":1,\"ts\":12.845678,\"id\":7"));
    CHECK(file_contains(path, "\"ph\":\"f\",\"pid\":2,\"tid\":1,\"ts\":20.000001,\"id\":7"));
    CHECK(file_contains(path, "\"bp\":\"e\""));
    CHECK(file_contains(path, "\"name\":\"wire \\\"x\\\"\"")); /* names escaped */
    CHECK(!file_contains(path, "zero"));
    json_decref(j);

    /* window [10 us, 20 us): slices intersecting it, whole; flows only on written slices */
    tl = timeline_open(path, 10 * SIM_US, 20 * SIM_US, err, sizeof err);
    CHECK(tl != NULL);
    a = timeline_track(tl, "p", "t");
    timeline_slice(tl, a, "before", NULL, 1 * SIM_US, 9 * SIM_US, NULL);   /* ends at 10: out */
    timeline_flow(tl, a, "f", 1, TIMELINE_FLOW_START);
    timeline_slice(tl, a, "straddle", NULL, 9 * SIM_US, 2 * SIM_US, NULL); /* in, whole */
    timeline_flow(tl, a, "f", 1, TIMELINE_FLOW_STEP);
    timeline_slice(tl, a, "after", NULL, 20 * SIM_US, 1 * SIM_US, NULL);   /* starts at 20: out */
    timeline_flow(tl, a, "f", 1, TIMELINE_FLOW_END);
    timeline_instant(tl, "out", 20 * SIM_US);
    CHECK(timeline_events(tl) == 6); /* 2 + 2 metadata, 1 slice, 1 flow step */
    CHECK(timeline_close(tl, err, sizeof err) == 0);
    j = load(path);
    CHECK(j != NULL);
    evs = json_object_get(j, "traceEvents");
    CHECK_EQ_U(count_ph(evs, "X"), 1);
    CHECK_EQ_U(count_ph(evs, "t"), 1);
    CHECK_EQ_U(count_ph(evs, "s") + count_ph(evs, "f") + count_ph(evs, "i"), 0);
    CHECK(file_contains(path, "\"ts\":9.000000,\"dur\":2.000000,\"name\":\"straddle\""));
    json_decref(j);

    /* discard leaves neither file; the previous target stays */
    tl = timeline_open(path, 0, SIM_TIME_MAX, err, sizeof err);
    CHECK(tl != NULL);
    timeline_discard(tl);
    timeline_discard(NULL);
    CHECK(access(tmpname, F_OK) != 0);
    CHECK(file_contains(path, "straddle"));

    /* errors */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/dir/t.json", dir);
    CHECK(timeline_open(bad, 0, SIM_TIME_MAX, err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot create") != NULL);
    CHECK(timeline_open(path, 5, 5, err, sizeof err) == NULL);

    /* window parsing */
    SimTime from, to;
    CHECK(timeline_parse_window("1.5:2", &from, &to, err, sizeof err) == 0);
    CHECK_EQ_U(from, 1500000);
    CHECK_EQ_U(to, 2000000);
    CHECK(timeline_parse_window("0.000001:", &from, &to, err, sizeof err) == 0);
    CHECK_EQ_U(from, 1);
    CHECK(to == SIM_TIME_MAX);
    CHECK(timeline_parse_window(":7", &from, &to, err, sizeof err) == 0);
    CHECK_EQ_U(from, 0);
    CHECK_EQ_U(to, 7 * SIM_US);
    CHECK(timeline_parse_window("5", &from, &to, err, sizeof err) != 0);
    CHECK(timeline_parse_window("3:2", &from, &to, err, sizeof err) != 0);
    CHECK(timeline_parse_window("2:2", &from, &to, err, sizeof err) != 0);
    CHECK(timeline_parse_window("1.0000001:2", &from, &to, err, sizeof err) != 0);
    CHECK(timeline_parse_window("-1:2", &from, &to, err, sizeof err) != 0);
    CHECK(timeline_parse_window("1e3:2e3", &from, &to, err, sizeof err) != 0);
    CHECK(timeline_parse_window(".:1", &from, &to, err, sizeof err) != 0);
    CHECK(timeline_parse_window("99999999999999999999:", &from, &to, err, sizeof err) != 0);

    remove(path);
    rmdir(dir);
    return check_report("test_timeline");
}
