#!/bin/sh
# t_cli: the vnicsim command line: exit codes, help, version, presets, config
# show/check, run outputs, determinism, --force, SIGINT.
. tests/lib.sh
V=$VNICSIM
case "$V" in /*) VABS=$V ;; *) VABS=$PWD/$V ;; esac
F=tests/fixtures/config

if [ ! -x "$V" ]; then
    echo "not ok t_cli: $V is not built"; t_failed=1; # progress line: only on a terminal (script(1) gives the run a pseudo-terminal)
if command -v script >/dev/null 2>&1; then
    script -qec "sh -c '$VABS run $LONG -o $T/tty >/dev/null & p=\$!; sleep 2.5; kill -INT \$p; wait \$p'" /dev/null >"$T/tty.out" 2>&1
    t_grep "progress line on a terminal" "simulated .* events/s" cat "$T/tty.out"
    t_check "progress line redrawn with CR and cleared" sh -c "tr '\r' '\n' <'$T/tty.out' | grep -q 'stopped by SIGINT'"
fi

t_done t_cli; exit 1
fi

# exit status of a command (output discarded)
rc() { "$@" >/dev/null 2>&1; echo $?; }
# passes when the command prints the pattern (stdout+stderr)
t_grep() { d=$1; pat=$2; shift 2
    if "$@" 2>&1 | grep -q -- "$pat"; then t_passed=$((t_passed+1))
    else t_failed=$((t_failed+1)); echo "not ok $d (no '$pat' in output)"; "$@" 2>&1 | head -10 | sed 's/^/    /'; fi; }
t_eq() { d=$1
    if [ "$2" = "$3" ]; then t_passed=$((t_passed+1))
    else t_failed=$((t_failed+1)); echo "not ok $d: got '$2', expected '$3'"; fi; }

# ---- usage, help, version ----
t_eq "no arguments is a usage error" "$(rc $V)" 2
t_eq "unknown command" "$(rc $V frobnicate)" 2
t_eq "run: unknown option" "$(rc $V run --frobnicate)" 2
t_eq "run: -o needs a value" "$(rc $V run -o)" 2
t_eq "run: stray argument" "$(rc $V run extra)" 2
t_eq "config: no subcommand" "$(rc $V config)" 2
t_eq "config: bad subcommand" "$(rc $V config frob)" 2
t_eq "config check: no file" "$(rc $V config check)" 2
t_eq "presets: stray argument" "$(rc $V presets extra)" 2
t_eq "--preset twice" "$(rc $V config show --preset a --preset b)" 2
t_grep "--version" "^vnicsim 0\.1\.0$" $V --version
t_grep "--help" "usage: vnicsim COMMAND" $V --help
t_grep "run --help" "usage: vnicsim run" $V run --help
t_grep "config --help" "usage: vnicsim config show" $V config --help
t_grep "config show --help" "usage: vnicsim config show" $V config show --help
t_grep "config check --help" "usage: vnicsim config check" $V config check --help
t_grep "presets --help" "usage: vnicsim presets" $V presets --help
t_grep "sweep is dispatched" "usage: vnicsim sweep" $V sweep --help
t_grep "plot is dispatched" "usage: vnicsim plot" $V plot --help
t_grep "conform is dispatched" "usage: vnicsim conform" $V conform --help
t_check "help exits 0" $V run --help
t_grep "usage error names the command" "vnicsim run: unknown option '--frobnicate'" $V run --frobnicate

# ---- presets ----
t_check "presets exits 0" $V presets
for p in $(ls configs/*.json 2>/dev/null); do
    n=$(basename "$p" .json)
    t_grep "presets lists $n" "^$n " $V presets
done

# ---- config show / check ----
t_check "config show (defaults)" $V config show
t_grep "config show resolves --set" '"seed": 42' $V config show --set seed=42
t_grep "config show: last --set wins" '"seed": 7' $V config show --set seed=42 --set=seed=7
t_grep "config show: file then --set" '"max_sim_time_ms": 3' $V config show --config $F/precedence.json --set run.max_sim_time_ms=3
t_grep "config show: name from the file" '"name": "precedence_child"' $V config show --config $F/precedence_child.json
t_eq "config show: bad --set is an input error" "$(rc $V config show --set seed=x)" 2
t_eq "config show: unknown preset" "$(rc $V config show --preset no-such-preset)" 2
t_grep "config show: unknown key suggestion" "did you mean 'seed'" $V config show --set sed=1
$V config show --set seed=99 > "$T/shown.json"
t_grep "config show output passes config check" "$T/shown.json: ok" $V config check "$T/shown.json"
t_grep "config show output reloads" '"seed": 99' $V config show --config "$T/shown.json"
t_grep "config check ok" "$F/precedence.json: ok" $V config check $F/precedence.json
t_eq "config check ok exits 0" "$(rc $V config check $F/precedence.json $F/precedence_child.json)" 0
for c in $F/*.err; do
    n=$(basename "$c" .err)
    [ -f "$F/$n.json" ] || continue
    t_eq "config check $n exits 2" "$(rc $V config check $F/$n.json)" 2
    want=$(sed "s|@DIR@|$F|g" "$c")
    got=$($V config check "$F/$n.json" 2>&1)
    t_eq "config check $n message" "$got" "$want"
done
t_check "config check: inherited provenance is enough" $V config check $F/provenance_inherited.json
t_grep "config show: provenance resolved" '"costs.world_switch_cycles": "overridden by the child"' $V config show --config $F/provenance_inherited.json
t_grep "config show: choices listed" "choose one of: native, hosted" $V config show --set vmm.mode=kvm
t_grep "config show: bare string for a string key" '"mode": "native"' $V config show --set vmm.mode=native
t_grep "config show: a cost set with --set names it as its source" '"costs.iret_cycles": "command line: --set costs.iret_cycles=1000"' $V config show --set costs.iret_cycles=1000
t_eq "config check: one bad file fails the lot" "$(rc $V config check $F/precedence.json $F/syntax.json)" 2
t_eq "run: bad config is an input error" "$(rc $V run --config $F/wrong_type.json -o "$T/never")" 2
t_fail "run: bad config creates no directory" test -e "$T/never"

# ---- run (needs the model) ----
# A short job for outputs and determinism; a long one to interrupt.
SHORT="--set workload.bytes=1048576 --set workload.warmup_bytes=65536 --set run.max_sim_time_ms=1000"
LONG="--set workload.bytes=1000000000000 --set run.max_sim_time_ms=1e9"

t_check "run writes into -o DIR" $V run $SHORT -o "$T/r1"
for f in config.json results.json host.json; do
    t_check "run wrote $f" test -s "$T/r1/$f"
    t_check "$f is valid JSON" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/r1/$f"
done
t_check "no temporary files left" sh -c "! ls -A '$T/r1' | grep -q tmp"
t_grep "config.json has the program version" '"vnicsim_version": "0.1.0"' cat "$T/r1/config.json"
t_grep "config.json has the seed" '"seed": 1' cat "$T/r1/config.json"
t_grep "host.json has events per second" '"events_per_second"' cat "$T/r1/host.json"
t_grep "host.json has peak RSS" '"peak_rss_bytes"' cat "$T/r1/host.json"
t_grep "results.json has schema_version" '"schema_version": 1' cat "$T/r1/results.json"
t_grep "config.json reloads as a configuration" "ok" $V config check "$T/r1/config.json"
t_eq "non-empty output directory refused" "$(rc $V run $SHORT -o "$T/r1")" 2
t_grep "refusal says why" "not empty" $V run $SHORT -o "$T/r1"
t_check "--force writes into it" $V run $SHORT -o "$T/r1" --force
t_check "second run" $V run $SHORT -o "$T/r2"
t_check "results.json byte-identical between runs" cmp "$T/r1/results.json" "$T/r2/results.json"
t_check "config.json byte-identical between runs" cmp "$T/r1/config.json" "$T/r2/config.json"
t_check "another seed" $V run $SHORT --set seed=2 -o "$T/r3"
t_grep "the seed reaches config.json" '"seed": 2' cat "$T/r3/config.json"
t_check "re-run from a result's config.json" $V run --config "$T/r1/config.json" -o "$T/r4"
t_check "same results from the saved config" cmp "$T/r1/results.json" "$T/r4/results.json"
t_check "stdout is the summary, not a progress line" sh -c "$V run $SHORT -o '$T/r5' 2>'$T/r5.err' | grep -q 'results: $T/r5/'"
t_check "no progress output when stderr is not a terminal" test ! -s "$T/r5.err"
# default output directory: results/<name>-<timestamp>/ under the current directory
mkdir -p "$T/cwd"
t_check "default output directory" sh -c "cd '$T/cwd' && '$VABS' run $SHORT >/dev/null"
t_check "default directory name" sh -c "ls '$T/cwd/results' | grep -Eq '^[A-Za-z0-9._-]+-[0-9]{8}T[0-9]{6}\.[0-9]{6}Z$'"

# SIGINT / SIGTERM: exit 128+signal, no result files
for sig in INT TERM; do
    $V run $LONG -o "$T/sig$sig" >/dev/null 2>"$T/sig$sig.err" &
    pid=$!
    sleep 1
    kill -$sig $pid 2>/dev/null
    wait $pid; code=$?
    want=130; [ $sig = TERM ] && want=143
    t_eq "SIG$sig exits $want" "$code" "$want"
    t_check "SIG$sig leaves no results.json" test ! -e "$T/sig$sig/results.json"
    t_check "SIG$sig leaves no config.json" test ! -e "$T/sig$sig/config.json"
    t_grep "SIG$sig is reported" "stopped by SIG$sig" cat "$T/sig$sig.err"
done

# progress line: only on a terminal (script(1) gives the run a pseudo-terminal)
if command -v script >/dev/null 2>&1; then
    script -qec "sh -c '$VABS run $LONG -o $T/tty >/dev/null & p=\$!; sleep 2.5; kill -INT \$p; wait \$p'" /dev/null >"$T/tty.out" 2>&1
    t_grep "progress line on a terminal" "simulated .* events/s" cat "$T/tty.out"
    t_check "progress line redrawn with CR and cleared" sh -c "tr '\r' '\n' <'$T/tty.out' | grep -q 'stopped by SIGINT'"
fi

t_done t_cli
