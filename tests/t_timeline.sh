#!/bin/sh
# t_timeline: vnicsim run --timeline (Chrome/Perfetto trace-event JSON). Format,
# non-overlapping slices per track, flows bound to slices, and the CPU track's
# per-category sums over the measured interval equal to results.json's breakdown
# to the picosecond (tests/timeline_check.py); results unchanged by --timeline;
# --window; input and output errors.
. tests/lib.sh

if ! command -v python3 >/dev/null 2>&1; then echo "# t_timeline: 0 passed, 0 failed (no python3)"; exit 0; fi

SMALL="--set workload.bytes=600000 --set workload.warmup_bytes=200000"
CHECK="python3 tests/timeline_check.py"

t_check "ws2 run without timeline" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/plain"
t_check "ws2 run with timeline" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/ws2" --timeline "$T/ws2.json"
t_check "results.json identical with and without --timeline" cmp "$T/plain/results.json" "$T/ws2/results.json"
t_check "ws2 timeline: format, overlap, flows, sums = results" $CHECK "$T/ws2.json" "$T/ws2/results.json"
t_check "no temporary file left" sh -c "! ls '$T' | grep -q tmp"
# a segment's journey: 11 points when acknowledged at once (TCP, RAP, RDP, Lance TX,
# VMNet write, wire, peer receive, peer ACK, wire, VMNet receive, guest TCP)
t_check "ws2 flows: start in guest TCP, end in the guest's ACK processing" sh -c "
  jq -e '[.traceEvents[] | select(.ph==\"s\")] | length > 250' '$T/ws2.json' >/dev/null &&
  jq -e '[.traceEvents[] | select(.ph==\"f\")] | length > 120' '$T/ws2.json' >/dev/null &&
  jq -e '[.traceEvents[] | select(.ph==\"X\" and .cat==\"wire\")] | length > 400' '$T/ws2.json' >/dev/null &&
  jq -e '[.traceEvents[] | select(.ph==\"X\" and .cat==\"peer\")] | length > 400' '$T/ws2.json' >/dev/null &&
  jq -e '[.traceEvents[] | select(.ph==\"X\" and .cat==\"world\")] | length > 100' '$T/ws2.json' >/dev/null"

t_check "opt-pc733 (send combining) timeline" "$VNICSIM" run --preset opt-pc733 $SMALL -o "$T/opt" --timeline "$T/opt.json"
t_check "opt timeline: sums = results (idle included)" $CHECK "$T/opt.json" "$T/opt/results.json"
t_check "opt timeline has idle slices" jq -e '[.traceEvents[] | select(.ph=="X" and .name=="idle")] | length > 10' "$T/opt.json"
t_check "native-pc733 timeline" "$VNICSIM" run --preset native-pc733 $SMALL -o "$T/nat" --timeline "$T/nat.json"
t_check "native timeline: sums = results" $CHECK "$T/nat.json" "$T/nat/results.json"

# the checker itself fails on a broken timeline
python3 - "$T/ws2.json" "$T/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
xs = [e for e in d["traceEvents"] if e["ph"] == "X" and e["name"] == "vmnet_transmit"]
xs[-3]["dur"] = xs[-3]["dur"] * 2  # longer: overlaps its successor, sum differs
json.dump(d, open(sys.argv[2], "w"))
PY
t_check "checker rejects an overlapping, miscounted timeline" sh -c "
  ! $CHECK '$T/bad.json' '$T/ws2/results.json' > '$T/bad.out' &&
  grep -q 'overlaps' '$T/bad.out' && grep -q 'category vmnet_transmit' '$T/bad.out'"

# --window: only slices intersecting [2000, 2500) us, smaller file
t_check "window run" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/win" --timeline "$T/win.json" --window 2000:2500
t_check "window timeline valid and inside the window" $CHECK "$T/win.json" "$T/win/results.json" --window 2000:2500
t_check "window timeline smaller" sh -c "[ \$(wc -c < '$T/win.json') -lt \$(wc -c < '$T/ws2.json') ]"
t_check "window results identical" cmp "$T/plain/results.json" "$T/win/results.json"

# errors
t_fail "--window without --timeline" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/e1" --window 1:2
t_fail "--window empty" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/e2" --timeline "$T/e2.json" --window 5:5
t_fail "--window not a number" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/e3" --timeline "$T/e3.json" --window a:b
t_fail "--window too many decimals" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/e4" --timeline "$T/e4.json" --window 1.0000001:2
t_fail "timeline in a missing directory" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/e5" --timeline "$T/no/such/dir/t.json"
t_check "no results after a timeline error" test ! -e "$T/e5/results.json"

t_done t_timeline
