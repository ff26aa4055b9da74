#!/bin/sh
# compare.sh: a recorded guest driver against the pcnet32-napi personality on the
# same traffic (issue 6, docs/replay.md "Driver-trace replay").
#
#   analysis/replay/compare.sh [-p PRESET] [-o DIR] [-n ROWS] TRACE [PCAP]
#
# Runs `vnicsim run --preset PRESET --driver-trace TRACE [--pcap PCAP]` and the pcap
# replay of the same capture (the trace's pcap: PCAP, else net.pcap beside TRACE)
# with --set guest.driver=pcnet32-napi --pace afap and the VM MAC the trace run used,
# then prints the two side by side: frames, port accesses per frame and per NIC
# interrupt, world switches per frame, CPU busy, and port accesses per frame by
# register (the ROWS registers busiest in either run, default 10). Results stay in
# DIR (default: a temporary directory, removed). VNICSIM selects the binary
# (default build/vnicsim). Exit 2 on bad usage, 1 when a run fails.
set -u
VNICSIM=${VNICSIM:-build/vnicsim}
preset=ws2-pc733; out=; rows=10
usage() { echo "usage: $0 [-p PRESET] [-o DIR] [-n ROWS] TRACE [PCAP]" >&2; exit 2; }
while getopts p:o:n:h opt; do
  case $opt in p) preset=$OPTARG;; o) out=$OPTARG;; n) rows=$OPTARG;; *) usage;; esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
trace=$1; pcap=${2:-}
case $rows in ''|*[!0-9]*) usage;; esac
command -v jq >/dev/null 2>&1 || { echo "$0: needs jq" >&2; exit 2; }
keep=true
if [ -z "$out" ]; then out=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-compare.XXXXXX"); keep=false; fi
cleanup() { $keep || rm -rf "$out"; }
trap cleanup EXIT
mkdir -p "$out"

set -- --preset "$preset" --driver-trace "$trace"
[ -n "$pcap" ] && set -- "$@" --pcap "$pcap"
if ! "$VNICSIM" run "$@" -o "$out/trace" --force > "$out/trace.log" 2>&1; then
  echo "$0: the driver-trace run failed:" >&2; tail -n 5 "$out/trace.log" >&2; exit 1
fi
cap=$(jq -r '.driver_trace.pcap' "$out/trace/results.json")
mac=$(jq -r '.replay.vm_mac' "$out/trace/results.json")
if [ -z "$cap" ]; then
  echo "$0: the trace run had no capture (give PCAP): nothing to replay with pcnet32-napi" >&2; exit 1
fi
if ! "$VNICSIM" run --preset "$preset" --pcap "$cap" --vm-mac "$mac" --pace afap \
     --set guest.driver=pcnet32-napi -o "$out/napi" --force > "$out/napi.log" 2>&1; then
  echo "$0: the pcnet32-napi run failed:" >&2; tail -n 5 "$out/napi.log" >&2; exit 1
fi

jq -r -n --slurpfile a "$out/trace/results.json" --slurpfile b "$out/napi/results.json" \
   --arg preset "$preset" --arg trace "$trace" --arg cap "$cap" --argjson rows "$rows" '
  def f: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
  def row(l; x; y): "\(l | .+ (" " * (34 - length)))\(x | f | (" " * (14 - length)) + .)\(y | f | (" " * (14 - length)) + .)";
  $a[0] as $A | $b[0] as $B |
  ($A.driver_trace.by_register | with_entries(.value = .value.per_frame)) as $ra |
  ($B.replay.port_accesses_by_register | with_entries(.value = .value.per_frame)) as $rb |
  ([($ra | keys[]), ($rb | keys[])] | unique
    | map({k: ., v: ([$ra[.] // 0, $rb[.] // 0] | max)}) | sort_by(-.v, .k) | .[:$rows] | map(.k)) as $top |
  "\($preset): recorded driver \($trace) vs pcnet32-napi, capture \($cap)",
  "\("" | .+ (" " * 34))      recorded  pcnet32-napi",
  row("tx delivered"; $A.replay.tx.delivered; $B.replay.tx.delivered),
  row("rx delivered"; $A.replay.rx.delivered; $B.replay.rx.delivered),
  row("port accesses per frame"; $A.driver_trace.per_frame.port_accesses; $B.replay.per_frame.port_accesses),
  row("NIC interrupts per frame"; $A.driver_trace.per_frame.interrupts; $B.replay.per_frame.guest_nic_irqs),
  row("port accesses per interrupt"; $A.driver_trace.per_interrupt.port_accesses;
      (if ($B.replay.nic_interrupts // 0) > 0 then ($B.replay.per_frame.port_accesses * ($B.replay.tx.delivered + $B.replay.rx.delivered) / $B.replay.nic_interrupts) else null end)),
  row("world switches per frame"; $A.driver_trace.per_frame.world_switches; $B.replay.per_frame.world_switches),
  row("CPU busy %"; $A.metrics.cpu_busy_pct; $B.metrics.cpu_busy_pct),
  "port accesses per frame, by register:",
  ($top[] as $k | row("  " + $k; $ra[$k] // 0; $rb[$k] // 0))'
$keep && echo "results: $out/trace $out/napi"
exit 0
