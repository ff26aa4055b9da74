#!/bin/sh
# t_replay: `vnicsim run --pcap` (issue 6) on every committed capture, ws2-pc733 (timed)
# and opt-pc733 (afap): the accounting invariants, the wire pcap read back by tcpdump,
# determinism; standard input; the errors and the cut-short warning; an interrupted
# run leaves no wire pcap. (tests/test_replay.c checks the wire pcap's bytes.)
. tests/lib.sh

MAC=02:00:0a:4d:00:01
BULK=traces/pcap/tcp-bulk-netns.pcap

# invariants DIR RECORDS: frames_read = tx.offered + rx.offered + frames_ignored = RECORDS;
# per direction offered = delivered + dropped_vnic + dropped_host
invariants() {
  jq -e --argjson n "$2" '.replay as $r
    | ($r.frames_read == $n)
    and ($r.frames_read == $r.tx.offered + $r.rx.offered + $r.frames_ignored)
    and ([$r.tx, $r.rx] | all(.offered == .delivered + .dropped_vnic + .dropped_host))
    and ([$r.tx, $r.rx] | all(.dropped_host_where.unresolved == 0))
    and ([$r.tx, $r.rx] | all(.latency_us.count == .delivered))' "$1/results.json" >/dev/null
}

records() { tcpdump -r "$1" 2>/dev/null | grep -c '^[0-9]'; }

have_tcpdump=false
command -v tcpdump >/dev/null 2>&1 && have_tcpdump=true

