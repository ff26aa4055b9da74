#!/bin/sh
# t_model: the hosted model through the CLI (issue 4): preset diff, byte-identical
# results, the printed tables, input errors, and the calibration being re-runnable.
. tests/lib.sh

SMALL="--set workload.bytes=800000 --set workload.warmup_bytes=100000"

# native-pc733 differs from ws2-pc733 only in the virtualization path
"$VNICSIM" config show --preset ws2-pc733 | jq -S 'del(.name, .description)' > "$T/ws2.json"
"$VNICSIM" config show --preset native-pc733 | jq -S 'del(.name, .description)' > "$T/nat.json"
t_check "config show ws2-pc733 parses" test -s "$T/ws2.json"
t_check "presets differ only in vmm.mode" sh -c \
  "[ \"\$(jq -S 'del(.vmm)' '$T/ws2.json')\" = \"\$(jq -S 'del(.vmm)' '$T/nat.json')\" ] &&
   [ \"\$(jq -r .vmm.mode '$T/ws2.json')\" = hosted ] && [ \"\$(jq -r .vmm.mode '$T/nat.json')\" = native ]"

# same configuration and seed: byte-identical results.json
t_check "run 1" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/r1"
t_check "run 2" "$VNICSIM" run --preset ws2-pc733 $SMALL -o "$T/r2"
t_check "results.json byte-identical" cmp "$T/r1/results.json" "$T/r2/results.json"
t_check "schema_version 1 and stable keys" sh -c "jq -e '.schema_version == 1 and
  (.metrics | has(\"goodput_mbps\") and has(\"latency_us\") and has(\"latency_hist\")) and
  (.breakdown.total | has(\"vmm\") and has(\"idle\") and has(\"vmnet_transmit\")) and
  (.breakdown.vmm | has(\"inout_switching\") and has(\"guest_idle\") and has(\"host_irq_while_guest_idle\"))' '$T/r1/results.json'"

# the summary prints tables shaped like the paper's Table 1
t_check "summary has both tables" sh -c "'$VNICSIM' run --preset ws2-pc733 $SMALL -o '$T/r3' |
  grep -q 'IN/OUTs requiring a switch to the VMApp' &&
  '$VNICSIM' run --preset ws2-pc733 $SMALL -o '$T/r4' --force | grep -q 'Transmitting via VMNet'"

# input errors are reported, not crashes
t_fail "warm-up larger than the transfer" "$VNICSIM" run --preset ws2-pc733 \
  --set workload.bytes=1000 --set workload.warmup_bytes=5000 -o "$T/bad1"
t_fail "unknown driver personality" "$VNICSIM" run --preset ws2-pc733 \
  --set guest.driver=pcnet32-1995 -o "$T/bad2"
t_fail "zero link rate" "$VNICSIM" run --preset ws2-pc733 --set link.rate_mbps=0 -o "$T/bad3"

# the calibration is re-runnable and the committed presets are its output
if command -v python3 >/dev/null 2>&1; then
  t_check "calibration reproduces the presets" python3 analysis/calibrate/calibrate.py --check
fi
t_done t_model
