#!/bin/sh
# Print the issue-5 table: idle, goodput and world switches per frame for
# Workstation 2.0, the optimizations added in turn and each alone (pc733), 2.0 and
# all three on pc350, native for reference; send sizes 512 B .. 64 KB; both drivers.
#   VNICSIM=build/vnicsim sh analysis/calibrate/table5.sh [BYTES] [SIZES]
VNICSIM=${VNICSIM:-build/vnicsim}
BYTES=${1:-104857600}
SIZES=${2:-"512 1024 2048 4096 8192 16384 32768 65536"}
T=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-table5.XXXXXX")
trap 'rm -rf "$T"' EXIT
PH=optimizations.vmm_port_handling; SC=optimizations.send_combining.enabled; IN=optimizations.irq_notification
row() { # label preset sets...
  label=$1; p=$2; shift 2
  for d in pcnet32-2001 pcnet32-napi; do
    line="$(printf '%-16s %-13s' "$label" "$d")"
    for s in $SIZES; do
      if "$VNICSIM" run --preset "$p" "$@" --set guest.driver=$d --set workload.send_bytes=$s \
           --set workload.bytes=$BYTES -o "$T/r" --force >/dev/null 2>"$T/err"; then
        line="$line $(jq -r '"\(.metrics.goodput_mbps*10|round/10)/\(.metrics.cpu_idle_pct*10|round/10)/\(.metrics.world_switches_per_tx_frame*100|round/100)"' "$T/r/results.json")"
      else
        line="$line failed"
      fi
    done
    echo "$line"
  done
}
echo "cells: goodput Mb/s / idle % / world switches per TX frame; columns: send sizes $SIZES"
row ws2-pc733      ws2-pc733
row opt:PH         opt-pc733 --set $SC=false --set $IN=false
row opt:PH+SC      opt-pc733 --set $IN=false
row opt:PH+SC+IN   opt-pc733
row opt:SC-only    opt-pc733 --set $PH=false --set $IN=false
row opt:IN-only    opt-pc733 --set $PH=false --set $SC=false
row native-pc733   native-pc733
row ws2-pc350      ws2-pc350
row opt-pc350      opt-pc350
row native-pc350   native-pc350
