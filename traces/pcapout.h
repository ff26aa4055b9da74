/* pcapout: writing the simulated wire as a nanosecond pcap through libpcap
 * (`vnicsim run --wire-pcap OUT`, issue 6).
 *
 * Ethernet (DLT_EN10MB), snap length 65535, nanosecond timestamps (magic a1b23c4d):
 * tcpdump and anything libpcap-based reads it. Each record carries the bytes the
 * caller knows (caplen) and the frame's original length (len), so a frame replayed
 * from a snaplen-truncated capture is written truncated the same way.
 *
 * The file is written atomically: records go to a temporary file in the same
 * directory, renamed to the final name by pcapout_close(). An interrupted run (or
 * pcapout_abort) leaves no partial file under the final name.
 */
#ifndef VNICSIM_TRACES_PCAPOUT_H
#define VNICSIM_TRACES_PCAPOUT_H

#include <stddef.h>
#include <stdint.h>

#define PCAPOUT_SNAPLEN 65535

typedef struct PcapoutWriter PcapoutWriter;

/* Creates the temporary file next to `path`. NULL on error (message in err). */
PcapoutWriter *pcapout_open(const char *path, char *err, size_t errlen);
/* One record: time in ns, `caplen` bytes of data (cut to PCAPOUT_SNAPLEN), original
 * length `len` (>= caplen). 0 / -1 (a write error; reported again at close). */
int pcapout_write(PcapoutWriter *w, uint64_t t_ns, const uint8_t *data, uint32_t caplen,
                  uint32_t len);
uint64_t pcapout_records(const PcapoutWriter *w);
/* Flushes, syncs and renames into place. 0 / -1 (message in err; the temporary file
 * is removed and no file is left under the final name). Frees w either way. */
int pcapout_close(PcapoutWriter *w, char *err, size_t errlen);
/* Discards everything written: removes the temporary file. Frees w. */
void pcapout_abort(PcapoutWriter *w);
/* The temporary file's name (for tests). */
const char *pcapout_temp_path(const PcapoutWriter *w);

#endif
