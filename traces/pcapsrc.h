/* pcapsrc: a streaming pcap source for replaying real traffic through the model
 * (`vnicsim run --pcap FILE|-`, issue 6).
 *
 * Frames are read one at a time through libpcap (memory stays flat for any capture
 * size), from a file or from standard input ("-"). Microsecond and nanosecond pcaps
 * (and pcapng, which libpcap also reads) give nanosecond timestamps. A frame truncated
 * by the capture's snap length keeps its original length: `len` is what crosses the
 * wire, `caplen` bytes of it are known.
 *
 * Errors name the file: a link type other than Ethernet, a file that is not a
 * capture, a corrupt record. A last record cut short (a capture killed while
 * writing) is not an error: the frames before it are delivered, the stream ends, and
 * pcapsrc_warning() names the file and the record.
 *
 * Classification, from the VM's point of view:
 *   PCAPSRC_TX       the source address is the VM's: the guest sent it
 *   PCAPSRC_RX       addressed to the VM: its unicast address, or a group address the
 *                    filter accepts (by default every broadcast and multicast; the
 *                    replay asks the device's address filter, pcnet_accepts())
 *   PCAPSRC_IGNORED  anything else (counted)
 * The VM's MAC is given (pcapsrc_open's `vm_mac`), or for a file the most frequent
 * source address (a pre-pass over the file), or for standard input the first
 * frame's source.
 */
#ifndef VNICSIM_TRACES_PCAPSRC_H
#define VNICSIM_TRACES_PCAPSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAPSRC_ERR_MAX 768

typedef enum PcapsrcDir {
    PCAPSRC_TX = 0,
    PCAPSRC_RX = 1,
    PCAPSRC_IGNORED = 2,
} PcapsrcDir;

typedef enum PcapsrcMacFrom {
    PCAPSRC_MAC_GIVEN = 0,      /* passed by the caller (--vm-mac) */
    PCAPSRC_MAC_MOST_FREQUENT,  /* the most frequent source address in the file */
    PCAPSRC_MAC_FIRST_FRAME,    /* standard input: the first frame's source */
    PCAPSRC_MAC_NONE,           /* a file without frames: no MAC */
} PcapsrcMacFrom;

typedef struct PcapsrcFrame {
    uint64_t t_ns;        /* capture timestamp, ns since the epoch */
    uint32_t caplen;      /* bytes captured (in data) */
    uint32_t len;         /* original length: what crossed the wire */
    const uint8_t *data;  /* valid until the next pcapsrc_next() or pcapsrc_close() */
    uint64_t index;       /* 1-based record number in the file */
    PcapsrcDir dir;
} PcapsrcFrame;

typedef struct PcapsrcCounts {
    uint64_t frames_read;  /* records delivered (= tx + rx + ignored) */
    uint64_t tx, rx, ignored;
    uint64_t truncated;    /* records with caplen < len */
    uint64_t bytes;        /* sum of original lengths */
} PcapsrcCounts;

/* Would the VM's device accept a frame with this (group) destination? */
typedef bool (*PcapsrcAcceptFn)(void *opaque, const uint8_t dst[6]);

typedef struct PcapsrcReader PcapsrcReader;

/* Opens FILE or "-" (standard input). vm_mac NULL: decide it as described above
 * (for a file this reads the whole file once first). NULL on error, message in err
 * (naming the file). */
PcapsrcReader *pcapsrc_open(const char *path, const uint8_t *vm_mac, char *err, size_t errlen);
/* 1: *f filled; 0: end of the capture (also after a cut-short last record, see
 * pcapsrc_warning); -1: error, see pcapsrc_error(). */
int pcapsrc_next(PcapsrcReader *r, PcapsrcFrame *f);
const char *pcapsrc_error(const PcapsrcReader *r);
/* "" or the warning about a cut-short last record ("FILE: record N cut short ..."). */
const char *pcapsrc_warning(const PcapsrcReader *r);
/* Group destinations are RX when fn accepts them (default: all of them). */
void pcapsrc_set_filter(PcapsrcReader *r, PcapsrcAcceptFn fn, void *opaque);
/* The VM's MAC. With standard input and no MAC given it is known only after the
 * first frame: false before. False for a file without frames (PCAPSRC_MAC_NONE). */
bool pcapsrc_vm_mac(const PcapsrcReader *r, uint8_t mac[6]);
PcapsrcMacFrom pcapsrc_mac_from(const PcapsrcReader *r);
const char *pcapsrc_mac_from_name(PcapsrcMacFrom f);
const PcapsrcCounts *pcapsrc_counts(const PcapsrcReader *r);
const char *pcapsrc_path(const PcapsrcReader *r);
void pcapsrc_close(PcapsrcReader *r);

/* The most frequent source address of a capture file (ties: the one seen first).
 * 0 found; 1 the capture has no frames; -1 error (message in err). A cut-short
 * last record is ignored. */
int pcapsrc_most_frequent_source(const char *path, uint8_t mac[6], char *err, size_t errlen);

#endif
