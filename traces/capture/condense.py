#!/usr/bin/env python3
"""Condense and count a QEMU pcnet recording (part of the vnicsim capture tool).

Input: the QEMU log written with `-msg timestamp=on -d trace:pcnet_*,trace:memory_region_ops_*,...`
(raw or already filtered by capture.sh, plain or .gz). Every line looks like
    TID@SEC.USEC:EVENT ARGS
and the lines this tool reads are
    memory_region_ops_read|write cpu N mr 0x.. addr 0xA value 0xV size S name 'pcnet-io'|'serial'
    pcnet_isr_change s=0x.. INTA=L<=OLD      (interrupt line level change)
    pcnet_<other> ...                           (reset, init, ring addresses and sizes, ...)

Subcommands
  ports LOG         write the condensed port trace on stdout, one event per line:
                      T R|W OFF SIZE VALUE REG     a port access on the pcnet I/O BAR
                      T IRQ LEVEL                  INTA level change
                      T CON TEXT                   one guest console line (from serial writes)
                      T EV NAME ARGS               any other pcnet_* trace event
                    T = microseconds of host wall clock since the first pcnet port access
                    (events before it get 0; console lines before it are left out), OFF = offset
                    in the BAR, VALUE masked to SIZE bytes (QEMU logs reads unmasked), REG the
                    register the access reaches (APROM[n], RAP, RESET, CSRn, BCRn), decoded with
                    the RAP value the guest last wrote. Same columns as the reference recording
                    traces/recordings/linux61-mixed/pcnet-ports.txt.
  stats LOG PCAP [MAC]
                    print key=value counts: port accesses (reads, writes), IRQ edges (rises),
                    pcnet events, console markers, frames in the pcap split by direction
                    (tx = source MAC is the VM's, default 52:54:00:12:34:56), bytes, span.
  filter            copy stdin to stdout keeping only the NIC's lines (see keep_line)
"""
import gzip
import re
import struct
import sys

LINE = re.compile(r'^(\d+)@(\d+)\.(\d+):(\w+) ?(.*)$')
MR = re.compile(r"addr 0x([0-9a-fA-F]+) value 0x([0-9a-fA-F]+) size (\d+) name '([^']*)'")
INTA = re.compile(r'INTA=(\d+)<=(\d+)')
PTR = re.compile(r'\b(?:s|opaque)=0x[0-9a-fA-F]+ ?')
PCI_PCNET = re.compile(r'^pci_cfg_\w+ pcnet ')

SERIAL_THR = 0x3f8          # COM1 data register: console characters
# pcnet_* events that repeat what memory_region_ops already says about a port access
REDUNDANT = ('pcnet_ioport_read', 'pcnet_ioport_write', 'pcnet_aprom_readb')


def open_text(path):
    if path == '-':
        return sys.stdin
    if path.endswith('.gz'):
        return gzip.open(path, 'rt', errors='replace')
    return open(path, errors='replace')


def keep_line(line):
    """True for the lines of the raw QEMU log that concern the NIC (or the console)."""
    m = LINE.match(line)
    if not m:
        return False
    ev, args = m.group(4), m.group(5)
    if ev.startswith('pcnet_'):
        return True
    if ev.startswith('memory_region_ops_'):
        return args.endswith("name 'pcnet-io'") or args.endswith("name 'serial'")
    if ev.startswith('pci_cfg_'):
        return PCI_PCNET.match(ev + ' ' + args) is not None
    return False


class PortDecoder:
    """Names the register a pcnet BAR access reaches.

    Word I/O (16-bit accesses): RDP 0x10, RAP 0x12, RESET 0x14, BDP 0x16.
    Double-word I/O (32-bit):   RDP 0x10, RAP 0x14, RESET 0x18, BDP 0x1c.
    0x00-0x0f is the address PROM whatever the width."""

    WIO = {0x10: 'RDP', 0x12: 'RAP', 0x14: 'RESET', 0x16: 'BDP'}
    DWIO = {0x10: 'RDP', 0x14: 'RAP', 0x18: 'RESET', 0x1c: 'BDP'}

    def __init__(self):
        self.rap = 0

    def name(self, off, size, is_write, value):
        if off < 0x10:
            return 'APROM[%d]' % off
        port = (self.DWIO if size == 4 else self.WIO).get(off)
        if port == 'RAP':
            if is_write:
                self.rap = value & 0x7f
            return 'RAP'
        if port == 'RDP':
            return 'CSR%d' % self.rap
        if port == 'BDP':
            return 'BCR%d' % self.rap
        if port == 'RESET':
            return 'RESET'
        return '?'


def events(path):
    """Yield (t_us, event, args) for every well-formed log line."""
    with open_text(path) as f:
        for raw in f:
            m = LINE.match(raw.rstrip('\n'))
            if m:
                yield int(m.group(2)) * 1000000 + int(m.group(3)), m.group(4), m.group(5)


