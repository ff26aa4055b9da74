/* cli: the vnicsim command line. See sim/cli.h and README.md. */
#include "sim/cli.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "model/model.h"
#include "sim/config.h"
#include "sim/out.h"
#include "sim/plot.h"
#include "sim/presets.h"
#include "sim/sweep.h"
#include "sim/timeline.h"
#include "sim/util.h"
#include "sim/version.h"
#include "traces/conform.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* ---- help texts ------------------------------------------------------------ */

static const char usage_main[] =
    "usage: vnicsim COMMAND [OPTIONS]\n"
    "\n"
    "A trace-driven discrete-event model of hosted I/O virtualization (VMware\n"
    "Workstation 2001 style) with a functional AMD Am79C970A (PCnet) NIC.\n"
    "\n"
    "commands:\n"
    "  run            run the model on a configuration, write results into a directory\n"
    "  config show    print the fully resolved configuration as JSON\n"
    "  config check   validate configuration files\n"
    "  presets        list the built-in presets\n"
    "  sweep          run a parameter sweep (one run per point) and merge it into CSVs\n"
    "  plot           render a sweep's CSVs with gnuplot\n"
    "  conform        replay a recording of the real pcnet32 driver against the NIC model\n"
    "\n"
    "  vnicsim COMMAND --help   help on one command\n"
    "  vnicsim --version        print the version\n"
    "\n"
    "exit status: 0 success, 1 runtime failure, 2 usage or input error,\n"
    "130/143 run stopped by SIGINT/SIGTERM\n";

#define CFG_OPTIONS_HELP                                                                 \
    "  --preset NAME        start from a built-in preset (see 'vnicsim presets')\n"      \
    "  --config FILE        apply a configuration file (after --preset, if both given)\n" \
    "  --set PATH=VALUE     override one key, e.g. --set seed=7 (repeatable; applied\n"  \
    "                       last, in order); VALUE is JSON, or a bare string for string keys\n"

static const char usage_run[] =
    "usage: vnicsim run [--preset NAME] [--config FILE] [--set PATH=VALUE]...\n"
    "                   [-o DIR] [--force] [--timeline FILE [--window START_US:END_US]]\n"
    "                   [--pcap FILE|- [--vm-mac MAC] [--pace timed|afap] [--speed X]\n"
    "                    [--wire-pcap OUT]]\n"
    "\n"
    "Run the model and write DIR/config.json (resolved configuration, seed, program\n"
    "version), DIR/results.json (simulated results only: identical for identical\n"
    "configurations) and DIR/host.json (wall time, events, events/s, peak RSS); print\n"
    "the summary on stdout. Without --preset and --config the preset " MODEL_DEFAULT_PRESET
    " is used.\n"
    "\n" CFG_OPTIONS_HELP
    "  -o, --output DIR     output directory (default results/<name>-<UTC timestamp>)\n"
    "  --force              write into DIR even if it is not empty\n"
    "\n"
    "replay of real traffic (each option sets the replay.* key of the same name):\n"
    "  --pcap FILE|-        replay a capture (pcap or pcapng, Ethernet; - reads standard\n"
    "                       input) instead of nettest: frames from the VM's MAC are sent\n"
    "                       by the guest, frames to it arrive from the wire\n"
    "  --vm-mac MAC         the VM's MAC (default: the most frequent source address; with\n"
    "                       -, the first frame's source)\n"
    "  --pace timed|afap    offer frames at their capture times (default) or as fast as\n"
    "                       the modelled host allows\n"
    "  --speed X            timed pace: play the capture X times faster (default 1)\n"
    "  --wire-pcap OUT      write the simulated wire as a nanosecond pcap\n"
    "  --driver-trace FILE  replay a recorded guest-driver trace (vnicsim-dtrace, raw QEMU\n"
    "                       log, pcnet-ports.txt; gzip too) in place of the guest driver;\n"
    "                       --pcap (default: net.pcap beside FILE) supplies the frames\n"
    "  --record-driver-trace OUT  write the guest driver's port accesses and IRQ edges\n"
    "                       (probe to end of run) as a vnicsim-dtrace file (.gz: gzip)\n"
    "  --record-driver-pcap OUT  with it: the frames the NIC sent and was given, on the\n"
    "                       trace's clock, for conform and --driver-trace --pcap\n"
    "  --timeline FILE      also write the run as Chrome/Perfetto trace-event JSON\n"
    "                       (ui.perfetto.dev, chrome://tracing): every CPU charge as a\n"
    "                       slice named by its category, idle, the world, the wire, the\n"
    "                       peer, each segment's journey as a flow; results unchanged\n"
    "  --window S:E         only the slices intersecting [S, E) us of simulated time\n"
    "                       (either side may be empty)\n"
    "\n"
    "SIGINT/SIGTERM stop the run without writing any result file (exit 130/143).\n";

