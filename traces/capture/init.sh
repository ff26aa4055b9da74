#!/bin/busybox sh
# Guest /init for the vnicsim capture initramfs (see traces/capture/README.md).
#
# Every boot probes and opens the real pcnet32 driver, then runs ONE scenario chosen on the
# kernel command line (vnicsim_scenario=NAME), then powers the VM off. Progress markers
# "VNICSIM <what> <uptime>" go to the serial console, which QEMU also traces, so the markers
# show up in the condensed port trace (CON lines) at the point where they happened.
#
# Host side (slirp, set up by capture.sh): gateway 10.0.2.2 (answers ping and TFTP),
# 10.0.2.100:1234 = TCP sink (dd of=/dev/null), 10.0.2.101:1235 = TCP source (256 KiB).

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

mark() { echo "VNICSIM $* $(cut -d' ' -f1 /proc/uptime)"; }

SCEN=none
for w in $(cat /proc/cmdline); do
  case "$w" in vnicsim_scenario=*) SCEN=${w#vnicsim_scenario=} ;; esac
done
mark "boot scenario=$SCEN"

# IPv4 only: no IPv6 link-local address, DAD, router solicitations or MLD reports, so the
# recordings contain only what the scenario does (plus what the driver does on its own).
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null

# ---- probe + open (every scenario) -------------------------------------------------------
mark probe-start
insmod /lib/modules/mii.ko
insmod /lib/modules/pcnet32.ko
mark probe-done
sleep 0.5
ip link set lo up
mark open-start
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
mark open-done
sleep 0.5

# ---- the scenario ------------------------------------------------------------------------
mark "scenario-start $SCEN"
case "$SCEN" in
probe-open)
  sleep 1
  ;;
ping)
  # 5 small echoes, then 3 large ones (1000-byte payload: 1042-byte frames)
  ping -c 5 -i 0.2 10.0.2.2
  ping -c 3 -i 0.2 -s 1000 10.0.2.2
  ;;
udp)
  # slirp's TFTP server: 64 KiB in 512-byte blocks, one DATA in / one ACK out per block
  tftp -g -r blob64k -l /tmp/blob64k 10.0.2.2 && wc -c /tmp/blob64k && md5sum /tmp/blob64k
  rm -f /tmp/blob64k
  ;;
tcp-tx)
  head -c 262144 /dev/zero | nc -w 3 10.0.2.100 1234
  echo "tcp-tx sent 262144"
  ;;
tcp-rx)
  echo "tcp-rx received $(nc -w 3 10.0.2.101 1235 | wc -c)"
  ;;
promisc)
  ping -c 2 -i 0.2 10.0.2.2
  mark promisc-on
  ip link set eth0 promisc on
  sleep 0.5
  ping -c 2 -i 0.2 10.0.2.2
  mark promisc-off
  ip link set eth0 promisc off
  sleep 0.5
  ping -c 2 -i 0.2 10.0.2.2
  ;;
multicast)
  # One receive-mode change per step, 400 ms apart; IGMPv3 reports go out on join/leave.
  # Logical-address-filter bit of each address (CRC-32 LE >> 26): 224.0.0.1 CSR11.6 (joined by
  # the kernel at open), 239.1.1.1 CSR11.0, 239.2.2.2 CSR9.12, 224.0.0.251 CSR10.1,
  # 01:80:c2:00:00:0e CSR8.3, 01:00:5e:7f:00:01 CSR10.1 (collides with 224.0.0.251 on purpose:
  # a set_rx_mode that rewrites the same filter).
  mcjoin eth0 show \
    join:239.1.1.1 sleep:400 \
    join:239.2.2.2 sleep:400 \
    send:239.1.1.1 sleep:400 \
    join:224.0.0.251 sleep:400 \
    leave:239.1.1.1 sleep:400 \
    pjoin:01:80:c2:00:00:0e sleep:400 \
    pjoin:01:00:5e:7f:00:01 sleep:400 \
    allmulti:on sleep:400 show \
    allmulti:off sleep:400 \
    promisc:on sleep:400 show \
    promisc:off sleep:400 \
    pleave:01:80:c2:00:00:0e sleep:400 \
    pleave:01:00:5e:7f:00:01 sleep:400 \
    leave:239.2.2.2 sleep:400 show
  echo "mcjoin exit $?"
  cat /proc/net/igmp
  ;;
down-up)
  ping -c 1 10.0.2.2
  mark link-down
  ip link set eth0 down
  sleep 0.5
  mark link-up
  ip link set eth0 up
  ip route add default via 10.0.2.2 2>/dev/null
  sleep 0.5
  ping -c 3 -i 0.2 10.0.2.2
  ;;
*)
  echo "VNICSIM unknown scenario '$SCEN'"
  ;;
esac
mark "scenario-done $SCEN"
sleep 0.3

grep eth0 /proc/net/dev
grep -E 'eth0|pcnet' /proc/interrupts
mark poweroff
poweroff -f
