import CMalloc

/// glibc's malloc, tuned for a process whose big buffers are chunks read on many threads.
package enum Malloc {
    /// glibc serves a large block from an mmap of its own and unmaps it on free, until the
    /// first such free raises its threshold to that size (its "dynamic" threshold): from then on
    /// every chunk-sized buffer comes from one of the per-thread arenas, and each arena keeps
    /// what it held. A fixed threshold turns the adjustment off: blocks of 1 MiB and more always
    /// go back to the system. For the viewer, which reads whole chunks; the daemon streams its
    /// chunks in small pieces, and an mmap per piece would cost it page faults.
    package static func returnLargeBlocksWhenFreed() {
        _ = cf_mmap_threshold(1 << 20)
    }

    /// glibc gives each thread that finds the arenas busy a new one, up to eight per core, and
    /// each keeps the memory freed in it. Uploads run on curl's, the file readers' and the
    /// cooperative pool's threads, so the daemon's pieces were spread over many arenas.
    /// Called before those threads start.
    package static func limitArenas(_ count: Int32) {
        _ = cf_arena_max(count)
    }
}
