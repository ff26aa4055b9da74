/* test_sweep: sweep specs (validation, expansion, zip, seeds), the merge into
 * sweep.csv/summary.csv (flattening, column order, quoting, mean and 95 % CI), and
 * real points run through the program named by $VNICSIM (failures included). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sweep.h"
#include "tests/check.h"

static char tmpdir[256];
static char out_text[65536], err_text[65536];

static void slurp(const char *path, char *buf, size_t len)
{
    buf[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = 0;
    fclose(f);
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* sweep_main with stdout/stderr captured into out_text/err_text. */
static int sweep(const char *first, ...)
{
    char *argv[40];
    int argc = 0;
    argv[argc++] = "sweep";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 39; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    char of[300], ef[300];
    snprintf(of, sizeof of, "%s/stdout", tmpdir);
    snprintf(ef, sizeof ef, "%s/stderr", tmpdir);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(of, O_WRONLY | O_CREAT | O_TRUNC, 0666), fe = open(ef, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = sweep_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);
    slurp(of, out_text, sizeof out_text);
    slurp(ef, err_text, sizeof err_text);
    return rc;
}

static char spec_path[300];

static const char *spec(const char *text)
{
    snprintf(spec_path, sizeof spec_path, "%s/spec.json", tmpdir);
    spit(spec_path, text);
    return spec_path;
}

/* The spec must be rejected (exit 2) with `want` in the message. */
static void reject(const char *text, const char *want)
{
    int rc = sweep(spec(text), "--check", NULL);
    CHECKF(rc == 2 && strstr(err_text, want), "spec %s: exit %d, message '%s', wanted '%s'", text, rc,
           err_text, want);
    CHECKF(strstr(err_text, "spec.json"), "message names the file: '%s'", err_text);
}

static void test_numbers(void)
{
    CHECK(fabs(sweep_t95(1) - 12.706) < 1e-9);
    CHECK(fabs(sweep_t95(2) - 4.303) < 1e-9);
    CHECK(fabs(sweep_t95(9) - 2.262) < 1e-9);
    CHECK(fabs(sweep_t95(30) - 2.042) < 1e-9);
    CHECK(fabs(sweep_t95(100000) - 1.96) < 1e-9);
    CHECK(isnan(sweep_t95(0)));
    char b[64];
    sweep_fmt_double(b, sizeof b, 0.1);
    CHECK_STR(b, "0.1");
    sweep_fmt_double(b, sizeof b, 1e22);
    CHECK_STR(b, "1e+22");
    sweep_fmt_double(b, sizeof b, -2.5);
    CHECK_STR(b, "-2.5");
    unsigned long long x = 88172645463325252ULL;
    int ok = 1;
    for (int i = 0; i < 2000; i++) { /* xorshift doubles over many magnitudes read back exactly */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d = (double)(x >> 11) / 9007199254740992.0 * pow(10, (int)(x % 40) - 20);
        sweep_fmt_double(b, sizeof b, d);
        ok &= strtod(b, NULL) == d;
    }
    CHECK(ok);
    sweep_fmt_double(b, sizeof b, 1.0 / 3.0);
    CHECK(strtod(b, NULL) == 1.0 / 3.0 && strlen(b) <= 19);
}

