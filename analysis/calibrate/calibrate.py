#!/usr/bin/env python3
"""Calibrate the unpublished costs of the hosted model from the two calibration
presets' figures in shared/docs/paper.md section 6 (Table 1 for Workstation 2.0 on
PC-733 and the outcomes table: native PC-733 86 % idle, Workstation 2.0 64 Mb/s),
and write configs/ws2-pc733.json and configs/native-pc733.json.

Re-run:   python3 analysis/calibrate/calibrate.py            (writes the presets)
          python3 analysis/calibrate/calibrate.py --check    (exit 1 if they differ)

Nothing here looks at a model output. Published per-event costs are inputs; every
other cost is derived below from the paper's percentages, the event counts the
paper's Table 1 implies, the model's structural counts (stated), and the
assumptions listed in ASSUMPTIONS (each with its reason). docs/model.md explains
the derivation; each preset provenance entry repeats it in one line.
"""
import json
import sys
from pathlib import Path

MHZ = 733.0          # PC-733 host clock
ROOT = Path(__file__).resolve().parents[2]


def cyc(us):
    """microseconds at 733 MHz -> whole cycles"""
    return int(round(us * MHZ))


# ---- inputs: paper.md section 6, Table 1 (Workstation 2.0, VM/PC-733, 4 KB sends) ----
TOTAL = {  # % of all CPU time, avg us per event (None: not published)
    "vmm": (77.3, None),
    "vmnet_transmit": (8.7, 13.8),
    "lance_status": (4.0, 3.1),
    "host_irq": (3.4, None),
    "lance_transmit": (3.3, 5.2),
    "vmnet_receive": (0.8, 1.8),
}
VMM = {  # % of the VMM's share
    "inout_switching": (26.8, 7.45),
    "guest_unvirtualized": (22.0, None),
    "guest_virtualized_other": (11.6, None),
    "inout_in_vmm_pic": (8.3, 1.36),
    "inout_lance_address": (8.1, 0.74),
    "transitions": (4.8, None),
    "iret": (4.8, 3.93),
    "virq": (4.6, None),
}
NATIVE_IDLE = 0.86          # outcomes table: native PC-733, 4 KB sends, saturates 100 Mb/s
WS2_GOODPUT_MBPS = 64.0     # outcomes table (used only as a cross-check below)

# Paper's basis: Table 1's rates are per transmitted frame at the VMNet transmit rate.
R = TOTAL["vmnet_transmit"][0] / 100 / (TOTAL["vmnet_transmit"][1] * 1e-6)   # frames/s
T = 1e6 / R                              # us of CPU per transmitted frame
V = TOTAL["vmm"][0] / 100 * T            # us of VMM time per frame
def per_frame_vmm(row):
    return VMM[row][0] / 100 * V
def per_frame_total(row):
    return TOTAL[row][0] / 100 * T
def implied(row):  # events per frame implied by a VMM row with a published average
    return per_frame_vmm(row) / VMM[row][1]

n_switch = implied("inout_switching")            # ~4.4
n_rap = implied("inout_lance_address")           # ~13.4
n_pic = implied("inout_in_vmm_pic")              # ~7.5 (5 PIC accesses x 1.5 IRQs)
n_iret = implied("iret")                         # ~1.5
n_irq = n_iret                                   # one IRET per guest IRQ
# (The per-event costs are divided by the paper's counts, never the model's: the
#  model takes a guest IRQ where the guest has IF=1 (docs/model.md §1.2) and at
#  ws2-pc733 its ACK interrupts mostly share the TINT's handler pass, 1.02 per
#  frame; §8.5 says when they are taken apart.)
n_vmnet_rx = per_frame_total("vmnet_receive") / TOTAL["vmnet_receive"][1]   # ~0.7