static const char usage_config[] =
    "usage: vnicsim config show [--preset NAME] [--config FILE] [--set PATH=VALUE]...\n"
    "       vnicsim config check FILE...\n"
    "\n"
    "show   print the fully resolved configuration as JSON (version, name,\n"
    "       description, every key, the provenance of each cost); the output is\n"
    "       itself a valid configuration file\n"
    "check  validate each FILE (syntax, version, keys, types, ranges, choices, base\n"
    "       chain, and a provenance entry for every cost it sets); prints 'FILE: ok'\n"
    "       or the error, exits 0 when all are valid, 2 otherwise\n"
    "\n"
    "options of show:\n" CFG_OPTIONS_HELP;

static const char usage_config_show[] =
    "usage: vnicsim config show [--preset NAME] [--config FILE] [--set PATH=VALUE]...\n"
    "\n"
    "Print the fully resolved configuration as JSON: version, name, description,\n"
    "every key (nested objects) and the provenance of each cost. Without --preset\n"
    "and --config the built-in defaults are shown.\n"
    "\n" CFG_OPTIONS_HELP;

static const char usage_config_check[] =
    "usage: vnicsim config check FILE...\n"
    "\n"
    "Validate each configuration FILE: syntax, version, unknown keys, types, ranges,\n"
    "choices, base chain, and a provenance entry for every cost the file sets.\n"
    "Prints 'FILE: ok' or the error; exits 0 when all are valid, 2 otherwise.\n";

static const char usage_presets[] =
    "usage: vnicsim presets\n"
    "\n"
    "List the built-in presets (compiled in from configs/) with their descriptions.\n";

/* ---- option parsing ----------------------------------------------------------- */

typedef struct CfgArgs {
    const char *preset, *config;
    const char **sets;
    int nsets;
} CfgArgs;

/* Tries the configuration options at argv[*i]: 1 consumed, 0 not one, -1 error. */
static int cfg_opt(int argc, char **argv, int *i, CfgArgs *ca, const char *cmd)
{
    static const char *const names[] = {"--preset", "--config", "--set"};
    for (int n = 0; n < 3; n++) {
        const char *val;
        int r = util_opt_value(argc, argv, i, names[n], false, &val);
        if (r < 0) {
            util_usage_error(cmd, "option '%s' needs a value", names[n]);
            return -1;
        }
        if (r == 0)
            continue;
        if (n == 0) {
            if (ca->preset) {
                util_usage_error(cmd, "%s given twice", "--preset");
                return -1;
            }
            ca->preset = val;
        } else if (n == 1) {
            if (ca->config) {
                util_usage_error(cmd, "%s given twice", "--config");
                return -1;
            }
            ca->config = val;
        } else {
            ca->sets[ca->nsets++] = val;
        }
        return 1;
    }
    return 0;
}

/* The replay options of `run` (issue 6): each one becomes a --set of its replay.*
 * key (so sweeps and configuration files use the same keys). String values are
 * passed as JSON strings, so any file name works. 1 consumed, 0 not one, -1 error. */
static int replay_opt(int argc, char **argv, int *i, CfgArgs *ca)
{
    static const struct { const char *opt, *key; bool str; } map[] = {
        {"--pcap", "replay.pcap", true},           {"--vm-mac", "replay.vm_mac", true},
        {"--pace", "replay.pace", true},           {"--speed", "replay.speed", false},
        {"--wire-pcap", "replay.wire_pcap", true}, {"--driver-trace", "replay.driver_trace", true},
        {"--record-driver-trace", "replay.record_driver_trace", true},
        {"--record-driver-pcap", "replay.record_driver_pcap", true},
    };
    static char *owned[sizeof map / sizeof map[0]]; /* kept for the process's life */
    for (size_t n = 0; n < sizeof map / sizeof map[0]; n++) {
        const char *val;
        int r = util_opt_value(argc, argv, i, map[n].opt, false, &val);
        if (r < 0) {
            util_usage_error("run", "option '%s' needs a value", map[n].opt);
            return -1;
        }
        if (r == 0)
            continue;
        if (owned[n]) {
            util_usage_error("run", "%s given twice", map[n].opt);
            return -1;
        }
        char *enc = NULL;
        if (map[n].str) {
            json_t *js = json_string(val);
            enc = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
            json_decref(js);
            if (!enc) {
                util_usage_error("run", "the value of '%s' is not valid UTF-8", map[n].opt);
                return -1;
            }
        }
        const char *v = enc ? enc : val;
        size_t len = strlen(map[n].key) + strlen(v) + 2;
        owned[n] = malloc(len);
        if (!owned[n]) {
            free(enc);
            fputs("vnicsim: out of memory\n", stderr);
            return -1;
        }
        snprintf(owned[n], len, "%s=%s", map[n].key, v);
        free(enc);
        ca->sets[ca->nsets++] = owned[n];
        return 1;
    }
    return 0;
}

