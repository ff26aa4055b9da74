/* pcnet32: the guest's Am79C970A driver, two personalities (see pcnet32.h and
 * docs/drivers.md). Written from facts read in the Linux sources (GPL); no code or
 * comment text was copied. What was read:
 *
 *   pcnet32-napi  Linux drivers/net/ethernet/amd/pcnet32.c ("v1.35", the NAPI driver
 *                 of the 3.x..6.x kernels; torvalds/linux), cross-checked line for line
 *                 against the committed Linux 6.1 / QEMU 7.2 recording
 *                 (traces/recordings/linux61-mixed) and ../shared/docs/am79c970a.md §5.
 *
 *   pcnet32-2001  Linux drivers/net/pcnet32.c "v1.25kf 26.9.1999" (T. Bogendoerfer),
 *                 the version in 2.3.43 .. 2.4.0-test10 and 2.4.0 (read in the
 *                 schwabe/davej-history import of those kernels). Also read: v1.11
 *                 (17.1.99), v1.21 (31.3.99, in 2.2.7), v1.23 (6.7.1999, 2.3.11) and
 *                 v1.23ac. The paper's guest ran a Red Hat 2.2.17 kernel whose copy
 *                 could not be read here. Its count of "12 I/O instructions and 1 IRQ
 *                 per transmitted packet" fixes the interrupt handler: v1.11 gives
 *                 6 + 2 (start_xmit) = 8, v1.21 gives 8 + 2 = 10, and v1.23 and every
 *                 later version save and restore RAP around the handler: 10 + 2 = 12.
 *                 v1.25kf is the newest pre-2001 version read in full with that
 *                 handler, so it is the model: 16 TX / 32 RX descriptors, SWSTYLE 2,
 *                 auto-select port (init MODE 0x0000, BCR2.ASEL set), RX and TX done
 *                 inside the handler, max_interrupt_work 80, set_multicast_list by
 *                 STOP + re-INIT.
 *
 * Every port access is one call through DrvPorts, and every decision the real
 * driver takes on a value read back (CSR0 tests, polls, chip ID, link) is taken on
 * the value returned, so the sequence follows the device. Descriptors, the init
 * block and the buffers live in guest memory at dma_base and are written in the
 * order Linux writes them. Loops are bounded as in the sources (ISR passes, IDON /
 * STOP / SPND tries) and, where Linux relies on the ring itself (RX walk, TX
 * reclaim), by the ring size.
 */
#include "model/guest/pcnet32.h"

#include <stdlib.h>
#include <string.h>

/* ---- chip facts the driver uses (names after Linux's and the data sheet's) ---- */
#define CSR0_INIT  0x0001u
#define CSR0_STRT  0x0002u
#define CSR0_STOP  0x0004u
#define CSR0_TDMD  0x0008u
#define CSR0_INEA  0x0040u
#define CSR0_INTR  0x0080u
#define CSR0_IDON  0x0100u
#define CSR0_NORMAL (CSR0_STRT | CSR0_INEA)
#define CSR5_SPND  0x0001u
#define CHIP_79C970A 0x2621u

#define NAPI_ISR_BITS  0x8F00u  /* ERR|MERR|RINT|TINT|IDON */
#define OLD_ISR_BITS   0x8600u  /* ERR|RINT|TINT */
#define ISR_ACK_KEEP   (~0x004Fu) /* acknowledge: write back without INIT..TDMD, INEA */
#define OLD_ISR_EXIT   0x7940u  /* BABL|CERR|MISS|MERR|IDON W1C, INEA */

#define NAPI_MAX_INTERRUPT_WORK 2
#define OLD_MAX_INTERRUPT_WORK 80
#define IDON_TRIES_OPEN 100
#define IDON_TRIES_RESTART_NAPI 1000
#define IDON_TRIES_RESTART_OLD 100
#define STOP_TRIES 100
#define SPND_TICKS 200           /* gives up when ticks > 200: 201 reads */
#define SPND_DELAY_US 1000       /* mdelay(1) between SPND reads */

#define PKT_BUF_SKB 1544
#define RX_COPYBREAK 200
#define TX_MAX_LEN 4095          /* what the 12-bit BCNT with ONES can express */

/* Descriptor layout as Linux declares it (16 bytes, SWSTYLE 2). */
#define DESC_SIZE   16
#define D_BASE      0   /* le32 */
#define D_LEN       4   /* le16: -length */
#define D_STATUS    6   /* le16: bits 31:16 of RMD1/TMD1 */
#define D_MISC      8   /* le32: RMD2 (MCNT) / TMD2 (errors) */
/* Init block (SWSTYLE 2, 28 bytes). */
#define IB_MODE     0
#define IB_TLEN_RLEN 2
#define IB_PADR     4
#define IB_FILTER   12
#define IB_RDRA     20
#define IB_TDRA     24