# ---- the model's structure (counts per routine; model/costs.h, model/guest) ----
PRIV_PER_TX_SEGMENT, PRIV_PER_IRQ, PRIV_PER_RX_PACKET, PRIV_PER_TICK = 4, 4, 2, 2
HZ = 100                 # guest and host (Linux 2.2)
SEND = 4096              # bytes per send() in the calibration runs
MTU, TS = 1500, True
MSS = MTU - 40 - (12 if TS else 0)                  # 1448
WIRE_BYTES = 8 + 14 + (MSS + 40 + (12 if TS else 0)) + 4 + 12   # preamble..IFG
NATIVE_FPS = 100e6 / 8 / WIRE_BYTES                 # wire-limited frames/s, ~8127
SNDBUF = 65535

# ---- assumptions (the two figures cannot separate these; see docs/model.md) ----
ASSUMPTIONS = {
    "guest_syscall_cycles": (1500, "assumption: Linux 2.2 send() entry/exit + socket layer on a PIII, ~2 us"),
    "guest_copy_csum_cycles_per_kib": (1024, "assumption: combined copy+checksum ~1 cycle/byte (nettest re-sends one cache-resident buffer)"),
    "guest_irq_cycles": (1500, "assumption: do_IRQ entry/exit + handler C code, ~2 us"),
    "guest_context_switch_cycles": (1500, "assumption: schedule() + switch_to between nettest and idle, ~2 us"),
    "guest_timer_tick_cycles": (1000, "assumption: timer handler (jiffies, timers) ~1.4 us"),
    "inout_lance_status_cycles": (cyc(0.91), "paper section 6, per-event costs after the optimizations: Lance status IN/OUT handled in the VMM 0.91 us (used only with optimizations.vmm_port_handling)"),
    "inout_lance_data_cycles": (cyc(0.91), "assumption: another Lance data-port access handled in the VMM costs as a status access (0.91 us, paper section 6); used only with optimizations.vmm_port_handling"),
    "vmapp_irq_notify_cycles": (100, "assumption: reading a shared bit vector and branching, ~100 cycles (used only with optimizations.irq_notification)"),
    "native_port_io_ns": (250, "assumption: a non-posted I/O cycle to a 33 MHz PCI device (~8 PCI clocks); also used for the PIC"),
    "lance_other_emulation_cycles": (cyc(3.1), "assumption: as the status-register emulation (paper Table 1, 3.1 us); only init-time accesses use it"),
}
A = {k: v[0] for k, v in ASSUMPTIONS.items()}

def us_of(cycles):
    return cycles / MHZ

# A1: a world-switching access = VMM trap handling (as an in-VMM access: the RAP
#     row's 0.74 us) + two world switches; the VMApp's work is in its own rows.
ws_us = (VMM["inout_switching"][1] - VMM["inout_lance_address"][1]) / 2
switch_vmm_us = VMM["inout_lance_address"][1]

# A4: host IRQs per frame, from the model's structure (model/host/vmnet.c, after
#     Linux 2.2's eepro100.c on the 82557): every TxCB carries the S bit and the
#     CNA interrupt is on, so the NIC interrupts whenever its command list drains.
#     At the calibration point the CPU spends T us per frame, longer than the wire
#     needs for a full frame, so the list drains after every frame: one transmit
#     interrupt per frame (the CX of every 8th TxCB lands with that frame's CNA).
#     Plus one receive interrupt per VMNet receive (the ACK stream) and the tick.
FULL_FRAME_WIRE_US = WIRE_BYTES * 8 / 100.0          # 123 us at 100 Mb/s
TX_IRQS = 1.0 if T > FULL_FRAME_WIRE_US else 0.0      # drains between frames
#     Receive interrupts: one per ACK of the peer (model/net/peer.c, Linux 2.2's
#     __tcp_ack_snd_check): an ACK when 2 x rcv_mss bytes are unacknowledged.
#     CPU-bound, each 4 KB send() leaves as MSS, MSS, rest (Nagle does not hold a
#     segment of at least half an MSS), so the peer sees 1448, 1448, 1200, ...
#     The peer's reader keeps up (no window updates), nothing is lost.
def peer_acks_per_segment(sizes, every=2):
    rcv_mss, last, acc, acks = MSS, 0, 0, 0
    for n in sizes:
        rcv_mss = max(rcv_mss, n)
        if n >= 536 and n == last:
            rcv_mss = n
        last = n if n >= 536 else 0
        acc += n
        if acc >= every * rcv_mss:
            acks, acc = acks + 1, 0
    return acks / len(sizes)
