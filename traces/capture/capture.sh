#!/bin/bash
# vnicsim capture tool: record the real Linux pcnet32 driver on QEMU's emulated Am79C970A.
#
#   traces/capture/capture.sh [-o OUTDIR] [-w WORKDIR] [-k] SCENARIO... | all
#
# One QEMU boot (TCG, ~10-20 s) per scenario. Each boot probes and opens the driver, runs the
# scenario (guest side: init.sh), powers off, and leaves in OUTDIR/SCENARIO/:
#   qemu.log.gz      the QEMU log lines that concern the NIC, exactly as QEMU wrote them
#                    (pcnet_*, memory_region_ops_* on 'pcnet-io' and 'serial', pci_cfg_* of pcnet)
#   net.pcap         every frame through the NIC's netdev (QEMU filter-dump, virtual clock)
#   console.txt      the guest serial console
#   pcnet-ports.txt  the condensed port trace (condense.py ports)
#   SOURCE.md        what, when, with which QEMU/kernel, the exact command and the counts
# Then prints a summary table and exits non-zero if a recording looks wrong.
#
# Options: -o OUTDIR   where recordings go (default: traces/recordings of this checkout)
#          -w WORKDIR  scratch (kernel, initramfs, raw logs; default /tmp/vnicsim-capture)
#          -k          keep the raw QEMU log (WORKDIR/SCEN/qemu-raw.log) after filtering
# Environment: KERNEL_PKG=linux-image-X-amd64 to pin the guest kernel (default: the one
#          Debian's linux-image-amd64 depends on), QEMU=path, QEMU_TIMEOUT=seconds (300).
# Needs root for apt-get (installs qemu-system-x86 cpio tcpdump gcc libc6-dev python3 xz-utils
# when missing; downloads, without installing, linux-image-*-amd64 and busybox-static).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/traces/recordings
WORK=${TMPDIR:-/tmp}/vnicsim-capture
KEEP=0
ALL_SCENARIOS="probe-open ping udp tcp-tx tcp-rx promisc multicast down-up"
VM_MAC=52:54:00:12:34:56
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-300}

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
die() { echo "capture.sh: $*" >&2; exit 1; }

while getopts "o:w:kh" opt; do
  case $opt in
    o) OUT=$OPTARG ;;
    w) WORK=$OPTARG ;;
    k) KEEP=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
SCENARIOS=()
for s in "$@"; do
  if [ "$s" = all ]; then SCENARIOS+=($ALL_SCENARIOS); continue; fi
  case " $ALL_SCENARIOS " in *" $s "*) SCENARIOS+=("$s") ;; *) die "unknown scenario '$s' (known: $ALL_SCENARIOS)" ;; esac
done
mkdir -p "$OUT" "$WORK"
OUT=$(cd "$OUT" && pwd); WORK=$(cd "$WORK" && pwd)

# ---- 1. host tools ---------------------------------------------------------------------------
need_pkgs=()
command -v "$QEMU" >/dev/null || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v tcpdump >/dev/null || need_pkgs+=(tcpdump)
command -v gcc >/dev/null || need_pkgs+=(gcc)
[ -f /usr/include/stdio.h ] || need_pkgs+=(libc6-dev)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v xz >/dev/null || need_pkgs+=(xz-utils)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need_pkgs[*]}: run as root or apt-get install them"
  echo "== apt-get install ${need_pkgs[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi

# ---- 2. guest kernel and busybox (Debian .debs, unpacked, not installed) ------------------------
cd "$WORK"
KPKG=${KERNEL_PKG:-}
if [ -z "$KPKG" ]; then
  KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [ -z "$KPKG" ]; then apt-get update -q; KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); fi
fi
[ -n "$KPKG" ] || die "cannot find the Debian kernel package (set KERNEL_PKG)"
if [ ! -f "kroot.$KPKG/done" ]; then
  echo "== apt-get download $KPKG"
  rm -rf "kroot.$KPKG"; mkdir -p "kroot.$KPKG"
  apt-get download "$KPKG" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
  dpkg-deb -x "${KPKG}"_*.deb "kroot.$KPKG"
  dpkg-deb -f "${KPKG}"_*.deb Version > "kroot.$KPKG/deb-version"
  rm -f "${KPKG}"_*.deb
  touch "kroot.$KPKG/done"
