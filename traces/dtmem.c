/* dtmem: the emulated memory side of a recorded guest driver; see dtmem.h. */
#include "traces/dtmem.h"

#include <stdlib.h>
#include <string.h>

static unsigned desc_size(const DtMem *m) { return m->ss32 ? 16u : 8u; }

static uint64_t desc_addr(const DtMem *m, bool tx, unsigned i)
{
    return (uint64_t)(tx ? m->tdra : m->rdra) + (uint64_t)i * desc_size(m);
}

uint64_t dtmem_rx_buf(const DtMem *m, unsigned i) { return m->bufbase + (uint64_t)i * DTMEM_BUF_STRIDE; }

static uint64_t tx_buf(const DtMem *m, unsigned i)
{
    return m->bufbase + (uint64_t)(DTMEM_MAX_RING + i) * DTMEM_BUF_STRIDE;
}

/* Writes a descriptor the way Linux does: address, length, misc, then status last. */
static void put_desc(DtMem *m, bool tx, unsigned i, uint32_t addr, uint16_t length, uint16_t status)
{
    uint64_t a = desc_addr(m, tx, i);
    if (!m->ss32) {
        gmem_st16(m->mem, a, (uint16_t)addr);
        gmem_st16(m->mem, a + 4, length);
        gmem_st16(m->mem, a + 6, 0);
        gmem_st16(m->mem, a + 2, (uint16_t)((status & 0xff00) | ((addr >> 16) & 0xff)));
        return;
    }
    bool swap = m->swstyle == 3;
    gmem_st32(m->mem, a + (swap ? 8 : 0), addr);
    gmem_st32(m->mem, a + (swap ? 0 : 8), 0);
    gmem_st32(m->mem, a + 12, 0);
    gmem_st16(m->mem, a + 4, length);
    gmem_st16(m->mem, a + 6, status);
}

static void get_desc(const DtMem *m, bool tx, unsigned i, uint16_t *status, uint32_t *misc)
{
    uint64_t a = desc_addr(m, tx, i);
    if (!m->ss32) {
        *status = (uint16_t)(gmem_ld16(m->mem, a + 2) & 0xff00);
        *misc = gmem_ld16(m->mem, a + 6);
        return;
    }
    bool swap = m->swstyle == 3;
    *status = gmem_ld16(m->mem, a + 6);
    *misc = gmem_ld32(m->mem, a + (swap ? 0 : 8));
}

void dtmem_get_rx_desc(const DtMem *m, unsigned i, uint16_t *status, uint32_t *misc)
{
    get_desc(m, false, i, status, misc);
}

static void write_init_block(DtMem *m, unsigned rlog, unsigned tlog)
{
    uint16_t mode = m->mode15_set ? m->mode15 : 0x0080;
    uint64_t a = m->init_addr;
    if (m->ss32) {
        gmem_st16(m->mem, a, mode);
        uint8_t lens[2] = {(uint8_t)(rlog << 4), (uint8_t)(tlog << 4)};
        gmem_write(m->mem, a + 2, lens, 2);
        gmem_write(m->mem, a + 4, m->mac, 6);
        gmem_st16(m->mem, a + 10, 0);
        for (int i = 0; i < 4; i++)
            gmem_st16(m->mem, a + 12 + 2 * (unsigned)i, m->ladrf[i]);
        gmem_st32(m->mem, a + 20, m->rdra);
        gmem_st32(m->mem, a + 24, m->tdra);
    } else {
        gmem_st16(m->mem, a, mode);
        gmem_write(m->mem, a + 2, m->mac, 6);
        for (int i = 0; i < 4; i++)
            gmem_st16(m->mem, a + 8 + 2 * (unsigned)i, m->ladrf[i]);
        gmem_st16(m->mem, a + 16, (uint16_t)m->rdra);
        gmem_st16(m->mem, a + 18, (uint16_t)((rlog & 7) << 13 | ((m->rdra >> 16) & 0xff)));
        gmem_st16(m->mem, a + 20, (uint16_t)m->tdra);
        gmem_st16(m->mem, a + 22, (uint16_t)((tlog & 7) << 13 | ((m->tdra >> 16) & 0xff)));
    }
}

static unsigned log2_entries(unsigned log2, bool ss32)
{
    if (!ss32)
        log2 &= 7;
    return log2 >= 9 ? 512u : 1u << log2;
}

