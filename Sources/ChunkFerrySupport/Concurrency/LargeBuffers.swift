import CMalloc

/// glibc's malloc serves a large block from an mmap of its own and unmaps it on free, until the
/// first such free raises its threshold to that size (its "dynamic" threshold): from then on
/// every chunk-sized buffer comes from one of the per-thread arenas, and each arena keeps what
/// it held. With chunks read on many threads that is tens of MiB held for nothing. A fixed
/// threshold turns the adjustment off: blocks of 1 MiB and more always go back to the system.
package enum LargeBuffers {
    package static func returnToSystemWhenFreed() {
        _ = cf_mmap_threshold(1 << 20)
    }
}
