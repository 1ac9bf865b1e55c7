#ifndef CHUNKFERRY_CMALLOC_SHIM_H
#define CHUNKFERRY_CMALLOC_SHIM_H

#include <malloc.h>

// Fixes glibc's mmap threshold at `bytes`, which also turns off its dynamic raising: blocks of
// that size and more are unmapped when freed instead of staying in a thread's arena. 1 on success.
static inline int cf_mmap_threshold(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}

// At most `count` malloc arenas, however many threads allocate. 1 on success.
static inline int cf_arena_max(int count) {
    return mallopt(M_ARENA_MAX, count);
}

#endif