/* The driver's open/restart: init block, RX ring owned with 1544-byte buffers, TX
 * ring empty (what pcnet32_init_ring leaves in memory). */
static void setup_rings(DtMem *m, uint64_t init_addr, unsigned rlog, unsigned tlog, uint32_t rdra,
                        uint32_t tdra, int ss32)
{
    m->ss32 = ss32 >= 0 ? ss32 != 0 : (m->bcr20 & 0xff) != 0;
    m->swstyle = m->bcr20 & 0xff;
    if (m->ss32 && m->swstyle != 3)
        m->swstyle = 2;
    if (!m->ss32)
        m->swstyle = 0;
    m->init_addr = init_addr;
    m->rdra = rdra;
    m->tdra = tdra;
    m->nrxd = log2_entries(rlog, m->ss32);
    m->ntxd = log2_entries(tlog, m->ss32);
    uint64_t top = init_addr + 32;
    uint64_t re = (uint64_t)rdra + (uint64_t)m->nrxd * 16, te = (uint64_t)tdra + (uint64_t)m->ntxd * 16;
    if (re > top)
        top = re;
    if (te > top)
        top = te;
    m->bufbase = ((top + 0xfffff) & ~(uint64_t)0xfffff) + 0x100000;
    if (!m->ss32) /* keep buffers in the same 16 MiB window as the rings */
        m->bufbase = (rdra & 0xff000000u) | (m->bufbase & 0xffffff);
    write_init_block(m, rlog, tlog);
    for (unsigned i = 0; i < m->nrxd; i++)
        put_desc(m, false, i, (uint32_t)dtmem_rx_buf(m, i),
                 (uint16_t)(0xf000 | (-(int)DTMEM_RX_BUF & 0xfff)), 0x8000);
    for (unsigned i = 0; i < m->ntxd; i++)
        put_desc(m, true, i, 0, 0, 0);
    m->rings = true;
    m->rx_cur = m->rx_hw = m->tx_cur = m->tx_dirty = 0;
}

void dtmem_init(DtMem *m, Gmem *mem, const uint8_t mac[6])
{
    memset(m, 0, sizeof *m);
    m->mem = mem;
    memcpy(m->mac, mac, 6);
}

void dtmem_note_write(DtMem *m, const char *name, uint16_t v)
{
    if (!strcmp(name, "CSR15")) {
        m->mode15 = v;
        m->mode15_set = true;
    } else if (!strncmp(name, "CSR", 3)) {
        int n = atoi(name + 3);
        if (n >= 8 && n <= 11)
            m->ladrf[n - 8] = v;
        else if (n == 1)
            m->csr1 = v;
        else if (n == 2)
            m->csr2 = v;
    } else if (!strcmp(name, "BCR20")) {
        m->bcr20 = v;
    }
}

void dtmem_init_events(DtMem *m, const DtraceRec *recs, size_t n, size_t ri, bool have_init_events)
{
    /* The INIT/RLEN/RINGS events QEMU logged while executing this write follow it. */
    bool got_init = false, got_rings = false;
    uint64_t ia = 0;
    unsigned rl = 5, tl = 4;
    uint32_t rdra = 0, tdra = 0;
    int ss32 = -1;
    for (size_t i = ri + 1; i < n; i++) {
        const DtraceRec *r = &recs[i];
        if (r->kind == DTRACE_READ || r->kind == DTRACE_WRITE)
            break;
        if (r->kind == DTRACE_INIT) {
            got_init = true;
            ia = r->addr;
        } else if (r->kind == DTRACE_RLEN) {
            rl = r->rlen;
            tl = r->tlen;
        } else if (r->kind == DTRACE_RINGS) {
            got_rings = true;
            rdra = r->rdra;
            tdra = r->tdra;
            ss32 = r->ss32;
        }
    }
    if (!got_init) {
        if (have_init_events)
            return; /* the recorded device did not run INIT here */
        ia = (uint64_t)m->csr1 | (uint64_t)m->csr2 << 16;
        if (!(m->bcr20 & 0xff))
            ia &= 0xffffff;
    }
    if (!got_rings) {
        rdra = (uint32_t)((ia + 0x1000) & ~0xfffull);
        tdra = rdra + 0x2000;
    }
    setup_rings(m, ia, rl, tl, rdra, tdra, ss32);
}

