// mremap for AlignedBuffer's large tables: the C declaration is variadic, which Swift cannot
// call. Only what Swift cannot express lives here (see GUIDE.md §2, GRDBSQLite's shim).
#ifndef CPAGEMAPPING_H
#define CPAGEMAPPING_H

#include <stddef.h>

#if defined(__linux__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/mman.h>

/// Grows (or moves) the mapping at `address` from `old_length` to `new_length` bytes without
/// copying its pages (`MREMAP_MAYMOVE`). Returns the new address, or NULL on failure (the
/// old mapping is then unchanged).
static inline void *ds_mremap_maymove(void *address, size_t old_length, size_t new_length) {
    void *moved = mremap(address, old_length, new_length, MREMAP_MAYMOVE);
    return moved == MAP_FAILED ? NULL : moved;
}
#else
static inline void *ds_mremap_maymove(void *address, size_t old_length, size_t new_length) {
    (void)address; (void)old_length; (void)new_length;
    return NULL;
}
#endif

#endif