static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* Build the configuration: defaults, then preset (or `fallback`), file, --set. */
static Config *build_config(const CfgArgs *ca, const char *fallback)
{
    Config *c = cfg_new();
    CfgError err;
    if (!c) {
        fputs("vnicsim: out of memory\n", stderr);
        return NULL;
    }
    const char *preset = ca->preset ? ca->preset : (ca->config ? NULL : fallback);
    if (preset && cfg_apply_preset(c, preset, &err) != 0)
        goto bad;
    if (ca->config && cfg_apply_file(c, ca->config, &err) != 0)
        goto bad;
    for (int i = 0; i < ca->nsets; i++)
        if (cfg_apply_set(c, ca->sets[i], &err) != 0)
            goto bad;
    return c;
bad:
    fprintf(stderr, "%s\n", err.text);
    cfg_free(c);
    return NULL;
}

/* ---- run ------------------------------------------------------------------------ */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct Progress {
    bool tty;
    bool shown;
    double start, last; /* wall clock: run start, last redraw */
} Progress;

static void progress_cb(void *opaque, SimTime now, double fraction, uint64_t events)
{
    Progress *p = opaque;
    if (!p->tty)
        return;
    double t = wall_now(), el = t - p->start;
    if (el < 1.0 || t - p->last < 0.2)
        return;
    p->last = t;
    char pct[16] = "";
    if (fraction >= 0)
        snprintf(pct, sizeof pct, "  %5.1f%%", fraction * 100.0);
    fprintf(stderr, "\rvnicsim: simulated %.6f s%s  %.2f M events/s \033[K",
            (double)now / (double)SIM_S, pct, (double)events / el / 1e6);
    fflush(stderr);
    p->shown = true;
}

