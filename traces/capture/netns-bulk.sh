#!/bin/bash
# vnicsim sample data: a real TCP bulk transfer between two network namespaces on this machine,
# captured with tcpdump, offloads off so every frame is wire-sized (<= 1514 bytes).
#
#   traces/capture/netns-bulk.sh [-o OUTDIR] [-b BYTES]
#
# Writes (default OUTDIR: traces/pcap of this checkout), all from ONE transfer, captured by three
# tcpdumps running at once on the sender's veth:
#   tcp-bulk-netns.pcap         -s 0, microsecond timestamps
#   tcp-bulk-netns-snap96.pcap  -s 96: every frame truncated to 96 captured bytes (orig length kept)
#   tcp-bulk-netns-nano.pcap    -s 0, nanosecond timestamps (--time-stamp-precision=nano)
# and prints the counts. Nothing leaves the machine: the addresses exist only inside the two
# namespaces, which are removed on exit. Needs root, iproute2, ethtool, tcpdump, python3.
#
# Topology:  netns vnsim-a: veth vnsim-a0 02:00:0a:4d:00:01 10.77.0.1/24   (sender, the "VM")
#            netns vnsim-b: veth vnsim-b0 02:00:0a:4d:00:02 10.77.0.2/24   (receiver, port 5001)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "$HERE/../.." && pwd)/traces/pcap
BYTES=2097152
while getopts "o:b:h" opt; do
  case $opt in
    o) OUT=$OPTARG ;;
    b) BYTES=$OPTARG ;;
    *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
case $BYTES in ''|*[!0-9]*) echo "netns-bulk.sh: -b wants a byte count" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "netns-bulk.sh: needs root (network namespaces)" >&2; exit 1; }

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v ethtool >/dev/null || need+=(ethtool)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

NA=vnsim-a; NB=vnsim-b; VA=vnsim-a0; VB=vnsim-b0
MA=02:00:0a:4d:00:01; MB=02:00:0a:4d:00:02
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
TMP=$(mktemp -d)
TD_PIDS=()
cleanup() {
  for p in "${TD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del $NA 2>/dev/null || true
  ip netns del $NB 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# leftovers of an interrupted run
ip netns del $NA 2>/dev/null || true
ip netns del $NB 2>/dev/null || true

ip netns add $NA
ip netns add $NB
for ns in $NA $NB; do
  # IPv4 only: no IPv6 DAD / router solicitation / MLD frames in the capture
  ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n $ns link set lo up
done
ip link add $VA netns $NA address $MA type veth peer name $VB netns $NB address $MB
for pair in "$NA $VA 10.77.0.1/24" "$NB $VB 10.77.0.2/24"; do
  set -- $pair
  ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off > /dev/null 2>&1 ||
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off > /dev/null
  ip -n "$1" link set "$2" mtu 1500 up
  ip -n "$1" addr add "$3" dev "$2"
done
echo -n "offloads on $VA: "
ip netns exec $NA ethtool -k $VA | grep -E '^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|tx-checksumming|rx-checksumming):' | tr '\n' ' '
echo

# three captures of the same traffic on the sender's side
start_td() { # file, extra args...
  local f=$1; shift
  ip netns exec $NA tcpdump -i $VA -n -Z root --immediate-mode -U -w "$TMP/$f" "$@" 2> "$TMP/$f.err" &
  TD_PIDS+=($!)
}
start_td full.pcap -s 0
start_td snap96.pcap -s 96
if tcpdump --help 2>&1 | grep -q time-stamp-precision; then
  start_td nano.pcap -s 0 --time-stamp-precision=nano
fi
for f in "$TMP"/*.err; do
  for _ in $(seq 50); do grep -q 'listening on' "$f" && break; sleep 0.1; done
done

cat > "$TMP/recv.py" <<'EOF'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('10.77.0.2', 5001)); s.listen(1)
print('ready', flush=True)
c, _ = s.accept(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    n += len(b)
c.close(); print('received', n, flush=True)
EOF
cat > "$TMP/send.py" <<'EOF'
import socket, sys
total = int(sys.argv[1])
block = bytes((i * 7 + 3) & 0xff for i in range(65536))   # deterministic payload
s = socket.create_connection(('10.77.0.2', 5001))
left = total
while left > 0:
    left -= s.send(block[:min(left, len(block))])
s.shutdown(socket.SHUT_WR); s.recv(1); s.close()
print('sent', total, flush=True)
EOF
ip netns exec $NB python3 "$TMP/recv.py" > "$TMP/recv.out" &
RPID=$!
for _ in $(seq 50); do grep -q ready "$TMP/recv.out" 2>/dev/null && break; sleep 0.1; done
ip netns exec $NA timeout 60 python3 "$TMP/send.py" "$BYTES"
wait $RPID
cat "$TMP/recv.out" | grep received
sleep 1.5   # let the FIN/ACK exchange and the last ring blocks reach tcpdump
for p in "${TD_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
for p in "${TD_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
TD_PIDS=()
# a capture that missed frames is not sample data
for f in "$TMP"/*.err; do
  cap=$(sed -n 's/^\([0-9]*\) packets captured/\1/p' "$f")
  got=$(sed -n 's/^\([0-9]*\) packets received by filter/\1/p' "$f")
  drop=$(sed -n 's/^\([0-9]*\) packets dropped by kernel/\1/p' "$f")
  echo "$(basename "$f" .err): $cap captured, $got received by filter, $drop dropped by kernel"
  [ "$cap" = "$got" ] && [ "$drop" = 0 ] || { echo "netns-bulk.sh: $(basename "$f" .err) lost frames" >&2; exit 1; }
done

cp "$TMP/full.pcap" "$OUT/tcp-bulk-netns.pcap"
cp "$TMP/snap96.pcap" "$OUT/tcp-bulk-netns-snap96.pcap"
[ -f "$TMP/nano.pcap" ] && cp "$TMP/nano.pcap" "$OUT/tcp-bulk-netns-nano.pcap"

# counts, per file
python3 - "$MA" "$OUT"/tcp-bulk-netns*.pcap <<'EOF'
import struct, sys, os
mac = bytes(int(x, 16) for x in sys.argv[1].split(':'))
for path in sys.argv[2:]:
    with open(path, 'rb') as f:
        h = f.read(24)
        magic, _, _, _, _, snap, link = struct.unpack('<IHHiIII', h)
        prec = {0xa1b2c3d4: 'us', 0xa1b23c4d: 'ns'}[magic]
        n = tx = rx = trunc = 0; big = 0; wire = 0; first = last = None
        while True:
            r = f.read(16)
            if len(r) < 16: break
            s, frac, cap, orig = struct.unpack('<IIII', r)
            d = f.read(cap)
            t = s + frac / (1e9 if prec == 'ns' else 1e6)
            first = t if first is None else first; last = t
            n += 1; wire += orig; big += orig == 1514; trunc += cap < orig
            if d[6:12] == mac: tx += 1
            else: rx += 1
    print('%s: %d bytes, link %d, snaplen %d, %s; %d frames (%d from %s, %d to it), %d of 1514 bytes, '
          '%d truncated, %d wire bytes, %.6f s'
          % (os.path.basename(path), os.path.getsize(path), link, snap, prec, n, tx, sys.argv[1], rx,
             big, trunc, wire, last - first))
EOF
