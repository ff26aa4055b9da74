/* pcnet32: guest driver personalities for the Am79C970A, modelled on Linux's
 * pcnet32 driver. The driver runs against the functional device through DrvPorts,
 * so its access sequence depends on the values the device returns.
 *
 *   DRV_PCNET32_2001  the 2.2/2.4-era non-NAPI driver (the study's guest; see pcnet32.c
 *                     for which public version was read and why)
 *   DRV_PCNET32_NAPI  today's driver (Linux 6.x), reproducing the recorded probe and
 *                     open sequences access for access
 *
 * Guest code is run to completion: each entry point executes its port accesses in
 * order through DrvPorts and returns. Whoever calls it (the hosted model) charges
 * guest CPU time around the call and port-access costs inside DrvPorts.
 */
#ifndef VNICSIM_MODEL_GUEST_PCNET32_H
#define VNICSIM_MODEL_GUEST_PCNET32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/gmem.h"

typedef enum DrvPersonality {
    DRV_PCNET32_2001 = 0,
    DRV_PCNET32_NAPI,
} DrvPersonality;

/* "pcnet32-2001" / "pcnet32-napi"; -1 if unknown. */
int pcnet32_personality_parse(const char *name);
const char *pcnet32_personality_name(DrvPersonality p);

/* How the driver reaches its device: every access goes through here (the VMM's
 * dispatch when virtualized, straight to the device when native). */
typedef struct DrvPorts {
    void *opaque;
    uint32_t (*in)(void *opaque, uint32_t offset, unsigned size);
    void (*out)(void *opaque, uint32_t offset, unsigned size, uint32_t value);
    /* The driver busy-waits (udelay/mdelay) for this long. */
    void (*delay_us)(void *opaque, uint32_t us);
} DrvPorts;

/* Upcalls into the guest kernel's network stack. */
typedef struct DrvStack {
    void *opaque;
    /* A good received frame (no FCS), as netif_receive_skb / netif_rx would get it. */
    void (*rx_frame)(void *opaque, const uint8_t *frame, size_t len);
    /* A transmitted frame's descriptor was reclaimed (skb freed). */
    void (*tx_done)(void *opaque, uint64_t cookie, bool ok);
    /* NAPI personality: the ISR scheduled the poll routine (softirq). */
    void (*napi_schedule)(void *opaque);
    /* The transmit queue was stopped (ring full) or woken again. */
    void (*queue_state)(void *opaque, bool stopped);
} DrvStack;

typedef struct DrvRxMode {
    bool promisc, allmulti;
    size_t n_mc;
    const uint8_t (*mc)[6]; /* multicast addresses joined */
} DrvRxMode;

/* What the last call did, for per-call cost accounting by the caller. */
typedef struct DrvActivity {
    uint32_t port_accesses;
    uint32_t rx_frames;     /* frames passed up */
    uint32_t tx_reclaimed;  /* descriptors reclaimed */
    uint32_t isr_passes;    /* passes of the ISR's status loop */
    uint32_t copies_bytes;  /* bytes the driver copied (rx_copybreak) */
} DrvActivity;

typedef struct Pcnet32Drv Pcnet32Drv;

/* `dma_base`: start of a guest-RAM region the driver may use for its init block,
 * rings and buffers (it needs at most PCNET32_DMA_BYTES). */
#define PCNET32_DMA_BYTES (1u << 20)
Pcnet32Drv *pcnet32_new(DrvPersonality p, const DrvPorts *ports, const DrvStack *stack,
                        Gmem *mem, uint64_t dma_base);
void pcnet32_free(Pcnet32Drv *d);
DrvPersonality pcnet32_personality(const Pcnet32Drv *d);

int pcnet32_probe(Pcnet32Drv *d);  /* 0 when an Am79C970A was found */
int pcnet32_open(Pcnet32Drv *d);   /* 0 on success (IDON seen, started) */
void pcnet32_close(Pcnet32Drv *d);
void pcnet32_set_rx_mode(Pcnet32Drv *d, const DrvRxMode *mode);
/* Queue one frame (no FCS). 0 queued; 1 ring full (queue stopped, frame not taken). */
int pcnet32_start_xmit(Pcnet32Drv *d, const uint8_t *frame, size_t len, uint64_t cookie);
/* The interrupt handler. Returns true when the device was the source. */
bool pcnet32_interrupt(Pcnet32Drv *d);
/* NAPI poll routine; returns the work done (<= budget). */
int pcnet32_poll(Pcnet32Drv *d, int budget);
void pcnet32_watchdog(Pcnet32Drv *d);     /* the 2 s link watchdog */
void pcnet32_get_stats(Pcnet32Drv *d);    /* ndo_get_stats (reads CSR112) */
bool pcnet32_queue_stopped(const Pcnet32Drv *d);
const DrvActivity *pcnet32_last_activity(const Pcnet32Drv *d);

/* ---- additions (E1); the declarations above are unchanged ----
 *
 * Return values in detail:
 *   pcnet32_probe       0 found; -1 no Am79C970A (CSR0 != 4 after reset, RAP did not
 *                       read back, or another chip ID).
 *   pcnet32_open        0 started; -1 not probed / already open / invalid MAC (no port
 *                       access); -2 IDON never read back in 100 tries: the driver still
 *                       wrote STRT|INEA and is open, as Linux is.
 *   pcnet32_start_xmit  -1 when not open or len is 0 or > 4095 (no access); 1 when the
 *                       queue was already stopped (no access, frame not taken); 0
 *                       queued (2 accesses). When the ring became full with this frame,
 *                       queue_state(true) is called and pcnet32_queue_stopped() is true.
 *   pcnet32_set_rx_mode before open only records the mode (no access): the kernel
 *                       calls ndo_set_rx_mode only while up. pcnet32-napi's open loads
 *                       the recorded multicast filter; pcnet32-2001's open clears it, and
 *                       the 2.2/2.4 core calls set_multicast_list right after open.
 *   pcnet32_poll        pcnet32-napi only, and only while scheduled; otherwise 0 and
 *                       no access.
 *   pcnet32_interrupt   true when CSR0 showed INTR or a status bit of 0x8F00 (and
 *                       not 0xFFFF); false, without access, while the device is closed.
 * DrvPorts.delay_us is called where the source busy-waits with mdelay(): between the
 * SPND polls of pcnet32-napi's set_rx_mode (1000 us each). The IDON and STOP polls of
 * both versions spin on CSR0 reads without a delay; their cost is the reads. */
#define PCNET32_NAPI_WEIGHT 16   /* netif_napi_add weight = rx ring / 2 */
#define PCNET32_TX_RING 16
#define PCNET32_RX_RING 32

void pcnet32_get_mac(const Pcnet32Drv *d, uint8_t mac[6]); /* after probe */
bool pcnet32_carrier(const Pcnet32Drv *d);      /* link as last read from BCR4 */
bool pcnet32_napi_scheduled(const Pcnet32Drv *d);
uint64_t pcnet32_init_block_addr(const Pcnet32Drv *d);
/* ndo_tx_timeout (watchdog_timeo expired): STOP and re-INIT; pending frames dropped. */
void pcnet32_tx_timeout(Pcnet32Drv *d);
/* The logical-address-filter bit (0..63) Linux uses for a multicast address. */
unsigned pcnet32_mc_hash_bit(const uint8_t addr[6]);

#endif
