# Shell test kit for tests/*.sh (sourced). Mirrors tests/check.h:
#   t_check "description" command...   passes when the command exits 0
#   t_fail  "description" command...   passes when the command exits non-zero
#   t_done NAME                        prints "# NAME: P passed, F failed", exits 1 on failure
# $VNICSIM is the program under test; $T is a scratch directory removed at exit.
t_passed=0; t_failed=0
VNICSIM=${VNICSIM:-build/vnicsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
t_check() { d=$1; shift
    if "$@" >"$T/.out" 2>&1; then t_passed=$((t_passed+1))
    else t_failed=$((t_failed+1)); echo "not ok $d"; sed 's/^/    /' "$T/.out" | head -20; fi; }
t_fail() { d=$1; shift
    if "$@" >"$T/.out" 2>&1; then t_failed=$((t_failed+1)); echo "not ok $d (expected failure)"
    else t_passed=$((t_passed+1)); fi; }
t_done() { echo "# $1: $t_passed passed, $t_failed failed"; [ "$t_failed" = 0 ]; }
