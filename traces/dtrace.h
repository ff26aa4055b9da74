/* dtrace: the project's driver-trace format ("vnicsim-dtrace", version 1).
 *
 * A line-oriented, diffable record of what a guest driver did to the Am79C970A:
 * port accesses (direction, BAR offset, width, value), interrupt-line changes,
 * device events (init-block address, ring lengths, ring bases, software reset) and
 * optional guest-memory writes, each stamped with an integer time in nanoseconds.
 * The grammar is specified in traces/README.md; the reader is strict and reports
 * "file:line: message" for every malformed line. Input may be gzip-compressed
 * (zlib reads plain files transparently).
 *
 * The same record type (DtraceRec) is produced by the QEMU-log importer
 * (traces/qemulog.h), so every consumer of a trace takes any of the formats.
 */
#ifndef VNICSIM_TRACES_DTRACE_H
#define VNICSIM_TRACES_DTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTRACE_MAGIC    "vnicsim-dtrace"
#define DTRACE_VERSION  1
#define DTRACE_MEM_MAX  4096           /* bytes in one MEM record */
#define DTRACE_ERR_MAX  512            /* size of the error buffers below */

typedef enum DtraceKind {
    DTRACE_READ = 1,   /* port read:  off, size, value (masked to the width) */
    DTRACE_WRITE,      /* port write: off, size, value */
    DTRACE_IRQ,        /* INTA# level change: level, async */
    DTRACE_INIT,       /* INIT read the init block at addr */
    DTRACE_RLEN,       /* encoded ring lengths (log2): rlen, tlen */
    DTRACE_RINGS,      /* ring bases after INIT: ss32, rdra, rcvrl, tdra, xmtrl */
    DTRACE_SRESET,     /* software reset (S_RESET) happened */
    DTRACE_MEM,        /* the guest wrote bytes to its memory: addr, data, len */
} DtraceKind;

typedef struct DtraceRec {
    uint64_t t_ns;     /* time since the trace's origin, non-decreasing */
    DtraceKind kind;
    unsigned line;     /* line in the source file (0 when built in memory) */
    /* READ / WRITE */
    uint8_t off;       /* offset in the 32-byte I/O BAR, 0x00..0x1f */
    uint8_t size;      /* 1, 2 or 4 */
    uint32_t value;
    /* IRQ */
    uint8_t level;     /* 0 or 1 */
    bool async;        /* raised outside any port access (another host thread) */
    /* INIT, MEM */
    uint64_t addr;
    /* RLEN */
    uint8_t rlen, tlen;
    /* RINGS */
    uint8_t ss32;
    uint32_t rdra, rcvrl, tdra, xmtrl;
    /* MEM: points into the reader's buffer, valid until the next call */
    const uint8_t *data;
    size_t len;
} DtraceRec;

typedef struct DtraceHeader {
    int version;
    char source[256];  /* free text: what the trace was recorded or converted from */
    bool has_bar;
    uint64_t bar;      /* I/O BAR base the recording used (informative) */
    bool has_mac;
    uint8_t mac[6];    /* station address of the device (informative) */
} DtraceHeader;

/* ---- line input shared by the trace readers (plain or gzip) ---- */
typedef struct DtraceLineIn DtraceLineIn;
DtraceLineIn *dtrace_lines_open(const char *path, char *err, size_t errlen);
/* 1: *line holds the next line (no newline, NUL-terminated, valid until the next
 * call); 0: end of file; -1: read error (message in err). */
int dtrace_lines_next(DtraceLineIn *in, char **line, unsigned *lineno, char *err, size_t errlen);
void dtrace_lines_close(DtraceLineIn *in);

/* ---- reader ---- */
typedef struct DtraceReader DtraceReader;
/* Opens the file and reads the header. NULL on error, message in err. */
DtraceReader *dtrace_open(const char *path, char *err, size_t errlen);
const DtraceHeader *dtrace_header(const DtraceReader *r);
/* 1: *rec filled; 0: end of trace; -1: malformed input, see dtrace_error(). */
int dtrace_next(DtraceReader *r, DtraceRec *rec);
const char *dtrace_error(const DtraceReader *r); /* "file:line: message" */
void dtrace_close(DtraceReader *r);

/* Parses one record line (no header, no comment-only lines). 0 on success, -1 with
 * a message (without file:line) in err. MEM data goes to buf (DTRACE_MEM_MAX). */
int dtrace_parse_record(const char *line, DtraceRec *rec, uint8_t *buf, char *err, size_t errlen);

/* ---- writer ---- */
typedef struct DtraceWriter DtraceWriter;
/* "-" writes to stdout; a name ending in ".gz" is gzip-compressed. */
DtraceWriter *dtrace_create(const char *path, const DtraceHeader *h, char *err, size_t errlen);
/* comment: optional text written after " # " (e.g. the register name). 0 / -1. */
int dtrace_write(DtraceWriter *w, const DtraceRec *rec, const char *comment);
/* Flushes and closes; -1 if any write failed (message in err). */
int dtrace_finish(DtraceWriter *w, char *err, size_t errlen);

/* Formats one record as a line (no newline). Returns the length, or -1. */
int dtrace_format_record(const DtraceRec *rec, const char *comment, char *buf, size_t buflen);

const char *dtrace_kind_name(DtraceKind k);
/* "52:54:00:12:34:56" -> bytes; 0 / -1 */
int dtrace_parse_mac(const char *s, uint8_t mac[6]);

#endif
