import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// Gets a stream ready to take chunks: loaded from Redis, or rebuilt from the bucket when Redis
/// does not know it (restarted empty, restored from an old snapshot, a file found on disk);
/// reopened when a finished file grew; compared when a finished file's times moved.
struct StreamPreparer: Sendable {
    let sender: ChunkSender
    var context: PipelineContext { sender.context }

    package enum Preparation: Sendable {
        case ready(StreamRecord)
        case stopped
        /// The bucket holds another generation under this stream id: the manager picks the next.
        case otherGeneration
        /// The file went while its stream was being checked: the manager abandons the stream.
        case vanished
        /// The file could not be read to check it: the manager tries again later.
        case unreadable(FileReadError)

        /// How a job ends that cannot go on (a ready stream has made no progress yet).
        var ending: WorkOutcome {
            switch self {
            case .ready(let record): .progressed(record)
            case .stopped: .stopped
            case .otherGeneration: .otherGeneration
            case .vanished: .vanished
            case .unreadable(let error): .unreadable(nil, error)
            }
        }
    }

    /// The stream for `work`, ready for its next chunk: reopened if it was finalized and the
    /// file grew, caught up with the bucket on its first job since start.
    package func prepare(_ work: StreamWork) async -> Preparation {
        var record: StreamRecord
        if let known = work.record {
            record = known
        } else {
            guard let loaded = await context.checkpoints.load(work.streamID) else { return .stopped }
            guard let loaded else {
                return await rebuild(newRecord(for: work), fileSize: work.status.size, mayBeOtherGeneration: true)
            }
            record = loaded
        }
        if record.state == .finalized, record.fileSize == work.status.size,
           !(record.hasTimes(of: work.status) ?? !work.suspectRewrite) {
            switch await compareRewritten(record, status: work.status) {
            case .same(let updated): return .ready(updated)
            case .rewritten: return .otherGeneration
            case .gone: return .vanished
            case .unreadable(let error): return .unreadable(error)
            case .stopped: return .stopped
            }
        }
        let resumes = record.state == .active || (record.state == .finalized && record.fileSize != work.status.size)
        if resumes && record.state == .finalized && record.chunksDeleted {
            // Its chunks live on only inside the whole object: the file as it is now is a new recording.
            context.logger.info("the file changed after its whole recording was assembled; starting a new stream", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "object.key": "\(record.objectKey ?? "-")",
            ])
            return .otherGeneration
        }
        if resumes && record.isCompact {
            // Its chunk records live in the manifest now: put them back, so the checks below and
            // the resumed stream see them and nothing is sent again.
            switch await expand(record) {
            case .ready(let expanded): record = expanded
            case .stopped: return .stopped
            case .otherGeneration: return .otherGeneration
            case .vanished: return .vanished
            case .unreadable(let error): return .unreadable(error)
            }
        }
        if work.verifyBucket && resumes {
            // First job since start: the file must still be the one the stream recorded (not
            // rewritten in place while ChunkFerry was down), and the bucket may hold more than Redis.
            guard let sameContent = await stillSameFile(record) else { return .stopped }
            guard sameContent != .gone else { return .vanished }
            guard sameContent == .same else {
                context.logger.info("the file was rewritten since its stream was recorded; starting a new stream", metadata: [
                    "file.path": "\(record.path)", "stream.id": "\(record.id)",
                ])
                return .otherGeneration
            }
        }
        if resumes && (record.state == .finalized || record.committedOffset % Int64(record.chunkSize) != 0) {
            // Growing again after a tail was committed: the stream continues from the tail's start.
            let reopened = await reopen(record, fileSize: work.status.size)
            guard case .ready(let ready) = reopened else { return reopened }
            record = ready
        }
        if work.verifyBucket && record.state == .active {
            guard let caughtUp = await catchUp(record, fileSize: work.status.size) else { return .stopped }
            record = caughtUp
        }
        return .ready(record)
    }

    enum Sameness: Sendable { case same, rewritten, gone }

    /// Whether the last committed chunk still matches the file's bytes; nil when stopping.
    private func stillSameFile(_ record: StreamRecord) async -> Sameness? {
        guard record.chunkCount > 0 else { return .same }
        guard let stored = await context.checkpoints.chunks(record.id) else { return nil }
        guard let last = stored.last(where: { $0.index < record.chunkCount }) else { return .same }
        let offset = Int64(last.index) * Int64(record.chunkSize)
        do {
            let hash = try await context.reader.hash(context.fileRange(record, offset: offset, length: last.size), last.checksum.kind)
            return hash.checksum == last.checksum ? .same : .rewritten
        } catch .vanished {
            return .gone  // deleted while its job waited: abandoned, not a new stream
        } catch {
            return .rewritten
        }
    }

    /// Creates `record` in Redis with whatever of it the bucket already holds intact.
    func rebuild(_ record: StreamRecord, fileSize: Int64, mayBeOtherGeneration: Bool) async -> Preparation {
        guard let finding = await StreamRecovery(context: context)
            .examine(record, fileSize: fileSize, from: 0, mayBeOtherGeneration: mayBeOtherGeneration) else { return .stopped }
        var fresh = record
        fresh.committedOffset = 0
        fresh.chunkCount = 0
        fresh.state = .active
        switch finding {
        case .otherGeneration:
            context.logger.info("the bucket holds another generation of this file; starting a new stream", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)",
            ])
            return .otherGeneration
        case .nothing:
            guard let created = await create(fresh) else { return .stopped }
            return .ready(created)
        case .chunks(let chunks, let firstChunkStale):
            guard var created = await create(fresh) else { return .stopped }
            if firstChunkStale {
                switch await sender.uploadChunk(&created, length: created.chunkSize, fileSize: fileSize, digest: nil) {
                case .done: break
                case .stopped, .leaseLost: return .stopped
                case .failed, .refused: return .ready(created)
                }
            }
            guard await commitRecovered(&created, chunks, fileSize: fileSize) else { return .stopped }
            return .ready(created)
        case .finalized(let manifest, let chunks):
            guard var created = await create(fresh) else { return .stopped }
            guard await commitRecovered(&created, chunks, fileSize: fileSize), let sha256 = manifest.fileDigest else { return .stopped }
            let finalized = created.finalized(
                size: manifest.size, chunkCount: manifest.chunks.count, sha256: sha256, completedAt: WallClock.nowMilliseconds(),
                repairedChunks: manifest.repairedChunks, objectKey: manifest.object?.key, chunksDeleted: !manifest.keepsChunks)
            guard await context.checkpoints.finalize(finalized) != nil,
                  let reloaded = await context.checkpoints.load(created.id) else { return .stopped }
            context.logger.info("finalized stream recovered from its manifest; nothing to upload", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunks": "\(chunks.count)",
            ])
            return .ready(reloaded ?? created)
        }
    }

    /// Commits chunks found intact in the bucket beyond what Redis has (a Redis restored from an
    /// old snapshot). nil when stopping.
    private func catchUp(_ record: StreamRecord, fileSize: Int64) async -> StreamRecord? {
        let next = Int(record.committedOffset / Int64(record.chunkSize))
        guard let finding = await StreamRecovery(context: context)
            .examine(record, fileSize: fileSize, from: next, mayBeOtherGeneration: false) else { return nil }
        guard case .chunks(let chunks, _) = finding, !chunks.isEmpty else { return record }
        var updated = record
        guard await commitRecovered(&updated, chunks, fileSize: fileSize) else { return nil }
        return updated
    }

    /// Commits `chunks` (verified in the bucket) in order from the committed offset; false when stopping.
    private func commitRecovered(_ record: inout StreamRecord, _ chunks: [ChunkRecord], fileSize: Int64) async -> Bool {
        var recovered = 0
        for chunk in chunks where Int64(chunk.index) * Int64(record.chunkSize) == record.committedOffset {
            switch await sender.commit(&record, chunk: chunk, fileSize: fileSize, rebuildIfLost: false) {
            case .committed: recovered += 1
            case .notCommitted: break
            case .stopped, .leaseLost: return false
            }
        }
        if recovered > 0 {
            context.logger.notice("checkpoint rebuilt from the bucket; not uploading those chunks again", metadata: [
                "event": "checkpoint.rebuilt",
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunks.recovered": "\(recovered)",
                "offset": "\(record.committedOffset)",
            ])
        }
        return true
    }

    /// Makes the stream active at the start of its partial tail (dropped). Rebuilds it from the
    /// bucket if Redis no longer knows it.
    private func reopen(_ record: StreamRecord, fileSize: Int64) async -> Preparation {
        guard let reopened = await context.checkpoints.reopen(record),
              let reloaded = await context.checkpoints.load(record.id) else { return .stopped }
        guard let reloaded else { return await rebuild(record, fileSize: fileSize, mayBeOtherGeneration: false) }
        if reopened && record.state == .finalized {
            context.logger.info("finalized file grew; stream resumed", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "file.size": "\(fileSize)",
            ])
        }
        return .ready(reloaded)
    }

    /// A compact finalized record made full again, its chunk records restored from the manifest.
    /// Without a readable manifest of this stream nothing vouches for its chunks: the file as it is
    /// now becomes a new stream (`otherGeneration`).
    private func expand(_ record: StreamRecord) async -> Preparation {
        let storage = context.storage
        let key = context.layout.manifestKey(streamPrefix: record.keyPrefix)
        guard let fetched = await context.storeCall({ () async throws(StoreError) -> [UInt8]? in
            do throws(StoreError) {
                return try await storage.get(key: key)
            } catch where error.isNotFound {
                return nil
            }
        }) else { return .stopped }
        let manifest = fetched.flatMap { try? Manifest.decode($0) }
        let chunks = manifest?.chunks.compactMap(ChunkRecord.init(listed:)) ?? []
        guard let manifest, manifest.streamID == record.id, manifest.chunks.count == record.chunkCount,
              chunks.count == manifest.chunks.count else {
            context.logger.warning("the manifest of this finished stream is missing or unreadable; starting a new stream for the file", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "manifest.key": "\(key)",
            ])
            return .otherGeneration
        }
        guard await context.checkpoints.expand(record, chunks: chunks) != nil,
              let reloaded = await context.checkpoints.load(record.id) else { return .stopped }
        return .ready(reloaded ?? record)
    }

    /// The record of a stream Redis does not know yet, for `work`'s file.
    func newRecord(for work: StreamWork) -> StreamRecord {
        StreamRecord(
            id: work.streamID, path: work.path, device: work.status.device, inode: work.status.inode,
            chunkSize: context.upload.chunkSize, keyPrefix: context.layout.streamPrefix(path: work.path, streamID: work.streamID),
            startedAt: WallClock.nowMilliseconds(), host: context.upload.nodeID)
    }

    /// Creates the stream in Redis (or takes the one that appeared meanwhile).
    package func create(_ record: StreamRecord) async -> StreamRecord? {
        guard let created = await context.checkpoints.create(record) else { return nil }
        if created {
            context.metrics.streamsStarted.increment()
            context.logger.info("stream started", metadata: [
                "event": "stream.started",
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunk.size": "\(record.chunkSize)",
            ])
            return record
        }
        guard let loaded = await context.checkpoints.load(record.id) else { return nil }
        return loaded ?? record
    }
}
