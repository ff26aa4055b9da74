#!/usr/bin/env python3
"""mkseeds: write hand-made scenario seeds for the pcnet fuzz harness (byte format in
tests/fuzz/pcnet_harness.h) into the corpus directory given as argument."""
import os
import struct
import sys


def csrw(n, v): return bytes([4, n]) + struct.pack("<H", v)
def bcrw(n, v): return bytes([5, n]) + struct.pack("<H", v)
def csrr(n): return bytes([6, n])
def setup(style, rlog, tlog, start=True): return bytes([11 | (0x10 if start else 0), style, rlog, tlog])
def txd(i, ln, fl): return bytes([12, i]) + struct.pack("<H", ln) + bytes([fl])
def rxd(i, ln): return bytes([13, i]) + struct.pack("<H", ln)
def frame(ln, kind=0, seed=0): return bytes([7]) + struct.pack("<H", ln) + bytes([kind, seed])
def time(t): return bytes([8]) + struct.pack("<H", t)
def link(up): return bytes([9 | (0x10 if up else 0)])
def memw(a, data): return bytes([10]) + struct.pack("<HB", a & 0xFFFF, a >> 16) + bytes([len(data)]) + data
def isr(): return csrr(0) + csrw(0, 0x06B0)

STP, ENP, TDMD = 1, 2, 0x80
SEEDS = {
    # Linux-like: style 2, one ARP out, two frames in, ISR, NAPI unmask
    "scn-linux-style2": bytes([0]) + setup(2, 5, 4) + isr() + txd(0, 42, STP | ENP | TDMD) + isr()
        + frame(60) + frame(1514, 1) + isr() + rxd(0, 1544) + rxd(1, 1544) + csrw(3, 0x5F00) + csrw(3, 0)
        + csrw(0, 0x40) + time(300),
    # chained TX over 3 descriptors, then an underflow (next not owned)
    "scn-tx-chain": bytes([0]) + setup(2, 3, 3) + txd(2, 500, ENP) + txd(1, 486, 0) + txd(0, 14, STP | TDMD)
        + txd(3, 100, STP | TDMD) + isr(),
    # style 0 and style 3 rings
    "scn-style0": bytes([0]) + setup(0, 2, 2) + txd(0, 42, STP | ENP | TDMD) + frame(80) + isr(),
    "scn-style3": bytes([1]) + setup(3, 2, 2) + txd(0, 42, STP | ENP | TDMD) + frame(80) + isr(),
    # internal loopback with more frames than receive buffers (CVE-2021-3416)
    "scn-loopback": bytes([0]) + setup(2, 1, 3)
        + b"".join(memw(0x24000 + i * 0x1000, bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56])) for i in range(8))
        + csrw(0, 4) + csrw(15, 0x0044) + csrw(0, 0x42)
        + b"".join(txd(i, 200, STP | ENP) for i in range(8)) + csrw(0, 0x48) + isr(),
    # oversize: BCNT 0 (4096) chained, and a 9000-byte wire frame
    "scn-oversize": bytes([0]) + setup(2, 2, 2) + txd(1, 0, ENP) + txd(0, 0, STP | TDMD) + frame(8999)
        + isr(),
    # ring lengths 0 written directly, a ring base outside RAM, an init block outside RAM
    "scn-bad-rings": bytes([1]) + setup(2, 2, 2) + csrw(0, 4) + csrw(76, 0) + csrw(78, 0) + csrw(0, 0x42)
        + frame(60) + txd(5, 60, STP | ENP | TDMD) + csrw(0, 4) + csrw(31, 0x7000) + csrw(0, 0x42)
        + csrw(0, 0x48) + csrw(0, 4) + csrw(2, 0x00F0) + csrw(0, 1) + isr(),
    # DWIO switch, wrong widths, RAP above 127, S_RESET in DWIO
    "scn-dwio": bytes([0]) + bytes([0, 0x12, 4, 0]) + bytes([1, 0x10, 1, 2, 3, 4]) + bytes([0x23, 0x10])
        + bytes([0x13, 0x10]) + bytes([1, 0x14, 200, 0, 0, 0]) + bytes([0x23, 0x10]) + bytes([0x23, 0x18])
        + bytes([0x13, 0x12]) + bytes([0x03, 0x03]),
    # asynchronous transmit, link down (LCAR), poll timer
    "scn-async-link": bytes([2]) + setup(2, 3, 3) + txd(0, 60, STP | ENP | TDMD) + bytes([14]) + link(False)
        + txd(1, 60, STP | ENP) + time(400) + bytes([14]) + link(True) + isr(),
    # quirks toggled one by one, then traffic
    "scn-quirks": bytes([0]) + bytes([0x4F]) + struct.pack("<H", 0x07FF) + setup(2, 2, 2)
        + txd(0, 42, STP | ENP | TDMD) + frame(300, 2) + bytes([0x4F]) + struct.pack("<H", 0x0155)
        + frame(300) + isr(),
}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: mkseeds.py CORPUS_DIR\n")
        return 2
    for name, data in SEEDS.items():
        with open(os.path.join(argv[1], name), "wb") as fh:
            fh.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
