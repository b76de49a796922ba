// Cache prefetch hints for the engine's per-event path: Swift has no prefetch of its own.
// Only what Swift cannot express lives here (see GUIDE.md §2, GRDBSQLite's shim).
#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Asks for the cache line holding `p`, to be read soon. Never faults, whatever `p` is.
static inline void ds_prefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Asks for the cache line holding `p` in a writable state, to be written soon.
static inline void ds_prefetch_write(const void *p) { __builtin_prefetch(p, 1, 3); }

#endif
