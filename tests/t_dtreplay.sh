#!/bin/sh
# t_dtreplay: `vnicsim run --driver-trace` (issue 6): every committed recording
# (traces/recordings/*/) replayed through the hosted model under ws2-pc733 and
# opt-pc733 with its own net.pcap. Asserted: the replay accounting (frames_read =
# tx.offered + rx.offered + frames_ignored = the pcap's records; per direction
# offered = delivered + dropped_vnic + dropped_host), every access of the trace
# replayed (counted independently from the converted trace), the per-register counts
# summing to the totals and agreeing after the open with the replay's own counter
# (which decodes the device model's RAP), determinism, the raw QEMU log and the vnicsim-dtrace form
# giving the same results, Workstation 2.0 switching more worlds than the optimized
# VMM, a bounded wait when the model raises no interrupt, synthesized frames without
# a capture, analysis/replay/compare.sh, and bad input (missing file, truncated
# trace, cut-short gzip, unknown register, garbage, standard input) rejected with the
# file (and line) named, exit 2 and no results written.
. tests/lib.sh

# accounting DIR FRAMES ACCESSES
accounting() {
  jq -e --argjson n "$2" --argjson a "$3" '.replay as $r | .driver_trace as $d
    | ($r.frames_read == $n)
    and ($r.frames_read == $r.tx.offered + $r.rx.offered + $r.frames_ignored)
    and ([$r.tx, $r.rx] | all(.offered == .delivered + .dropped_vnic + .dropped_host))
    and ($r.pace == "driver-trace")
    and ($d.accesses == $a) and ($d.accesses_replayed == $a)
    and ($d.accesses_boot + $d.accesses_after_open == $a)
    and ([$d.by_register[].count] | add) == $a
    and ([$d.by_register[].after_open] | add) == $d.accesses_after_open
    and ($d.frames == $r.tx.delivered + $r.rx.delivered)
    and (($r.port_accesses_by_register | with_entries(.value = .value.count))
         == ($d.by_register | with_entries(select(.value.after_open > 0) | .value = .value.after_open)))' \
    "$1/results.json" >/dev/null
}
# traffic DIR: what the capture holds gets through (no frame lost in this replay)
traffic() {
  jq -e '.replay as $r | ($r.tx.delivered == $r.tx.offered) and ($r.rx.delivered == $r.rx.offered)
    and ([$r.tx, $r.rx] | all(.dropped_host_where.unresolved == 0))
    and (.driver_trace.irq_timeouts == 0)' "$1/results.json" >/dev/null
}
records() { tcpdump -r "$1" 2>/dev/null | grep -c '^[0-9]'; }
have_tcpdump=false
command -v tcpdump >/dev/null 2>&1 && have_tcpdump=true
pick_trace() {
  for c in qemu.log.gz pcnet-ports.txt; do [ -f "$1/$c" ] && { echo "$1/$c"; return 0; }; done
  return 1
}
# results.json without what names the input files
strip() { jq 'del(.driver_trace.trace, .driver_trace.format, .driver_trace.first_mismatch,
                  .driver_trace.pcap, .driver_trace.pcap_from, .replay.pcap)' "$1"; }

