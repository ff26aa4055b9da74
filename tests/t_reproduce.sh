#!/bin/sh
# t_reproduce: the committed tables of results/paper/ are what the code produces now
# (analysis/reproduce.sh --tables-only into a scratch directory, then diff). When this
# fails after an intended model change, run 'make reproduce' and commit results/paper/.
. tests/lib.sh

if ! command -v python3 >/dev/null 2>&1; then echo "# t_reproduce: 0 passed, 0 failed (no python3)"; exit 0; fi
t_check "reproduce --tables-only runs" env VNICSIM="$VNICSIM" sh analysis/reproduce.sh --tables-only "$T/paper"
for f in README.md outcomes.csv table1.csv table2.csv table3.csv per_frame.csv figure6.csv figure6_paper.csv; do
    t_check "results/paper/$f is up to date (make reproduce)" diff -u "results/paper/$f" "$T/paper/$f"
done
t_check "committed plots exist" sh -c "for f in figure6.png figure6.svg figure6_idle.png figure6_idle.svg; do
  test -s results/paper/\$f || exit 1; done"
t_check "no dates in the generated files" sh -c "! grep -lE '20[0-9][0-9]-[01][0-9]-[0-3][0-9]|[0-2][0-9]:[0-5][0-9]:[0-5][0-9]' '$T/paper'/*"
t_done t_reproduce
