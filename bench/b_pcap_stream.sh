#!/bin/sh
# b_pcap_stream: pcap replay is streamed (issue 6): a generated capture of 1 GiB piped
# through standard input, peak RSS measured with /usr/bin/time -v, compared with the
# same run on a 64 MiB capture. Memory must not grow with the capture's size.
#
# When `vnicsim run` has --pcap, the capture goes through the whole model
# (`vnicsim run --preset ws2-pc733 --pcap - --vm-mac ... --pace afap`); otherwise the
# streaming reader alone is measured (bench_pcapgen --read -).
VNICSIM=${VNICSIM:-build/vnicsim}
BUILD_DIR=${BUILD_DIR:-build}
GEN=$BUILD_DIR/bench/bench_pcapgen
BIG=${PCAP_STREAM_BYTES:-1G}
SMALL=64M
MAC=02:00:0a:4d:00:01
T=$(mktemp -d "${TMPDIR:-/tmp}/vnicsim-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

[ -x "$GEN" ] || { echo "b_pcap_stream: $GEN not built"; exit 1; }
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y time >/dev/null 2>&1; fi
  [ -x /usr/bin/time ] || { echo "b_pcap_stream: /usr/bin/time missing (apt-get install time)"; exit 1; }
fi

if "$VNICSIM" run --help 2>&1 | grep -q -- '--pcap'; then
  mode=model
else
  mode=reader
fi

# run SIZE NAME: generator | consumer, under /usr/bin/time -v; prints peak RSS in KiB
run() {
  if [ $mode = model ]; then
    "$GEN" --write "$1" | /usr/bin/time -v -o "$T/$2.time" \
      "$VNICSIM" run --preset ws2-pc733 --pcap - --vm-mac $MAC --pace afap -o "$T/$2" --force \
      >"$T/$2.out" 2>"$T/$2.err" || { echo "b_pcap_stream: run $2 failed:"; tail -5 "$T/$2.err"; return 1; }
  else
    "$GEN" --write "$1" | /usr/bin/time -v -o "$T/$2.time" "$GEN" --read - --vm-mac $MAC \
      >"$T/$2.out" 2>"$T/$2.err" || { echo "b_pcap_stream: read $2 failed:"; tail -5 "$T/$2.err"; return 1; }
  fi
}
rss() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/$1.time"; }
wall() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/$1.time"; }

run $SMALL small || exit 1
run $BIG big || exit 1
r_small=$(rss small); r_big=$(rss big)
echo "mode: $mode (consumer: $([ $mode = model ] && echo "vnicsim run --preset ws2-pc733 --pcap - --pace afap" || echo "bench_pcapgen --read -"))"
if [ $mode = model ]; then
  for n in small big; do
    jq -r --arg n $n '"\($n): frames_read \(.replay.frames_read), tx offered \(.replay.tx.offered) delivered \(.replay.tx.delivered), rx offered \(.replay.rx.offered) delivered \(.replay.rx.delivered), ignored \(.replay.frames_ignored)"' "$T/$n/results.json"
    jq -r --arg n $n '"\($n): model \(.events) events in \(.wall_seconds*100|floor/100) s wall (\(.events_per_second|floor) events/s), \(.simulated_seconds*1000|floor/1000) simulated s"' "$T/$n/host.json"
    jq -r --arg n $n '"\($n): ws2-pc733 afap achieved tx \(.replay.tx.achieved_mbps*100|floor/100) Mb/s, rx \(.replay.rx.achieved_mbps*100|floor/100) Mb/s, CPU busy \(.metrics.cpu_busy_pct*10|floor/10) %"' "$T/$n/results.json"
  done
else
  sed 's/^/small: /' "$T/small.out"; sed 's/^/big: /' "$T/big.out"
fi
echo "peak RSS: $SMALL capture ${r_small} KiB (wall $(wall small)), $BIG capture ${r_big} KiB (wall $(wall big))"
if awk "BEGIN{exit !($r_big < $r_small * 1.25 + 1024)}"; then
  echo "ok: memory flat (the larger capture uses no more than 1.25x + 1 MiB)"
else
  echo "MEMORY GROWS with the capture size"; exit 1
fi
