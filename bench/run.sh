#!/bin/sh
# Run every benchmark program given on the command line, then bench/b_*.sh scripts.
rc=0
for b in "$@"; do echo "== $(basename "$b")"; "$b" || rc=1; done
for s in bench/b_*.sh; do [ -f "$s" ] && { echo "== $(basename "$s" .sh)"; sh "$s" || rc=1; }; done
exit $rc
