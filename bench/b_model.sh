#!/bin/sh
# b_model: speed and memory of the hosted model (issue 4).
#  - the 100 MB ws2-pc733 run: wall time (target < 0.5 s), events/s, simulated
#    seconds per wall second (best of 3, from the CLI's host.json);
#  - peak RSS does not grow with the transfer size or the configured guest RAM.
VNICSIM=${VNICSIM:-build/vnicsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
rc=0
best=""
for i in 1 2 3; do
  "$VNICSIM" run --preset ws2-pc733 -o "$T/full$i" >/dev/null || { echo "b_model: run failed"; exit 1; }
  w=$(jq .wall_seconds "$T/full$i/host.json")
  if [ -z "$best" ] || awk "BEGIN{exit !($w < $best)}"; then best=$w; bi=$i; fi
done
jq -r '"ws2-pc733 100 MB: wall \(.wall_seconds) s, \(.events) events, \(.events_per_second|floor) events/s, \(.simulated_seconds) simulated s, \(.simulated_seconds_per_wall_second*10|floor/10) simulated s per wall s, peak RSS \(.peak_rss_bytes/1048576*10|floor/10) MiB"' "$T/full$bi/host.json"
if awk "BEGIN{exit !($best < 0.5)}"; then echo "ok: under 0.5 s"; else echo "SLOW: $best s >= 0.5 s"; rc=1; fi

"$VNICSIM" run --preset ws2-pc733 --set workload.bytes=10485760 -o "$T/small" >/dev/null
"$VNICSIM" run --preset ws2-pc733 --set guest.ram_mb=1048576 -o "$T/bigram" >/dev/null
r_full=$(jq .peak_rss_bytes "$T/full$bi/host.json")
r_small=$(jq .peak_rss_bytes "$T/small/host.json")
r_ram=$(jq .peak_rss_bytes "$T/bigram/host.json")
echo "peak RSS: 10 MB transfer $r_small B, 100 MB transfer $r_full B, 100 MB with 1 TiB guest RAM $r_ram B"
if awk "BEGIN{exit !($r_full < $r_small * 1.25 + 1048576 && $r_ram < $r_full * 1.25 + 1048576)}"; then
  echo "ok: memory independent of transfer size and guest RAM"
else
  echo "MEMORY GROWS"; rc=1
fi
exit $rc
