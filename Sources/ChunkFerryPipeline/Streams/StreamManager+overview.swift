/// What `/health` and `/metrics` report of the tracked files, and the settings a reload changes.
extension StreamManager {
    package struct Overview: Sendable {
        /// Files being uploaded or not yet known to be finished.
        package var active = 0
        /// Files whose stream is finalized.
        package var finalized = 0
        /// Files waiting after a read failure.
        package var withProblems = 0
        /// Files whose stream failed (the store refuses one of its objects), with the reason.
        package var failed: [(path: String, reason: String)] = []
        /// Bytes written that the store does not hold yet (past committed chunks and tails).
        package var backlogBytes: Int64 = 0
        /// Age of the oldest byte the store does not hold.
        package var oldestUnsent: Duration?
        package var initialScanDone = false
        /// Files UPLOAD_SCOPE=events keeps local (no event wants them).
        package var keptLocal = 0
    }

    package func overview(now: ContinuousClock.Instant = .now) -> Overview {
        var overview = Overview(finalized: finished.count, initialScanDone: initialScanDone)
        for file in files.values {
            if file.isFinalizedAsIs {
                overview.finalized += 1
                continue
            }
            if isHeld(file) {
                overview.keptLocal += 1
                continue
            }
            overview.active += 1
            if let failure = file.failure { overview.failed.append((file.path, failure)) }
            if file.retryAfter.map({ now < $0 }) ?? false, file.record != nil { overview.withProblems += 1 }
            let held = file.storeHolds
            overview.backlogBytes += max(0, file.status.size - held)
            if let since = file.unsentSince, file.status.size > held {
                overview.oldestUnsent = max(overview.oldestUnsent ?? .zero, now - since)
            }
        }
        return overview
    }

    /// IDLE_TIMEOUT and MAX_LAG from a reloaded configuration.
    package func apply(idleTimeout: Duration, maxLag: Duration?) {
        self.idleTimeout = idleTimeout
        self.maxLag = maxLag
    }
}
