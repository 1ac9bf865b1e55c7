/// What `/health` and `/metrics` report of the tracked files, and the settings a reload changes.
extension StreamManager {
    struct Overview: Sendable {
        /// Files being uploaded or not yet known to be finished.
        var active = 0
        /// Files whose stream is finalized.
        var finalized = 0
        /// Files waiting after a read failure.
        var withProblems = 0
        /// Bytes written that the store does not hold yet (past committed chunks and tails).
        var backlogBytes: Int64 = 0
        /// Age of the oldest byte the store does not hold.
        var oldestUnsent: Duration?
        var initialScanDone = false
    }

    func overview(now: ContinuousClock.Instant = .now) -> Overview {
        var overview = Overview(finalized: finished.count, initialScanDone: initialScanDone)
        for file in files.values {
            if file.isFinalizedAsIs {
                overview.finalized += 1
                continue
            }
            overview.active += 1
            if file.retryAfter.map({ now < $0 }) ?? false, file.record != nil { overview.withProblems += 1 }
            let committed = file.record?.committedOffset ?? 0
            let tail = file.provisional.flatMap { $0.index == file.record?.chunkCount ? $0.end : nil } ?? 0
            overview.backlogBytes += max(0, file.status.size - max(committed, tail))
            if let since = file.unsentSince, file.status.size > max(committed, tail) {
                overview.oldestUnsent = max(overview.oldestUnsent ?? .zero, now - since)
            }
        }
        return overview
    }

    /// Which files are uploaded, widened when a reload adds a camera (see `ConfigReloader`).
    func use(_ filter: FileFilter) {
        self.filter = filter
    }

    /// IDLE_TIMEOUT and MAX_LAG from a reloaded configuration.
    func apply(idleTimeout: Duration, maxLag: Duration?) {
        self.idleTimeout = idleTimeout
        self.maxLag = maxLag
    }
}