static void test_validation(void)
{
    const char *good = "{\"version\": 1, \"axes\": [{\"path\": \"workload.send_bytes\", \"values\": [512]}]}";
    CHECK(sweep(spec(good), "--check", NULL) == 0);
    CHECK(strstr(out_text, "1 combinations x 1 repeats = 1 points") != NULL);

    reject("{\n \"version\": 1,\n \"axes\": [}\n", "spec.json:3:");
    reject("{\"version\": 1, \"repeat\": 1, \"repeat\": 2}", "duplicate");
    reject("{\"axes\": []}", "\"version\": 1");
    reject("{\"version\": 2}", "unsupported spec version");
    reject("{\"version\": 1, \"axis\": []}", "unknown key 'axis' (did you mean 'axes'?)");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"value\": [1]}]}",
           "axes[0]: unknown key 'value' (did you mean 'values'?)");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"workload.send_byte\", \"values\": [1]}]}",
           "axes[0].path: unknown key 'workload.send_byte' (did you mean 'workload.send_bytes'?)");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"workload.send_bytes\", \"values\": [512, 0]}]}",
           "axes[0] (workload.send_bytes) value 1: key 'workload.send_bytes' = 0 is out of range");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"workload.send_bytes\", \"values\": [\"big\"]}]}",
           "axes[0] (workload.send_bytes) value 0");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"tcp.nagle\", \"values\": [true, 3]}]}", "value 1");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"values\": []}]}", "non-empty");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"values\": [1], \"range\": {}}]}",
           "exactly one of \"values\" or \"range\"");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"range\": {\"from\": 1, \"to\": 5, \"step\": 1, "
           "\"points\": 3}}]}",
           "exactly one of 'step' or 'points'");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"range\": {\"from\": 1, \"to\": 5, \"step\": 0}}]}",
           "'step' must be a positive number");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"costs.iret_cycles\", \"range\": {\"from\": 0, \"to\": 100, "
           "\"points\": 3, \"scale\": \"log\"}}]}",
           "log scale needs 'from' and 'to' above 0");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"costs.iret_cycles\", \"range\": {\"from\": 1, \"to\": 100, "
           "\"points\": 3, \"scale\": \"lgo\"}}]}",
           "did you mean 'log'?");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"costs.iret_cycles\", \"range\": {\"from\": 0, \"to\": 1, "
           "\"step\": 0.25}}]}",
           "is not an integer");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"costs.iret_cycles\", \"range\": {\"from\": 1, \"to\": 3, "
           "\"points\": 10, \"scale\": \"log\"}}]}",
           "twice");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"tcp.nagle\", \"range\": {\"from\": 0, \"to\": 1, "
           "\"step\": 1}}]}",
           "needs a numeric key");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"costs.iret_cycles\", \"range\": {\"from\": 1, \"to\": "
           "200000000, \"points\": 2}}]}",
           "out of range");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"values\": [1]}, {\"path\": \"seed\", \"values\": "
           "[2]}]}",
           "already swept by axes[0]");
    /* an output file in the base would be written by every point */
    reject("{\"version\": 1, \"base\": {\"set\": {\"replay.record_driver_trace\": \"t.dtrace\"}}, "
           "\"axes\": [{\"path\": \"seed\", \"values\": [1, 2]}]}",
           "base: replay.record_driver_trace names an output file");
    reject("{\"version\": 1, \"base\": {\"set\": {\"replay.wire_pcap\": \"w.pcap\"}}, "
           "\"axes\": [{\"path\": \"seed\", \"values\": [1, 2]}]}",
           "base: replay.wire_pcap names an output file");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"values\": [1, 2]}, {\"path\": "
           "\"costs.iret_cycles\", \"values\": [1, 2, 3]}], \"zip\": [[\"seed\", \"costs.iret_cycles\"]]}",
           "equal lengths");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"values\": [1, 2]}, {\"path\": "
           "\"costs.iret_cycles\", \"values\": [1, 2]}], \"zip\": [[\"seed\", \"costs.iret_cycle\"]]}",
           "did you mean 'costs.iret_cycles'?");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"values\": [1, 2]}, {\"path\": "
           "\"costs.iret_cycles\", \"values\": [1, 2]}, {\"path\": \"costs.virq_delivery_cycles\", \"values\": "
           "[1, 2]}], \"zip\": [[\"seed\", \"costs.iret_cycles\"], [\"costs.virq_delivery_cycles\", \"seed\"]]}",
           "already in zip[0]");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"seed\", \"values\": [1, 2]}], \"zip\": [[\"seed\"]]}",
           "at least two");
    reject("{\"version\": 1, \"base\": {\"set\": {\"workload.bytez\": 5}}}", "did you mean 'workload.bytes'?");
    reject("{\"version\": 1, \"base\": {\"preset\": \"no-such-preset\"}}", "base.preset");
    reject("{\"version\": 1, \"base\": {\"presets\": \"ws2-pc733\"}}", "did you mean 'preset'?");
    reject("{\"version\": 1, \"repeat\": 0}", "repeat");
    reject("{\"version\": 1, \"base\": {\"set\": {\"seed\": 9223372036854775807}}, \"repeat\": 2}", "overflows");
    reject("{\"version\": 1, \"base\": {\"preset\": \"ws2-pc733\"}, \"axes\": [{\"path\": \"preset\", "
           "\"values\": [\"ws2-pc733\"]}]}",
           "replaces base.preset");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"preset\", \"values\": [\"ws2-pc733\", \"ws2-pc73\"]}]}",
           "axes[0] (preset) value 1");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"preset\", \"values\": [7]}]}", "must be a preset name");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"preset\", \"range\": {\"from\": 1, \"to\": 2, "
           "\"step\": 1}}]}",
           "needs a numeric key");
    reject("{\"version\": 1, \"axes\": [{\"path\": \"presets\", \"values\": [\"ws2-pc733\"]}]}",
           "did you mean 'preset'?");
    CHECK(sweep(spec(good), "-o", NULL) == 2);
    CHECK(sweep(spec(good), NULL) == 2); /* -o required */
    CHECK(sweep(spec(good), "-o", tmpdir, "--merge", "--point", "1", NULL) == 2);
    CHECK(sweep(spec(good), "-o", tmpdir, "-j", "0", NULL) == 2);
    CHECK(sweep(spec(good), "-o", tmpdir, "--bogus", NULL) == 2);
}

