/* gmem: sparse guest physical memory; see gmem.h. Pages live in an open-addressing
 * hash table keyed by page number, so memory follows the pages touched, not the
 * configured RAM size. */
#include "model/gmem.h"

#include <stdlib.h>
#include <string.h>

typedef struct GmemSlot {
    uint64_t pfn; /* page frame number + 1; 0 = empty */
    uint8_t *page;
} GmemSlot;

struct Gmem {
    uint64_t size;
    GmemSlot *slots;
    size_t cap;  /* power of two */
    size_t used;
};

static size_t gmem_hash(uint64_t pfn, size_t cap)
{
    uint64_t h = pfn * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & (cap - 1);
}

Gmem *gmem_new(uint64_t size_bytes)
{
    Gmem *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->size = size_bytes;
    m->cap = 64;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void gmem_free(Gmem *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].page);
    free(m->slots);
    free(m);
}

uint64_t gmem_size(const Gmem *m) { return m->size; }
size_t gmem_pages_resident(const Gmem *m) { return m->used; }

static uint8_t *gmem_lookup(const Gmem *m, uint64_t pfn)
{
    for (size_t i = gmem_hash(pfn, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].pfn == pfn + 1)
            return m->slots[i].page;
        if (m->slots[i].pfn == 0)
            return NULL;
    }
}

static int gmem_grow(Gmem *m)
{
    size_t ncap = m->cap * 2;
    GmemSlot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].pfn)
            continue;
        size_t j = gmem_hash(m->slots[i].pfn - 1, ncap);
        while (ns[j].pfn)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

static uint8_t *gmem_page_for_write(Gmem *m, uint64_t pfn)
{
    uint8_t *p = gmem_lookup(m, pfn);
    if (p)
        return p;
    if ((m->used + 1) * 4 > m->cap * 3 && gmem_grow(m) < 0)
        return NULL;
    p = calloc(1, GMEM_PAGE_SIZE);
    if (!p)
        return NULL;
    size_t i = gmem_hash(pfn, m->cap);
    while (m->slots[i].pfn)
        i = (i + 1) & (m->cap - 1);
    m->slots[i].pfn = pfn + 1;
    m->slots[i].page = p;
    m->used++;
    return p;
}

static int gmem_in_range(const Gmem *m, uint64_t addr, size_t len)
{
    return addr <= m->size && len <= m->size - addr;
}

int gmem_read(const Gmem *m, uint64_t addr, void *buf, size_t len)
{
    if (!gmem_in_range(m, addr, len))
        return -1;
    uint8_t *out = buf;
    while (len) {
        uint64_t off = addr & (GMEM_PAGE_SIZE - 1);
        size_t n = GMEM_PAGE_SIZE - off < len ? GMEM_PAGE_SIZE - off : len;
        const uint8_t *p = gmem_lookup(m, addr >> GMEM_PAGE_BITS);
        if (p)
            memcpy(out, p + off, n);
        else
            memset(out, 0, n);
        out += n;
        addr += n;
        len -= n;
    }
    return 0;
}

int gmem_write(Gmem *m, uint64_t addr, const void *buf, size_t len)
{
    if (!gmem_in_range(m, addr, len))
        return -1;
    const uint8_t *in = buf;
    while (len) {
        uint64_t off = addr & (GMEM_PAGE_SIZE - 1);
        size_t n = GMEM_PAGE_SIZE - off < len ? GMEM_PAGE_SIZE - off : len;
        uint8_t *p = gmem_page_for_write(m, addr >> GMEM_PAGE_BITS);
        if (!p)
            return -1;
        memcpy(p + off, in, n);
        in += n;
        addr += n;
        len -= n;
    }
    return 0;
}

uint16_t gmem_ld16(const Gmem *m, uint64_t addr)
{
    uint8_t b[2] = {0, 0};
    gmem_read(m, addr, b, 2);
    return (uint16_t)(b[0] | b[1] << 8);
}

uint32_t gmem_ld32(const Gmem *m, uint64_t addr)
{
    uint8_t b[4] = {0, 0, 0, 0};
    gmem_read(m, addr, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void gmem_st16(Gmem *m, uint64_t addr, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    gmem_write(m, addr, b, 2);
}

void gmem_st32(Gmem *m, uint64_t addr, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    gmem_write(m, addr, b, 4);
}
