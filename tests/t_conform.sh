#!/bin/sh
# conform on every committed recording (traces/recordings/*/), both profiles:
# the qemu-7.2 profile must reach M = T (exit 0); the datasheet profile must run to
# its final line (exit 0 or 1). The final line's format is checked and its counts
# must be non-zero. Also: unreadable input exits 2, and a recording converted to the
# project's format gives the same final line as the original.
# Trace used per recording, first found: qemu.log.gz, qemu.log, trace.dtrace.gz,
# trace.dtrace, pcnet-ports.txt.gz, pcnet-ports.txt (the raw head
# trace-raw-pcnet-head2000.log covers only the first 2 s and is used by test_qemulog).
. tests/lib.sh

final_re='^conform: [0-9]+ accesses, [0-9]+ reads compared, [0-9]+ mismatches \([0-9]+ tolerated\), [0-9]+ irq edges compared, [0-9]+ frames matched$'

pick_trace() {
    for c in qemu.log.gz qemu.log trace.dtrace.gz trace.dtrace pcnet-ports.txt.gz pcnet-ports.txt; do
        [ -f "$1/$c" ] && { echo "$1/$c"; return 0; }
    done
    return 1
}

# counts_ok OUT PCAP: the last line has the exact format; A, R and E are non-zero, and
# F too when the pcap holds frames; the exit status agrees with M = T.
counts_ok() {
    f=$1; pc=$2
    last=$(tail -n 1 "$f")
    echo "$last" | grep -Eq "$final_re" || { echo "bad final line: $last"; return 1; }
    set -- $(echo "$last" | sed -E 's/^conform: ([0-9]+) accesses, ([0-9]+) reads compared, ([0-9]+) mismatches \(([0-9]+) tolerated\), ([0-9]+) irq edges compared, ([0-9]+) frames matched$/\1 \2 \3 \4 \5 \6/')
    [ "$1" -gt 0 ] && [ "$2" -gt 0 ] && [ "$5" -gt 0 ] || { echo "zero count in: $last"; return 1; }
    if [ "$(wc -c < "$pc")" -gt 24 ] && [ "$6" = 0 ]; then echo "no frame matched: $last"; return 1; fi
    rc=$(cat "$f.rc")
    if [ "$3" = "$4" ]; then [ "$rc" = 0 ] && return 0
    else [ "$rc" = 1 ] && return 0; fi
    echo "exit status $rc does not match: $last"; return 1
}

run_conform() { # out trace profile [args]
    rc_out=$1; rc_tr=$2; rc_prof=$3; shift 3
    "$VNICSIM" conform "$rc_tr" --profile "$rc_prof" --show 10 "$@" > "$rc_out" 2>&1
    echo $? > "$rc_out.rc"
}

