#!/usr/bin/env python3
"""trace2seed: convert a recorded pcnet port trace (the condensed pcnet-ports.txt format:
"<usec> R|W <offset> <size> <value> <name>", plus IRQ/EV/CON lines) into a seed for the
fuzz harness (byte format in tests/fuzz/pcnet_harness.h).

Guest memory is not in the trace, so the seed rebuilds what the driver had put there,
inside the harness's small RAM: an SWSTYLE 2 init block at HARN_INIT (32 RX, 16 TX
descriptors), CSR1/CSR2 writes redirected to it, every RX descriptor owned; a one-buffer
frame is queued in the TX ring before the RAP write that precedes every TDMD write (the
driver fills the TMD first); a frame for our MAC arrives
(and its descriptor is given back, as NAPI would) before every CSR0 read that shows
RINT; clock gaps become TIME operations. Every read carries the recorded value, so the
replay reports how many reads the model answers differently.

usage: trace2seed.py TRACE OUT [--profile datasheet|qemu] [--lines N]
"""
import struct
import sys

HARN_INIT, HARN_RX_RING, HARN_TX_RING, HARN_RX_BUFS = 0x0100, 0x1000, 0x3000, 0x8000
MAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])


def memw(addr, data):
    out = b""
    for i in range(0, len(data), 255):
        chunk = data[i:i + 255]
        a = addr + i
        out += bytes([10]) + struct.pack("<HB", a & 0xFFFF, a >> 16) + bytes([len(chunk)]) + chunk
    return out


def guest_setup():
    ib = struct.pack("<HH", 0x0080, (4 << 12) | (5 << 4)) + MAC + b"\0\0" + b"\0" * 8
    ib += struct.pack("<II", HARN_RX_RING, HARN_TX_RING)
    out = memw(HARN_INIT, ib)
    ring = b""
    for i in range(32):
        bcnt = 0xF000 | ((0x1000 - 1544) & 0xFFF)
        ring += struct.pack("<IIII", HARN_RX_BUFS + (i % 64) * 0x800, 0x80000000 | bcnt, 0, 0)
    return out + memw(HARN_RX_RING, ring)


def accesses(lines):
    for line in lines:
        f = line.split()
        if len(f) >= 5 and f[1] in ("R", "W"):
            yield int(f[0]), f[1], int(f[2], 16), int(f[3]), int(f[4], 16)


def convert(lines, profile):
    out = bytearray([1 if profile == "qemu" else 0])
    out += guest_setup()
    acc = list(accesses(lines))
    rap, tx_i, rx_i, last_t = 0, 0, 0, None
    for n, (t, kind, off, size, val) in enumerate(acc):
        if last_t is not None and t - last_t > 500:
            out += bytes([8]) + struct.pack("<H", min((t - last_t) // 10, 0xFFFF))
        last_t = t
        nxt = acc[n + 1] if n + 1 < len(acc) else None
        if kind == "W" and off == 0x12 and val == 0 and nxt and nxt[1] == "W" and nxt[2] == 0x10 \
                and nxt[4] & 0x0008:
            # start_xmit: the TMD is in memory before RAP <- 0; RDP <- INEA|TDMD.
            # TXD idx len16 flags(STP|ENP): a 42-byte ARP-sized frame
            out += bytes([12, tx_i]) + struct.pack("<H", 42) + bytes([0x03])
            tx_i = (tx_i + 1) % 16
        if kind == "W":
            if off == 0x12:
                rap = val & 0x7F
            if off == 0x10 and rap == 1:
                val = HARN_INIT & 0xFFFF
            elif off == 0x10 and rap == 2:
                val = HARN_INIT >> 16
            if size == 2:
                out += bytes([0, off]) + struct.pack("<H", val & 0xFFFF)
            elif size == 4:
                out += bytes([1, off]) + struct.pack("<I", val)
            else:
                out += bytes([2, off, val & 0xFF])
        else:
            if off == 0x10 and rap == 0 and val & 0x0400:
                out += bytes([7]) + struct.pack("<H", 100) + bytes([0, rx_i])
                out += bytes([13, rx_i]) + struct.pack("<H", 1544)
                rx_i = (rx_i + 1) % 32
            hi = {1: 0, 2: 1, 4: 2}.get(size, 3)
            out += bytes([3 | (hi | 4) << 4, off]) + struct.pack("<H", val & 0xFFFF)
    return bytes(out)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    profile, nlines = "qemu", None
    args = argv[3:]
    while args:
        if args[0] == "--profile" and len(args) > 1:
            profile = "qemu" if args[1].startswith("qemu") else "datasheet"
            args = args[2:]
        elif args[0] == "--lines" and len(args) > 1:
            nlines = int(args[1])
            args = args[2:]
        else:
            sys.stderr.write("trace2seed: unknown argument %s\n" % args[0])
            return 2
    with open(argv[1]) as fh:
        lines = fh.read().splitlines()
    if nlines:
        lines = lines[:nlines]
    with open(argv[2], "wb") as fh:
        fh.write(convert(lines, profile))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
