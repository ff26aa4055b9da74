/* qemulog: importer of QEMU trace logs of the emulated PCnet NIC, plus one entry
 * point that opens a driver trace in any of the formats the project takes:
 *
 *   QEMULOG_FMT_DTRACE     the project's own format (traces/dtrace.h)
 *   QEMULOG_FMT_RAW        QEMU's log backend with -msg timestamp=on, as written by
 *                          shared/capture/run-qemu.sh: "tid@sec.usec:event args".
 *                          memory_region_ops_read/write on 'pcnet-io' become port
 *                          accesses (offset from the I/O BAR, whose base is the first
 *                          pcnet-io address rounded down to 32; values masked to the
 *                          access width); pcnet_isr_change, pcnet_init,
 *                          pcnet_rlen_tlen, pcnet_ss32_rdra_tdra and pcnet_s_reset
 *                          become events. Lines of other devices and other events are
 *                          skipped; a pcnet line with a malformed field is an error.
 *   QEMULOG_FMT_CONDENSED  the capture recipe's pcnet-ports.txt (extract.py):
 *                          "t_us R|W 0xOFF SIZE 0xVALUE REG", "t_us IRQ L",
 *                          "t_us EV event args", "t_us CON text".
 *
 * Any of them may be gzip-compressed. Times are nanoseconds since the first port
 * access (records before it get 0), as in the condensed format.
 */
#ifndef VNICSIM_TRACES_QEMULOG_H
#define VNICSIM_TRACES_QEMULOG_H

#include <stddef.h>
#include <stdint.h>

#include "traces/dtrace.h"

typedef enum QemulogFormat {
    QEMULOG_FMT_DTRACE = 0,
    QEMULOG_FMT_RAW,
    QEMULOG_FMT_CONDENSED,
} QemulogFormat;

typedef struct QemulogReader QemulogReader;

/* Detects the format and opens the file. NULL on error (message in err). */
QemulogReader *qemulog_open(const char *path, char *err, size_t errlen);
QemulogFormat qemulog_format(const QemulogReader *r);
const char *qemulog_format_name(QemulogFormat f);
/* 1: *rec filled; 0: end; -1: error, "file:line: message" in qemulog_error(). */
int qemulog_next(QemulogReader *r, DtraceRec *rec);
const char *qemulog_error(const QemulogReader *r);
/* The header: for a dtrace file its own; for QEMU logs source text, and the BAR
 * base once the first access has been read. */
const DtraceHeader *qemulog_header(const QemulogReader *r);
void qemulog_close(QemulogReader *r);

/* A whole trace in memory (MEM data copied). */
typedef struct QemulogTrace {
    QemulogFormat format;
    DtraceHeader hdr;
    DtraceRec *recs;
    size_t n;
    char *path;
} QemulogTrace;

/* 0 / -1 (message in err). */
int qemulog_load(const char *path, QemulogTrace *out, char *err, size_t errlen);
void qemulog_trace_free(QemulogTrace *t);

/* Station address from the trace's probe: APROM byte reads 0..5, else CSR12..14
 * reads. 0 when found, -1 otherwise. */
int qemulog_probe_mac(const QemulogTrace *t, uint8_t mac[6]);

/* Register name of each port access, decoding RAP and WIO/DWIO as the driver does
 * (names[i] for recs[i]; "" for non-access records). Caller frees with free().
 * Buffer entries are 12 bytes each. */
char (*qemulog_reg_names(const QemulogTrace *t))[12];

/* Converts any input format to the project's format; out "-" is stdout, ".gz"
 * compresses. 0 / -1. */
int qemulog_convert(const char *in, const char *out, char *err, size_t errlen);

#endif
