#!/usr/bin/env python3
"""Check a `vnicsim run --timeline` file (used by tests/t_timeline.sh).

usage: timeline_check.py TIMELINE.json RESULTS.json [--window FROM_US:TO_US] [--stats]

Checks the Chrome/Perfetto trace-event format (an object with a traceEvents list;
"X" slices with pid/tid/ts/dur/name, times in us with at most 6 decimals, i.e.
exact picoseconds; "M" names for every process and thread used; flow events bound
inside a slice of their track, each flow starting with "s" and ending with at
most one "f", in time order), that slices on a track never overlap, and:
  * whole run (no --window): over the measured interval of RESULTS.json
    (detail.start_ps .. + interval_ps) the CPU track is covered without a gap,
    no slice straddles the interval's ends, the time of the slices of each name
    equals detail.category_ps[name] to the picosecond, "idle" equals
    detail.idle_ps, world-switch slices equal detail.counts.world_switches, and
    breakdown.total's percentages are those sums over the interval;
  * --window: every slice intersects the window.
--stats prints the slice counts and times per name on the CPU track.
Exit 0 when every check passes, 1 otherwise (each failure printed).
"""
import json
import sys
from collections import defaultdict
from decimal import Decimal

US = 1000000  # ps per us


def ps(v, what, fails):
    """A JSON number (Decimal) in us -> int ps; must be exact."""
    if not isinstance(v, Decimal) and not isinstance(v, int):
        fails.append("%s: not a number: %r" % (what, v))
        return 0
    d = Decimal(v) * US
    if d != d.to_integral_value():
        fails.append("%s: %s us is not a whole number of ps" % (what, v))
    return int(d)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    window = None
    stats = "--stats" in argv
    for i, a in enumerate(argv):
        if a == "--window":
            f, t = argv[i + 1].split(":")
            window = (int(Decimal(f or "0") * US), int(Decimal(t) * US) if t else None)
            args.remove(argv[i + 1])
    tl_path, res_path = args[0], args[1]
    fails = []
    with open(tl_path) as fh:
        doc = json.load(fh, parse_float=Decimal)
    with open(res_path) as fh:
        res = json.load(fh)
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        print("FAIL: not an object with a traceEvents list")
        return 1
    evs = doc["traceEvents"]
    procs, threads = {}, {}
    slices = defaultdict(list)   # (pid, tid) -> [(start, end, name, cat)]
    flows = defaultdict(list)    # (name, id) -> [(ts, ph, track)]
    for n, e in enumerate(evs):
        ph = e.get("ph")
        if ph == "M":
            if e.get("name") == "process_name":
                procs[e["pid"]] = e["args"]["name"]
            elif e.get("name") == "thread_name":
                threads[(e["pid"], e["tid"])] = e["args"]["name"]
        elif ph == "X":
            for k in ("pid", "tid", "ts", "dur", "name"):
                if k not in e:
                    fails.append("event %d: X without %s" % (n, k))
                    break
            else:
                s = ps(e["ts"], "event %d ts" % n, fails)
                d = ps(e["dur"], "event %d dur" % n, fails)
                if d <= 0:
                    fails.append("event %d: duration %s" % (n, e["dur"]))
                slices[(e["pid"], e["tid"])].append((s, s + d, e["name"], e.get("cat")))
        elif ph in ("s", "t", "f"):
            for k in ("pid", "tid", "ts", "id", "name", "cat"):
                if k not in e:
                    fails.append("event %d: flow without %s" % (n, k))
                    break
            else:
                flows[(e["name"], e["id"])].append(
                    (ps(e["ts"], "event %d ts" % n, fails), ph, (e["pid"], e["tid"])))
        elif ph == "i":
            ps(e.get("ts"), "event %d ts" % n, fails)
        else:
            fails.append("event %d: unexpected phase %r" % (n, ph))
    # names, order, overlap
    for tr, sl in slices.items():
        if tr[0] not in procs:
            fails.append("pid %d has no process_name" % tr[0])
        if tr not in threads:
            fails.append("track %s has no thread_name" % (tr,))
        for a, b in zip(sl, sl[1:]):
            if b[0] < a[1]:
                fails.append("track %s: slice %s at %d ps overlaps %s ending at %d ps"
                             % (threads.get(tr, tr), b[2], b[0], a[2], a[1]))
                break
        if window:
            lo, hi = window
            for s, e, name, _ in sl:
                if e <= lo or (hi is not None and s >= hi):
                    fails.append("slice %s [%d, %d) outside the window" % (name, s, e))
                    break
    # flows: bound inside a slice of their track; s first, f last; time order
    starts = {tr: [s for s, _, _, _ in sl] for tr, sl in slices.items()}
    import bisect
    nflows = 0
    for key, pts in flows.items():
        nflows += 1
        for ts, ph, tr in pts:
            sl = slices.get(tr, [])
            i = bisect.bisect_right(starts.get(tr, []), ts) - 1
            if i < 0 or not (sl[i][0] < ts < sl[i][1]):
                fails.append("flow %s point at %d ps is not inside a slice of %s" % (key, ts, tr))
                break
        phs = [p for _, p, _ in pts]
        if window is None and phs[0] != "s" and pts[0][0] > 0:
            fails.append("flow %s does not start with s: %s" % (key, phs))
        if "f" in phs and (phs.count("f") > 1 or phs[-1] != "f"):
            fails.append("flow %s: f not last or repeated: %s" % (key, phs))
        if [t for t, _, _ in pts] != sorted(t for t, _, _ in pts):
            fails.append("flow %s: points out of time order" % (key,))
    cpu = [tr for tr, name in threads.items() if name == "CPU 0" and procs.get(tr[0], "").startswith("host")]
    if len(cpu) != 1:
        fails.append("no single host CPU track")
    elif window is None:
        sl = slices[cpu[0]]
        det = res["detail"]
        t0 = det["start_ps"]
        t1 = t0 + det["interval_ps"]
        sums, counts, ws = defaultdict(int), defaultdict(int), 0
        covered = 0
        for s, e, name, cat in sl:
            if s < t0 < e or s < t1 < e:
                fails.append("slice %s [%d, %d) straddles the measured interval [%d, %d)" % (name, s, e, t0, t1))
            if s >= t0 and e <= t1:
                sums[name] += e - s
                counts[name] += 1
                covered += e - s
                ws += cat == "world_switch"
        if covered != t1 - t0:
            fails.append("CPU slices cover %d of the interval's %d ps" % (covered, t1 - t0))
        for cat, v in det["category_ps"].items():
            if sums.get(cat, 0) != v:
                fails.append("category %s: slices %d ps, results %d ps" % (cat, sums.get(cat, 0), v))
        if sums.get("idle", 0) != det["idle_ps"]:
            fails.append("idle: slices %d ps, results %d ps" % (sums.get("idle", 0), det["idle_ps"]))
        unknown = set(sums) - set(det["category_ps"]) - {"idle"}
        if unknown:
            fails.append("slices of unknown names: %s" % sorted(unknown))
        if ws != det["counts"]["world_switches"]:
            fails.append("world-switch slices %d, results %d" % (ws, det["counts"]["world_switches"]))
        tot = res["breakdown"]["total"]
        vmm_cats = [c for c in det["category_ps"] if c in res["breakdown"]["vmm"]]
        for row, r in tot.items():
            if row == "vmm":
                t = sum(sums[c] for c in vmm_cats)
            elif row == "idle":  # idle as the study measured it: from the HLT (hlt_entry)
                t = sums.get("idle", 0) + sums.get("hlt_entry", 0)
            else:
                t = sums.get(row, 0)
            want = 100.0 * t / (t1 - t0)
            if abs(r["pct"] - want) > 1e-9:
                fails.append("breakdown.total.%s.pct %.12f, slices give %.12f" % (row, r["pct"], want))
        if stats:
            for name in sorted(sums, key=lambda k: -sums[k]):
                print("%-28s %8d slices %14.3f us" % (name, counts[name], sums[name] / US))
            print("flows %d, slices on all tracks %d" % (nflows, sum(len(v) for v in slices.values())))
    for f in fails[:20]:
        print("FAIL:", f)
    if len(fails) > 20:
        print("... %d more" % (len(fails) - 20))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
