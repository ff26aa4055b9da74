# The committed real recordings are self-consistent (traces/capture/check-recordings.sh):
# the raw QEMU logs condense to the committed port traces, counts match SOURCE.md, pcaps parse.
. tests/lib.sh
out=$(bash traces/capture/check-recordings.sh 2>&1); rc=$?
p=$(printf '%s\n' "$out" | grep -c '^ok ')
f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
printf '%s\n' "$out" | grep '^FAIL ' | sed 's/^/not ok /'
t_passed=$((t_passed + p)); t_failed=$((t_failed + f))
[ "$rc" = 0 ] || [ "$f" != 0 ] || { t_failed=$((t_failed + 1)); echo "not ok check-recordings exited $rc"; }
[ "$p" -gt 50 ] || { t_failed=$((t_failed + 1)); echo "not ok too few recording checks ($p)"; }
t_done t_recordings