n=0
for d in traces/recordings/*/; do
    d=${d%/}; name=$(basename "$d")
    tr=$(pick_trace "$d") || { t_check "$name: has a trace" false; continue; }
    t_check "$name: has net.pcap" test -f "$d/net.pcap"
    for prof in qemu-7.2 datasheet; do
        out="$T/$name-$prof.out"
        run_conform "$out" "$tr" "$prof"
        echo "  $name $prof ($(basename "$tr")): $(tail -n 1 "$out") [exit $(cat "$out.rc")]"
        t_check "$name $prof: final line, counts, exit status" counts_ok "$out" "$d/net.pcap"
        if [ "$prof" = qemu-7.2 ]; then
            t_check "$name qemu-7.2: M = T (exit 0)" test "$(cat "$out.rc")" = 0
            [ "$(cat "$out.rc")" = 0 ] || grep '^mismatch' "$out" | head -10
        fi
    done
    n=$((n + 1))
done
t_check "at least one committed recording" test "$n" -gt 0

# The project's own format as input: converted, it replays to the same final line.
R=traces/recordings/linux61-mixed
if [ -d "$R" ]; then
    tr=$(pick_trace "$R")
    t_check "import to vnicsim-dtrace" "$VNICSIM" conform --import "$tr" -o "$T/conv.dtrace.gz"
    run_conform "$T/a.out" "$tr" qemu-7.2
    run_conform "$T/b.out" "$T/conv.dtrace.gz" qemu-7.2 --pcap "$R/net.pcap"
    t_check "converted trace replays to the same final line" \
        test "$(tail -n 1 "$T/a.out")" = "$(tail -n 1 "$T/b.out")"
    run_conform "$T/c.out" "$tr" qemu-7.2
    t_check "deterministic: the same run twice gives the same output" cmp -s "$T/a.out" "$T/c.out"
fi

# conform can fail: one recorded read value changed in a converted recording is one
# more mismatch, reported at that trace line; one byte changed in the pcap (byte 100:
# the destination of the first frame to the VM, the ARP reply) makes the model's filter
# drop that frame, and the recorded RINT then has no frame behind it.
P=traces/recordings/ping
if [ -f "$P/qemu.log.gz" ]; then
    "$VNICSIM" conform --import "$P/qemu.log.gz" -o "$T/ping.dtrace" >/dev/null 2>&1
    ln=$(grep -n ' R 0x10 2 0x1003 # CSR88' "$T/ping.dtrace" | head -n 1 | cut -d: -f1)
    t_check "ping: CSR88 read found in the converted trace" test -n "$ln"
    sed "${ln:-1}s/ 0x1003 # CSR88/ 0x1004 # CSR88/" "$T/ping.dtrace" > "$T/ping-bad.dtrace"
    run_conform "$T/good.out" "$T/ping.dtrace" qemu-7.2 --pcap "$P/net.pcap"
    run_conform "$T/bad.out" "$T/ping-bad.dtrace" qemu-7.2 --pcap "$P/net.pcap"
    t_check "changed read: exit 1" test "$(cat "$T/bad.out.rc")" = 1
    t_check "changed read: reported at its line" \
        grep -q "^mismatch $T/ping-bad.dtrace:$ln: CSR88 read 0x1004, model 0x1003" "$T/bad.out"
    m_good=$(tail -n 1 "$T/good.out" | sed -E 's/.* ([0-9]+) mismatches .*/\1/')
    m_bad=$(tail -n 1 "$T/bad.out" | sed -E 's/.* ([0-9]+) mismatches .*/\1/')
    case $m_good in ''|*[!0-9]*) m_good=-2 ;; esac
    t_check "changed read: exactly one more mismatch" test "$m_bad" = "$((m_good + 1))"
    cp "$P/net.pcap" "$T/bad.pcap"
    printf '\125' | dd of="$T/bad.pcap" bs=1 seek=100 conv=notrunc 2>/dev/null
    t_check "pcap byte changed" sh -c "! cmp -s '$P/net.pcap' '$T/bad.pcap'"
    run_conform "$T/badf.out" "$T/ping.dtrace" qemu-7.2 --pcap "$T/bad.pcap"
    t_check "changed frame: exit 1" test "$(cat "$T/badf.out.rc")" = 1
    t_check "changed frame: filtered by the model" grep -q '(1 filtered' "$T/badf.out"
    t_check "changed frame: the recorded RINT is a mismatch" grep -q '^mismatch .*CSR0 read 0x06fb, model 0x02f' "$T/badf.out"
fi

# Unreadable input: exit 2 with a message naming the file (and line).
"$VNICSIM" conform /nonexistent/trace.log > "$T/e1" 2>&1; echo $? > "$T/e1.rc"
t_check "missing trace: exit 2" test "$(cat "$T/e1.rc")" = 2
t_check "missing trace: names the file" grep -q '/nonexistent/trace.log' "$T/e1"
printf 'vnicsim-dtrace 1\n0 R 0x10 2 0x0004\n5 R 0x10 3 0x0004\n' > "$T/bad.dtrace"
"$VNICSIM" conform "$T/bad.dtrace" > "$T/e2" 2>&1; echo $? > "$T/e2.rc"
t_check "malformed trace: exit 2" test "$(cat "$T/e2.rc")" = 2
t_check "malformed trace: file:line" grep -q "$T/bad.dtrace:3: bad size" "$T/e2"
printf 'vnicsim-dtrace 1\n0 R 0x10 2 0x0004\n' > "$T/ok.dtrace"
"$VNICSIM" conform "$T/ok.dtrace" --pcap tests/lib.sh --mac 52:54:00:12:34:56 > "$T/e3" 2>&1; echo $? > "$T/e3.rc"
t_check "unreadable pcap: exit 2" test "$(cat "$T/e3.rc")" = 2
t_check "unreadable pcap: names the file" grep -q 'tests/lib.sh' "$T/e3"
printf 'vnicsim-dtrace 1\n0 IRQ 1\n' > "$T/noacc.dtrace"
"$VNICSIM" conform "$T/noacc.dtrace" > "$T/e5" 2>&1; echo $? > "$T/e5.rc"
t_check "trace without port accesses: exit 2" test "$(cat "$T/e5.rc")" = 2
t_check "trace without port accesses: says so" grep -q 'no pcnet port accesses' "$T/e5"
"$VNICSIM" conform "$T/ok.dtrace" --profile vmware-1.0 > "$T/e4" 2>&1; echo $? > "$T/e4.rc"
t_check "unknown profile: exit 2" test "$(cat "$T/e4.rc")" = 2
t_done conform