static void put_result(const char *dir, int k, const char *json)
{
    char p[600];
    snprintf(p, sizeof p, "%s/points/%d", dir, k);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
    if (system(cmd) != 0)
        exit(1);
    strcat(p, "/results.json");
    spit(p, json);
}

/* Expansion order, zip placement, seeds, and the merge, with results written by hand. */
static void test_expansion_merge(void)
{
    const char *zs = spec("{\"version\": 1,\n"
                          " \"base\": {\"set\": {\"seed\": 10}},\n"
                          " \"axes\": [{\"path\": \"workload.send_bytes\", \"values\": [512, 1024, 2048]},\n"
                          "          {\"path\": \"costs.world_switch_cycles\", \"values\": [100, 200]},\n"
                          "          {\"path\": \"costs.iret_cycles\", \"range\": {\"from\": 1, \"to\": 3, \"step\": 1}}],\n"
                          " \"zip\": [[\"workload.send_bytes\", \"costs.iret_cycles\"]],\n"
                          " \"repeat\": 2}\n");
    CHECK(sweep(zs, "--check", NULL) == 0);
    CHECKF(strstr(out_text, "6 combinations x 2 repeats = 12 points"), "%s", out_text);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/m", tmpdir);
    CHECK(sweep(zs, "-o", dir, "--list-points", "--program", "/bin/vnicsim-x", NULL) == 0);
    int lines = 0;
    for (const char *p = out_text; (p = strchr(p, '\n')); p++)
        lines++;
    CHECK_EQ_U(lines, 12);
    CHECKF(strstr(out_text, "/bin/vnicsim-x sweep ") == out_text, "%s", out_text);
    CHECK(strstr(out_text, " --point 11 --program /bin/vnicsim-x\n") != NULL);

    for (int k = 0; k < 12; k++) {
        char j[400];
        snprintf(j, sizeof j,
                 "{\"metrics\": {\"x\": %d, \"s\": \"a,b\", \"r\": 0.1}, \"arr\": [1, 2], \"nul\": null%s}", k,
                 k == 3 ? ", \"extra\": {\"y\": true}" : "");
        put_result(dir, k, j);
    }
    CHECK(sweep(zs, "-o", dir, "--merge", NULL) == 0);
    char csv[16384], path[400];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    slurp(path, csv, sizeof csv);
    /* first axis group (send_bytes zipped with iret) slowest, world switch next, repeats innermost */
    const char *want_head = "point,repeat,seed,workload.send_bytes,costs.world_switch_cycles,costs.iret_cycles,"
                            "metrics.x,metrics.s,metrics.r,nul,extra.y\n"
                            "0,0,10,512,100,1,0,\"a,b\",0.1,,\n"
                            "1,1,11,512,100,1,1,\"a,b\",0.1,,\n"
                            "2,0,10,512,200,1,2,\"a,b\",0.1,,\n"
                            "3,1,11,512,200,1,3,\"a,b\",0.1,,true\n"
                            "4,0,10,1024,100,2,4,\"a,b\",0.1,,\n";
    CHECKF(strncmp(csv, want_head, strlen(want_head)) == 0, "sweep.csv:\n%s", csv);
    CHECK(strstr(csv, "\n11,1,11,2048,200,3,11,\"a,b\",0.1,,\n") != NULL);

    char sum[16384];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    slurp(path, sum, sizeof sum);
    /* x of combination c = {2c, 2c+1}: mean 2c+0.5, s = 1/sqrt 2, ci = t(1) s / sqrt 2 = 12.706 / 2 */
    const char *want_sum = "combination,workload.send_bytes,costs.world_switch_cycles,costs.iret_cycles,n,"
                           "metrics.x.mean,metrics.x.ci95,metrics.r.mean,metrics.r.ci95,nul.mean,nul.ci95\n"
                           "0,512,100,1,2,0.5,6.353,0.1,0,,\n"
                           "1,512,200,1,2,2.5,6.353,0.1,0,,\n";
    CHECKF(strncmp(sum, want_sum, strlen(want_sum)) == 0, "summary.csv:\n%s", sum);

    /* a partial merge: what is there */
    char p[400];
    snprintf(p, sizeof p, "%s/points/11/results.json", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/points/8/results.json", dir);
    unlink(p);
    CHECK(sweep(zs, "-o", dir, "--merge", NULL) == 0);
    CHECK(strstr(err_text, "merged 10 of 12 points") != NULL);
    slurp(path, sum, sizeof sum);
    CHECKF(strstr(sum, "\n5,2048,200,3,1,10,,0.1,,,\n") != NULL, "summary.csv:\n%s", sum);
    CHECKF(strstr(sum, "\n4,2048,100,3,1,9,,0.1,,,\n") != NULL, "summary.csv:\n%s", sum);
    CHECK(sweep(zs, "-o", dir, "--list-points", "--resume", NULL) == 0);
    CHECKF(strstr(out_text, "--point 8\n") && strstr(out_text, "--point 11\n") &&
               !strstr(out_text, "--point 7\n"),
           "%s", out_text);

    /* a damaged result is reported, the rest merged */
    put_result(dir, 2, "{\"metrics\": {\"x\": ");
    CHECK(sweep(zs, "-o", dir, "--merge", NULL) == 1);
    CHECKF(strstr(err_text, "points/2/results.json:1:"), "%s", err_text);
}

static void test_runs(void)
{
    const char *prog = getenv("VNICSIM");
    char progbuf[300];
    if (!prog) {
        const char *b = getenv("BUILD_DIR");
        snprintf(progbuf, sizeof progbuf, "%s/vnicsim", b ? b : "build");
        prog = progbuf;
    }
    if (access(prog, X_OK) != 0) {
        CHECKF(0, "no program to run points: %s (set VNICSIM)", prog);
        return;
    }
    char dir[300], p[400];
    snprintf(dir, sizeof dir, "%s/run", tmpdir);
    const char *rs = spec("{\"version\": 1, \"base\": {\"preset\": \"ws2-pc733\", \"set\": {\"workload.bytes\": "
                          "200000, \"workload.warmup_bytes\": 20000}},\n"
                          " \"axes\": [{\"path\": \"workload.send_bytes\", \"values\": [1024, 8192]}]}\n");
    int rc = sweep(rs, "-o", dir, "-j", "2", "--program", prog, NULL);
    CHECKF(rc == 0, "exit %d: %s", rc, err_text);
    for (int k = 0; k < 2; k++) {
        const char *files[] = {"config.json", "results.json", "host.json", "run.log"};
        for (int f = 0; f < 4; f++) {
            snprintf(p, sizeof p, "%s/points/%d/%s", dir, k, files[f]);
            CHECKF(access(p, R_OK) == 0, "%s", p);
        }
    }
    char csv[65536];
    snprintf(p, sizeof p, "%s/sweep.csv", dir);
    slurp(p, csv, sizeof csv);
    CHECK(strncmp(csv, "point,repeat,seed,workload.send_bytes,", 38) == 0);
    CHECK(strstr(csv, "\n1,0,1,8192,") != NULL);
    /* results.json is taken generically, but the model's headline metric must be there */
    CHECK(strstr(csv, ",metrics.goodput_mbps,") != NULL);
    snprintf(p, sizeof p, "%s/points/1/config.json", dir);
    slurp(p, csv, sizeof csv);
    CHECK(strstr(csv, "\"send_bytes\": 8192") != NULL);

    /* re-running into it needs --resume or --force */
    CHECK(sweep(rs, "-o", dir, "--program", prog, NULL) == 2);
    CHECK(strstr(err_text, "--resume") != NULL);
    /* --resume keeps a point with results (a marker stands in for them), --point re-runs */
    snprintf(p, sizeof p, "%s/points/0/results.json", dir);
    spit(p, "{\"marker\": 1}\n");
    CHECK(sweep(rs, "-o", dir, "--resume", "--program", prog, NULL) == 0);
    slurp(p, csv, sizeof csv);
    CHECK_STR(csv, "{\"marker\": 1}\n");
    CHECK(sweep(rs, "-o", dir, "--point", "0", "--resume", "--program", prog, NULL) == 0);
    CHECK(strstr(err_text, "skipped") != NULL);
    slurp(p, csv, sizeof csv);
    CHECK_STR(csv, "{\"marker\": 1}\n");
    CHECK(sweep(rs, "-o", dir, "--point", "0", "--program", prog, NULL) == 0);
    slurp(p, csv, sizeof csv);
    CHECK(strstr(csv, "\"metrics\"") != NULL);

    /* a point the model rejects is a failure with its log kept, and the sweep exits 1 */
    snprintf(dir, sizeof dir, "%s/fail", tmpdir);
    const char *fs = spec("{\"version\": 1, \"base\": {\"preset\": \"ws2-pc733\", \"set\": {\"workload.bytes\": "
                          "200000, \"workload.warmup_bytes\": 20000}},\n"
                          " \"axes\": [{\"path\": \"workload.warmup_bytes\", \"values\": [20000, 900000]}]}\n");
    rc = sweep(fs, "-o", dir, "--program", prog, NULL);
    CHECKF(rc == 1, "exit %d", rc);
    CHECKF(strstr(err_text, "point 1 failed (exit 2)"), "%s", err_text);
    snprintf(p, sizeof p, "%s/points/1/run.log", dir);
    slurp(p, csv, sizeof csv);
    CHECKF(strstr(csv, "warmup_bytes") != NULL, "run.log: %s", csv);
    snprintf(p, sizeof p, "%s/points/1/results.json", dir);
    CHECK(access(p, F_OK) != 0);
    snprintf(p, sizeof p, "%s/sweep.csv", dir);
    slurp(p, csv, sizeof csv);
    CHECK(strstr(csv, "\n0,0,1,20000,") && !strstr(csv, "\n1,0,1,"));

    /* an axis over presets: each point starts from its preset, base.set on top */
    snprintf(dir, sizeof dir, "%s/presets", tmpdir);
    const char *ps = spec("{\"version\": 1, \"base\": {\"set\": {\"workload.bytes\": 200000, "
                          "\"workload.warmup_bytes\": 20000}},\n"
                          " \"axes\": [{\"path\": \"preset\", \"values\": [\"native-pc733\", \"ws2-pc733\"]}]}\n");
    rc = sweep(ps, "-o", dir, "--program", prog, NULL);
    CHECKF(rc == 0, "exit %d: %s", rc, err_text);
    snprintf(p, sizeof p, "%s/points/0/config.json", dir);
    slurp(p, csv, sizeof csv);
    CHECK(strstr(csv, "\"name\": \"native-pc733\"") && strstr(csv, "\"mode\": \"native\"") &&
          strstr(csv, "\"bytes\": 200000"));
    snprintf(p, sizeof p, "%s/points/1/config.json", dir);
    slurp(p, csv, sizeof csv);
    CHECK(strstr(csv, "\"name\": \"ws2-pc733\"") && strstr(csv, "\"mode\": \"hosted\""));
    snprintf(p, sizeof p, "%s/sweep.csv", dir);
    slurp(p, csv, sizeof csv);
    CHECK(strncmp(csv, "point,repeat,seed,preset,", 25) == 0 && strstr(csv, "\n1,0,1,ws2-pc733,"));

    /* a program that cannot start */
    snprintf(dir, sizeof dir, "%s/noprog", tmpdir);
    CHECK(sweep(rs, "-o", dir, "--program", "/nonexistent/vnicsim", NULL) == 1);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/vnicsim-test-sweep.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_numbers();
    test_validation();
    test_expansion_merge();
    test_runs();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (check_failed == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_report("test_sweep");
}
