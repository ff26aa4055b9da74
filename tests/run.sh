#!/bin/sh
# Run every test program given on the command line plus every tests/t_*.sh script,
# add up their "# name: P passed, F failed" lines and print the total as the last line.
# A program that exits non-zero without reporting counts as one failure.
passed=0; failed=0; bad=""
run_one() {
    name=$1; shift
    out=$("$@" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^# .*: [0-9]+ passed, [0-9]+ failed$' | tail -1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -20
        echo "not ok $name: exited $rc without a summary"; failed=$((failed+1)); bad="$bad $name"; return
    fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
    f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
    if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
        printf '%s\n' "$out" | grep -v '^# ' | tail -40
        [ "$f" = 0 ] && f=1
        bad="$bad $name"
    fi
    passed=$((passed+p)); failed=$((failed+f))
    echo "$line"
}
for t in "$@"; do run_one "$(basename "$t")" "$t"; done
for s in tests/t_*.sh; do [ -f "$s" ] && run_one "$(basename "$s" .sh)" sh "$s"; done
[ -n "$bad" ] && echo "failing:$bad"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