void dtmem_recycle(DtMem *m)
{
    if (!m->rings)
        return;
    for (unsigned k = 0; k < m->nrxd; k++) {
        uint16_t st;
        uint32_t misc;
        get_desc(m, false, m->rx_cur, &st, &misc);
        if (st & 0x8000)
            break;
        if (m->on_rx && (st & 0x4300) == 0x0300) { /* STP|ENP, no ERR: a good frame */
            unsigned mcnt = misc & 0xfff;
            size_t len = mcnt > DTMEM_FCS ? mcnt - DTMEM_FCS : 0;
            uint8_t buf[DTMEM_RX_BUF];
            if (len > sizeof buf)
                len = sizeof buf;
            if (len && gmem_read(m->mem, dtmem_rx_buf(m, m->rx_cur), buf, len) == 0) {
                m->rx_up++;
                m->on_rx(m->on_rx_opaque, buf, len);
            }
        }
        put_desc(m, false, m->rx_cur, (uint32_t)dtmem_rx_buf(m, m->rx_cur),
                 (uint16_t)(0xf000 | (-(int)DTMEM_RX_BUF & 0xfff)), 0x8000);
        m->rx_cur = (m->rx_cur + 1) % m->nrxd;
        m->recycled++;
    }
    while (m->tx_dirty != m->tx_cur) {
        unsigned i = m->tx_dirty % m->ntxd;
        uint16_t st;
        uint32_t misc;
        get_desc(m, true, i, &st, &misc);
        if (st & 0x8000)
            break;
        put_desc(m, true, i, 0, 0, 0);
        m->tx_dirty++;
    }
}

int dtmem_place_tx(DtMem *m, const uint8_t *frame, size_t len)
{
    if (!m->rings)
        return -1;
    unsigned i = m->tx_cur % m->ntxd;
    uint64_t buf = tx_buf(m, i);
    if (len > 4095)
        len = 4095;
    gmem_write(m->mem, buf, frame, len);
    put_desc(m, true, i, (uint32_t)buf, (uint16_t)(0xf000 | ((unsigned)-(int)len & 0xfff)), 0x8300);
    m->tx_cur++;
    return 0;
}

void dtmem_plan_rx(const DtraceRec *recs, size_t n, const int64_t *off, const uint64_t *tx_tp,
                   size_t nplaced, int64_t base_off, const uint64_t *rx_tp, size_t nrx, uint64_t *rx_t,
                   size_t *rx_rec)
{
    size_t kk = 0;
    for (size_t j = 0; j < nrx; j++) {
        uint64_t tp = rx_tp[j];
        while (kk < nplaced && tx_tp[kk] <= tp)
            kk++;
        int64_t o = base_off;
        if (nplaced) {
            size_t lo = kk >= 3 ? kk - 3 : 0, hi = kk + 2 < nplaced ? kk + 2 : nplaced;
            if (hi <= lo)
                lo = hi - 1;
            int64_t w[5];
            size_t nw = 0;
            for (size_t x = lo; x < hi && nw < 5; x++)
                w[nw++] = off[x];
            for (size_t x = 1; x < nw; x++)
                for (size_t y = x; y > 0 && w[y - 1] > w[y]; y--) {
                    int64_t tmp = w[y];
                    w[y] = w[y - 1];
                    w[y - 1] = tmp;
                }
            o = w[nw / 2];
        }
        int64_t tm = (int64_t)tp - o;
        rx_t[j] = tm < 0 ? 0 : (uint64_t)tm;
        /* first record later than the mapped time */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (recs[mid].t_ns <= rx_t[j])
                lo = mid + 1;
            else
                hi = mid;
        }
        rx_rec[j] = lo;
        if (j > 0 && rx_rec[j] < rx_rec[j - 1])
            rx_rec[j] = rx_rec[j - 1];
    }
}

unsigned dtmem_rx_filled(const DtMem *m)
{
    if (!m->rings)
        return 0;
    unsigned n = 0;
    for (unsigned k = 0; k < m->nrxd; k++) {
        uint16_t st;
        uint32_t misc;
        get_desc(m, false, (m->rx_cur + k) % m->nrxd, &st, &misc);
        if (st & 0x8000)
            break;
        n++;
    }
    return n;
}
