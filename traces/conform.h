/* conform: replays a recording of the real Linux pcnet32 driver against the device
 * model (model/lance/pcnet.h), closed loop, with the driver's memory side emulated,
 * and reports how closely the model reproduces the recorded device.
 *
 *   vnicsim conform TRACE [--pcap PCAP] [--profile qemu-7.2|datasheet] [--mac MAC]
 *                         [--show N] [--quiet]
 *   vnicsim conform --import IN -o OUT       convert any trace format to vnicsim-dtrace
 *
 * TRACE is a vnicsim-dtrace file, a raw QEMU log or a pcnet-ports.txt (plain or
 * gzip). PCAP defaults to net.pcap next to TRACE. The method, the alignment rules
 * and every tolerated quirk are documented in traces/README.md. The last line of
 * the output is exactly
 *   conform: A accesses, R reads compared, M mismatches (T tolerated), E irq edges compared, F frames matched
 * Exit status: 0 when M = T, 1 otherwise, 2 for unreadable input or bad usage.
 */
#ifndef VNICSIM_TRACES_CONFORM_H
#define VNICSIM_TRACES_CONFORM_H

/* argv[0] is the command name ("conform"); options follow. */
int conform_main(int argc, char **argv);

#endif