def cmd_ports(path, out):
    dec = PortDecoder()
    bar = None
    t0 = None
    console = []
    for t, ev, args in events(path):
        rel = 0 if t0 is None else t - t0
        if ev.startswith('memory_region_ops_'):
            m = MR.search(args)
            if not m:
                continue
            addr, value, size, name = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3)), m.group(4)
            is_write = ev.endswith('write')
            if name == 'serial':
                if is_write and addr == SERIAL_THR:
                    ch = chr(value & 0xff)
                    if ch == '\n':
                        if t0 is not None:
                            out.write('%d CON %s\n' % (rel, ''.join(console).strip()))
                        console = []
                    elif ch != '\r':
                        console.append(ch)
                continue
            if name != 'pcnet-io':
                continue
            if bar is None:
                bar = addr & ~0x1f
            if t0 is None:
                t0, rel = t, 0
            off = addr - bar
            value &= (1 << (8 * size)) - 1
            reg = dec.name(off, size, is_write, value)
            out.write('%d %s 0x%02x %d 0x%0*x %s\n' % (rel, 'W' if is_write else 'R', off, size, 2 * size, value, reg))
        elif ev == 'pcnet_isr_change':
            m = INTA.search(args)
            if m and t0 is not None:
                out.write('%d IRQ %s\n' % (rel, m.group(1)))
        elif ev.startswith('pcnet_') and ev not in REDUNDANT:
            out.write('%d EV %s %s\n' % (rel, ev, PTR.sub('', args)))


def pcap_frames(path):
    """Yield (sec, frac, caplen, origlen, data) for each record; accepts us and ns pcaps."""
    with open(path, 'rb') as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            raise ValueError('%s: not a pcap (short header)' % path)
        magic = struct.unpack('<I', hdr[:4])[0]
        if magic in (0xa1b2c3d4, 0xa1b23c4d):
            end = '<'
        elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
            end = '>'
        else:
            raise ValueError('%s: not a pcap (magic 0x%08x)' % (path, magic))
        while True:
            rec = f.read(16)
            if not rec:
                return
            if len(rec) < 16:
                raise ValueError('%s: record header cut short' % path)
            sec, frac, caplen, origlen = struct.unpack(end + 'IIII', rec)
            data = f.read(caplen)
            if len(data) < caplen:
                raise ValueError('%s: record data cut short' % path)
            yield sec, frac, caplen, origlen, data


def cmd_stats(path, pcap, mac, out):
    reads = writes = rises = falls = evs = 0
    regs = {}
    markers = []
    dec = PortDecoder()
    bar = None
    first = last = None
    console = []
    for t, ev, args in events(path):
        if ev.startswith('memory_region_ops_'):
            m = MR.search(args)
            if not m:
                continue
            addr, value, size, name = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3)), m.group(4)
            is_write = ev.endswith('write')
            if name == 'serial':
                if is_write and addr == SERIAL_THR:
                    ch = chr(value & 0xff)
                    if ch == '\n':
                        text = ''.join(console).strip()
                        # the first marker shares its line with SeaBIOS's last output
                        at = text.find('VNICSIM ')
                        if at >= 0 and len(text.split()) > 1:
                            markers.append(text[at:].split()[1])
                        console = []
                    elif ch != '\r':
                        console.append(ch)
                continue
            if name != 'pcnet-io':
                continue
            if bar is None:
                bar = addr & ~0x1f
            value &= (1 << (8 * size)) - 1
            reg = dec.name(addr - bar, size, is_write, value)
            regs[reg] = regs.get(reg, 0) + 1
            if is_write:
                writes += 1
            else:
                reads += 1
            first = t if first is None else first
            last = t
        elif ev == 'pcnet_isr_change':
            m = INTA.search(args)
            if m:
                if m.group(1) == '1':
                    rises += 1
                else:
                    falls += 1
        elif ev.startswith('pcnet_') and ev not in REDUNDANT:
            evs += 1
    tx = rx = txb = rxb = 0
    macb = bytes(int(x, 16) for x in mac.split(':'))
    for _sec, _frac, caplen, origlen, data in pcap_frames(pcap):
        if data[6:12] == macb:
            tx += 1
            txb += origlen
        else:
            rx += 1
            rxb += origlen
    out.write('port_accesses=%d\nport_reads=%d\nport_writes=%d\n' % (reads + writes, reads, writes))
    out.write('irq_edges=%d\nirq_rises=%d\nirq_falls=%d\npcnet_events=%d\n' % (rises + falls, rises, falls, evs))
    out.write('frames=%d\nframes_tx=%d\nframes_rx=%d\nbytes_tx=%d\nbytes_rx=%d\n' % (tx + rx, tx, rx, txb, rxb))
    out.write('trace_span_us=%d\n' % ((last - first) if first is not None else 0))
    out.write('markers=%s\n' % ','.join(markers))
    top = sorted(regs.items(), key=lambda kv: (-kv[1], kv[0]))
    out.write('registers=%s\n' % ' '.join('%s:%d' % kv for kv in top))


def main(argv):
    if len(argv) >= 2 and argv[1] == 'filter' and len(argv) == 2:
        # bytes in, bytes out: the kept lines stay byte-for-byte what QEMU wrote
        for line in sys.stdin.buffer:
            if keep_line(line.decode('latin-1').rstrip('\r\n')):
                sys.stdout.buffer.write(line)
        return 0
    if len(argv) == 3 and argv[1] == 'ports':
        cmd_ports(argv[2], sys.stdout)
        return 0
    if len(argv) in (4, 5) and argv[1] == 'stats':
        try:
            cmd_stats(argv[2], argv[3], argv[4] if len(argv) == 5 else '52:54:00:12:34:56', sys.stdout)
        except (OSError, ValueError) as e:
            sys.stderr.write('condense.py: %s\n' % e)
            return 2
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        sys.exit(1)
