import ChunkFerryCheckpoint
import ChunkFerrySupport
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the recorder's disk in check (`DELETE_AFTER_UPLOAD`, `LOCAL_RETENTION`, `MIN_FREE_SPACE`):
/// deletes local files whose stream is finalized, once the store was asked and holds the manifest
/// and every object it lists at the right sizes. A file not fully uploaded and verified is never
/// deleted, whatever the pressure; at most `CLEANUP_BATCH_SIZE` files go per pass.
package struct LocalRetention: Service {
    /// As the last reload left them; a pass with none enabled deletes nothing.
    package let current: Reloadable<RetentionSettings>
    package let context: PipelineContext
    package let manager: StreamManager
    package let gate: ReadinessGate
    package let interval: Duration
    private let pressure = PressureState()

    package init(settings: Reloadable<RetentionSettings>, context: PipelineContext, manager: StreamManager, gate: ReadinessGate,
         interval: Duration = .seconds(2)) {
        current = settings
        self.context = context
        self.manager = manager
        self.gate = gate
        self.interval = interval
    }

    package func run() async throws {
        // In the group while retention is on or a reload may turn it on: a service that returns
        // would end the whole group.
        guard await gate.wait() else { return }
        repeat {
            await pass()
        } while await RetryPolicy.pause(interval)
    }

    /// One round: choose what may go, confirm each with the store, delete.
    package func pass() async {
        let settings = current.value
        guard settings.isEnabled else { return }
        let now = WallClock.nowMilliseconds()
        let batch = settings.batchSize
        var chosen: [(file: UploadedFile, reason: UploadedFile.Reason)] = []
        if settings.deleteAfterUpload {
            chosen = await manager.uploadedFiles(finishedBefore: now, limit: batch).map { ($0, .uploaded) }
        } else if let keepFor = settings.keepFor {
            chosen = await manager.uploadedFiles(finishedBefore: now - keepFor.milliseconds, limit: batch).map { ($0, .retention) }
        }
        var missingAfterUploaded: Int64 = 0
        if let minimum = settings.minimumFree, let disk = await FileCalls.shared.diskSpace(context.watchRoot) {
            var missing = minimum.bytes(ofTotal: disk.total) - disk.available - chosen.reduce(0) { $0 + $1.file.file.size }
            var sawAll = true
            if missing > 0 {
                let oldest = await manager.uploadedFiles(finishedBefore: .max, limit: batch + chosen.count)
                sawAll = oldest.count < batch + chosen.count
                let already = Set(chosen.map(\.file.streamID))
                for file in oldest where missing > 0 && !already.contains(file.streamID) {
                    chosen.append((file, .freeSpace))
                    missing -= file.file.size
                }
            }
            missingAfterUploaded = missing
            await pressure.update(short: missing > 0 && sawAll, disk: disk, minimum: minimum, context: context)
        }
        for (file, reason) in chosen.prefix(batch) {
            guard !Task.isCancelled else { return }
            // The full record, straight from Redis: a stream that moved on is not deleted.
            guard let record = try? await context.store.stream(file.streamID)?.record, record.state == .finalized,
                  record.fileSize == file.file.size, let holder = await storeHolds(record) else { continue }
            await delete(file, record: record, heldBy: holder, reason: reason)
        }
        if await manager.eventsOnly, settings.keepFor != nil || missingAfterUploaded > 0 {
            _ = await deleteOutsideEvents(keepFor: settings.keepFor, missing: missingAfterUploaded,
                                          limit: batch - min(batch, chosen.count), now: now)
        }
    }

    /// The key that holds the recording when the store has its manifest and every object the
    /// manifest lists, at the right sizes; nil otherwise (or when the store cannot be asked now).
    private func storeHolds(_ record: StreamRecord) async -> String? {
        let storage = context.storage
        let manifestKey = context.layout.manifestKey(streamPrefix: record.keyPrefix)
        do {
            let manifest = try Manifest.decode(try await storage.get(key: manifestKey))
            guard manifest.complete, manifest.streamID == record.id, manifest.size == record.fileSize,
                  manifest.fileDigest != nil, manifest.fileDigest == record.sha256 else { return nil }
            if let object = manifest.object {
                guard try await storage.head(key: object.key)?.size == object.size else { return nil }
            }
            if manifest.keepsChunks && !manifest.chunks.isEmpty && storage.lists {
                // One listing of the stream's folder answers for all its chunks.
                let stored = Dictionary(try await storage.list(prefix: record.keyPrefix).map { ($0.key, $0.size) },
                                        uniquingKeysWith: { $1 })
                guard manifest.chunks.allSatisfy({ stored[$0.key] == Int64($0.size) }) else { return nil }
            } else if manifest.keepsChunks {
                // A store that cannot list (HTTP) is asked for each chunk; one that answers no HEAD
                // vouches for nothing, and nothing is deleted.
                for chunk in manifest.chunks {
                    guard try await storage.head(key: chunk.key)?.size == Int64(chunk.size) else { return nil }
                }
            }
            return manifest.object?.key ?? manifestKey
        } catch {
            context.logger.debug("not deleting the local file: the store could not confirm it holds the recording", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "error": "\(error)",
            ])
            return nil
        }
    }

    /// Deletes the file if it is still exactly what was finalized, then folders left empty.
    private func delete(_ file: UploadedFile, record: StreamRecord, heldBy key: String, reason: UploadedFile.Reason) async {
        let path = context.absolutePath(file.path)
        let logger = context.logger
        // Checked, unlinked and logged on a file-call thread: a hung share holds that, not the
        // daemon, and a deletion is logged even if shutdown stopped this task waiting for it.
        let unlinked = await FileCalls.shared.run { () -> Bool in
            guard case .success(let now) = FileStatus.ofLink(path), now.kind == .regular, file.file.matches(now) else { return false }
            guard unlink(path) == 0 else {
                logger.error("cannot delete the uploaded file; make WATCH_DIR writable or turn local retention off", metadata: [
                    "file.path": "\(file.path)", "error": "\(Errno(errno))", "setting": "\(reason.rawValue)",
                ])
                return false
            }
            logger.info("local file deleted; the store holds it", metadata: [
                "event": "file.deleted",
                "file.path": "\(file.path)", "stream.id": "\(record.id)", "object.key": "\(key)", "reason": "\(reason.rawValue)",
                "file.size": "\(record.fileSize)",
            ])
            return true
        }
        // nil: shutting down; the next start finds the file gone.
        guard unlinked == true else { return }
        await manager.vanished(file.path)
        await removeEmptyFolders(above: file.path)
        // For status only: a Redis outage must not hold deletions back.
        try? await context.store.noteFileGone(record.id, at: WallClock.nowMilliseconds())
    }

    /// Date folders a recorder leaves behind, up to (not including) WATCH_DIR.
    private func removeEmptyFolders(above relative: String) async {
        let parts = relative.split(separator: "/").dropLast()
        let folders = parts.indices.reversed().map { context.absolutePath(parts[...$0].joined(separator: "/")) }
        _ = await FileCalls.shared.run {
            for folder in folders {
                guard rmdir(folder) == 0 else { return }
            }
        }
    }
}