fi
KROOT=$WORK/kroot.$KPKG
KVER=$(ls "$KROOT/lib/modules" | head -1)
KDEBVER=$(cat "$KROOT/deb-version")
if [ ! -f busybox/done ]; then
  echo "== apt-get download busybox-static"
  rm -rf busybox; mkdir -p busybox
  apt-get download busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
  dpkg-deb -x busybox-static_*.deb busybox
  dpkg-deb -f busybox-static_*.deb Version > busybox/deb-version
  rm -f busybox-static_*.deb
  touch busybox/done
fi

# ---- 3. initramfs: busybox, mcjoin, the two modules, init.sh as /init ---------------------------
echo "== initramfs (kernel $KVER)"
gcc -static -Os -std=c11 -Wall -Wextra -o "$WORK/mcjoin" "$HERE/mcjoin.c"
strip "$WORK/mcjoin"
R=$WORK/initramfs; rm -rf "$R"
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/lib/modules"
mknod -m 600 "$R/dev/console" c 5 1   # the kernel opens it for init's stdio before devtmpfs
cp busybox/bin/busybox "$R/bin/busybox"
cp "$WORK/mcjoin" "$R/bin/mcjoin"
cp "$HERE/init.sh" "$R/init"; chmod 755 "$R/init"
for m in drivers/net/mii.ko drivers/net/ethernet/amd/pcnet32.ko; do
  f=$KROOT/lib/modules/$KVER/kernel/$m
  if [ -f "$f" ]; then cp "$f" "$R/lib/modules/"
  elif [ -f "$f.xz" ]; then xz -dc "$f.xz" > "$R/lib/modules/$(basename "$m")"
  else die "module $m not found in $KPKG"; fi
done
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$WORK/initrd.gz"
cp "$KROOT/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
# TFTP payload for the udp scenario: 64 KiB of deterministic text (32-byte numbered lines)
mkdir -p "$WORK/tftp"
awk 'BEGIN { for (i = 0; i < 2048; i++) printf "vnicsim tftp line %013d\n", i }' > "$WORK/tftp/blob64k"

QVER=$("$QEMU" --version | head -1)
QDEBVER=$(dpkg-query -W -f '${Version}' qemu-system-x86 2>/dev/null || echo unknown)

