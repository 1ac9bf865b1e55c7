import ChunkFerryCheckpoint
import ChunkFerrySupport
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Keeps Redis from growing with years of history (`FORGET_AFTER`): notes when a finished
/// stream's file left the disk (deleted by retention, by the recorder, or while ChunkFerry was
/// down), and drops finished and abandoned streams gone longer than that. Their objects and
/// manifests stay in the bucket; `restore` finds them there.
package struct StateJanitor: Service {
    /// FORGET_AFTER among them, as the last reload left it.
    package let retention: Reloadable<RetentionSettings>
    package let context: PipelineContext
    package let gate: ReadinessGate
    /// The manager's view of WATCH_DIR's share (nil: not watched, in tests).
    package var watchRoot: WatchRoot? = nil

    package init(retention: Reloadable<RetentionSettings>, context: PipelineContext, gate: ReadinessGate, watchRoot: WatchRoot? = nil) {
        self.retention = retention
        self.context = context
        self.gate = gate
        self.watchRoot = watchRoot
    }

    package var forgetAfter: Duration { retention.value.forgetAfter }

    /// Often enough to forget on time, rarely enough that 100,000 finished files cost nothing.
    package var interval: Duration { min(max(forgetAfter / 10, .seconds(1)), .seconds(600)) }

    package func run() async throws {
        guard await gate.wait() else { return }
        repeat {
            try? await sweep(now: WallClock.nowMilliseconds())
        } while await RetryPolicy.pause(interval)
    }

    /// `beforeForgetting` runs between reading the streams and dropping them: a test's seam
    /// for a stream reopened in that window.
    func sweep(now: Int64, beforeForgetting: (@Sendable () async -> Void)? = nil) async throws(RedisError) {
        // A store that shows nothing (an HTTP server without HEAD) cannot tell a later file at
        // the same path and inode from this one: forgetting would let it overwrite the recording.
        guard context.storage.showsObjects else { return }
        // A missing or unmounted WATCH_DIR says nothing about the files in it.
        guard case .success(let root) = await FileCalls.shared.status(context.absolutePath("")), root.kind == .directory,
              !(watchRoot?.isAway ?? false) else { return }
        let store = context.store
        let limit = now - forgetAfter.milliseconds
        var gone: [(id: String, at: Int64?)] = []
        var forget: [StreamRecord] = []
        var cancelled = false
        try await store.forEachCompactBatch { batch in
            guard !cancelled, let presence = await onDisk(batch) else { cancelled = true; return }
            for (record, present) in zip(batch, presence) {
                if let left = record.localDeletedAt {
                    if present { gone.append((record.id, nil)) } else if left <= limit { forget.append(record) }
                } else if !present {
                    gone.append((record.id, now))
                }
            }
        }
        // A look that did not finish (shutdown) says nothing: nothing is marked or forgotten on a guess.
        guard !cancelled else { return }
        let abandoned = try await store.streams(in: .abandoned).filter { $0.updatedAt <= limit }
        guard let presence = await onDisk(abandoned) else { return }
        for (record, present) in zip(abandoned, presence) where !present {
            forget.append(record)
        }
        for (id, at) in gone { try await store.noteFileGone(id, at: at) }
        await beforeForgetting?()
        var forgotten = 0
        for record in forget {
            if try await store.forget(record) { forgotten += 1 }
        }
        if forgotten > 0 {
            context.logger.info("forgot streams whose files left the disk before FORGET_AFTER; their objects stay in the bucket", metadata: [
                "streams": "\(forgotten)", "forget.after": "\(forgetAfter)", "event": "streams.forgotten",
            ])
        }
    }

    /// Whether each stream's file is still the one it recorded, looked at on a file-call thread;
    /// nil when the look was cancelled.
    private func onDisk(_ records: [StreamRecord]) async -> [Bool]? {
        let paths = records.map { (context.absolutePath($0.path), $0.device, $0.inode) }
        return await FileCalls.shared.run {
            paths.map { path, device, inode in
                guard case .success(let status) = FileStatus.of(path) else { return false }
                return status.device == device && status.inode == inode
            }
        }
    }
}