n=0
for rd in traces/recordings/*/; do  # not $d: t_check uses it
  rd=${rd%/}; name=$(basename "$rd")
  tr=$(pick_trace "$rd") || { t_check "$name: has a trace" false; continue; }
  "$VNICSIM" conform --import "$tr" -o "$T/$name.dtrace" >/dev/null 2>&1
  acc=$(grep -Ec '^[0-9]+ [RW] ' "$T/$name.dtrace")
  t_check "$name: trace converted, accesses counted ($acc)" test "$acc" -gt 0
  if $have_tcpdump; then nf=$(records "$rd/net.pcap"); else nf=; fi
  for p in ws2-pc733 opt-pc733; do
    o="$T/$name-$p"
    "$VNICSIM" run --preset "$p" --driver-trace "$tr" -o "$o" --force > "$o.log" 2>&1
    t_check "$name $p: runs" test $? = 0
    t_check "$name $p: summary has the by-register table" grep -q '^  register ' "$o.log"
    t_check "$name $p: accounting (${nf:-?} frames, $acc accesses)" \
      accounting "$o" "${nf:-$(jq .replay.frames_read "$o/results.json")}" "$acc"
    t_check "$name $p: every frame of the capture delivered, no IRQ wait timed out" traffic "$o"
    "$VNICSIM" run --preset "$p" --driver-trace "$tr" -o "$o.again" --force >/dev/null 2>&1
    t_check "$name $p: deterministic" cmp "$o/results.json" "$o.again/results.json"
  done
  w1=$(jq .driver_trace.world_switches "$T/$name-ws2-pc733/results.json")
  w2=$(jq .driver_trace.world_switches "$T/$name-opt-pc733/results.json")
  t_check "$name: ws2 switches more worlds than opt ($w1 > $w2)" test "${w1:-0}" -gt "${w2:-0}"
  n=$((n + 1))
done
t_check "nine committed recordings replayed" test "$n" -ge 9

# The same recording in its three forms: raw QEMU log, pcnet-ports.txt, vnicsim-dtrace.
for name in ping udp; do
  rd=traces/recordings/$name
  [ -f "$rd/qemu.log.gz" ] || continue
  "$VNICSIM" run --preset ws2-pc733 --driver-trace "$rd/pcnet-ports.txt" -o "$T/$name-ports" --force >/dev/null 2>&1
  "$VNICSIM" run --preset ws2-pc733 --driver-trace "$T/$name.dtrace" --pcap "$rd/net.pcap" \
    -o "$T/$name-dt" --force >/dev/null 2>&1
  strip "$T/$name-ws2-pc733/results.json" > "$T/$name.raw.json"
  strip "$T/$name-ports/results.json" > "$T/$name.ports.json"
  strip "$T/$name-dt/results.json" > "$T/$name.dt.json"
  t_check "$name: raw QEMU log and vnicsim-dtrace give the same results" cmp "$T/$name.raw.json" "$T/$name.dt.json"
  t_check "$name: raw QEMU log and pcnet-ports.txt give the same results" cmp "$T/$name.raw.json" "$T/$name.ports.json"
  t_check "$name: the results are not empty" jq -e '.driver_trace.frames > 0' "$T/$name.dt.json"
done

# A read changed in the trace is one more mismatch, reported at its line.
ln=$(grep -n ' R 0x10 2 0x1003 # CSR88' "$T/ping.dtrace" | head -n 1 | cut -d: -f1)
sed "${ln:-1}s/ 0x1003 # CSR88/ 0x1004 # CSR88/" "$T/ping.dtrace" > "$T/ping-bad.dtrace"
"$VNICSIM" run --preset ws2-pc733 --driver-trace "$T/ping-bad.dtrace" --pcap traces/recordings/ping/net.pcap \
  -o "$T/ping-bad" --force >/dev/null 2>&1
m0=$(jq .driver_trace.read_mismatches "$T/ping-dt/results.json")
m1=$(jq .driver_trace.read_mismatches "$T/ping-bad/results.json")
t_check "changed read: one more mismatch ($m0 -> $m1)" test "$m1" = "$((m0 + 1))"
t_check "changed read: the first mismatch is at its line" \
  jq -e --arg w "$T/ping-bad.dtrace:$ln: CSR88 read 0x1004, model 0x1003" '.driver_trace.first_mismatch == $w' \
  "$T/ping-bad/results.json"

# The model never raises the interrupt the recording shows: counted, and the run goes on.
printf 'vnicsim-dtrace 1\n0 R 0x14 2 0x0000\n10 W 0x12 2 0x0000\n20 IRQ 1\n30 W 0x12 2 0x0000\n40 R 0x10 2 0x0004\n50 W 0x12 2 0x0058\n' > "$T/noirq.dtrace"
t_check "no model IRQ: runs" "$VNICSIM" run --driver-trace "$T/noirq.dtrace" -o "$T/noirq" --force
t_check "no model IRQ: one timed-out wait, every access replayed, no frame" jq -e \
  '.driver_trace | .irq_timeouts == 1 and .irq_delivered == 0 and .accesses_replayed == 5 and .frames == 0' \
  "$T/noirq/results.json"

# Without a capture (none beside the trace): each transmit demand sends a synthesized frame.
head -n "$(grep -n 'W 0x10 2 0x0048' "$T/ping.dtrace" | sed -n 3p | cut -d: -f1)" "$T/ping.dtrace" > "$T/nocap.dtrace"
t_check "no capture: runs" "$VNICSIM" run --preset opt-pc733 --driver-trace "$T/nocap.dtrace" -o "$T/nocap" --force
t_check "no capture: three demands, three synthesized frames delivered" jq -e \
  '(.driver_trace.tx_demands == 3) and (.driver_trace.frames_synthesized == 3) and (.replay.tx.delivered == 3)
   and (.driver_trace.pcap_from == "none")' "$T/nocap/results.json"

# compare.sh: the recorded driver and pcnet32-napi side by side.
VNICSIM="$VNICSIM" sh analysis/replay/compare.sh -p opt-pc733 traces/recordings/ping/qemu.log.gz > "$T/cmp.out" 2>&1
t_check "compare.sh: both columns" grep -Eq '^port accesses per frame +[0-9.]+ +[0-9.]+$' "$T/cmp.out"
t_check "compare.sh: registers" grep -Eq '^  RAP +[0-9.]+ +[0-9.]+$' "$T/cmp.out"
t_check "compare.sh: frames agree" grep -Eq '^tx delivered +9 +9$' "$T/cmp.out"

# Bad input: exit 2, the file (and line) named, no results written.
bad() { # description, file, expected message (grep -E)
  rm -rf "$T/badout"
  "$VNICSIM" run --driver-trace "$2" -o "$T/badout" > "$T/bad.err" 2>&1; echo $? > "$T/bad.rc"
  t_check "$1: exit 2" test "$(cat "$T/bad.rc")" = 2
  t_check "$1: message" grep -Eq "$3" "$T/bad.err"
  t_check "$1: no results" test ! -e "$T/badout/results.json"
}
bad "missing trace" /nonexistent/x.dtrace '/nonexistent/x.dtrace: cannot open'
{ head -n 20 "$T/ping.dtrace"; printf '999999 W 0x12 2'; } > "$T/trunc.dtrace"
bad "truncated trace" "$T/trunc.dtrace" "trunc.dtrace:21: "
head -c 5000 traces/recordings/ping/qemu.log.gz > "$T/cut.log.gz"
bad "cut-short gzip" "$T/cut.log.gz" 'cut.log.gz:[0-9]+: .*unexpected end of file'
printf 'vnicsim-dtrace 1\n0 R 0x14 2 0x0000\n10 W 0x1e 2 0x0000\n' > "$T/unk.dtrace"
bad "unknown register" "$T/unk.dtrace" 'unk.dtrace:3: port write at offset 0x1e .*not a register'
printf 'hello\nthis is no trace\n' > "$T/garbage.txt"
bad "garbage" "$T/garbage.txt" 'garbage.txt: not a driver trace'
printf 'vnicsim-dtrace 1\n0 IRQ 1\n' > "$T/noacc.dtrace"
bad "no port access" "$T/noacc.dtrace" 'noacc.dtrace: no pcnet port accesses'
"$VNICSIM" run --driver-trace "$T/ping.dtrace" --pcap - -o "$T/badout2" > "$T/bad2.err" 2>&1; echo $? > "$T/bad2.rc"
t_check "capture from stdin: exit 2" test "$(cat "$T/bad2.rc")" = 2
t_check "capture from stdin: says so" grep -q 'not standard input' "$T/bad2.err"
"$VNICSIM" run --driver-trace "$T/ping.dtrace" --pcap tests/lib.sh -o "$T/badout3" > "$T/bad3.err" 2>&1; echo $? > "$T/bad3.rc"
t_check "unreadable capture: exit 2 naming it" sh -c "test \"\$(cat '$T/bad3.rc')\" = 2 && grep -q tests/lib.sh '$T/bad3.err'"
t_done t_dtreplay
