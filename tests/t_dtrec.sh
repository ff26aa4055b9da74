#!/bin/sh
# t_dtrec: `vnicsim run ... --record-driver-trace OUT [--record-driver-pcap P]`
# (model/dtrec.c). The legacy pcnet32-2001 personality and pcnet32-napi, each
# replaying the committed udp and tcp-tx captures under ws2-pc733, are recorded; then
#   - `vnicsim conform` takes each trace: with the recorded frames' pcap, 0 mismatches
#     beyond the tolerated quirks, every IRQ edge and frame matched; with the input
#     capture, every mismatch is an IRQ rise two accesses away (a start_xmit: the
#     capture's clock is not the simulated run's, so conform places some receives on
#     the other side of a transmit demand) and every frame matches;
#   - `vnicsim run --driver-trace` replays it under ws2-pc733 and opt-pc733: the
#     accounting invariants, every frame delivered, no IRQ wait timed out, every
#     recorded access replayed, and after the open the same accesses in total, per
#     frame, per register and the same interrupts as the personality made;
#   - results.json is the same with and without recording; two recordings are
#     byte-identical (trace and pcap; the .gz form is the same text);
#   - the nettest workload records too; bad paths: exit 2 naming the key and the file,
#     no results, no temporary file left; a failed run leaves no trace.
. tests/lib.sh

MAC=52:54:00:12:34:56
accesses() { grep -Ec '^[0-9]+ [RW] ' "$1"; }
# accounting DIR FRAMES ACCESSES (as t_dtreplay)
accounting() {
  jq -e --argjson n "$2" --argjson a "$3" '.replay as $r | .driver_trace as $d
    | ($r.frames_read == $n)
    and ($r.frames_read == $r.tx.offered + $r.rx.offered + $r.frames_ignored)
    and ([$r.tx, $r.rx] | all(.offered == .delivered + .dropped_vnic + .dropped_host))
    and ($d.accesses == $a) and ($d.accesses_replayed == $a)
    and ($d.accesses_boot + $d.accesses_after_open == $a)' "$1/results.json" >/dev/null
}
traffic() {
  jq -e '.replay as $r | ($r.tx.delivered == $r.tx.offered) and ($r.rx.delivered == $r.rx.offered)
    and ($r.tx.offered > 0) and ([$r.tx, $r.rx] | all(.dropped_host_where.unresolved == 0))
    and (.driver_trace.irq_timeouts == 0)' "$1/results.json" >/dev/null
}
# same_as_recording REPLAY_DIR RECORDING_DIR: after the open, what the personality did
same_as_recording() {
  jq -e -n --slurpfile p "$1/results.json" --slurpfile r "$2/results.json" '$p[0] as $p | $r[0] as $r
    | ($p.driver_trace.accesses_after_open == $r.detail.counts.port_accesses)
    and ($p.replay.per_frame.port_accesses == $r.replay.per_frame.port_accesses)
    and (($p.replay.port_accesses_by_register | with_entries(.value = .value.count))
         == ($r.replay.port_accesses_by_register | with_entries(.value = .value.count)))
    and ($p.driver_trace.irq_delivered == $r.replay.nic_interrupts)
    and ($p.replay.tx.delivered == $r.replay.tx.delivered) and ($p.replay.rx.delivered == $r.replay.rx.delivered)' \
    >/dev/null
}
# conform_clean OUT: no mismatch beyond the tolerated ones
conform_clean() { grep -Eq '^conform: [0-9]+ accesses, [0-9]+ reads compared, ([0-9]+) mismatches \(\1 tolerated\)' "$1"; }
# conform_edges OUT: each recorded edge came from the model, and all frames matched
conform_edges() {
  grep -Eq '^irq edges: ([0-9]+) recorded, \1 from the model' "$1" &&
  grep -Eq '^frames: tx ([0-9]+)/\1 matched \(0 not sent, 0 extra, 0 demands without a frame\), rx ([0-9]+)/\2 delivered as the chip would \(0 filtered, 0 missed' "$1"
}
# only_shifted_rises OUT: every listed mismatch is an IRQ rise, in pairs two accesses apart
only_shifted_rises() {
  ! grep '^mismatch' "$1" | grep -qv 'IRQ rise after access #' || return 1
  grep '^mismatch' "$1" | sed -E 's/.*(model|recorded) IRQ rise after access #([0-9]+).*/\2/' |
    awk '{ if (NR % 2) a = $1; else { d = $1 - a; if (d != 2 && d != -2) bad = 1 } }
         END { exit (bad || NR % 2) }'
}

