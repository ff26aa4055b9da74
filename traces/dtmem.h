/* dtmem: the memory side of a recorded guest driver, emulated.
 *
 * A driver recording (traces/dtrace.h) holds the driver's port accesses, not its
 * memory: the init block, the descriptor rings and the buffers the Linux pcnet32
 * driver set up are rebuilt here in a Gmem, at the addresses the recording shows
 * (the INIT / RLEN / RINGS events QEMU logged, else CSR1/CSR2), the way
 * pcnet32_init_ring leaves them: every receive descriptor owned by the chip with a
 * 1544-byte buffer, the transmit ring empty. Transmits are placed in the ring as
 * pcnet32_start_xmit does (status written last), and dtmem_recycle hands back what
 * the chip has filled or sent, as pcnet32_rx / pcnet32_tx do.
 *
 * Used by `vnicsim conform` (traces/conform.c, against the bare device model) and
 * by the driver-trace replay through the hosted model (model/guest/dtguest.c).
 * Nothing here knows about time or the device: only guest memory.
 */
#ifndef VNICSIM_TRACES_DTMEM_H
#define VNICSIM_TRACES_DTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/gmem.h"
#include "traces/dtrace.h"

#define DTMEM_RX_BUF     1544u         /* Linux PKT_BUF_SKB */
#define DTMEM_BUF_STRIDE 2048u
#define DTMEM_MAX_RING   512u
#define DTMEM_FCS        4u

/* Called by dtmem_recycle for every good received frame handed back (STP|ENP, no
 * error): the bytes without the FCS. */
typedef void (*DtmemRxFn)(void *opaque, const uint8_t *frame, size_t len);

typedef struct DtMem {
    Gmem *mem;
    uint8_t mac[6];
    DtmemRxFn on_rx;        /* NULL: frames are handed back unread */
    void *on_rx_opaque;
    /* the driver's rings */
    bool rings;
    unsigned swstyle;
    bool ss32;
    uint64_t init_addr;
    uint32_t rdra, tdra;
    unsigned nrxd, ntxd;
    uint64_t bufbase;
    unsigned rx_cur, rx_hw, tx_cur, tx_dirty;
    /* what the driver wrote that the init block carries */
    uint16_t mode15, ladrf[4], csr1, csr2, bcr20;
    bool mode15_set;
    unsigned long recycled;  /* receive descriptors handed back */
    unsigned long rx_up;     /* ... of which good frames passed to on_rx */
} DtMem;

void dtmem_init(DtMem *m, Gmem *mem, const uint8_t mac[6]);
/* A register write of the driver (name as qemulog_reg_names gives it): keeps the
 * values the init block is built from (CSR1, CSR2, CSR8..11, CSR15, BCR20). */
void dtmem_note_write(DtMem *m, const char *name, uint16_t value);
/* The CSR0 write with INIT at record ri: the INIT/RLEN/RINGS events that follow it
 * in the recording (else CSR1/CSR2 and default ring lengths) set up the rings.
 * have_init_events: the recording logs INIT events at all (then a write without
 * them did not run INIT and nothing is set up). */
void dtmem_init_events(DtMem *m, const DtraceRec *recs, size_t n, size_t ri, bool have_init_events);
/* pcnet32_rx / pcnet32_tx: hand back every receive descriptor the chip has
 * filled, reclaim every transmit descriptor it has sent. */
void dtmem_recycle(DtMem *m);
/* pcnet32_start_xmit's memory side: the frame in the next transmit descriptor
 * (at most 4095 bytes). -1 when no ring is set up yet. */
int dtmem_place_tx(DtMem *m, const uint8_t *frame, size_t len);
/* The receive descriptor i as the chip left it (status, misc / message count). */
void dtmem_get_rx_desc(const DtMem *m, unsigned i, uint16_t *status, uint32_t *misc);
uint64_t dtmem_rx_buf(const DtMem *m, unsigned i);
/* Receive descriptors the chip has filled and the driver not yet handed back. */
unsigned dtmem_rx_filled(const DtMem *m);

/* Where in the recording each frame sent to the VM arrives. The capture's clock is
 * mapped onto the trace's by the transmit pairs (off[k] = capture time of the k-th
 * frame the VM sent - trace time of the k-th transmit demand, tx_tp[k] its capture
 * time; the median offset of the nearest five is used), or by base_off when there
 * is no pair. rx_tp[j]: capture time of received frame j. Out: rx_t[j] its time on
 * the trace's clock, rx_rec[j] the first record later than that (non-decreasing). */
void dtmem_plan_rx(const DtraceRec *recs, size_t n, const int64_t *off, const uint64_t *tx_tp,
                   size_t ntx, int64_t base_off, const uint64_t *rx_tp, size_t nrx, uint64_t *rx_t,
                   size_t *rx_rec);

#endif
