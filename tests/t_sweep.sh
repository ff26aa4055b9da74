#!/bin/sh
# vnicsim sweep end to end: the built-in runner, GNU parallel over --list-points (also
# through --sshloginfile with the local login ':'), --merge, --resume, --point, and
# SIGTERM/SIGINT in the middle of a sweep. The merged CSVs of every runner must be
# byte-identical to the built-in runner's.
. tests/lib.sh
S=tests/fixtures/sweep/small.json
SLOW=tests/fixtures/sweep/slow.json
V=$VNICSIM

rows() { [ "$(wc -l < "$1")" = "$2" ]; }
same() { cmp "$1/sweep.csv" "$2/sweep.csv" && cmp "$1/summary.csv" "$2/summary.csv"; }
points_complete() {  # DIR N: points 0..N-1 each hold config.json, results.json, host.json
    k=0; while [ $k -lt "$2" ]; do
        for f in config results host; do [ -s "$1/points/$k/$f.json" ] || { echo "missing $1/points/$k/$f.json"; return 1; }; done
        k=$((k+1)); done; }
no_tmp() { [ -z "$(find "$1" -name '*.tmp*')" ]; }

# ---- the built-in runner
t_check "spec is valid (12 points)" sh -c "$V sweep $S --check | grep -q '= 12 points'"
t_check "built-in runner, -j2" $V sweep $S -o "$T/ref" -j2
t_check "every point wrote its three files" points_complete "$T/ref" 12
t_check "sweep.csv: header + 12 rows" rows "$T/ref/sweep.csv" 13
t_check "summary.csv: header + 6 combinations" rows "$T/ref/summary.csv" 7
t_check "sweep.csv columns: point, repeat, seed, axes, then results" \
    sh -c "head -1 $T/ref/sweep.csv | grep -q '^point,repeat,seed,workload.send_bytes,costs.world_switch_cycles,'"
t_check "results flattened with dots" grep -q 'metrics.goodput_mbps' "$T/ref/sweep.csv"
t_check "summary has mean and ci95 columns" \
    sh -c "head -1 $T/ref/summary.csv | grep -q 'metrics.goodput_mbps.mean,metrics.goodput_mbps.ci95'"
t_check "point 3 is send 1024, log-range value 4000, repeat 1, seed base+1" \
    sh -c "grep -q '^3,1,2,1024,4000,' $T/ref/sweep.csv"
t_check "a point's config.json has the point's values" \
    sh -c "grep -q '\"world_switch_cycles\": 4000' $T/ref/points/3/config.json && grep -q '\"seed\": 2' $T/ref/points/3/config.json"
t_check "single -j1 run gives the same CSVs" $V sweep $S -o "$T/j1" -j1
t_check "  byte-identical to -j2" same "$T/ref" "$T/j1"
t_fail "refuses a directory holding a sweep without --resume/--force" $V sweep $S -o "$T/ref"

# ---- GNU parallel over --list-points, then --merge
t_check "--list-points prints 12 commands" sh -c "[ \$($V sweep $S -o $T/par --list-points | grep -c -- '--point') = 12 ]"
t_check "GNU parallel -j2 runs the points" sh -c "$V sweep $S -o $T/par --list-points | parallel --will-cite -j2"
t_check "--merge" $V sweep $S -o "$T/par" --merge
t_check "GNU parallel CSVs byte-identical to the built-in runner's" same "$T/ref" "$T/par"
echo : > "$T/sshlogins"
t_check "GNU parallel --sshloginfile (local login ':')" \
    sh -c "$V sweep $S -o $T/ssh --list-points | parallel --will-cite --sshloginfile $T/sshlogins -j2"
t_check "--merge (sshloginfile run)" $V sweep $S -o "$T/ssh" --merge
t_check "sshloginfile CSVs byte-identical" same "$T/ref" "$T/ssh"

# ---- partial merge, --resume and --point
rm -f "$T/par/points/5/results.json" "$T/par/points/8/results.json"
t_check "--merge with 2 points missing" $V sweep $S -o "$T/par" --merge
t_check "  sweep.csv has 10 rows" rows "$T/par/sweep.csv" 11
t_check "  the combination of point 5 still has a summary row (n=1)" sh -c "grep -q '^2,4096,1000,1,' $T/par/summary.csv"
t_check "--list-points --resume lists only the missing points" \
    sh -c "[ \"\$($V sweep $S -o $T/par --list-points --resume | sed 's/.*--point //' | tr '\n' ' ')\" = '5 8 ' ]"
t_check "--point 5 runs one point" $V sweep $S -o "$T/par" --point 5
t_check "  point 5 has results" test -s "$T/par/points/5/results.json"
t_fail "--point 12 is out of range" $V sweep $S -o "$T/par" --point 12
cp "$T/par/points/0/results.json" "$T/r0"
t_check "--resume runs only the missing point" $V sweep $S -o "$T/par" --resume -j2
t_check "  point 0 kept (not re-run)" sh -c "[ ! $T/par/points/0/results.json -nt $T/r0 ] && cmp -s $T/par/points/0/results.json $T/r0"
t_check "  resumed CSVs byte-identical" same "$T/ref" "$T/par"