for drv in pcnet32-2001 pcnet32-napi; do
  for sc in udp tcp-tx; do
    cap=traces/recordings/$sc/net.pcap
    k=$sc-$drv; tr=$T/$k.dtrace; pc=$T/$k.pcap
    set -- --preset ws2-pc733 --set "guest.driver=\"$drv\"" --pcap "$cap" --vm-mac $MAC
    "$VNICSIM" run "$@" -o "$T/$k-plain" --force >/dev/null 2>&1
    t_check "$k: runs without recording" test $? = 0
    "$VNICSIM" run "$@" --record-driver-trace "$tr" --record-driver-pcap "$pc" -o "$T/$k-rec" --force \
      > "$T/$k-rec.log" 2>&1
    t_check "$k: records" test $? = 0
    t_check "$k: results.json the same with and without recording" cmp "$T/$k-plain/results.json" "$T/$k-rec/results.json"
    t_check "$k: header names the preset and the personality" \
      sh -c "head -n 1 '$tr' | grep -qx 'vnicsim-dtrace 1' && grep -q '^@source vnicsim run: preset ws2-pc733, guest.driver $drv,' '$tr' && grep -qx '@mac $MAC' '$tr'"
    acc=$(accesses "$tr")
    t_check "$k: the trace has the probe ($acc accesses, INIT events)" \
      sh -c "test $acc -gt 100 && grep -q ' INIT 0x' '$tr' && grep -q ' RINGS 1 ' '$tr' && grep -q ' SRESET' '$tr'"
    t_check "$k: no temporary file left" sh -c "! ls '$T' | grep -q 'tmp'"
    "$VNICSIM" run "$@" --record-driver-trace "$tr.again" --record-driver-pcap "$pc.again" -o "$T/$k-rec2" --force >/dev/null 2>&1
    t_check "$k: two recordings byte-identical (trace)" cmp "$tr" "$tr.again"
    t_check "$k: two recordings byte-identical (pcap)" cmp "$pc" "$pc.again"

    # conform: against the recorded frames, and against the input capture
    "$VNICSIM" conform "$tr" --pcap "$pc" --profile datasheet --show 100000 > "$T/$k.conf" 2>&1
    t_check "$k: conform (recorded pcap) exits 0" test $? = 0
    t_check "$k: conform (recorded pcap): 0 mismatches beyond tolerated quirks" conform_clean "$T/$k.conf"
    t_check "$k: conform (recorded pcap): every edge and frame matched" conform_edges "$T/$k.conf"
    "$VNICSIM" conform "$tr" --pcap "$cap" --profile datasheet --show 100000 > "$T/$k.confin" 2>&1
    t_check "$k: conform (input pcap): only IRQ rises moved across a start_xmit" only_shifted_rises "$T/$k.confin"
    t_check "$k: conform (input pcap): every edge and frame matched" conform_edges "$T/$k.confin"

    # the trace replayed through the hosted model
    nf=$(jq '.replay.frames_read' "$T/$k-rec/results.json")
    for p in ws2-pc733 opt-pc733; do
      o=$T/$k-$p
      "$VNICSIM" run --preset $p --driver-trace "$tr" --pcap "$pc" -o "$o" --force > "$o.log" 2>&1
      t_check "$k $p: replays" test $? = 0
      t_check "$k $p: accounting ($nf frames, $acc accesses)" accounting "$o" "$nf" "$acc"
      t_check "$k $p: every frame delivered, no IRQ wait timed out" traffic "$o"
      t_check "$k $p: accesses in total, per frame, per register and interrupts as recorded" \
        same_as_recording "$o" "$T/$k-rec"
    done
  done