#define TX_RING_SIZE 16
#define RX_RING_SIZE 32
#define LOG_TX 4
#define LOG_RX 5
#define RX_SLOTS 64               /* buffer pool: ring + room for swaps */
#define RX_SLOT_BYTES 0x800u
#define TX_SLOT_BYTES 0x1000u

/* Where things sit inside the driver's region (see docs/drivers.md). */
#define OFF_TX_BUF  0x10000u
#define OFF_RX_BUF  0x20000u

_Static_assert(OFF_RX_BUF + RX_SLOTS * RX_SLOT_BYTES + 16u <= PCNET32_DMA_BYTES,
               "driver region larger than PCNET32_DMA_BYTES");
_Static_assert(OFF_TX_BUF + TX_RING_SIZE * TX_SLOT_BYTES <= OFF_RX_BUF, "TX buffers overlap RX");

/* ---- access methods: word I/O (default) and double-word I/O ---- */
typedef struct IoMode {
    uint32_t rdp, rap, reset, bdp;
    unsigned size;
} IoMode;

static const IoMode IO_WIO = {0x10, 0x12, 0x14, 0x16, 2};
static const IoMode IO_DWIO = {0x10, 0x14, 0x18, 0x1C, 4};

struct Pcnet32Drv {
    DrvPersonality pers;
    DrvPorts ports;
    DrvStack stack;
    Gmem *mem;
    uint64_t base;                 /* 16-byte aligned start of the region */
    uint64_t init_addr, tx_ring, rx_ring;
    const IoMode *io;

    bool probed, opened, napi_sched, carrier;
    bool queue_stopped, tx_full;
    uint8_t mac[6];

    /* receive mode as the kernel last set it (kept while down, used at open) */
    bool promisc, allmulti;
    uint16_t ladrf[4];

    unsigned cur_rx, cur_tx, dirty_tx;
    uint64_t tx_cookie[TX_RING_SIZE];
    bool tx_busy[TX_RING_SIZE];
    int rx_slot[RX_RING_SIZE];     /* pool slot behind each RX descriptor */
    bool slot_used[RX_SLOTS];
    unsigned next_slot;

    DrvActivity act;
    uint8_t frame[PKT_BUF_SKB + 8];
};

/* ---- personality names ---- */
int pcnet32_personality_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "pcnet32-2001") == 0)
        return DRV_PCNET32_2001;
    if (strcmp(name, "pcnet32-napi") == 0)
        return DRV_PCNET32_NAPI;
    return -1;
}

const char *pcnet32_personality_name(DrvPersonality p)
{
    switch (p) {
    case DRV_PCNET32_2001: return "pcnet32-2001";
    case DRV_PCNET32_NAPI: return "pcnet32-napi";
    }
    return "?";
}

/* ---- port primitives: every one is a DrvPorts call and is counted ---- */
static uint32_t io_in(Pcnet32Drv *d, uint32_t off, unsigned size)
{
    d->act.port_accesses++;
    return d->ports.in(d->ports.opaque, off, size);
}

static void io_out(Pcnet32Drv *d, uint32_t off, unsigned size, uint32_t v)
{
    d->act.port_accesses++;
    d->ports.out(d->ports.opaque, off, size, v);
}

static void drv_delay(Pcnet32Drv *d, uint32_t us)
{
    if (d->ports.delay_us)
        d->ports.delay_us(d->ports.opaque, us);
}

static uint16_t csr_rd(Pcnet32Drv *d, unsigned n)
{
    io_out(d, d->io->rap, d->io->size, n);
    return (uint16_t)io_in(d, d->io->rdp, d->io->size);
}

static void csr_wr(Pcnet32Drv *d, unsigned n, uint16_t v)
{
    io_out(d, d->io->rap, d->io->size, n);
    io_out(d, d->io->rdp, d->io->size, v);
}

static uint16_t bcr_rd(Pcnet32Drv *d, unsigned n)
{
    io_out(d, d->io->rap, d->io->size, n);
    return (uint16_t)io_in(d, d->io->bdp, d->io->size);
}

static void bcr_wr(Pcnet32Drv *d, unsigned n, uint16_t v)
{
    io_out(d, d->io->rap, d->io->size, n);
    io_out(d, d->io->bdp, d->io->size, v);
}

static uint16_t rap_rd(Pcnet32Drv *d)
{
    return (uint16_t)io_in(d, d->io->rap, d->io->size);
}

static void rap_wr(Pcnet32Drv *d, uint16_t v)
{
    io_out(d, d->io->rap, d->io->size, v);
}

static void chip_reset(Pcnet32Drv *d)
{
    (void)io_in(d, d->io->reset, d->io->size);
}

/* The probe's access-method check: CSR0 reads 4 after the reset, RAP reads back. */
static bool io_check(Pcnet32Drv *d, const IoMode *m)
{
    d->io = m;
    if (csr_rd(d, 0) != 4)
        return false;
    rap_wr(d, 88);
    return rap_rd(d) == 88;
}

