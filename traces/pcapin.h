/* pcapin: reading a recording's pcap with libpcap, for `vnicsim conform`.
 *
 * Frames come with nanosecond timestamps (the file is opened with nanosecond
 * precision, so microsecond files are scaled exactly) and a direction, decided by
 * the source address: a frame whose source is the VM's MAC was sent by the VM.
 * Only Ethernet (DLT_EN10MB) captures are accepted; a frame captured shorter than
 * it was on the wire is an error (its bytes cannot be compared).
 */
#ifndef VNICSIM_TRACES_PCAPIN_H
#define VNICSIM_TRACES_PCAPIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAPIN_FRAME_MAX 65535

typedef struct PcapinFrame {
    uint64_t t_ns;        /* capture timestamp */
    uint32_t len;         /* bytes (caplen == wire length, checked) */
    uint8_t *data;        /* owned by the PcapinFrames it belongs to */
    bool from_vm;         /* set by pcapin_mark_direction() */
    unsigned index;       /* 1-based packet number in the file */
} PcapinFrame;

typedef struct PcapinFrames {
    PcapinFrame *v;
    size_t n;
} PcapinFrames;

typedef struct PcapinReader PcapinReader;

/* NULL on error; the message names the file. */
PcapinReader *pcapin_open(const char *path, char *err, size_t errlen);
/* 1: *f filled (data valid until the next call); 0: end; -1: error (pcapin_error). */
int pcapin_next(PcapinReader *r, PcapinFrame *f);
const char *pcapin_error(const PcapinReader *r);
void pcapin_close(PcapinReader *r);

/* Whole file in memory. 0 / -1 (message in err). */
int pcapin_load(const char *path, PcapinFrames *out, char *err, size_t errlen);
void pcapin_frames_free(PcapinFrames *fs);

/* The VM's address as seen in the capture: the source of the first frame sent to a
 * group address (a guest announces itself first: ARP, MLD, DHCP), else the most
 * frequent unicast source; -1 if there is none. */
int pcapin_guess_mac(const PcapinFrames *fs, uint8_t mac[6]);
/* Sets from_vm on every frame; returns how many the VM sent. */
size_t pcapin_mark_direction(PcapinFrames *fs, const uint8_t mac[6]);

#endif
