import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// Carries out jobs: creates or loads a stream, uploads its chunks, commits each only after the
/// store confirmed it. Store and Redis calls retry until they succeed or the daemon stops.
package struct StreamWorker: Sendable {
    package let context: PipelineContext
    package let manager: StreamManager
    package var metrics: PipelineMetrics { context.metrics }
    /// Shared by all workers (this struct is copied into each).
    let slots: UploadSlots
    let finisher: SmallFileFinisher

    package init(context: PipelineContext, manager: StreamManager) {
        self.context = context
        self.manager = manager
        let queue = manager.queue
        slots = UploadSlots(capacity: context.upload.concurrency) { queue.count }
        finisher = SmallFileFinisher(capacity: 2 * context.upload.concurrency)
    }

    /// Worker `index` (from 0) takes jobs while the upload slots reach it.
    package func run(index: Int) async {
        let queue = manager.queue
        while await slots.admit(index, stopped: { queue.isClosed }), let job = await queue.next() {
            // UPLOAD_CONCURRENCY was lowered while this worker waited for a job: it parks.
            guard index < slots.capacity else {
                queue.putBack(job)
                continue
            }
            switch job {
            case .upload(let path, let streamID), .finalize(let path, let streamID), .single(let path, let streamID),
                 .tail(let path, let streamID):
                slots.enter()
                defer { slots.leave() }
                guard let begun = await manager.begin(path, streamID: streamID) else { continue }
                if case .single = job {  // leaseless by design, see finalizeSingleChunk
                    if let outcome = await Finalizer(worker: self).finalizeSingleChunk(begun) {
                        await manager.finish(begun.path, streamID: begun.streamID, outcome: outcome)
                    }
                    continue
                }
                guard let work = await leased(begun) else { await finish(begun, .ownedElsewhere); continue }
                let outcome = switch job {
                case .finalize: await Finalizer(worker: self).finalize(work)
                case .tail: await sendProvisional(work)
                default: await uploadNextChunk(work)
                }
                await dropProvisionalIfCovered(work, outcome: outcome)
                await finish(work, outcome)
            case .abandon(let record, let reason):
                await abandon(record, reason: reason)
            }
        }
    }

    /// The record of a stream Redis does not know yet, for `work`'s file.
    func newRecord(for work: StreamWork) -> StreamRecord {
        StreamRecord(
            id: work.streamID, path: work.path, device: work.status.device, inode: work.status.inode,
            chunkSize: context.upload.chunkSize, keyPrefix: context.layout.streamPrefix(path: work.path, streamID: work.streamID),
            startedAt: WallClock.nowMilliseconds(), host: context.upload.nodeID)
    }

    /// `work` once this instance holds the stream's lease (re-read from Redis if the lease is new);
    /// nil if another instance holds it.
    private func leased(_ work: StreamWork) async -> StreamWork? {
        let leases = context.leases
        guard let lease = await context.redisCall({ () async throws(RedisError) -> (held: Bool, isNew: Bool) in
            try await leases.acquire(work.streamID)
        }), lease.held else { return nil }
        var work = work
        if lease.isNew { work.record = nil }
        return work
    }

    private func finish(_ work: StreamWork, _ outcome: WorkOutcome) async {
        switch outcome {
        case .finalized, .vanished, .ownedElsewhere, .refused, .otherGeneration: await context.leases.release(work.streamID)
        // A finished stream found as it was (a touched file): nothing more to do under its lease.
        case .progressed(let record) where record.state == .finalized: await context.leases.release(work.streamID)
        default: break
        }
        if case .refused(let record, let reason) = outcome {
            let store = context.store
            _ = await context.redisCall { () async throws(RedisError) in
                try await store.noteProblem(record.id, reason, failed: true, now: WallClock.nowMilliseconds())
            }
        }
        if case .unreadable(let record?, let error) = outcome {
            let store = context.store
            _ = await context.redisCall { () async throws(RedisError) in
                try await store.noteProblem(record.id, "\(error)", now: WallClock.nowMilliseconds())
            }
        }
        await manager.finish(work.path, streamID: work.streamID, outcome: outcome)
    }

    /// Uploads the file's next whole chunks beyond the committed offset: one, or several at
    /// once when idle workers lend their slots (see `uploadWindow`).
    func uploadNextChunk(_ work: StreamWork) async -> WorkOutcome {
        let preparation = await prepare(work)
        guard case .ready(var record) = preparation else { return preparation.ending }
        guard record.state == .active else { return .progressed(record) }
        let chunkSize = Int64(record.chunkSize)
        let ready = Int((work.status.size - record.committedOffset) / chunkSize)
        guard ready > 0 else { return .progressed(record) }
        let extra = slots.borrow(upTo: ready - 1)
        let result = if extra > 0 {
            await uploadWindow(&record, work: work, extra: extra)
        } else {
            await uploadChunk(&record, length: record.chunkSize, fileSize: work.status.size, digest: work.digest)
        }
        switch result {
        case .stopped: return .stopped
        case .leaseLost: return .ownedElsewhere
        case .failed(let error): return fileFailure(error, record: record)
        case .refused(let error): return refused(error, record: record)
        case .done: return .progressed(record)
        }
    }

    enum ChunkResult { case done, stopped, leaseLost, failed(FileReadError), refused(StoreError) }

    /// Reads `length` bytes at the committed offset, hashed and sent to the store as the next
    /// chunk (see `hashAndSend`), and commits it; `digest` follows along when it ends at that offset. On return `record` is
    /// what Redis holds now.
    func uploadChunk(_ record: inout StreamRecord, length: Int, fileSize: Int64, digest: RunningDigest?) async -> ChunkResult {
        let offset = record.committedOffset
        let fork = digest?.fork(at: offset)
        let sent: SentChunk
        switch await hashAndSend(record, offset: offset, length: length, into: fork) {
        case .sent(let chunk): sent = chunk
        case .stopped: return .stopped
        case .failed(let error): return .failed(error)
        case .refused(let error): return .refused(error)
        }
        let outcome = await commitSent(&record, sent, fileSize: fileSize)
        guard case .committed = outcome else {
            digest?.invalidate()
            if case .leaseLost = outcome { return .leaseLost }
            return outcome == .stopped ? .stopped : .done
        }
        digest?.advance(fork, to: record.committedOffset, hash: sent.hash)
        return .done
    }

    /// The chunk's checksum (the kind the store verifies), feeding `fork` with its bytes.
    func hashChunk(_ record: StreamRecord, offset: Int64, length: Int, into fork: DigestBox?) async -> Result<ChunkReader.Hash, FileReadError> {
        let storage = context.storage
        do {
            return .success(try await context.reader.hash(context.fileRange(record, offset: offset, length: length),
                                                          storage.checksumKind, md5: storage.sendsMD5, continuing: fork))
        } catch {
            return .failure(error)
        }
    }

    /// A chunk the store confirmed, not yet committed.
    struct SentChunk: Sendable {
        package var index: Int
        package var length: Int
        package var hash: ChunkReader.Hash
        package var put: PutResult
        var elapsed: Duration
    }

    enum SendResult: Sendable { case sent(SentChunk), stopped, failed(FileReadError), refused(StoreError) }

    /// Streams the chunk at `offset` to the store until it is confirmed.
    func sendChunk(_ record: StreamRecord, offset: Int64, length: Int, hash: ChunkReader.Hash) async -> SendResult {
        let index = Int(offset / Int64(record.chunkSize))
        let key = context.layout.chunkKey(streamPrefix: record.keyPrefix, index: index)
        let started = ContinuousClock.now
        let attributes = context.chunkAttributes(streamID: record.id, index: index)
        switch await putConfirmed(key: key, context.fileRange(record, offset: offset, length: length), hash, attributes) {
        case .confirmed(let put): return .sent(SentChunk(index: index, length: length, hash: hash, put: put, elapsed: .now - started))
        case .stopped: return .stopped
        case .sourceChanged(let error): return .failed(error)
        case .refused(let error): return .refused(error)
        }
    }

    /// Commits a confirmed chunk (the next one of the stream) and reports it.
    func commitSent(_ record: inout StreamRecord, _ sent: SentChunk, fileSize: Int64) async -> CommitResult {
        let chunk = ChunkRecord(index: sent.index, size: sent.length, checksum: sent.hash.checksum, etag: sent.put.etag)
        let outcome = await commit(&record, chunk: chunk, fileSize: fileSize, rebuildIfLost: true)
        guard case .committed = outcome else { return outcome }
        metrics.chunkConfirmed(sent)
        let seconds = max(sent.elapsed.seconds, 0.000_001)
        context.logger.info("chunk uploaded", metadata: [
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunk.index": "\(sent.index)",
            "chunk.bytes": "\(sent.length)", "chunk.ms": "\(sent.elapsed.milliseconds)",
            "chunk.mbps": "\((Double(sent.length) / 1_000_000 / seconds * 10).rounded() / 10)",
        ])
        return .committed
    }

    enum PutOutcome {
        case confirmed(PutResult)
        case stopped
        case sourceChanged(FileReadError)
        /// The store refuses this object while it takes others (see `PipelineContext.refusesOnlyThis`).
        case refused(StoreError)
    }

    private enum Attempt: Sendable {
        case put(PutResult)
        case source(FileReadError)
        case refused(StoreError)
    }

    /// Streams a chunk from its file until the store confirms it. After a failed attempt whose
    /// answer may have been lost (a timeout, a dropped connection) the store is asked first
    /// whether it already holds these exact bytes, so a chunk that arrived is not sent again.
    func putConfirmed(key: String, _ range: FileRange, _ hash: ChunkReader.Hash, _ attributes: ObjectAttributes) async -> PutOutcome {
        let storage = context.storage
        let reader = context.reader
        var attempted = false
        let context = context
        let result = await context.storeCall { () async throws(StoreError) -> Attempt in
            if attempted, let stored = try await storage.holds(key: key, length: range.length, checksum: hash.checksum,
                                                               md5: storage.sendsMD5 ? hash.md5 : nil) {
                return .put(stored)
            }
            attempted = true
            do throws(StoreError) {
                return .put(try await storage.put(key: key, file: range, checksum: hash.checksum,
                                                  md5: storage.sendsMD5 ? hash.md5 : nil, attributes: attributes))
            } catch where error.sourceFailure != nil {
                return .source(error.sourceFailure!)
            } catch where error.code == "BadDigest" || error.code == "XAmzContentSHA256Mismatch" {
                // The store saw other bytes than were hashed. If the file changed since, hash it
                // again; if not, the store or something on the way is at fault: report that.
                let again = try? await reader.hash(range, hash.checksum.kind, md5: hash.md5 != nil)
                guard let again, again.checksum == hash.checksum, again.md5 == hash.md5 else { return .source(.changed) }
                throw error
            } catch {
                if await context.refusesOnlyThis(error) { return .refused(error) }
                throw error
            }
        }
        switch result {
        case .put(let put)?: return .confirmed(put)
        case .source(let error)?: return .sourceChanged(error)
        case .refused(let error)?: return .refused(error)
        case nil: return .stopped
        }
    }

    package enum CommitResult: Equatable { case committed, notCommitted, leaseLost, stopped }

    /// Commits `chunk` in Redis. When Redis lost the stream (`rebuildIfLost`), it is rebuilt
    /// from the bucket, which the chunk just joined. On return `record` is what Redis holds.
    package func commit(_ record: inout StreamRecord, chunk: ChunkRecord, fileSize: Int64, rebuildIfLost: Bool) async -> CommitResult {
        let store = context.store
        let snapshot = record
        let owner = context.leases.owner
        let ttl = context.leases.ttl
        guard let outcome = await context.redisCall({ () async throws(RedisError) -> CheckpointStore.CommitOutcome in
            try await store.commitChunk(streamID: snapshot.id, expectedOffset: snapshot.committedOffset, chunk: chunk,
                                        fileSize: fileSize, leaseOwner: owner, leaseTTL: ttl, now: WallClock.nowMilliseconds())
        }) else { return .stopped }
        switch outcome {
        case .committed(let offset):
            record.committedOffset = offset
            record.chunkCount = chunk.index + 1
            record.fileSize = max(record.fileSize, fileSize)
            record.lastChunkAt = WallClock.nowMilliseconds()
            return .committed
        case .conflict(let current):
            context.logger.warning("checkpoint moved under this stream; continuing from Redis's offset", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "offset.expected": "\(snapshot.committedOffset)",
                "offset.redis": "\(current)",
            ])
            guard let reloaded = await load(record.id) else { return .stopped }
            record = reloaded ?? record
            return .notCommitted
        case .leaseLost:
            context.leases.lost(record.id)
            context.logger.warning("another instance took this stream over; leaving it to that one", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)",
            ])
            return .leaseLost
        case .missingStream:
            guard rebuildIfLost else { return .stopped }
            // Redis lost its data (restarted without persistence): rebuild the checkpoint from
            // the chunks in the bucket that still match the file.
            context.logger.warning("Redis no longer knows this stream (restarted empty?); rebuilding its checkpoint from the bucket", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)",
            ])
            switch await rebuild(record, fileSize: fileSize, mayBeOtherGeneration: false) {
            case .ready(let rebuilt):
                record = rebuilt
                return .notCommitted
            case .stopped, .otherGeneration, .vanished, .unreadable:
                return .stopped
            }
        }
    }

    /// The stream's record from Redis: `.some(nil)` when Redis has none, nil when stopping.
    package func load(_ id: String) async -> StreamRecord?? {
        let store = context.store
        return await context.redisCall { () async throws(RedisError) -> StreamRecord? in try await store.stream(id)?.record }
    }

    /// Creates the stream in Redis (or takes the one that appeared meanwhile).
    package func create(_ record: StreamRecord) async -> StreamRecord? {
        let store = context.store
        guard let created = await context.redisCall({ () async throws(RedisError) -> Bool in try await store.createStream(record) })
        else { return nil }
        if created {
            metrics.streamsStarted.increment()
            context.logger.info("stream started", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunk.size": "\(record.chunkSize)",
            ])
            return record
        }
        guard let loaded = await load(record.id) else { return nil }
        return loaded ?? record
    }

    /// Closes a stream whose file went away unfinished: its chunks stay, listed in a manifest
    /// marked incomplete.
    func abandon(_ record: StreamRecord, reason: String) async {
        let store = context.store
        var closed: (record: StreamRecord, chunks: [ChunkRecord])?
        for _ in 0..<5 where closed == nil {
            guard let stored = await context.redisCall({ () async throws(RedisError) -> (record: StreamRecord, chunks: [ChunkRecord])? in
                try await store.stream(record.id)
            }) else { return }
            guard let stored, stored.record.state == .active else { return }  // finished or closed meanwhile
            // Closed only if nothing moved since it was read, so the manifest lists exactly what is committed.
            guard let won = await context.redisCall({ () async throws(RedisError) -> Bool in
                try await store.transition(record.id, to: .abandoned, from: .active, at: stored.record.committedOffset,
                                           fields: ["updated_at", String(WallClock.nowMilliseconds())])
            }) else { return }
            if won { closed = stored }
        }
        guard let (current, storedChunks) = closed else { return }
        let chunks = Array(storedChunks.prefix { $0.index < current.chunkCount })
        var manifestKey = "-"
        if !chunks.isEmpty {
            let manifest = Manifest(
                record: current, chunks: chunks, layout: context.layout, complete: false,
                size: chunks.reduce(0) { $0 + Int64($1.size) }, sha256: nil, completedAt: WallClock.nowMilliseconds(),
                repairedChunks: current.repairedChunks)
            switch await self.store(manifest, record: current) {
            case .stored(let key): manifestKey = key
            case .refused(let error): manifestKey = "- (the store refuses it: \(error.code))"
            case .stopped: return
            }
        }
        await context.leases.release(record.id)
        metrics.streamAbandoned()
        context.logger.warning("stream abandoned; its uploaded chunks stay in the bucket", metadata: [
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "reason": "\(reason)",
            "bytes.committed": "\(current.committedOffset)", "manifest.key": "\(manifestKey)",
        ])
    }

    package enum Stored: Sendable { case stored(key: String), refused(StoreError), stopped }

    /// Writes `manifest.json` for `record`: its key, or the store's refusal of this one object
    /// (see `PipelineContext.refusesOnlyThis`), or stopped.
    package func store(_ manifest: Manifest, record: StreamRecord) async -> Stored {
        let key = context.layout.manifestKey(streamPrefix: record.keyPrefix)
        let body = manifest.encoded()
        let (storage, context) = (context.storage, context)
        let attributes = ObjectAttributes(contentType: "application/json", streamID: record.id)
        let result = await context.storeCall { () async throws(StoreError) -> StoreError? in
            do throws(StoreError) {
                _ = try await storage.put(key: key, bytes: body, attributes: attributes)
                return nil
            } catch {
                if await context.refusesOnlyThis(error) { return error }
                throw error
            }
        }
        switch result {
        case .some(nil): return .stored(key: key)
        case .some(let refusal?): return .refused(refusal)
        case nil: return .stopped
        }
    }

    /// The store refuses one of this stream's objects while it takes others: the stream fails
    /// with the reason (status, `/health`, a metric), and the other files go on. `chunkferry
    /// retry` or a reload tries it again.
    package func refused(_ error: StoreError, record: StreamRecord) -> WorkOutcome {
        let reason = "the store refuses \(error.resource): \(error.code)\(error.httpStatus.map { " (HTTP \($0))" } ?? "")"
            + (error.message.isEmpty || error.message == error.code ? "" : ": \(error.message)")
        context.logger.error("the store refuses this file's object while it takes others; the stream is marked failed and the other files go on (fix the cause, then run: chunkferry retry PATH)", metadata: [
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "error": "\(error)", "event": "stream.failed",
        ])
        return .refused(record, reason)
    }

    func fileFailure(_ error: FileReadError, record: StreamRecord) -> WorkOutcome {
        switch error {
        case .vanished:
            return .vanished
        case .truncated, .replaced, .changed:
            return .changed(record)
        case .unreadable:
            context.logger.error("cannot read the file; retrying in 30s (check its permissions)", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "error": "\(error)",
            ])
            return .unreadable(record, error)
        }
    }
}