SEGS_PER_SEND = [MSS] * (SEND // MSS) + ([SEND % MSS] if SEND % MSS else [])
n_ack_model = peer_acks_per_segment(SEGS_PER_SEND * 300)
host_irqs = TX_IRQS + n_ack_model + HZ / R
#     In the model a host IRQ preempts the work that runs when it arrives
#     (model/host/cpu.c): arriving while the VMM world runs, it forces a round trip
#     of world switches; arriving while the host world runs (VMApp emulation, VMNet,
#     the host's own handlers, a forced switch under way) the host kernel takes it
#     without a switch.
#     - The transmit interrupt of a frame comes when its last bit leaves, one full
#       frame's wire time after its VMNet write ended (the wire is idle: CPU-bound).
#       The next frame's write ends T us after this one's; the last stretch before
#       it is host world: its switch to the VMApp (ws), the transmit emulation and
#       the VMNet write (Table 1: 5.2 + 13.8 us). If T - wire time is longer than
#       that stretch, the interrupt lands in the VMM world (the guest's TCP and
#       driver code for the next frame): it forces a switch.
#     - The receive interrupts (the peer's ACKs) and the tick are not tied to a
#       point of the sender's per-frame path: each forces a switch with the
#       probability that the VMM world runs guest or VMM code, Table 1's VMM
#       share minus the forced switches' own time: f = (V - 2 ws forced) / T with
#       forced = TX_FORCED + (H - TX_IRQS) f.
#     The forced switches are VMM time (category host_irq_switching), as the
#     paper's own switching IN/OUT row (7.45 us) holds its two world switches in
#     VMM time; Table 1 does not list them: its VMM rows add up to 91.0 %, and the
#     unlisted 9.0 % is where they fall (checked below). So Table 1's "Handling
#     host IRQs" row is the handlers alone.
ws_us_a4 = (VMM["inout_switching"][1] - VMM["inout_lance_address"][1]) / 2
TX_HOST_STRETCH_US = ws_us_a4 + TOTAL["lance_transmit"][1] + TOTAL["vmnet_transmit"][1]
FULL_FRAME_LAST_BIT_US = (WIRE_BYTES - 12) * 8 / 100.0   # the interrupt: last bit, before the gap
TX_FORCED = TX_IRQS if T - FULL_FRAME_LAST_BIT_US > TX_HOST_STRETCH_US else 0.0
other_irqs = host_irqs - TX_IRQS
f_vmm = (V - 2 * ws_us_a4 * TX_FORCED) / (T + 2 * ws_us_a4 * other_irqs)
forced = TX_FORCED + other_irqs * f_vmm
host_irq_us = per_frame_total("host_irq") / host_irqs
vmm_unlisted_us = (100 - sum(v[0] for v in VMM.values())) / 100 * V
forced_switch_us = forced * 2 * ws_us

# A5: host_other = what Table 1 leaves over; the VMApp's select() after each host
#     IRQ that found the VMM running (it returns from its ioctl and polls). A host
#     IRQ taken in the host world (the VMApp busy emulating an access) wakes nobody:
#     its frame waits in VMNet for the next IRQ-induced return (model/host/vmnet.c),
#     so the selects are the forced switches: the forced transmit interrupts and the
#     forced share of the ACKs' and the ticks' interrupts.
host_other_pct = 100 - sum(v[0] for v in TOTAL.values())
selects = forced
select_us = host_other_pct / 100 * T / selects

# A6: virtual IRQ delivery, per IRQ.
virq_us = per_frame_vmm("virq") / n_irq

# A3: privileged instructions per frame from the structural counts at the paper's rates.
priv = PRIV_PER_TX_SEGMENT * 1 + PRIV_PER_IRQ * n_irq + PRIV_PER_RX_PACKET * n_vmnet_rx + PRIV_PER_TICK * HZ / R
priv_us = per_frame_vmm("guest_virtualized_other") / priv

# A2: transitions: one per trap (port accesses, IRETs, privileged instructions).
traps = n_switch + n_rap + n_pic + n_iret + priv
trap_us = per_frame_vmm("transitions") / traps

# A9: native: busy per frame = same guest code + native port I/O. The per-segment
#     TCP/IP cost is the unknown solved for.
native_busy_us = (1 - NATIVE_IDLE) / NATIVE_FPS * 1e6
# Natively the sender is ACK-clocked (it sleeps on a full send buffer): each ACK
# (every 2nd segment) raises one receive interrupt, and the two segments its bottom
# half releases are transmitted in that routine, so their TINTs raise one more
# interrupt: 2 interrupts per 2 frames.
irq_n = 1.0
lance_io_n = 2 + 10 * irq_n      # pcnet32-2001: 2 per start_xmit, 10 per interrupt
pic_io_n = 5 * irq_n
# The writer sleeps on a full send buffer (wait_for_tcp_memory); in Linux 2.2.17 every
# ACK that frees buffers wakes it (sock_wfree -> tcp_write_space), it queues and sends
# what now fits and sleeps again: 2 context switches (idle -> nettest -> idle) per ACK.
ctx_n = 2 * 0.5
fixed_native_us = (us_of(A["guest_syscall_cycles"]) * MSS / SEND
                   + us_of(A["guest_copy_csum_cycles_per_kib"]) * MSS / 1024
                   + us_of(A["guest_irq_cycles"]) * irq_n
                   + us_of(A["guest_context_switch_cycles"]) * ctx_n
                   + us_of(A["guest_timer_tick_cycles"]) * HZ / NATIVE_FPS
                   + A["native_port_io_ns"] / 1000 * (lance_io_n + pic_io_n))
seg_us = (native_busy_us - fixed_native_us) / (1 + 0.5)   # a segment sent + half an ACK received

# A8: in the VM the same guest code costs more: the difference is a refill penalty
#     per world switch (cache/TLB state lost to the host world).
guest_vm_us = (us_of(A["guest_syscall_cycles"]) * MSS / SEND
               + us_of(A["guest_copy_csum_cycles_per_kib"]) * MSS / 1024
               + seg_us * (1 + n_vmnet_rx)
               + us_of(A["guest_irq_cycles"]) * n_irq
               + us_of(A["guest_timer_tick_cycles"]) * HZ / R)
ws_per_frame = 2 * n_switch + 2 * forced
# GAP_SPLIT: the share of the gap attributed to a constant slowdown of guest code
# under the VMM (binary translation) instead of the refill penalty. The presets use
# 0 (all penalty); --gap-split F prints the override for a sensitivity run.
GAP_SPLIT = 0.0
for i, a in enumerate(sys.argv):
    if a == "--gap-split" and i + 1 < len(sys.argv):
        GAP_SPLIT = float(sys.argv[i + 1])
gap_us = per_frame_vmm("guest_unvirtualized") - guest_vm_us
slowdown_pct = int(round(100 * GAP_SPLIT * gap_us / guest_vm_us))
penalty_us = (1 - GAP_SPLIT) * gap_us / ws_per_frame
split_note = "" if GAP_SPLIT == 0 else ", times %g (the rest is guest_vm_slowdown_pct)" % (1 - GAP_SPLIT)

derived = {
    "world_switch_cycles": (cyc(ws_us), f"derived: (Table 1 switching IN/OUT 7.45 us - address-port IN/OUT 0.74 us)/2 = {ws_us:.3f} us per one-way world switch"),
    "inout_switch_vmm_cycles": (cyc(switch_vmm_us), "derived: VMM handling of a switching access taken equal to an in-VMM access (Table 1 address port 0.74 us)"),
    "inout_rap_cycles": (cyc(VMM["inout_lance_address"][1]), "paper Table 1, row 'IN/OUTs to the Lance address port': 0.74 us"),
    "inout_pic_cycles": (cyc(VMM["inout_in_vmm_pic"][1]), "paper Table 1, row 'IN/OUTs handled in the VMM' (PIC): 1.36 us"),
    "iret_cycles": (cyc(VMM["iret"][1]), "paper Table 1, row 'Virtualizing IRET': 3.93 us"),
    "lance_status_emulation_cycles": (cyc(TOTAL["lance_status"][1]), "paper Table 1, row 'Emulating the Lance status register': 3.1 us"),
    "lance_transmit_emulation_cycles": (cyc(TOTAL["lance_transmit"][1]), "paper Table 1, row 'Emulating the Lance transmit path': 5.2 us"),
    "vmnet_transmit_cycles": (cyc(TOTAL["vmnet_transmit"][1]), "paper Table 1, row 'Transmitting via VMNet': 13.8 us"),
    "vmnet_receive_cycles": (cyc(TOTAL["vmnet_receive"][1]), "paper Table 1, row 'Receiving via VMNet': 1.8 us"),
    "virq_delivery_cycles": (cyc(virq_us), f"derived: Table 1 'Delivering virtual IRQs' 4.6 % of VMM / {n_irq:.2f} IRQs per frame = {virq_us:.3f} us"),
    "guest_priv_insn_cycles": (cyc(priv_us), f"derived: Table 1 'Other guest instructions requiring virtualization' 11.6 % of VMM / {priv:.2f} privileged instructions per frame (structural counts) = {priv_us:.3f} us"),
    "vmm_trap_cycles": (cyc(trap_us), f"derived: Table 1 'Transitioning' 4.8 % of VMM / {traps:.1f} traps per frame = {trap_us:.3f} us"),
    "host_irq_cycles": (cyc(host_irq_us), f"derived: Table 1 'Handling host IRQs' 3.4 % over {host_irqs:.3f} host IRQs per frame (1 NIC transmit interrupt: the 82557's command list drains between frames; {n_ack_model:.3f} receive: the peer's ACKs, every 2 x rcv_mss bytes of 1448/1448/1200-byte segments; the tick) = {host_irq_us:.3f} us; {forced:.3f} per frame force world switches: the transmit interrupt lands {T - FULL_FRAME_LAST_BIT_US:.1f} us before the next frame's write ends, in the guest's code (host stretch {TX_HOST_STRETCH_US:.1f} us), the others with the VMM world's share {f_vmm:.3f}; the switches are VMM time (host_irq_switching)"),
    "vmapp_select_cycles": (cyc(select_us), f"derived: Table 1 remainder {host_other_pct:.1f} % (other host work) / {selects:.3f} select() calls per frame (one per host IRQ that arrives while the VMM world runs: the VMApp returns from its ioctl and polls; a frame that reaches VMNet while the VMApp works waits for the next such return; see host_irq_cycles) = {select_us:.3f} us"),
    "guest_tcp_segment_cycles": (cyc(seg_us), f"derived: native PC-733 86 % idle at {NATIVE_FPS:.0f} frames/s = {native_busy_us:.2f} us busy per frame, minus assumed costs (1 IRQ and 12+5 port accesses per frame), over 1.5 packets per frame = {seg_us:.3f} us"),
    "guest_world_switch_penalty_cycles": (cyc(penalty_us), f"derived: Table 1 'Guest instructions not requiring virtualization' 22 % of VMM = {per_frame_vmm('guest_unvirtualized'):.2f} us per frame, minus the native guest code {guest_vm_us:.2f} us{split_note}, over {ws_per_frame:.2f} world switches per frame = {penalty_us:.3f} us"),
    "guest_vm_slowdown_pct": (slowdown_pct, f"derived: share {GAP_SPLIT:g} of the guest-code gap ({gap_us:.2f} us per frame) as a constant slowdown of guest code in the VM, over {guest_vm_us:.2f} us of guest code per frame"),
    "peer_irq_cycles": (A["guest_irq_cycles"], "same Linux 2.2 code as the guest's interrupt path, in cycles of the peer's clock"),
    "peer_tcp_segment_cycles": (cyc(seg_us), "same Linux 2.2 code as the guest's per-segment cost, in cycles of the peer's clock"),
    "peer_copy_cycles_per_kib": (A["guest_copy_csum_cycles_per_kib"], "same copy loop as the guest's, in cycles of the peer's clock"),
    "peer_syscall_cycles": (A["guest_syscall_cycles"], "same Linux 2.2 system-call and socket-layer path as the guest's send(), for the receiver's read(), in cycles of the peer's clock"),
}
for k, (v, why) in ASSUMPTIONS.items():
    derived[k] = (v, why)

for k, (v, _) in derived.items():
    if v < 0:
        sys.exit(f"calibrate: {k} came out negative ({v}); an assumption is inconsistent with the figures")

costs = {k: derived[k][0] for k in sorted(derived)}
prov = {"costs." + k: derived[k][1] for k in sorted(derived)}
ws2 = {
    "version": 1,
    "description": "Workstation 2.0 on PC-733 (733 MHz PIII, Linux 2.2.17 host, HZ=100), VM with 128 MB, pcnet32, EtherExpress 100 Mb/s crossover full duplex to PC-350; nettest 100 MB in 4 KB sends",
    "vmm": {"mode": "hosted"},
    "host": {"cpu_mhz": 733, "cpus": 1, "hz": 100, "nic_tx_cmdintr_every": 8},
    "link": {"rate_mbps": 100, "mtu_bytes": 1500, "propagation_ns": 10},
    "peer": {"cpu_mhz": 350, "rcv_window_bytes": 32120, "rcvbuf_bytes": 65535, "delayed_ack_us": 20000, "ack_every_segments": 2},
    "guest": {"driver": "pcnet32-2001", "ram_mb": 128, "hz": 100, "sndbuf_bytes": 65535},
    "tcp": {"timestamps": True, "nagle": True, "initial_cwnd_segments": 2},
    "workload": {"kind": "nettest", "bytes": 104857600, "send_bytes": 4096, "warmup_bytes": 1048576},
    "costs": costs,
    "provenance": prov,
}
native = {
    "version": 1,
    "description": "native PC-733: the same machine, guest stack and pcnet32 driver on the bare hardware (no VMM); nettest 100 MB in 4 KB sends",
    "base": "ws2-pc733",
    "vmm": {"mode": "native"},
}

def dump(o):
    return json.dumps(o, indent=2) + "\n"

# ---- issue 5: the optimized preset and the 350 MHz machine (not calibrated) ----
# opt-pc733 = ws2-pc733 + the three switches + the published optimized per-event
# costs (paper.md section 6); nothing else differs. The send-combining threshold and
# half-life are chosen from first principles (docs/model.md section 10), before any
# opt-pc733 run was measured, and live in the schema defaults.
opt = {
    "version": 1,
    "description": "Workstation with the three optimizations (Lance port handling in the VMM, send combining, IRQ notification) on PC-733; optimized per-event costs; nettest 100 MB in 4 KB sends",
    "base": "ws2-pc733",
    "optimizations": {"vmm_port_handling": True, "irq_notification": True,
                      "send_combining": {"enabled": True, "max_queued": 3}},
    "costs": {"inout_pic_cycles": cyc(0.78), "vmnet_transmit_cycles": cyc(22.7),
              "vmnet_receive_cycles": cyc(22.7), "lance_transmit_emulation_cycles": cyc(3.0)},
    "provenance": {
        "costs.inout_pic_cycles": "paper section 6, per-event costs after the optimizations: PIC IN/OUT 0.78 us",
        "costs.vmnet_transmit_cycles": "paper section 6, per-event costs after the optimizations: transmit via VMNet 22.7 us",
        "costs.vmnet_receive_cycles": "paper section 6, per-event costs after the optimizations: receive via VMNet 22.7 us",
        "costs.lance_transmit_emulation_cycles": "paper section 6, per-event costs after the optimizations: emulating the Lance transmit path 3.0 us",
    },
}
# PC-350: the 350 MHz Pentium II as host (guest 64 MB), the 733 MHz PIII as peer.
# Scaling rule: every _cycles cost carries over unchanged in cycles (the same code
# on a core of the same P6 family); _ns costs (bus-bound port I/O) stay in ns.
# PC-350 runs Linux 2.2.13, whose eepro100.c (Becker's v1.06, as in 2.2.0-2.2.8;
# Savochkin's v1.09j-t arrived in 2.2.14) never sets CmdIntr on a TxCB: only CNA.
PC350 = {"host": {"cpu_mhz": 350, "nic_tx_cmdintr_every": 0}, "peer": {"cpu_mhz": 733}, "guest": {"ram_mb": 64}}
def pc350(base, what):
    d = {"version": 1, "description": what, "base": base}
    d.update(json.loads(json.dumps(PC350)))
    return d

out = {ROOT / "configs/ws2-pc733.json": dump(ws2), ROOT / "configs/native-pc733.json": dump(native),
       ROOT / "configs/opt-pc733.json": dump(opt),
       ROOT / "configs/native-pc350.json": dump(pc350("native-pc733", "native PC-350 (350 MHz PII, Linux 2.2.13) sending to PC-733; costs in cycles as on PC-733; nettest 100 MB in 4 KB sends")),
       ROOT / "configs/ws2-pc350.json": dump(pc350("ws2-pc733", "Workstation 2.0 on PC-350 (350 MHz PII), VM with 64 MB, sending to PC-733; costs in cycles as on PC-733")),
       ROOT / "configs/opt-pc350.json": dump(pc350("opt-pc733", "Workstation with the three optimizations on PC-350 (350 MHz PII), VM with 64 MB, sending to PC-733; costs in cycles as on PC-733"))}
if GAP_SPLIT != 0.0:
    # a sensitivity override, not a preset: apply with --config FILE on any preset
    keys = ["guest_world_switch_penalty_cycles", "guest_vm_slowdown_pct"]
    print(dump({"version": 1, "description": f"guest-code gap split {GAP_SPLIT:g} (sensitivity)",
                "costs": {k: derived[k][0] for k in keys},
                "provenance": {"costs." + k: derived[k][1] for k in keys}}), end="")
    sys.exit(0)
if "--check" in sys.argv:
    bad = [str(p) for p, t in out.items() if not p.exists() or p.read_text() != t]
    if bad:
        print("calibrate: out of date:", " ".join(bad))
        sys.exit(1)
    print("calibrate: presets up to date")
    sys.exit(0)
for p, t in out.items():
    p.write_text(t)

print(f"basis: {R:.0f} transmitted frames/s, {T:.1f} us CPU per frame, {V:.1f} us VMM per frame")
print(f"implied per frame: switching {n_switch:.2f}, RAP {n_rap:.2f}, PIC {n_pic:.2f}, IRET {n_iret:.2f}, VMNet rx {n_vmnet_rx:.2f}")
print(f"native: {NATIVE_FPS:.0f} frames/s, busy {native_busy_us:.2f} us/frame, fixed {fixed_native_us:.2f} us")
print(f"cross-check: 64 Mb/s with MSS {MSS} is {WS2_GOODPUT_MBPS*1e6/8/MSS:.0f} frames/s (paper basis {R:.0f})")
print(f"host IRQs per frame {host_irqs:.3f} (transmit {TX_IRQS:.0f}: {T:.1f} us of CPU per frame > {FULL_FRAME_WIRE_US:.1f} us on the wire; receive {n_ack_model:.3f} ACKs per frame, paper {n_vmnet_rx:.2f}), {forced:.3f} of them forcing a world-switch round trip (transmit {TX_FORCED:.0f}: lands {T - FULL_FRAME_LAST_BIT_US:.1f} us before the next write ends > host stretch {TX_HOST_STRETCH_US:.1f} us; others x VMM share {f_vmm:.3f})")
print(f"cross-check: forced world switches {forced_switch_us:.2f} us per frame vs Table 1's unlisted VMM time {vmm_unlisted_us:.2f} us per frame")
for k in sorted(derived):
    print(f"  {k:40s} {derived[k][0]:8d}  {derived[k][1]}")
