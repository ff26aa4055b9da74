#!/bin/sh
# The pcap-replay table of docs/replay.md ("Outputs for the committed captures"): every
# committed capture (traces/pcap/*.pcap and each recording's net.pcap, the recordings
# with QEMU's MAC 52:54:00:12:34:56) replayed at timed pace, speed 1, under each preset.
# Columns: frames read, ignored; TX and RX as offered/delivered/dropped_vnic/dropped_host;
# TX offered / achieved Mb/s; TX and RX latency p50 / p99 (us); CPU busy %; world
# switches and Lance port accesses per delivered frame (both directions).
#
# usage: analysis/replay/pcap-table.sh [PRESET...]   (default: ws2-pc733 opt-pc733)
# $VNICSIM: the program (default build/vnicsim). Exit 1 when a run fails.
set -u
VNICSIM=${VNICSIM:-build/vnicsim}
presets=${*:-ws2-pc733 opt-pc733}
command -v jq >/dev/null 2>&1 || { echo "$0: needs jq" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-pcaptable.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "| capture | preset | read | ign. | TX | RX | TX Mb/s | TX lat | RX lat | busy | ws/fr | ports/fr |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
rc=0
for f in traces/pcap/*.pcap traces/recordings/*/net.pcap; do
    case $f in
    traces/recordings/*) name=recordings/$(basename "$(dirname "$f")"); mac="--vm-mac 52:54:00:12:34:56" ;;
    *) name=pcap/$(basename "$f"); mac= ;;
    esac
    for p in $presets; do
        # shellcheck disable=SC2086
        if ! "$VNICSIM" run --preset "$p" --pcap "$f" $mac -o "$tmp/r" --force >/dev/null 2>"$tmp/err"; then
            echo "$0: $name under $p failed:" >&2; cat "$tmp/err" >&2; rc=1; continue
        fi
        jq -r --arg n "$name" --arg p "$p" '
          def r2: (. // 0) * 100 | round / 100;
          def dir(d): "\(d.offered)/\(d.delivered)/\(d.dropped_vnic)/\(d.dropped_host)";
          def lat(d): "\(d.latency_us.p50 // 0 | round) / \(d.latency_us.p99 // 0 | round)";
          (.replay.tx.delivered + .replay.rx.delivered) as $fr |
          "| \($n) | \($p) | \(.replay.frames_read) | \(.replay.frames_ignored) | \(dir(.replay.tx)) | \(dir(.replay.rx)) | \(.replay.tx.offered_mbps | r2) / \(.replay.tx.achieved_mbps | r2) | \(lat(.replay.tx)) | \(lat(.replay.rx)) | \(.metrics.cpu_busy_pct * 10 | round / 10) | \(if $fr > 0 then (.detail.counts.world_switches / $fr | r2) else 0 end) | \(if $fr > 0 then (.detail.counts.port_accesses / $fr | r2) else 0 end) |"' "$tmp/r/results.json" || rc=1
    done
done
exit $rc