/* ---- guest-memory helpers ---- */
static uint64_t tx_desc(const Pcnet32Drv *d, unsigned e) { return d->tx_ring + (uint64_t)e * DESC_SIZE; }
static uint64_t rx_desc(const Pcnet32Drv *d, unsigned e) { return d->rx_ring + (uint64_t)e * DESC_SIZE; }
static uint64_t tx_buf(const Pcnet32Drv *d, unsigned e) { return d->base + OFF_TX_BUF + (uint64_t)e * TX_SLOT_BYTES; }

/* RX buffers start 2 bytes into their slot in the 2001 driver (skb_reserve(2)),
 * at the slot start in today's driver (NET_IP_ALIGN is 0 on x86). */
static uint64_t rx_buf_addr(const Pcnet32Drv *d, int slot)
{
    return d->base + OFF_RX_BUF + (uint64_t)slot * RX_SLOT_BYTES +
           (d->pers == DRV_PCNET32_2001 ? 2u : 0u);
}

static int slot_alloc(Pcnet32Drv *d)
{
    for (unsigned i = 0; i < RX_SLOTS; i++) {
        unsigned s = (d->next_slot + i) % RX_SLOTS;
        if (!d->slot_used[s]) {
            d->slot_used[s] = true;
            d->next_slot = (s + 1) % RX_SLOTS;
            return (int)s;
        }
    }
    return -1; /* cannot happen: RX_SLOTS > RX_RING_SIZE */
}

