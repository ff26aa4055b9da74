/* sweep: parameter sweeps over the configuration space (vnicsim sweep).
 *
 *   vnicsim sweep SPEC.json -o DIR [-j N] [--resume] [--force]
 *   vnicsim sweep SPEC.json -o DIR --list-points [--resume]
 *   vnicsim sweep SPEC.json -o DIR --point K [--resume]
 *   vnicsim sweep SPEC.json -o DIR --merge
 *   vnicsim sweep SPEC.json --check
 *
 * A spec (validated as strictly as a configuration; see analysis/README.md):
 *   {"version": 1,
 *    "base": {"preset": NAME, "config": FILE, "set": {"path": value, ...}},
 *    "axes": [{"path": P, "values": [...]} |
 *             {"path": P, "range": {"from": A, "to": B, "step": S}} |
 *             {"path": P, "range": {"from": A, "to": B, "points": N, "scale": "linear"|"log"}}],
 *    "zip": [[P1, P2, ...], ...],    (axes advancing together)
 *    "repeat": R}
 *
 * An axis path is a schema key, or "preset" (values: built-in preset names, replacing
 * base.preset). Keys that name an output file (replay.wire_pcap,
 * replay.record_driver_trace, replay.record_driver_pcap) are refused in the base:
 * every point would write the same file; sweep them as an axis instead.
 * Expansion: first axis slowest, last fastest, repeats innermost; point K =
 * combination * R + r; repeat r runs with seed = (seed of the combination) + r.
 * Every point runs in its own process ("vnicsim run ... -o DIR/points/K --force"),
 * so DIR/points/K/{config,results,host}.json are each written atomically. The merge
 * writes DIR/sweep.csv (one row per point) and DIR/summary.csv (one row per
 * combination: mean and 95 % Student-t confidence half-width across repeats).
 *
 * Exit status: 0 success, 1 a point failed, 2 usage or spec error, 130/143 stopped
 * by SIGINT/SIGTERM (running points are stopped; finished points are kept).
 */
#ifndef VNICSIM_SIM_SWEEP_H
#define VNICSIM_SIM_SWEEP_H

int sweep_main(int argc, char **argv);

/* Two-sided 95 % Student t quantile for `dof` degrees of freedom (dof >= 1). */
double sweep_t95(int dof);

/* Text of x that reads back as exactly x: "%.0f" for integral values below 1e15,
 * else the shortest "%.Ng" (N = 1..17) that round-trips. */
void sweep_fmt_double(char *buf, unsigned long len, double x);

#endif
