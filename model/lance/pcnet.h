/* pcnet: functional model of the AMD Am79C970A (PCnet-PCI II), the "Lance" of the
 * 2001 VMware Workstation study. Facts: AMD data sheet pub. 19436 Rev E (June 2000),
 * summarised in the project's reference notes; register names follow the data sheet
 * (model/lance/pcnet_regs.h).
 *
 * The device knows nothing of the simulator. It is driven by port accesses and
 * frame arrivals, and reaches the outside only through PcnetOps. Whoever embeds it
 * (the hosted model, the conformance checker, the unit tests, the fuzzer) charges
 * costs *around* these calls; the device never sees a cost.
 */
#ifndef VNICSIM_MODEL_LANCE_PCNET_H
#define VNICSIM_MODEL_LANCE_PCNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCNET_PCI_VENDOR 0x1022
#define PCNET_PCI_DEVICE 0x2000
#define PCNET_IO_SIZE    0x20   /* BAR0: 32 bytes of I/O space */
#define PCNET_MAX_FRAME  4096   /* bound on an assembled TX frame / a staged RX frame */

typedef struct PcnetOps {
    void *opaque;
    /* Guest-memory DMA: 0 on success, -1 when any byte lies outside guest RAM
     * (or in device space). The device turns -1 into the chip's bus-error status. */
    int (*dma_read)(void *opaque, uint64_t addr, void *buf, size_t len);
    int (*dma_write)(void *opaque, uint64_t addr, const void *buf, size_t len);
    /* INTA# level; called only when the level changes. */
    void (*set_irq)(void *opaque, int level);
    /* A transmitted frame (destination MAC first). `len` excludes the FCS; `fcs`
     * says whether the chip appended one on the wire. Padding done by APAD_XMT is
     * included in `len`. Loopback frames do not come here. */
    void (*frame_out)(void *opaque, const uint8_t *frame, size_t len, bool fcs);
    /* Optional asynchronous transmit DMA. NULL: transmit work (TDMD, poll) runs
     * synchronously inside the call that triggered it, as in QEMU. Non-NULL: the
     * device calls tx_pending() once when it has transmit work and the embedder calls
     * pcnet_tx_run() when the chip's DMA engine gets to it (e.g. after the VMApp's
     * world switch, or later under send combining). */
    void (*tx_pending)(void *opaque);
    /* Time, for the descriptor poll timer (one timer). */
    uint64_t (*now_ns)(void *opaque);
    void (*timer_arm)(void *opaque, uint64_t delay_ns);
    void (*timer_cancel)(void *opaque);
    /* Optional: one line per guest programming error (NULL: silent). */
    void (*guest_error)(void *opaque, const char *msg);
} PcnetOps;

/* Behaviour profiles. Each quirk of a profile is a named switch (PcnetQuirks),
 * documented in pcnet.c; a profile is a preset of switches. */
typedef enum PcnetProfile {
    PCNET_PROFILE_DATASHEET = 0, /* the data sheet (default) */
    PCNET_PROFILE_QEMU72,        /* QEMU 7.2 hw/net/pcnet.c as seen in recordings */
} PcnetProfile;

typedef struct PcnetQuirks {
    bool poll_on_access;     /* run the poll routine (TX if TDMD) at every port access */
    bool tdmd_sticky;        /* TDMD cleared only when a frame is consumed */
    bool txon_after_stop;    /* STOP leaves TXON set (CSR0 reads 0x0014) */
    bool txstrt_bit2;        /* after a frame, set CSR4 bit 2 instead of TXSTRT (bit 3) */
    bool rx_chain_max3;      /* an RX frame spans at most 3 descriptors */
    bool rx_resync_scan;     /* when the current RDTE is not owned, scan the ring for one */
    bool no_tx_pad;          /* APAD_XMT not applied on transmit */
    bool rx_zero_fcs;        /* received frames get 4 zero bytes as FCS, not the CRC */
    bool dwio_cleared_by_sreset; /* S_RESET (reset-port read) also leaves DWIO mode */
    bool csr_writes_ungated; /* CSRs writable without STOP/SPND */
    bool tint_per_descriptor; /* TINT after each descriptor handed back (vs per frame) */
} PcnetQuirks;

typedef enum PcnetRxResult {
    PCNET_RX_OK = 0,      /* delivered into guest memory, RINT set */
    PCNET_RX_FILTERED,    /* address filter rejected it (no status change) */
    PCNET_RX_MISSED,      /* no receive descriptor owned by the chip: MISS, CSR112++ */
    PCNET_RX_REFUSED,     /* receiver not running (STOP, SPND, DRX, LOOP) */
    PCNET_RX_ERROR,       /* delivered with an error status (BUFF/OFLO, bus error) */
} PcnetRxResult;

/* Counters the embedder uses to charge DMA and device work around each call. */
typedef struct PcnetCounters {
    uint64_t desc_reads, desc_writes;   /* descriptor DMA operations */
    uint64_t dma_read_bytes, dma_write_bytes; /* all DMA, descriptors and buffers */
    uint64_t tx_frames, tx_bytes, tx_errors;
    uint64_t rx_frames, rx_bytes, rx_missed, rx_filtered, rx_errors;
    uint64_t polls, irq_edges, guest_errors;
} PcnetCounters;

typedef struct Pcnet Pcnet;

Pcnet *pcnet_new(const PcnetOps *ops, const uint8_t mac[6], PcnetProfile profile);
void pcnet_free(Pcnet *d);
void pcnet_set_quirks(Pcnet *d, const PcnetQuirks *q);
void pcnet_get_quirks(const Pcnet *d, PcnetQuirks *q);
PcnetQuirks pcnet_profile_quirks(PcnetProfile profile);
/* "datasheet" / "qemu-7.2"; -1 for an unknown name. */
int pcnet_profile_parse(const char *name);

void pcnet_hard_reset(Pcnet *d);  /* H_RESET: power-on / PCI reset */

/* Port accesses: offset within BAR0 (0..0x1F), size 1, 2 or 4 bytes. Accesses
 * the chip ignores read as all-ones for the access width. */
uint32_t pcnet_io_read(Pcnet *d, uint32_t offset, unsigned size);
void pcnet_io_write(Pcnet *d, uint32_t offset, unsigned size, uint32_t value);

/* A frame arrives from the wire (no FCS; the chip appends one for MCNT). */
PcnetRxResult pcnet_receive(Pcnet *d, const uint8_t *frame, size_t len);
/* True when the receiver runs and the current receive descriptor is owned. */
bool pcnet_can_receive(Pcnet *d);
/* Would the address filter accept a frame with this destination? */
bool pcnet_accepts(const Pcnet *d, const uint8_t dst[6]);

void pcnet_timer_expired(Pcnet *d); /* the poll timer armed through ops fired */
void pcnet_tx_run(Pcnet *d);        /* do pending transmit work (see ops.tx_pending) */
void pcnet_set_link(Pcnet *d, bool up);

/* Introspection (no side effects): for tests, conformance and the VMM's dispatch. */
int pcnet_irq_level(const Pcnet *d);
uint32_t pcnet_rap(const Pcnet *d);
bool pcnet_dwio(const Pcnet *d);
uint16_t pcnet_csr(const Pcnet *d, unsigned n); /* stored value, no read side effects */
uint16_t pcnet_bcr(const Pcnet *d, unsigned n);
const PcnetCounters *pcnet_counters(const Pcnet *d);

#endif