i=0
for f in traces/pcap/*.pcap traces/recordings/*/net.pcap; do
  i=$((i+1))
  if $have_tcpdump; then n=$(records "$f"); else n=$(jq -n 0); fi
  # the recordings' VM is QEMU's 52:54:00:12:34:56 (SOURCE.md); traces/pcap: the default
  case $f in traces/recordings/*) macopt="--vm-mac 52:54:00:12:34:56";; *) macopt="";; esac
  for run in "ws2-pc733 timed" "opt-pc733 afap"; do
    set -- $run
    o="$T/r$i-$1"
    t_check "$f $1 $2: runs" "$VNICSIM" run --preset "$1" --pcap "$f" --pace "$2" $macopt \
      --wire-pcap "$o.wire.pcap" -o "$o" --force
    if $have_tcpdump; then
      t_check "$f $1 $2: invariants ($n records)" invariants "$o" "$n"
      t_check "$f $1 $2: tcpdump reads the wire pcap, one record per frame written" sh -c \
        "[ \"\$(tcpdump -r '$o.wire.pcap' 2>/dev/null | grep -c '^[0-9]')\" = \"\$(jq .replay.wire_frames_written '$o/results.json')\" ]"
    else
      t_check "$f $1 $2: invariants" invariants "$o" "$(jq .replay.frames_read "$o/results.json")"
    fi
    t_check "$f $1 $2: wire pcap is nanosecond" sh -c \
      "od -An -tx1 -N4 '$o.wire.pcap' | grep -q '4d 3c b2 a1'"
    "$VNICSIM" run --preset "$1" --pcap "$f" --pace "$2" $macopt --wire-pcap "$o.wire2.pcap" \
      -o "$o.again" --force >/dev/null 2>&1
    t_check "$f $1 $2: deterministic (results.json and wire pcap)" sh -c \
      "cmp '$o/results.json' '$o.again/results.json' && cmp '$o.wire.pcap' '$o.wire2.pcap'"
  done
done

# the bulk capture: every frame delivered with afap; the timed replay (1.3 Gb/s veth
# capture on a 100 Mb/s link) drops in the guest's queue and says so
t_check "bulk afap: all 1460 + 429 delivered" jq -e \
  '.replay.tx.delivered == 1460 and .replay.rx.delivered == 429' "$T/r1-opt-pc733/results.json"
t_check "bulk timed ws2: overload shows as drops" jq -e \
  '.replay.tx.dropped_host_where.guest_queue > 0 and .replay.tx.offered_mbps > 1000' \
  "$T/r1-ws2-pc733/results.json"
t_check "per-frame metrics and by-register accesses present" jq -e \
  '.replay.per_frame.port_accesses > 0 and .replay.per_frame.world_switches > 0
   and .replay.port_accesses_by_register.CSR0.count > 0 and .replay.nic_interrupts > 0' \
  "$T/r1-ws2-pc733/results.json"

# the same traffic through both driver personalities: accesses by register differ as
# the drivers do (pcnet32-napi masks with CSR3 in its ISR and re-enables after the poll;
# pcnet32-2001 never touches CSR3 after open)
for d in pcnet32-2001 pcnet32-napi; do
  "$VNICSIM" run --preset ws2-pc733 --pcap traces/recordings/tcp-tx/net.pcap --vm-mac 52:54:00:12:34:56 \
    --set guest.driver=$d -o "$T/pers-$d" --force >/dev/null 2>&1
done
t_check "pcnet32-2001: no CSR3 access while replaying" jq -e \
  '.replay.port_accesses_by_register.CSR3 == null and .replay.port_accesses_by_register.CSR0.count > 0' \
  "$T/pers-pcnet32-2001/results.json"
t_check "pcnet32-napi: CSR3 accesses (mask/unmask per interrupt)" jq -e \
  '.replay.port_accesses_by_register.CSR3.per_interrupt >= 1' "$T/pers-pcnet32-napi/results.json"

# standard input: the same replay as from the file
cat "$BULK" | "$VNICSIM" run --preset ws2-pc733 --pcap - --vm-mac $MAC --pace afap -o "$T/stdin" --force >/dev/null 2>&1
"$VNICSIM" run --preset ws2-pc733 --pcap "$BULK" --vm-mac $MAC --pace afap -o "$T/file" --force >/dev/null 2>&1
t_check "stdin gives the same replay as the file" sh -c \
  "[ \"\$(jq -S 'del(.replay.pcap, .replay.vm_mac_from)' '$T/stdin/results.json')\" = \"\$(jq -S 'del(.replay.pcap, .replay.vm_mac_from)' '$T/file/results.json')\" ]"
cat "$BULK" | "$VNICSIM" run --preset ws2-pc733 --pcap - --pace afap -o "$T/stdin2" --force >/dev/null 2>&1
t_check "stdin without --vm-mac: the first frame's source" jq -e \
  '.replay.vm_mac == "02:00:0a:4d:00:01" and .replay.vm_mac_from == "first-frame"' "$T/stdin2/results.json"
"$VNICSIM" run --preset ws2-pc733 --pcap traces/recordings/udp/net.pcap --speed 10 -o "$T/speed" --force >/dev/null 2>&1
"$VNICSIM" run --preset ws2-pc733 --pcap traces/recordings/udp/net.pcap -o "$T/speed1" --force >/dev/null 2>&1
t_check "--speed 10: offered rate x10 (+-1%)" sh -c \
  "a=\$(jq .replay.rx.offered_mbps '$T/speed1/results.json'); b=\$(jq .replay.rx.offered_mbps '$T/speed/results.json');
   awk \"BEGIN{exit !(\$b > 9.9*\$a && \$b < 10.1*\$a)}\""
t_check "the keys reach config.json" jq -e \
  '.replay.pcap == "-" and .replay.vm_mac == "02:00:0a:4d:00:01" and .replay.pace == "afap"' "$T/stdin/config.json"

# errors name the file; exit 2; no results
t_fail "missing capture" "$VNICSIM" run --pcap "$T/nope.pcap" -o "$T/e1" --force
cp "$T/.out" "$T/msg1"
t_check "missing capture: message names it" grep -q "$T/nope.pcap: cannot open" "$T/msg1"
printf 'this is not a capture\n' > "$T/garbage.pcap"
t_fail "garbage capture" "$VNICSIM" run --pcap "$T/garbage.pcap" -o "$T/e2" --force
cp "$T/.out" "$T/msg2"
t_check "garbage: message names the file" grep -q "garbage.pcap: not a readable pcap" "$T/msg2"
# link type 101 (raw IP): the committed header with its link type changed
{ head -c 20 "$BULK"; printf '\145\000\000\000'; tail -c +25 "$BULK"; } > "$T/rawip.pcap"
t_fail "raw-IP capture" "$VNICSIM" run --pcap "$T/rawip.pcap" -o "$T/e3" --force
cp "$T/.out" "$T/msg3"
t_check "raw IP: message says the link type" grep -q "rawip.pcap: link type 12 (RAW) is not Ethernet" "$T/msg3"
# a corrupt record (absurd captured length in record 2): refused at open for a file
# (the MAC pre-pass reads it), an error during the run for a stream (exit 1)
{ head -c 90 "$BULK"; printf '\177\177\177\177'; tail -c +95 "$BULK"; } > "$T/corrupt.pcap"
t_fail "corrupt record in a file" "$VNICSIM" run --pcap "$T/corrupt.pcap" -o "$T/e7" --force
cp "$T/.out" "$T/msg5"
t_check "corrupt file: message names the file and the record" grep -q "corrupt.pcap: record 2: corrupt capture" "$T/msg5"
t_check "corrupt record in a stream: exit 1 with the record named" sh -c \
  "cat '$T/corrupt.pcap' | '$VNICSIM' run --pcap - --vm-mac $MAC -o '$T/e8' --force 2>'$T/msg6';
   [ \$? = 1 ] && grep -q '(standard input): record 2: corrupt capture' '$T/msg6'"
t_fail "bad --vm-mac" "$VNICSIM" run --pcap "$BULK" --vm-mac 02:00:zz -o "$T/e4" --force
t_fail "bad --pace" "$VNICSIM" run --pcap "$BULK" --pace fast -o "$T/e5" --force
t_fail "--wire-pcap without --pcap" "$VNICSIM" run --wire-pcap "$T/x.pcap" -o "$T/e6" --force
t_check "no results directory left by the errors" sh -c "! ls '$T'/e? >/dev/null 2>&1"

# a capture killed mid-write: a warning naming the file, the frames before it used
head -c 100000 "$BULK" > "$T/cut.pcap"
t_check "cut-short capture runs" "$VNICSIM" run --preset ws2-pc733 --pcap "$T/cut.pcap" -o "$T/cut" --force
cp "$T/.out" "$T/msg4"
t_check "cut-short: warning on stderr names the file" grep -q "warning: $T/cut.pcap: record [0-9]* cut short" "$T/msg4"
if $have_tcpdump; then
  n=$(records "$T/cut.pcap")
  t_check "cut-short: the $n whole records are replayed" invariants "$T/cut" "$n"
fi
t_check "cut-short: warning in results.json" jq -e '.replay.warning | test("cut short")' "$T/cut/results.json"

# an interrupted run leaves no wire pcap (and no results)
(cat "$BULK"; sleep 4) | "$VNICSIM" run --preset ws2-pc733 --pcap - --vm-mac $MAC \
  --wire-pcap "$T/int.pcap" -o "$T/int" --force >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid 2>/dev/null
wait $pid; rc=$?
t_check "interrupted run exits non-zero ($rc)" [ "$rc" != 0 ]
t_check "interrupted run: no wire pcap, no temporary file" sh -c "! ls '$T'/int.pcap* >/dev/null 2>&1"

t_done t_replay
