#!/bin/bash
# Offline consistency check of the committed recordings (no QEMU, no root, a few seconds).
#
#   traces/capture/check-recordings.sh [RECORDINGS_DIR]     (default: traces/recordings)
#
# For every directory with a qemu.log.gz (i.e. made by capture.sh):
#   - every line of qemu.log.gz is a well-formed QEMU log line that concerns the NIC
#     (condense.py filter keeps all of them);
#   - condense.py ports reproduces the committed pcnet-ports.txt byte for byte;
#   - the counts in SOURCE.md (port accesses, IRQ edges, frames) are the ones the files give;
#   - net.pcap parses; the console shows the scenario's start and end markers;
#   - the trace has a pcnet_init and at least one IRQ edge per direction for traffic scenarios.
# The reference recording linux61-mixed (no qemu.log.gz) is checked by condensing its raw head
# and comparing with its pcnet-ports.txt's first lines.
# Prints one line per check and "N passed, M failed"; exit status 1 if any failed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-$HERE/../recordings}
C=$HERE/condense.py
pass=0; failn=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { failn=$((failn + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@" > /dev/null 2>&1; then ok "$what"; else ko "$what"; fi; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

for d in "$DIR"/*/; do
  s=$(basename "$d")
  if [ ! -f "$d/qemu.log.gz" ]; then
    if [ -f "$d/trace-raw-pcnet-head2000.log" ] && [ -f "$d/pcnet-ports.txt" ]; then
      # that head holds no serial lines: compare without the CON lines; it is cut mid-run,
      # so compare all but its last line
      python3 "$C" ports "$d/trace-raw-pcnet-head2000.log" > "$T/head.txt"
      n=$(wc -l < "$T/head.txt")
      check "$s: condensed raw head = first $((n - 1)) non-console lines of pcnet-ports.txt" \
        cmp <(head -n $((n - 1)) "$T/head.txt") <(grep -v ' CON ' "$d/pcnet-ports.txt" | head -n $((n - 1)))
    fi
    continue
  fi
  zcat "$d/qemu.log.gz" > "$T/log"
  check "$s: qemu.log.gz is not empty" test -s "$T/log"
  check "$s: every qemu.log.gz line concerns the NIC" \
    cmp <(python3 "$C" filter < "$T/log") "$T/log"
  check "$s: condense.py reproduces pcnet-ports.txt" \
    cmp <(python3 "$C" ports "$T/log") "$d/pcnet-ports.txt"
  if python3 "$C" stats "$T/log" "$d/net.pcap" > "$T/stats" 2> "$T/err"; then
    ok "$s: stats (net.pcap parses)"
  else
    ko "$s: stats: $(cat "$T/err")"; continue
  fi
  kv() { sed -n "s/^$1=//p" "$T/stats"; }
  check "$s: SOURCE.md port accesses = $(kv port_accesses)" grep -q "^| port accesses | $(kv port_accesses) " "$d/SOURCE.md"
  check "$s: SOURCE.md IRQ edges = $(kv irq_edges)" grep -q "^| IRQ edges | $(kv irq_edges) " "$d/SOURCE.md"
  check "$s: SOURCE.md frames = $(kv frames)" grep -q "^| frames | $(kv frames) " "$d/SOURCE.md"
  check "$s: console ran the scenario" grep -q "VNICSIM scenario-done $s " "$d/console.txt"
  check "$s: trace holds the scenario markers" bash -c "grep -q ' CON VNICSIM scenario-start $s ' '$d/pcnet-ports.txt' && grep -q ' CON VNICSIM scenario-done $s ' '$d/pcnet-ports.txt'"
  check "$s: pcnet_init seen" grep -q ' EV pcnet_init ' "$d/pcnet-ports.txt"
  if [ "$s" != probe-open ]; then
    check "$s: frames both ways, IRQ edges" test "$(kv frames_tx)" -gt 0 -a "$(kv frames_rx)" -gt 0 -a "$(kv irq_rises)" -gt 0
  fi
done
echo "check-recordings: $pass passed, $failn failed"
[ $failn = 0 ]