static bool mac_valid(const uint8_t m[6])
{
    static const uint8_t zero[6];
    return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

/* ether_crc_le(6, addr) >> 26: the LADRF bit a multicast address selects. */
static unsigned mc_hash_bit(const uint8_t a[6])
{
    uint32_t crc = 0xFFFFFFFFu;
    for (int i = 0; i < 6; i++) {
        uint8_t b = a[i];
        for (int j = 0; j < 8; j++, b >>= 1)
            crc = (crc >> 1) ^ (((crc ^ b) & 1u) ? 0xEDB88320u : 0u);
    }
    return crc >> 26;
}

unsigned pcnet32_mc_hash_bit(const uint8_t addr[6]) { return mc_hash_bit(addr); }

static void init_block_write(Pcnet32Drv *d, uint16_t mode)
{
    Gmem *m = d->mem;
    gmem_st16(m, d->init_addr + IB_MODE, mode);
    gmem_st16(m, d->init_addr + IB_TLEN_RLEN, (uint16_t)((LOG_TX << 12) | (LOG_RX << 4)));
    gmem_write(m, d->init_addr + IB_PADR, d->mac, 6);
    gmem_st16(m, d->init_addr + IB_PADR + 6, 0);
    for (int i = 0; i < 4; i++)
        gmem_st16(m, d->init_addr + IB_FILTER + 2u * (unsigned)i, d->ladrf[i]);
    gmem_st32(m, d->init_addr + IB_RDRA, (uint32_t)d->rx_ring);
    gmem_st32(m, d->init_addr + IB_TDRA, (uint32_t)d->tx_ring);
}

static uint16_t mode_word(const Pcnet32Drv *d, bool promisc)
{
    /* today's driver forces the 79C970A to 10BASE-T (PORTSEL 01 << 7); the 2001
     * driver leaves PORTSEL 00 and sets BCR2.ASEL (auto-select). */
    uint16_t port = d->pers == DRV_PCNET32_NAPI ? 0x0080u : 0x0000u;
    return (uint16_t)(port | (promisc ? 0x8000u : 0u));
}

/* pcnet32_init_ring: rings and init-block fields, memory only. */
static void init_ring(Pcnet32Drv *d)
{
    Gmem *m = d->mem;
    d->tx_full = false;
    d->cur_rx = d->cur_tx = d->dirty_tx = 0;
    for (unsigned i = 0; i < RX_RING_SIZE; i++) {
        if (d->rx_slot[i] < 0)
            d->rx_slot[i] = slot_alloc(d);
        uint64_t r = rx_desc(d, i);
        gmem_st32(m, r + D_BASE, (uint32_t)rx_buf_addr(d, d->rx_slot[i]));
        gmem_st16(m, r + D_LEN, (uint16_t)(-PKT_BUF_SKB));
        gmem_st16(m, r + D_STATUS, 0x8000);
    }
    for (unsigned i = 0; i < TX_RING_SIZE; i++) {
        uint64_t t = tx_desc(d, i);
        if (d->pers == DRV_PCNET32_NAPI) {
            gmem_st16(m, t + D_STATUS, 0);
            gmem_st32(m, t + D_BASE, 0);
        } else {
            gmem_st32(m, t + D_BASE, 0);
            gmem_st16(m, t + D_STATUS, 0);
        }
    }
    gmem_st16(m, d->init_addr + IB_TLEN_RLEN, (uint16_t)((LOG_TX << 12) | (LOG_RX << 4)));
    gmem_write(m, d->init_addr + IB_PADR, d->mac, 6);
    gmem_st32(m, d->init_addr + IB_RDRA, (uint32_t)d->rx_ring);
    gmem_st32(m, d->init_addr + IB_TDRA, (uint32_t)d->tx_ring);
}

/* Frames still on the TX ring are dropped (the stack retransmits). */
static void purge_tx_ring(Pcnet32Drv *d)
{
    for (unsigned i = 0; i < TX_RING_SIZE; i++) {
        if (d->pers == DRV_PCNET32_NAPI)
            gmem_st16(d->mem, tx_desc(d, i) + D_STATUS, 0);
        if (d->tx_busy[i]) {
            d->tx_busy[i] = false;
            if (d->stack.tx_done)
                d->stack.tx_done(d->stack.opaque, d->tx_cookie[i], false);
        }
    }
}

static void set_queue(Pcnet32Drv *d, bool stopped)
{
    if (d->queue_stopped == stopped)
        return;
    d->queue_stopped = stopped;
    if (d->stack.queue_state)
        d->stack.queue_state(d->stack.opaque, stopped);
}

/* pcnet32_load_multicast: init-block filter always; today's driver also writes
 * CSR8..11 directly (the 2001 driver relies on the re-INIT that follows). */
static void load_multicast(Pcnet32Drv *d)
{
    uint16_t f[4];
    for (int i = 0; i < 4; i++)
        f[i] = d->allmulti ? 0xFFFFu : d->ladrf[i];
    for (int i = 0; i < 4; i++)
        gmem_st16(d->mem, d->init_addr + IB_FILTER + 2u * (unsigned)i, f[i]);
    if (d->pers == DRV_PCNET32_NAPI)
        for (unsigned i = 0; i < 4; i++)
            csr_wr(d, 8 + i, f[i]);
}

/* pcnet32_restart(csr0_bits): re-INIT after a STOP or reset. */
static void restart(Pcnet32Drv *d, uint16_t bits)
{
    unsigned tries;
    if (d->pers == DRV_PCNET32_NAPI) {
        for (tries = 0; tries < STOP_TRIES; tries++)
            if (csr_rd(d, 0) & CSR0_STOP)
                break;
    }
    purge_tx_ring(d);
    init_ring(d);
    csr_wr(d, 0, CSR0_INIT);
    unsigned limit = d->pers == DRV_PCNET32_NAPI ? IDON_TRIES_RESTART_NAPI : IDON_TRIES_RESTART_OLD;
    for (tries = 0; tries < limit; tries++)
        if (csr_rd(d, 0) & CSR0_IDON)
            break;
    csr_wr(d, 0, bits);
}

/* ---- life cycle ---- */
Pcnet32Drv *pcnet32_new(DrvPersonality p, const DrvPorts *ports, const DrvStack *stack,
                        Gmem *mem, uint64_t dma_base)
{
    if ((p != DRV_PCNET32_2001 && p != DRV_PCNET32_NAPI) || !ports || !ports->in ||
        !ports->out || !mem)
        return NULL;
    /* the region must be guest RAM and reachable with the chip's 32-bit addresses */
    if (dma_base > gmem_size(mem) || gmem_size(mem) - dma_base < PCNET32_DMA_BYTES ||
        dma_base > 0x100000000ull - PCNET32_DMA_BYTES)
        return NULL;
    uint64_t base = (dma_base + 15u) & ~(uint64_t)15u; /* used: < 0x40000 past base */
    Pcnet32Drv *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->pers = p;
    d->ports = *ports;
    if (stack)
        d->stack = *stack;
    d->mem = mem;
    d->base = base;
    d->io = &IO_WIO;
    if (p == DRV_PCNET32_NAPI) {
        /* separate coherent allocations, page aligned */
        d->init_addr = base;
        d->tx_ring = base + 0x1000;
        d->rx_ring = base + 0x2000;
    } else {
        /* one pcnet32_private: rx_ring[32], tx_ring[16], init_block */
        d->rx_ring = base;
        d->tx_ring = base + RX_RING_SIZE * DESC_SIZE;
        d->init_addr = d->tx_ring + TX_RING_SIZE * DESC_SIZE;
    }
    for (unsigned i = 0; i < RX_RING_SIZE; i++)
        d->rx_slot[i] = -1;
    return d;
}

void pcnet32_free(Pcnet32Drv *d) { free(d); }

DrvPersonality pcnet32_personality(const Pcnet32Drv *d) { return d->pers; }

void pcnet32_get_mac(const Pcnet32Drv *d, uint8_t mac[6]) { memcpy(mac, d->mac, 6); }

bool pcnet32_carrier(const Pcnet32Drv *d) { return d->carrier; }

uint64_t pcnet32_init_block_addr(const Pcnet32Drv *d) { return d->init_addr; }

const DrvActivity *pcnet32_last_activity(const Pcnet32Drv *d) { return &d->act; }

bool pcnet32_queue_stopped(const Pcnet32Drv *d) { return d->queue_stopped; }

static void begin(Pcnet32Drv *d) { memset(&d->act, 0, sizeof d->act); }

/* ---- probe ---- */
int pcnet32_probe(Pcnet32Drv *d)
{
    begin(d);
    d->probed = false;
    bool napi = d->pers == DRV_PCNET32_NAPI;

    /* reset and find the access method: 16-bit first, then 32-bit */
    if (!napi)
        (void)io_in(d, IO_DWIO.reset, IO_DWIO.size); /* the 2001 driver resets both ways */
    d->io = &IO_WIO;
    chip_reset(d);
    if (!io_check(d, &IO_WIO)) {
        if (napi) {
            d->io = &IO_DWIO;
            chip_reset(d);
        }
        if (!io_check(d, &IO_DWIO)) {
            d->io = &IO_WIO;
            return -1;
        }
    }

    uint32_t id = csr_rd(d, 88);
    id |= (uint32_t)csr_rd(d, 89) << 16;
    if ((id & 0xFFFu) != 0x003u || ((id >> 12) & 0xFFFFu) != CHIP_79C970A)
        return -1; /* only the 79C970A's path is modelled */

    uint8_t prom[6];
    if (napi) {
        for (unsigned i = 0; i < 3; i++) {
            uint16_t v = csr_rd(d, 12 + i);
            d->mac[2 * i] = (uint8_t)v;
            d->mac[2 * i + 1] = (uint8_t)(v >> 8);
        }
        for (unsigned i = 0; i < 6; i++)
            prom[i] = (uint8_t)io_in(d, i, 1);
        if ((memcmp(prom, d->mac, 6) != 0 || !mac_valid(d->mac)) && mac_valid(prom))
            memcpy(d->mac, prom, 6);
    } else {
        for (unsigned i = 0; i < 6; i++)
            d->mac[i] = (uint8_t)io_in(d, i, 1);
    }
    if (!mac_valid(d->mac))
        memset(d->mac, 0, 6);

    /* init block as the probe leaves it: RX and TX disabled, empty filter */
    uint16_t keep[4];
    memcpy(keep, d->ladrf, sizeof keep);
    memset(d->ladrf, 0, sizeof d->ladrf);
    init_block_write(d, 0x0003);
    memcpy(d->ladrf, keep, sizeof keep);

    bcr_wr(d, 20, 2);
    csr_wr(d, 1, (uint16_t)(d->init_addr & 0xFFFFu));
    csr_wr(d, 2, (uint16_t)(d->init_addr >> 16));
    if (napi) {
        (void)csr_rd(d, 112);                          /* register_netdev -> ndo_get_stats */
        bcr_wr(d, 2, (uint16_t)(bcr_rd(d, 2) | 0x1000)); /* LED program enable */
    }
    d->probed = true;
    return 0;
}

/* ---- open ---- */
int pcnet32_open(Pcnet32Drv *d)
{
    begin(d);
    if (!d->probed || d->opened || !mac_valid(d->mac))
        return -1;
    bool napi = d->pers == DRV_PCNET32_NAPI;
    uint16_t v;

    chip_reset(d);
    bcr_wr(d, 20, 2);
    v = (uint16_t)(bcr_rd(d, 2) & ~2u);
    if (!napi)
        v |= 2; /* PORT_ASEL, the 2001 default */
    bcr_wr(d, 2, v);
    v = (uint16_t)(bcr_rd(d, 9) & ~3u); /* 79C970A can do full duplex; not asked for */
    bcr_wr(d, 9, v);
    v = (uint16_t)(csr_rd(d, 124) & ~0x10u); /* GPSI off */
    csr_wr(d, 124, v);

    if (napi) {
        gmem_st16(d->mem, d->init_addr + IB_MODE, mode_word(d, false));
        load_multicast(d);
    } else {
        gmem_st16(d->mem, d->init_addr + IB_MODE, mode_word(d, false));
        gmem_st32(d->mem, d->init_addr + IB_FILTER, 0);
        gmem_st32(d->mem, d->init_addr + IB_FILTER + 4, 0);
    }
    init_ring(d);
    d->napi_sched = false;

    csr_wr(d, 1, (uint16_t)(d->init_addr & 0xFFFFu));
    csr_wr(d, 2, (uint16_t)(d->init_addr >> 16));
    csr_wr(d, 4, 0x0915);
    csr_wr(d, 0, CSR0_INIT);
    d->opened = true;
    set_queue(d, false);
    if (napi)
        d->carrier = bcr_rd(d, 4) != 0x00C0; /* check_media; the 2 s watchdog starts */

    bool idon = false;
    for (unsigned i = 0; i < IDON_TRIES_OPEN; i++)
        if (csr_rd(d, 0) & CSR0_IDON) {
            idon = true;
            break;
        }
    csr_wr(d, 0, CSR0_NORMAL); /* IDON deliberately left set (the '974 workaround) */
    return idon ? 0 : -2;
}

/* ---- close ---- */
void pcnet32_close(Pcnet32Drv *d)
{
    begin(d);
    if (!d->opened)
        return;
    (void)csr_rd(d, 112);
    csr_wr(d, 0, CSR0_STOP);
    bcr_wr(d, 20, 4); /* back to 16-bit style for DOS drivers */
    for (unsigned i = 0; i < RX_RING_SIZE; i++)
        gmem_st16(d->mem, rx_desc(d, i) + D_STATUS, 0);
    for (unsigned i = 0; i < TX_RING_SIZE; i++)
        if (d->tx_busy[i]) {
            d->tx_busy[i] = false;
            if (d->stack.tx_done)
                d->stack.tx_done(d->stack.opaque, d->tx_cookie[i], false);
        }
    if (d->pers == DRV_PCNET32_NAPI)
        for (unsigned i = 0; i < TX_RING_SIZE; i++)
            gmem_st16(d->mem, tx_desc(d, i) + D_STATUS, 0);
    d->opened = false;
    d->napi_sched = false;
    set_queue(d, true);
}

/* ---- receive mode ---- */
void pcnet32_set_rx_mode(Pcnet32Drv *d, const DrvRxMode *mode)
{
    begin(d);
    d->promisc = mode && mode->promisc;
    d->allmulti = mode && mode->allmulti;
    memset(d->ladrf, 0, sizeof d->ladrf);
    if (mode && mode->mc)
        for (size_t i = 0; i < mode->n_mc; i++) {
            if (!(mode->mc[i][0] & 1))
                continue; /* not a multicast address */
            unsigned bit = mc_hash_bit(mode->mc[i]);
            d->ladrf[bit >> 4] |= (uint16_t)(1u << (bit & 15));
        }
    if (!d->opened)
        return; /* the kernel calls ndo_set_rx_mode only while the device is up */

    if (d->pers == DRV_PCNET32_2001) {
        gmem_st16(d->mem, d->init_addr + IB_MODE, mode_word(d, d->promisc));
        if (!d->promisc)
            load_multicast(d);
        csr_wr(d, 0, CSR0_STOP);
        restart(d, CSR0_NORMAL);
        return;
    }

    /* pcnet32_suspend: SPND, then wait for it to read back */
    bool suspended = true;
    uint16_t csr5 = csr_rd(d, 5);
    csr_wr(d, 5, (uint16_t)(csr5 | CSR5_SPND));
    unsigned ticks = 0;
    while (!(csr_rd(d, 5) & CSR5_SPND)) {
        drv_delay(d, SPND_DELAY_US);
        if (++ticks > SPND_TICKS) {
            suspended = false;
            break;
        }
    }
    uint16_t csr15 = csr_rd(d, 15);
    if (d->promisc) {
        gmem_st16(d->mem, d->init_addr + IB_MODE, mode_word(d, true));
        csr_wr(d, 15, (uint16_t)(csr15 | 0x8000u));
    } else {
        gmem_st16(d->mem, d->init_addr + IB_MODE, mode_word(d, false));
        csr_wr(d, 15, (uint16_t)(csr15 & 0x7FFFu));
        load_multicast(d);
    }
    if (suspended) {
        csr5 = csr_rd(d, 5);
        csr_wr(d, 5, (uint16_t)(csr5 & ~CSR5_SPND));
    } else {
        csr_wr(d, 0, CSR0_STOP);
        restart(d, CSR0_NORMAL);
        set_queue(d, false);
    }
}

/* ---- transmit ---- */
int pcnet32_start_xmit(Pcnet32Drv *d, const uint8_t *frame, size_t len, uint64_t cookie)
{
    begin(d);
    if (!d->opened || !frame || len == 0 || len > TX_MAX_LEN)
        return -1;
    if (d->queue_stopped)
        return 1; /* the stack would not have called: frame not taken */
    unsigned entry = d->cur_tx & (TX_RING_SIZE - 1);
    uint64_t t = tx_desc(d, entry), buf = tx_buf(d, entry);
    gmem_write(d->mem, buf, frame, len); /* the skb's data, in guest memory */
    gmem_st16(d->mem, t + D_LEN, (uint16_t)(-(int)len));
    gmem_st32(d->mem, t + D_MISC, 0);
    d->tx_cookie[entry] = cookie;
    d->tx_busy[entry] = true;
    gmem_st32(d->mem, t + D_BASE, (uint32_t)buf);
    gmem_st16(d->mem, t + D_STATUS, 0x8300); /* OWN|STP|ENP, after the rest (wmb) */
    d->cur_tx++;
    csr_wr(d, 0, CSR0_INEA | CSR0_TDMD);
    if (gmem_ld32(d->mem, tx_desc(d, (entry + 1) & (TX_RING_SIZE - 1)) + D_BASE) != 0) {
        d->tx_full = true;
        set_queue(d, true);
    }
    return 0;
}

/* ---- receive: one descriptor (pcnet32_rx_entry / the 2001 loop body) ---- */
static void rx_entry(Pcnet32Drv *d, unsigned entry)
{
    uint64_t r = rx_desc(d, entry);
    uint16_t st16 = gmem_ld16(d->mem, r + D_STATUS);
    int status = (int16_t)st16 >> 8;
    if (status != 0x03) { /* error (counted by Linux), nothing passed up */
        if (d->pers == DRV_PCNET32_2001)
            gmem_st16(d->mem, r + D_STATUS, (uint16_t)(st16 & 0x03FFu));
        return;
    }
    int pkt_len = (int)(gmem_ld32(d->mem, r + D_MISC) & 0xFFFu) - 4;
    /* The 2001 driver has no oversize test (it would overrun the skb); both
     * personalities drop such frames as errors. */
    if (pkt_len > PKT_BUF_SKB || pkt_len < 60)
        return;
    int slot = d->rx_slot[entry];
    uint64_t src = rx_buf_addr(d, slot);
    if (gmem_read(d->mem, src, d->frame, (size_t)pkt_len) != 0)
        return;
    if (pkt_len > RX_COPYBREAK) {
        /* hand the buffer up and put a fresh one under the descriptor */
        int fresh = slot_alloc(d);
        d->slot_used[slot] = false;
        d->rx_slot[entry] = fresh;
        gmem_st32(d->mem, r + D_BASE, (uint32_t)rx_buf_addr(d, fresh));
    } else {
        d->act.copies_bytes += (uint32_t)pkt_len;
    }
    d->act.rx_frames++;
    if (d->stack.rx_frame)
        d->stack.rx_frame(d->stack.opaque, d->frame, (size_t)pkt_len);
}

/* Walk the RX ring from cur_rx while the host owns descriptors. */
static int rx_walk(Pcnet32Drv *d, int budget)
{
    int n = 0;
    while (n < budget) {
        unsigned entry = d->cur_rx & (RX_RING_SIZE - 1);
        uint64_t r = rx_desc(d, entry);
        if ((int16_t)gmem_ld16(d->mem, r + D_STATUS) < 0)
            break;
        rx_entry(d, entry);
        n++;
        gmem_st16(d->mem, r + D_LEN, (uint16_t)(-PKT_BUF_SKB));
        if (d->pers == DRV_PCNET32_NAPI)
            gmem_st16(d->mem, r + D_STATUS, 0x8000);
        else
            gmem_st16(d->mem, r + D_STATUS, (uint16_t)(gmem_ld16(d->mem, r + D_STATUS) | 0x8000u));
        d->cur_rx++;
    }
    return n;
}

/* Reclaim transmitted descriptors; true when an underflow needs a restart. */
static bool tx_reclaim(Pcnet32Drv *d)
{
    bool must_restart = false;
    unsigned dirty = d->dirty_tx;
    for (unsigned n = 0; dirty != d->cur_tx && n < TX_RING_SIZE; n++) {
        if (d->pers == DRV_PCNET32_2001 && !(dirty < d->cur_tx))
            break;
        unsigned entry = dirty & (TX_RING_SIZE - 1);
        uint64_t t = tx_desc(d, entry);
        int status = (int16_t)gmem_ld16(d->mem, t + D_STATUS);
        if (status < 0)
            break; /* still owned by the chip */
        gmem_st32(d->mem, t + D_BASE, 0);
        bool ok = true;
        if (status & 0x4000) {
            ok = false;
            if (gmem_ld32(d->mem, t + D_MISC) & 0x40000000u)
                must_restart = true; /* UFLO: the transmitter is off */
        }
        if (d->tx_busy[entry]) {
            d->tx_busy[entry] = false;
            if (d->stack.tx_done)
                d->stack.tx_done(d->stack.opaque, d->tx_cookie[entry], ok);
        }
        d->act.tx_reclaimed++;
        dirty++;
    }
    if (d->pers == DRV_PCNET32_NAPI) {
        unsigned delta = (d->cur_tx - dirty) & ((TX_RING_SIZE - 1) + TX_RING_SIZE);
        if (delta > TX_RING_SIZE) {
            dirty += TX_RING_SIZE;
            delta -= TX_RING_SIZE;
        }
        if (d->tx_full && d->queue_stopped && delta < TX_RING_SIZE - 2) {
            d->tx_full = false;
            set_queue(d, false);
        }
    } else {
        if (d->cur_tx - dirty >= TX_RING_SIZE)
            dirty += TX_RING_SIZE;
        if (d->tx_full && d->queue_stopped && dirty > d->cur_tx - TX_RING_SIZE + 2) {
            d->tx_full = false;
            set_queue(d, false);
        }
    }
    d->dirty_tx = dirty;
    return must_restart;
}

/* ---- interrupt ---- */
static bool isr_napi(Pcnet32Drv *d)
{
    uint16_t csr0 = csr_rd(d, 0);
    bool ours = csr0 != 0xFFFF && (csr0 & (NAPI_ISR_BITS | CSR0_INTR));
    int bogus = NAPI_MAX_INTERRUPT_WORK;
    while ((csr0 & NAPI_ISR_BITS) && --bogus >= 0) {
        if (csr0 == 0xFFFF)
            break; /* device gone */
        d->act.isr_passes++;
        csr_wr(d, 0, (uint16_t)(csr0 & ISR_ACK_KEEP));
        if (!d->napi_sched) { /* napi_schedule_prep succeeded */
            d->napi_sched = true;
            uint16_t v = csr_rd(d, 3);
            csr_wr(d, 3, (uint16_t)(v | 0x5F00u));
            if (d->stack.napi_schedule)
                d->stack.napi_schedule(d->stack.opaque);
            break;
        }
        csr0 = csr_rd(d, 0);
    }
    return ours;
}

static bool isr_2001(Pcnet32Drv *d)
{
    uint16_t rap = rap_rd(d);
    uint16_t csr0 = csr_rd(d, 0);
    bool ours = csr0 != 0xFFFF && (csr0 & (NAPI_ISR_BITS | CSR0_INTR));
    int bogus = OLD_MAX_INTERRUPT_WORK;
    while ((csr0 & OLD_ISR_BITS) && --bogus >= 0) {
        d->act.isr_passes++;
        csr_wr(d, 0, (uint16_t)(csr0 & ISR_ACK_KEEP));
        bool must_restart = false;
        if (csr0 & 0x0400)
            (void)rx_walk(d, RX_RING_SIZE);
        if (csr0 & 0x0200)
            must_restart = tx_reclaim(d);
        if (csr0 & 0x1000) /* MISS: clean the ring up in case RINT was lost */
            (void)rx_walk(d, RX_RING_SIZE);
        if (must_restart) {
            csr_wr(d, 0, CSR0_STOP);
            restart(d, CSR0_STRT);
        }
        csr0 = csr_rd(d, 0);
    }
    csr_wr(d, 0, OLD_ISR_EXIT);
    rap_wr(d, rap);
    return ours;
}

bool pcnet32_interrupt(Pcnet32Drv *d)
{
    begin(d);
    if (!d->opened)
        return false; /* handler not registered */
    return d->pers == DRV_PCNET32_NAPI ? isr_napi(d) : isr_2001(d);
}

/* ---- NAPI poll ---- */
int pcnet32_poll(Pcnet32Drv *d, int budget)
{
    begin(d);
    if (d->pers != DRV_PCNET32_NAPI || !d->opened || !d->napi_sched)
        return 0;
    if (budget < 0)
        budget = 0;
    int work = rx_walk(d, budget);
    if (tx_reclaim(d)) {
        chip_reset(d);
        csr_wr(d, 4, 0x0915);
        restart(d, CSR0_STRT);
        set_queue(d, false);
    }
    if (work < budget) {
        d->napi_sched = false; /* napi_complete_done */
        uint16_t v = csr_rd(d, 3);
        csr_wr(d, 3, (uint16_t)(v & 0x00FFu));
        csr_wr(d, 0, CSR0_INEA);
    }
    return work;
}

bool pcnet32_napi_scheduled(const Pcnet32Drv *d) { return d->napi_sched; }

/* ---- periodic and other paths ---- */
void pcnet32_watchdog(Pcnet32Drv *d)
{
    begin(d);
    if (d->pers != DRV_PCNET32_NAPI || !d->opened)
        return; /* the 2001 driver has no link watchdog */
    d->carrier = bcr_rd(d, 4) != 0x00C0;
}

void pcnet32_get_stats(Pcnet32Drv *d)
{
    begin(d);
    if (!d->probed)
        return;
    if (d->pers == DRV_PCNET32_NAPI) {
        (void)csr_rd(d, 112);
    } else {
        uint16_t rap = rap_rd(d);
        (void)csr_rd(d, 112);
        rap_wr(d, rap);
    }
}

void pcnet32_tx_timeout(Pcnet32Drv *d)
{
    begin(d);
    if (!d->opened)
        return;
    /* Both versions print CSR0 at the default message level before stopping. */
    (void)csr_rd(d, 0);
    csr_wr(d, 0, CSR0_STOP);
    restart(d, CSR0_NORMAL);
    set_queue(d, false);
}