static int cmd_run(int argc, char **argv)
{
    const char *sets[argc > 0 ? argc : 1];
    CfgArgs ca = {.sets = sets};
    const char *outdir = NULL, *tl_path = NULL, *tl_window = NULL;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        const char *val;
        int r;
        if (is_help(argv[i])) {
            fputs(usage_run, stdout);
            return EXIT_OK;
        }
        if ((r = cfg_opt(argc, argv, &i, &ca, "run")) < 0)
            return EXIT_USAGE;
        if (r)
            continue;
        if ((r = replay_opt(argc, argv, &i, &ca)) < 0)
            return EXIT_USAGE;
        if (r)
            continue;
        if ((r = util_opt_value(argc, argv, &i, "--output", false, &val)) == 0)
            r = util_opt_value(argc, argv, &i, "-o", false, &val);
        if (r < 0)
            return util_usage_error("run", "option '%s' needs a value", argv[i]);
        if (r) {
            outdir = val;
            continue;
        }
        if (strcmp(argv[i], "--force") == 0) {
            force = true;
            continue;
        }
        if ((r = util_opt_value(argc, argv, &i, "--timeline", false, &val)) != 0) {
            if (r < 0)
                return util_usage_error("run", "option '%s' needs a value", argv[i]);
            tl_path = val;
            continue;
        }
        if ((r = util_opt_value(argc, argv, &i, "--window", false, &val)) != 0) {
            if (r < 0)
                return util_usage_error("run", "option '%s' needs a value", argv[i]);
            tl_window = val;
            continue;
        }
        if (argv[i][0] == '-')
            return util_usage_error("run", "unknown option '%s'", argv[i]);
        return util_usage_error("run", "unexpected argument '%s'", argv[i]);
    }
    SimTime tl_from = 0, tl_to = SIM_TIME_MAX;
    if (tl_window) {
        char werr[256];
        if (!tl_path)
            return util_usage_error("run", "%s needs --timeline", "--window");
        if (timeline_parse_window(tl_window, &tl_from, &tl_to, werr, sizeof werr) != 0)
            return util_usage_error("run", "--window: %s", werr);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    Config *cfg = build_config(&ca, MODEL_DEFAULT_PRESET);
    if (!cfg)
        return EXIT_USAGE;

    char dirbuf[4096], err[1024];
    if (!outdir) {
        out_default_dir(dirbuf, sizeof dirbuf, cfg_name(cfg));
        outdir = dirbuf;
    }
    bool created;
    int rc = out_prepare_dir(outdir, force, &created, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "vnicsim run: %s\n", err);
        cfg_free(cfg);
        return rc == 2 ? EXIT_USAGE : EXIT_RUNTIME;
    }

    Model *m = model_new(cfg, err, sizeof err);
    if (!m) {
        fprintf(stderr, "vnicsim run: configuration '%s' rejected by the model: %s\n",
                cfg_name(cfg), err);
        if (created)
            out_remove_if_empty(outdir);
        cfg_free(cfg);
        return EXIT_USAGE;
    }

    Timeline *tl = NULL;
    if (tl_path && (!(tl = timeline_open(tl_path, tl_from, tl_to, err, sizeof err)) ||
                    model_timeline(m, tl, err, sizeof err) != 0)) {
        fprintf(stderr, "vnicsim run: %s\n", err);
        timeline_discard(tl);
        if (created)
            out_remove_if_empty(outdir);
        model_free(m);
        cfg_free(cfg);
        return EXIT_RUNTIME;
    }

    Progress prog = {.tty = isatty(2) == 1, .start = wall_now()};
    int r = stop_signal ? 1 : model_run(m, &stop_signal, progress_cb, &prog, err, sizeof err);
    double wall = wall_now() - prog.start;
    util_status_clear(&prog.shown);
    if (tl) { /* the timeline goes in place only when the run completed */
        model_timeline_detach(m);
        if (r != 0) {
            timeline_discard(tl);
        } else if (timeline_close(tl, err, sizeof err) != 0) {
            fprintf(stderr, "vnicsim run: %s\n", err);
            r = -1;
            snprintf(err, sizeof err, "no results written: the timeline could not be written");
        }
    }

    if (r != 0) {
        int code;
        if (r > 0) {
            int sig = stop_signal ? (int)stop_signal : SIGINT;
            fprintf(stderr, "vnicsim run: stopped by %s at simulated time %.6f s; no results written\n",
                    sig == SIGTERM ? "SIGTERM" : "SIGINT",
                    (double)model_sim_time(m) / (double)SIM_S);
            code = 128 + sig;
        } else {
            fprintf(stderr, "vnicsim run: %s\n", err);
            code = EXIT_RUNTIME;
        }
        if (created)
            out_remove_if_empty(outdir);
        model_free(m);
        cfg_free(cfg);
        return code;
    }

    json_t *cj = cfg_to_json(cfg);
    json_object_set_new(cj, "vnicsim_version", json_string(VNICSIM_VERSION));
    json_t *rj = model_results(m);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t events = model_events(m);
    double sim_s = (double)model_sim_time(m) / (double)SIM_S;
    json_t *hj = json_object();
    json_object_set_new(hj, "vnicsim_version", json_string(VNICSIM_VERSION));
    json_object_set_new(hj, "wall_seconds", json_real(wall));
    json_object_set_new(hj, "events", json_integer((json_int_t)events));
    json_object_set_new(hj, "events_per_second", json_real(wall > 0 ? (double)events / wall : 0));
    json_object_set_new(hj, "simulated_seconds", json_real(sim_s));
    json_object_set_new(hj, "simulated_seconds_per_wall_second",
                        json_real(wall > 0 ? sim_s / wall : 0));
    json_object_set_new(hj, "peak_rss_bytes", json_integer((json_int_t)ru.ru_maxrss * 1024));

    int code = EXIT_OK;
    if (!rj) {
        fprintf(stderr, "vnicsim run: the model produced no results\n");
        code = EXIT_RUNTIME;
    } else if (out_write_json(outdir, "config.json", cj, cfg_real_precision(cfg), err,
                              sizeof err) != 0 ||
               out_write_json(outdir, "results.json", rj, 17, err, sizeof err) != 0 ||
               out_write_json(outdir, "host.json", hj, 10, err, sizeof err) != 0) {
        fprintf(stderr, "vnicsim run: %s\n", err);
        code = EXIT_RUNTIME;
    }
    if (code == EXIT_OK) {
        model_print_summary(m, stdout);
        printf("\nresults: %s/\n", outdir);
        fflush(stdout);
    }
    json_decref(cj);
    json_decref(rj);
    json_decref(hj);
    model_free(m);
    cfg_free(cfg);
    return code;
}

