import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// Hashes, sends and commits chunks: the next whole ones of a growing file (one at a time, or a
/// window of several when idle workers lend their slots), its tail when it is finished, and its
/// provisional tail under MAX_LAG. A chunk counts only once the store confirmed it, and Redis's
/// offset only ever covers a contiguous prefix.
struct ChunkSender: Sendable {
    let context: PipelineContext
    let manager: StreamManager
    /// Shared by all workers: the window borrows idle ones.
    let slots: UploadSlots

    var preparer: StreamPreparer { StreamPreparer(sender: self) }
    var closer: StreamCloser { StreamCloser(context: context) }

    /// Uploads the file's next whole chunks beyond the committed offset: one, or several at
    /// once when idle workers lend their slots (see `uploadWindow`).
    func upload(_ work: StreamWork) async -> WorkOutcome {
        let preparation = await preparer.prepare(work)
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
        case .failed(let error): return closer.failed(reading: error, record: record)
        case .refused(let error): return closer.failed(refusal: error, record: record)
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
        switch await hashAndSend(record, offset: offset, length: length, into: fork?.box) {
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
        context.metrics.chunkConfirmed(sent)
        let seconds = max(sent.elapsed.seconds, 0.000_001)
        context.logger.info("chunk uploaded", metadata: [
            "event": "chunk.uploaded",
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
        let snapshot = record
        guard let outcome = await context.checkpoints.commit(snapshot, chunk: chunk, fileSize: fileSize) else { return .stopped }
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
            guard let reloaded = await context.checkpoints.load(record.id) else { return .stopped }
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
            switch await preparer.rebuild(record, fileSize: fileSize, mayBeOtherGeneration: false) {
            case .ready(let rebuilt):
                record = rebuilt
                return .notCommitted
            case .stopped, .otherGeneration, .vanished, .unreadable:
                return .stopped
            }
        }
    }
}
