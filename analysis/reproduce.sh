#!/bin/sh
# make reproduce: regenerate results/paper/ (Figure 6, Tables 1-3, per-frame counts,
# README.md with the model next to the paper). See results/paper/README.md.
#
# usage: analysis/reproduce.sh [--tables-only] [OUT_DIR]
#   OUT_DIR        default results/paper
#   --tables-only  skip the plots (tests/t_reproduce.sh uses this to check the tables)
# $VNICSIM: the program (default build/vnicsim); runs two sweeps (56 runs of 20 MB) with -j2.
set -eu
tables_only=0
if [ "${1:-}" = "--tables-only" ]; then tables_only=1; shift; fi
out=${1:-results/paper}
VNICSIM=${VNICSIM:-build/vnicsim}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-reproduce.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$VNICSIM" sweep "$here/sweeps/paper-fig6.json" -o "$work/fig6" -j2 >"$work/fig6.log" 2>&1 ||
    { cat "$work/fig6.log" >&2; exit 1; }
"$VNICSIM" sweep "$here/sweeps/paper-table3.json" -o "$work/table3" -j2 >"$work/table3.log" 2>&1 ||
    { cat "$work/table3.log" >&2; exit 1; }
mkdir -p "$work/out"
python3 "$here/paper/tables.py" "$work/fig6" "$work/table3" "$work/out"
if [ "$tables_only" = 0 ]; then
    command -v gnuplot >/dev/null 2>&1 || { echo "reproduce: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
    for t in png svg; do
        for w in goodput idle; do
            gnuplot -e "dir='$work/out'; term='$t'; what='$w'" "$here/paper/figure6.gp"
        done
    done
fi
mkdir -p "$out"
for f in "$work/out"/*; do
    cp "$f" "$out/.$(basename "$f").tmp" && mv "$out/.$(basename "$f").tmp" "$out/$(basename "$f")"
done
echo "reproduce: wrote $(ls "$work/out" | wc -l) files into $out/"
