#!/bin/sh
# Print the issue-4 table: both presets x both driver personalities x send sizes
# 512 B .. 64 KB (100 MB each unless BYTES is set). Usage:
#   VNICSIM=build/vnicsim sh analysis/calibrate/table.sh [BYTES]
VNICSIM=${VNICSIM:-build/vnicsim}
BYTES=${1:-104857600}
T=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-table.XXXXXX")
trap 'rm -rf "$T"' EXIT
printf '%-13s %-13s %6s %9s %7s %7s %8s %8s %8s %8s\n' preset driver send goodput idle vmm% switch% ws/fr port/fr virq/fr
for p in ws2-pc733 native-pc733; do
  for d in pcnet32-2001 pcnet32-napi; do
    for s in 512 1024 2048 4096 8192 16384 32768 65536; do
      "$VNICSIM" run --preset $p --set guest.driver=$d --set workload.send_bytes=$s \
        --set workload.bytes=$BYTES -o "$T/r" --force >/dev/null 2>"$T/err" ||
        { echo "$p $d $s: failed: $(cat "$T/err")"; continue; }
      jq -r --arg p $p --arg d $d --arg s $s '[$p, $d, $s,
        (.metrics.goodput_mbps*100|round/100), (.metrics.cpu_idle_pct*10|round/10),
        (.breakdown.total.vmm.pct*10|round/10), (.breakdown.vmm.inout_switching.pct*10|round/10),
        (.metrics.world_switches_per_tx_frame*100|round/100),
        (.metrics.port_accesses_per_tx_frame*100|round/100),
        (.metrics.virtual_irqs_per_tx_frame*100|round/100)] |
        "\(.[0]) \(.[1]) \(.[2]) \(.[3]) \(.[4]) \(.[5]) \(.[6]) \(.[7]) \(.[8]) \(.[9])"' "$T/r/results.json" |
        awk '{printf "%-13s %-13s %6s %9s %7s %7s %8s %8s %8s %8s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10}'
    done
  done
done
