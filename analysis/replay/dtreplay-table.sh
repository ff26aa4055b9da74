#!/bin/sh
# dtreplay-table.sh: the closing table of docs/replay.md ("Driver-trace replay"):
# every committed recording (traces/recordings/*/) replayed with --driver-trace under
# each PRESET (default ws2-pc733 opt-pc733), next to the pcap replay of its net.pcap
# with the pcnet32-napi personality (--pace afap). Markdown on stdout.
#   analysis/replay/dtreplay-table.sh [PRESET...]      (VNICSIM: the binary)
set -u
VNICSIM=${VNICSIM:-build/vnicsim}
[ $# -gt 0 ] || set -- ws2-pc733 opt-pc733
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-dttable.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "| recording | preset | accesses (open + after) | acc/frame | acc/irq | irqs | ws/frame | busy % | tx del | rx del | napi acc/frame | napi ws/frame | napi busy % | per frame, recorded vs napi |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for rd in traces/recordings/*/; do
  rd=${rd%/}; name=$(basename "$rd")
  tr=$rd/qemu.log.gz; [ -f "$tr" ] || tr=$rd/pcnet-ports.txt
  for p in "$@"; do
    "$VNICSIM" run --preset "$p" --driver-trace "$tr" -o "$tmp/a" --force >/dev/null 2>&1 || { echo "| $name | $p | run failed |"; continue; }
    "$VNICSIM" run --preset "$p" --pcap "$rd/net.pcap" --vm-mac "$(jq -r .replay.vm_mac "$tmp/a/results.json")" \
      --pace afap --set guest.driver=pcnet32-napi -o "$tmp/b" --force >/dev/null 2>&1 || rm -rf "$tmp/b"
    [ -f "$tmp/b/results.json" ] || echo '{}' > "$tmp/b.json"
    jq -r -n --arg name "$name" --arg p "$p" --slurpfile a "$tmp/a/results.json" \
       --slurpfile b "$( [ -f "$tmp/b/results.json" ] && echo "$tmp/b/results.json" || echo "$tmp/b.json")" '
      def f: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
      $a[0] as $A | $b[0] as $B | $A.driver_trace as $d |
      ($B.replay.port_accesses_by_register // {}) as $rb |
      ([$d.by_register | to_entries[] | select(.value.after_open > 0)] | sort_by(-.value.after_open) | .[:3]
        | map("\(.key) \(.value.per_frame | f)/\(($rb[.key].per_frame // 0) | f)") | join(", ")) as $regs |
      "| \($name) | \($p) | \($d.accesses) (\($d.accesses_boot) + \($d.accesses_after_open)) | \($d.per_frame.port_accesses | f) | \($d.per_interrupt.port_accesses | f) | \($d.interrupt_runs) | \($d.per_frame.world_switches | f) | \($A.metrics.cpu_busy_pct | f) | \($A.replay.tx.delivered) | \($A.replay.rx.delivered) | \($B.replay.per_frame.port_accesses | f) | \($B.replay.per_frame.world_switches | f) | \($B.metrics.cpu_busy_pct | f) | \(if $regs == "" then "-" else $regs end) |"'
    rm -rf "$tmp/a" "$tmp/b" "$tmp/b.json"
  done
done