# ---- interruption: SIGTERM and SIGINT in the middle of a sweep
interrupt() {  # SIGNAL DIR EXPECTED_EXIT
    $V sweep $SLOW -o "$2" -j1 2>"$2.err" &
    pid=$!
    i=0; while [ ! -s "$2/points/0/results.json" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done
    sleep 0.1
    kill -"$1" $pid
    wait $pid; rc=$?
    [ "$rc" = "$3" ] || { echo "exit $rc, expected $3"; cat "$2.err"; return 1; }
    grep -q "stopped by SIG$1" "$2.err" || { cat "$2.err"; return 1; }
    sleep 0.2
    ! grep -l "$2/point[s]" /proc/[0-9]*/cmdline 2>/dev/null || { echo "a point of $2 is still running"; return 1; }
}
t_check "SIGTERM stops the sweep with exit 143" interrupt TERM "$T/term" 143
t_check "  no temporary file left" no_tmp "$T/term"
t_check "  every result file present is complete JSON (merge reads them all)" $V sweep $SLOW -o "$T/term" --merge
t_check "  at least the first point was kept" test -s "$T/term/points/0/results.json"
t_check "  --resume finishes the sweep" $V sweep $SLOW -o "$T/term" --resume -j2
t_check "  all 6 points done" points_complete "$T/term" 6
t_check "SIGINT stops the sweep with exit 130" interrupt INT "$T/int" 130
t_check "  no temporary file left" no_tmp "$T/int"
t_check "  --resume finishes the sweep" $V sweep $SLOW -o "$T/int" --resume
t_check "  CSVs identical to the SIGTERM-resumed sweep" same "$T/term" "$T/int"

# ---- plots: the real sweep, then a fixture with repeats (confidence intervals)
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
figures_ok() {  # DIR NAME...: each NAME.png is a PNG and NAME.svg an SVG
    d=$1; shift
    for n in "$@"; do
        is_png "$d/$n.png" || { echo "$d/$n.png is not a PNG"; return 1; }
        grep -q '<svg' "$d/$n.svg" || { echo "$d/$n.svg is not an SVG"; return 1; }
    done; }
t_check "plot the real sweep" $V plot "$T/ref"
t_check "  five figures, PNG and SVG" figures_ok "$T/ref/plots" throughput_vs_send idle_vs_send \
    vs_world_switch_cycles breakdown latency_cdf
t_check "  send.dat: a block per world-switch cost, 3 send sizes each" \
    sh -c "[ \$(grep -c '^\"world_switch_cycles=' $T/ref/plots/send.dat) = 2 ] && [ \$(grep -c '^[0-9]' $T/ref/plots/send.dat) = 6 ]"
t_check "  latency.dat: 6 CDFs, each ending at 1" \
    sh -c "[ \$(grep -c '^\"' $T/ref/plots/latency.dat) = 6 ] && [ \$(awk 'NF==0 && p!=\"\" {print p} {if (NF) p=\$2} END {print p}' $T/ref/plots/latency.dat | sort -u) = 1 ]"
rm -f "$T"/ref/plots/*.png "$T"/ref/plots/*.svg
t_check "  render.sh re-renders from the data alone" sh "$T/ref/plots/render.sh"
t_check "  figures back" figures_ok "$T/ref/plots" throughput_vs_send breakdown latency_cdf
cp -r tests/fixtures/sweep/plotdir "$T/fx"
t_check "fixture with 3 repeats: merge" $V sweep "$T/fx/spec.json" -o "$T/fx" --merge
t_check "  summary: mean and Student-t 95 % CI of goodput" \
    grep -q '^0,512,false,3,1,0,40.166666666666664,4.362354527978873,' "$T/fx/summary.csv"
t_check "  plot" $V plot "$T/fx" -o "$T/fxplots"
t_check "  four figures (no cost axis)" figures_ok "$T/fxplots" throughput_vs_send idle_vs_send breakdown latency_cdf
t_check "  send.dat carries the CI column" grep -q '^512 40.16666667 4.362354528 ' "$T/fxplots/send.dat"
t_check "  the breakdown leaves out an all-zero category" \
    sh -c "head -1 $T/fxplots/breakdown.dat | grep -q '\"vmm\" \"vmnet_transmit\" \"host_other\" \"idle\"' && ! grep -q native_guest $T/fxplots/breakdown.dat"
t_check "  --no-render writes data and render.sh only" $V plot "$T/fx" -o "$T/fxdata" --no-render
t_check "    no figure" sh -c "test -s $T/fxdata/render.sh && ! ls $T/fxdata/*.png 2>/dev/null"
t_fail "plot: no such directory" $V plot "$T/nonexistent"
mkdir -p "$T/badcsv" && cp "$T/fx/sweep.csv" "$T/badcsv/" && sed '3s/,[^,]*$//' "$T/fx/summary.csv" > "$T/badcsv/summary.csv"
t_check "plot: a damaged summary.csv is reported with its line" \
    sh -c "! $V plot $T/badcsv 2>$T/badcsv.err && grep -q 'summary.csv:3:' $T/badcsv.err"

# ---- spec errors reach the user with file and position
printf '{"version": 1,\n "axes": [{"path": "workload.send_bytes", "values": [1,]}]}\n' > "$T/bad1.json"
t_check "syntax error: file:line:col" sh -c "$V sweep $T/bad1.json --check 2>&1 | grep -q 'bad1.json:2:'"
printf '{"version": 1, "axes": [{"path": "workload.send_byte", "values": [1]}]}\n' > "$T/bad2.json"
t_check "unknown path: did you mean" sh -c "$V sweep $T/bad2.json --check 2>&1 | grep -q \"did you mean 'workload.send_bytes'\""
t_fail "  exit status non-zero" $V sweep "$T/bad2.json" --check
t_done t_sweep
