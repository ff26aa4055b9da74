/* gmem: sparse guest physical memory.
 *
 * Guest RAM of any configured size costs memory only for the 4 KiB pages that
 * have been written. Unwritten pages read as zeros. Accesses that reach outside
 * [0, size) fail as a whole (no partial transfer), which is what a device model
 * turns into a bus error (MERR) instead of touching host memory.
 */
#ifndef VNICSIM_MODEL_GMEM_H
#define VNICSIM_MODEL_GMEM_H

#include <stddef.h>
#include <stdint.h>

#define GMEM_PAGE_BITS 12
#define GMEM_PAGE_SIZE ((size_t)1 << GMEM_PAGE_BITS)

typedef struct Gmem Gmem;

Gmem *gmem_new(uint64_t size_bytes);
void gmem_free(Gmem *m);
uint64_t gmem_size(const Gmem *m);

/* 0 on success, -1 if [addr, addr+len) is not inside guest RAM. */
int gmem_read(const Gmem *m, uint64_t addr, void *buf, size_t len);
int gmem_write(Gmem *m, uint64_t addr, const void *buf, size_t len);

/* Little-endian helpers; out-of-range reads return 0 and writes are dropped
 * (for guest-side code, which only uses addresses it allocated). */
uint16_t gmem_ld16(const Gmem *m, uint64_t addr);
uint32_t gmem_ld32(const Gmem *m, uint64_t addr);
void gmem_st16(Gmem *m, uint64_t addr, uint16_t v);
void gmem_st32(Gmem *m, uint64_t addr, uint32_t v);

/* Pages currently backed by host memory (for memory-use checks). */
size_t gmem_pages_resident(const Gmem *m);

#endif