# ---- 4. one boot per scenario -----------------------------------------------------------------
kv() { sed -n "s/^$1=//p" "$2"; }
fail=0
declare -A SUM
for s in "${SCENARIOS[@]}"; do
  D=$WORK/$s; rm -rf "$D"; mkdir -p "$D"
  QARGS=(-accel tcg -m 256 -nographic -no-reboot
    -kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.gz"
    -append "console=ttyS0 quiet panic=-1 vnicsim_scenario=$s"
    -netdev "user,id=n0,tftp=$WORK/tftp,guestfwd=tcp:10.0.2.100:1234-cmd:dd of=/dev/null status=none,guestfwd=tcp:10.0.2.101:1235-cmd:head -c 262144 /dev/zero"
    -device "pcnet,netdev=n0,mac=$VM_MAC,romfile="
    -object "filter-dump,id=f0,netdev=n0,file=$D/net.pcap"
    -msg timestamp=on -D "$D/qemu-raw.log"
    -d 'trace:pcnet_*,trace:memory_region_ops_*,trace:pci_cfg_*')
  echo "== $s: booting"
  DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  T0=$(date +%s.%N)
  rc=0
  timeout "$QEMU_TIMEOUT" "$QEMU" "${QARGS[@]}" > "$D/console.txt" 2>&1 < /dev/null || rc=$?
  T1=$(date +%s.%N)
  WALL=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b - a}')
  [ $rc = 0 ] || { echo "   qemu exit status $rc (timeout=124)"; fail=1; }

  # filter, condense, count
  O=$OUT/$s; mkdir -p "$O"
  python3 "$HERE/condense.py" filter < "$D/qemu-raw.log" | gzip -9n > "$O/qemu.log.gz"
  cp "$D/net.pcap" "$O/net.pcap"
  tr -d '\r' < "$D/console.txt" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' > "$O/console.txt"
  python3 "$HERE/condense.py" ports "$O/qemu.log.gz" > "$O/pcnet-ports.txt"
  python3 "$HERE/condense.py" stats "$O/qemu.log.gz" "$O/net.pcap" "$VM_MAC" > "$D/stats"
  RAWLINES=$(wc -l < "$D/qemu-raw.log"); RAWBYTES=$(stat -c %s "$D/qemu-raw.log")
  KEPT=$(zcat "$O/qemu.log.gz" | wc -l)
  [ $KEEP = 1 ] || rm -f "$D/qemu-raw.log"

  # sanity checks
  P=$(kv port_accesses "$D/stats"); E=$(kv irq_edges "$D/stats"); F=$(kv frames "$D/stats")
  M=$(kv markers "$D/stats")
  problems=""
  [ "$P" -gt 50 ] || problems+=" few-port-accesses"
  case ",$M," in *,scenario-done,*) ;; *) problems+=" no-scenario-done-marker" ;; esac
  grep -q "VNICSIM scenario-done $s" "$O/console.txt" || problems+=" console-incomplete"
  if [ "$s" != probe-open ]; then
    [ "$F" -gt 0 ] || problems+=" no-frames"
    [ "$E" -gt 0 ] || problems+=" no-irq-edges"
  fi
  case "$s" in
    udp) grep -q '^65536 /tmp/blob64k' "$O/console.txt" || problems+=" tftp-failed" ;;
    tcp-rx) grep -q 'tcp-rx received 262144' "$O/console.txt" || problems+=" tcp-rx-short" ;;
    ping|promisc|down-up) grep -q ' 0% packet loss' "$O/console.txt" || problems+=" ping-loss" ;;
    multicast) grep -q 'mcjoin exit 0' "$O/console.txt" || problems+=" mcjoin-failed" ;;
  esac
  # what the driver must have done, seen in the condensed port trace
  PT=$O/pcnet-ports.txt
  nw() { grep -cE " W 0x10 2 $1 $2\$" "$PT" || true; }   # count of RDP writes of value to register
  [ "$(grep -c 'EV pcnet_init ' "$PT")" -ge 1 ] || problems+=" no-pcnet_init"
  case "$s" in
    tcp-tx) [ "$(kv bytes_tx "$D/stats")" -gt 262144 ] || problems+=" tx-bytes-short" ;;
    tcp-rx) [ "$(kv bytes_rx "$D/stats")" -gt 262144 ] || problems+=" rx-bytes-short" ;;
    promisc) [ "$(nw '0x8[0-9a-f]{3}' CSR15)" -ge 1 ] || problems+=" no-PROM-set"
             grep -E ' W 0x10 2 0x[0-9a-f]{4} CSR15$' "$PT" | tail -1 | grep -qE '0x[0-7][0-9a-f]{3} CSR15' || problems+=" PROM-left-on" ;;
    multicast) [ "$(nw 0xffff CSR8)" -ge 1 ] || problems+=" no-allmulti-filter"
               [ "$(nw 0x0008 CSR8)" -ge 1 ] || problems+=" no-CSR8-bit3"
               [ "$(nw '0x8[0-9a-f]{3}' CSR15)" -ge 1 ] || problems+=" no-PROM-set"
               [ "$(nw '0x[0-9a-f]{4}' CSR15)" -ge 14 ] || problems+=" few-rx-mode-updates" ;;
    down-up) [ "$(grep -c 'EV pcnet_init ' "$PT")" -ge 2 ] || problems+=" no-reinit"
             [ "$(nw 0x0004 CSR0)" -ge 1 ] || problems+=" no-STOP" ;;
  esac
  [ -z "$problems" ] || { echo "   PROBLEMS:$problems"; fail=1; }

  {
    echo "# $s"
    echo
    echo "Real Linux \`pcnet32\` driver on QEMU's emulated Am79C970A (\`-device pcnet\`), recorded by"
    echo "\`traces/capture/capture.sh $s\` (guest script: \`traces/capture/init.sh\`, scenario \`$s\`)."
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| scenario | \`$s\` (probe + open, then the scenario; see traces/capture/README.md) |"
    echo "| recorded | $DATE ($WALL s of wall clock for the whole boot) |"
    echo "| QEMU | $QVER, Debian package $QDEBVER, TCG, slirp user networking |"
    echo "| guest kernel | $KVER (Debian package $KPKG $KDEBVER), modules mii + pcnet32, default debug level |"
    echo "| guest userland | busybox-static $(cat busybox/deb-version), mcjoin (traces/capture/mcjoin.c) |"
    echo "| VM MAC | $VM_MAC |"
    echo "| port accesses | $P ($(kv port_reads "$D/stats") reads, $(kv port_writes "$D/stats") writes) over $(kv trace_span_us "$D/stats") µs of host time |"
    echo "| IRQ edges | $E ($(kv irq_rises "$D/stats") rises, $(kv irq_falls "$D/stats") falls: \`pcnet_isr_change\`) |"
    echo "| frames | $F ($(kv frames_tx "$D/stats") sent by the VM, $(kv frames_rx "$D/stats") received; $(kv bytes_tx "$D/stats") + $(kv bytes_rx "$D/stats") bytes, no FCS) |"
    echo "| other pcnet events | $(kv pcnet_events "$D/stats") |"
    echo "| console markers | $(kv markers "$D/stats" | tr ',' ' ') |"
    echo "| raw log | $RAWLINES lines, $RAWBYTES bytes; $KEPT lines kept in qemu.log.gz |"
    echo
    echo "Accesses by register: $(kv registers "$D/stats")"
    echo
    echo "## Files"
    echo
    echo "| file | what |"
    echo "|---|---|"
    echo "| \`qemu.log.gz\` | the raw QEMU log lines, unchanged, that concern the NIC: every \`pcnet_*\` event, \`memory_region_ops_read/write\` on \`'pcnet-io'\` (port accesses; read values NOT masked to the access size) and on \`'serial'\` (guest console, so the VNICSIM markers are time-aligned), \`pci_cfg_*\` of the pcnet device. Each line is \`TID@SEC.USEC:event args\`, host wall clock |"
    echo "| \`net.pcap\` | every frame through the NIC's netdev, both directions (QEMU \`filter-dump\`, no FCS, timestamps on QEMU's virtual clock) |"
    echo "| \`console.txt\` | the guest serial console (escape sequences removed) |"
    echo "| \`pcnet-ports.txt\` | \`traces/capture/condense.py ports qemu.log.gz\`: \`t_us R/W off size value reg\`, \`t_us IRQ level\`, \`t_us CON text\`, \`t_us EV event args\` |"
    echo
    echo "## Command"
    echo
    echo '```'
    printf '%q ' timeout "$QEMU_TIMEOUT" "$QEMU" "${QARGS[@]}"
    echo
    echo '```'
    echo
    echo "\`WORKDIR\` was \`$WORK\` (kernel and initramfs are rebuilt there by capture.sh)."
  } > "$O/SOURCE.md"
  SUM[$s]="$P $E $F $(kv frames_tx "$D/stats") $(kv frames_rx "$D/stats") $WALL"
  echo "   $P port accesses, $E irq edges, $F frames, $WALL s"
done

# ---- 5. summary ------------------------------------------------------------------------------
echo
printf '%-11s %8s %6s %7s %5s %5s %10s %9s %10s %9s %6s\n' scenario accesses irq frames tx rx log.gz pcap ports.txt console wall_s
for s in "${SCENARIOS[@]}"; do
  read -r P E F TX RX WALL <<< "${SUM[$s]}"
  O=$OUT/$s
  printf '%-11s %8s %6s %7s %5s %5s %10s %9s %10s %9s %6s\n' "$s" "$P" "$E" "$F" "$TX" "$RX" \
    "$(stat -c %s "$O/qemu.log.gz")" "$(stat -c %s "$O/net.pcap")" "$(stat -c %s "$O/pcnet-ports.txt")" \
    "$(stat -c %s "$O/console.txt")" "$WALL"
done
[ $fail = 0 ] || { echo "capture.sh: some recordings have problems (see above)" >&2; exit 1; }