done
t_check "legacy driver: no NAPI poll runs in its replay" \
  jq -e '.driver_trace | (.napi == false) and (.poll_runs == 0) and (.interrupt_runs > 100)' \
  "$T/tcp-tx-pcnet32-2001-ws2-pc733/results.json"

# gzip output: the same text
"$VNICSIM" run --preset ws2-pc733 --set 'guest.driver="pcnet32-2001"' --pcap traces/recordings/udp/net.pcap \
  --vm-mac $MAC --record-driver-trace "$T/udp.dtrace.gz" -o "$T/gz" --force >/dev/null 2>&1
t_check "gzip: written" test -s "$T/udp.dtrace.gz"
t_check "gzip: the same trace" sh -c "gzip -dc '$T/udp.dtrace.gz' | cmp - '$T/udp-pcnet32-2001.dtrace'"

# nettest workload, native and hosted: conform accepts the recording with its pcap
for p in ws2-pc733 native-pc733; do
  "$VNICSIM" run --preset $p --set 'guest.driver="pcnet32-2001"' --set workload.bytes=200000 \
    --set workload.warmup_bytes=0 --record-driver-trace "$T/nt-$p.dtrace" --record-driver-pcap "$T/nt-$p.pcap" \
    -o "$T/nt-$p" --force >/dev/null 2>&1
  t_check "nettest $p: records" test -s "$T/nt-$p.dtrace"
  "$VNICSIM" conform "$T/nt-$p.dtrace" --pcap "$T/nt-$p.pcap" --profile datasheet > "$T/nt-$p.conf" 2>&1
  t_check "nettest $p: conform clean" conform_clean "$T/nt-$p.conf"
  t_check "nettest $p: conform edges and frames" conform_edges "$T/nt-$p.conf"
done

# Bad input: exit 2, the key and the file named, no results, nothing left behind.
rm -rf "$T/bad"
"$VNICSIM" run --preset ws2-pc733 --record-driver-trace /nonexistent/dir/x.dtrace -o "$T/bad" > "$T/bad.err" 2>&1
t_check "bad path: exit 2" test $? = 2
t_check "bad path: message" grep -q 'replay.record_driver_trace: /nonexistent/dir/x.dtrace.*cannot create' "$T/bad.err"
t_check "bad path: no results" test ! -e "$T/bad/results.json"
"$VNICSIM" run --preset ws2-pc733 --record-driver-trace "$T/ok.dtrace" --record-driver-pcap /nonexistent/dir/x.pcap \
  -o "$T/bad" > "$T/bad2.err" 2>&1
t_check "bad pcap path: exit 2" test $? = 2
t_check "bad pcap path: message" grep -q 'replay.record_driver_pcap: .*/nonexistent/dir/x.pcap' "$T/bad2.err"
t_check "bad pcap path: the trace's temporary file removed" sh -c "! ls '$T' | grep -q '^ok.dtrace'"
"$VNICSIM" run --preset ws2-pc733 --record-driver-pcap "$T/only.pcap" -o "$T/bad" > "$T/bad3.err" 2>&1
t_check "pcap without trace: exit 2" test $? = 2
t_check "pcap without trace: message" grep -q 'replay.record_driver_pcap: only with replay.record_driver_trace' "$T/bad3.err"
"$VNICSIM" run --preset ws2-pc733 --record-driver-trace - -o "$T/bad" > "$T/bad4.err" 2>&1
t_check "standard output: exit 2" test $? = 2
t_check "standard output: says why" grep -q 'replay.record_driver_trace: "-": standard output carries' "$T/bad4.err"
# a run that fails leaves no trace (and no temporary file)
"$VNICSIM" run --preset ws2-pc733 --set run.max_sim_time_ms=1 --record-driver-trace "$T/fail.dtrace" \
  -o "$T/fail" --force > "$T/fail.err" 2>&1
t_check "failed run: exit 1" test $? = 1
t_check "failed run: no trace, no temporary file" sh -c "! ls '$T' | grep -q '^fail.dtrace'"
t_done t_dtrec