/* ---- config ----------------------------------------------------------------------- */

static int cmd_config_show(int argc, char **argv)
{
    const char *sets[argc > 0 ? argc : 1];
    CfgArgs ca = {.sets = sets};
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_config_show, stdout);
            return EXIT_OK;
        }
        int r = cfg_opt(argc, argv, &i, &ca, "config show");
        if (r < 0)
            return EXIT_USAGE;
        if (r == 0)
            return util_usage_error("config show", argv[i][0] == '-' ? "unknown option '%s'"
                                                                : "unexpected argument '%s'",
                               argv[i]);
    }
    Config *cfg = build_config(&ca, NULL);
    if (!cfg)
        return EXIT_USAGE;
    json_t *j = cfg_to_json(cfg);
    size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                   JSON_REAL_PRECISION(cfg_real_precision(cfg));
    int rc = json_dumpf(j, stdout, flags) == 0 && putchar('\n') != EOF ? EXIT_OK : EXIT_RUNTIME;
    json_decref(j);
    cfg_free(cfg);
    return rc;
}

static int cmd_config_check(int argc, char **argv)
{
    int nfiles = 0, rc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_config_check, stdout);
            return EXIT_OK;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return util_usage_error("config check", "unknown option '%s'", argv[i]);
    }
    for (int i = 1; i < argc; i++) {
        nfiles++;
        Config *c = cfg_new();
        CfgError err;
        if (cfg_apply_file(c, argv[i], &err) == 0 && cfg_check_provenance(c, &err) == 0) {
            printf("%s: ok\n", argv[i]);
        } else {
            fprintf(stderr, "%s\n", err.text);
            rc = EXIT_USAGE;
        }
        cfg_free(c);
    }
    if (!nfiles)
        return util_usage_error("config check", "%s", "no FILE given");
    return rc;
}

static int cmd_config(int argc, char **argv)
{
    if (argc < 2)
        return util_usage_error("config", "%s", "expected 'show' or 'check'");
    if (is_help(argv[1])) {
        fputs(usage_config, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "show") == 0)
        return cmd_config_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return cmd_config_check(argc - 1, argv + 1);
    return util_usage_error("config", "unknown subcommand '%s' (expected 'show' or 'check')", argv[1]);
}

/* ---- presets ------------------------------------------------------------------------ */

static int cmd_presets(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_presets, stdout);
            return EXIT_OK;
        }
        return util_usage_error("presets", argv[i][0] == '-' ? "unknown option '%s'"
                                                        : "unexpected argument '%s'",
                           argv[i]);
    }
    int rc = EXIT_OK;
    for (const PresetBlob *p = preset_blobs; p->name; p++) {
        Config *c = cfg_new();
        CfgError err;
        if (cfg_apply_preset(c, p->name, &err) == 0) {
            printf("%-20s %s%s\n", p->name, cfg_description(c),
                   strcmp(p->name, MODEL_DEFAULT_PRESET) == 0 ? " (default)" : "");
        } else {
            printf("%-20s INVALID: %s\n", p->name, err.text);
            rc = EXIT_RUNTIME;
        }
        cfg_free(c);
    }
    if (!preset_blobs[0].name)
        printf("(no presets built in)\n");
    return rc;
}

/* ---- dispatch --------------------------------------------------------------------------- */

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd) || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("vnicsim %s\n", VNICSIM_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "config") == 0)
        return cmd_config(argc - 1, argv + 1);
    if (strcmp(cmd, "presets") == 0)
        return cmd_presets(argc - 1, argv + 1);
    /* Commands implemented elsewhere take argv[0] = their own name. */
    if (strcmp(cmd, "conform") == 0)
        return conform_main(argc - 1, argv + 1); /* traces/conform.c */
    if (strcmp(cmd, "sweep") == 0)
        return sweep_main(argc - 1, argv + 1); /* sim/sweep.c */
    if (strcmp(cmd, "plot") == 0)
        return plot_main(argc - 1, argv + 1); /* sim/plot.c */
    fprintf(stderr, "vnicsim: unknown command '%s' (see 'vnicsim --help')\n", cmd);
    return EXIT_USAGE;
}
