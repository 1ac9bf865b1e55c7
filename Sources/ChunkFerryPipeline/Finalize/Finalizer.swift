import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// Finishes an idle stream: uploads the tail, re-reads the file and re-sends every chunk whose
/// bytes changed since upload (muxers patch the header when they close a file), writes the
/// manifest, and marks the stream finalized. If the file changes meanwhile, nothing is written
/// and the stream stays active.
struct Finalizer: Sendable {
    let sender: ChunkSender
    /// Records small files finalized in batches (see `finalizeSingleChunk`).
    let finisher: SmallFileFinisher
    package var context: PipelineContext { sender.context }
    var closer: StreamCloser { sender.closer }

    package func finalize(_ work: StreamWork) async -> WorkOutcome {
        let started = ContinuousClock.now
        let path = context.absolutePath(work.path)
        let before: FileStatus
        switch await FileCalls.shared.status(path) {
        case .success(let status): before = status
        case .failure(let error): return error.isMissing ? .vanished : .unreadable(work.record, .unreadable(error))
        }
        let preparation = await sender.preparer.prepare(work)
        guard case .ready(var record) = preparation else { return preparation.ending }
        guard before.isUnchanged(since: work.status) else { return .changed(record) }
        if record.state == .finalized && record.fileSize == before.size { return .finalized(record) }
        guard record.state == .active else { return .progressed(record) }

        while record.committedOffset < before.size {
            let length = Int(min(Int64(record.chunkSize), before.size - record.committedOffset))
            switch await sender.uploadChunk(&record, length: length, fileSize: before.size, digest: work.digest) {
            case .stopped: return .stopped
            case .leaseLost: return .ownedElsewhere
            case .failed(let error): return closer.failed(reading: error, record: record)
            case .refused(let error): return closer.failed(refusal: error, record: record)
            case .done: continue
            }
        }

        guard let stored = await context.checkpoints.chunks(record.id) else { return .stopped }
        var chunks = Dictionary(stored.map { ($0.index, $0) }, uniquingKeysWith: { $1 })
        let chunkSize = Int64(record.chunkSize)
        let chunkCount = Int((before.size + chunkSize - 1) / chunkSize)
        let expectedSize = { (index: Int) in Int(min(chunkSize, before.size - Int64(index) * chunkSize)) }

        // Every byte was hashed after the file's last write: the running digest is the file's.
        // What a later look compares with: a rewrite in place at the same size moves these.
        record.takeTimes(of: before)
        if let proven = work.digest.provenDigest(size: before.size, changed: before.changed),
           (0..<chunkCount).allSatisfy({ chunks[$0]?.size == expectedSize($0) }) {
            if let moved = await changedSince(before, path: path, record: record) { return moved }
            return await complete(record, size: before.size, sha256: proven, chunks: (0..<chunkCount).compactMap { chunks[$0] },
                                  repaired: 0, reread: false, started: started)
        }

        let range = context.fileRange(record, offset: 0, length: Int(before.size))
        let abort = context.abort
        let size = record.chunkSize
        let kinds = chunks.mapValues(\.checksum.kind)
        let modeKind = context.storage.checksumKind
        let digest = context.output.fileDigest
        guard let scanned = await context.reader.run({ buffer in
            FileVerification.scan(range, chunkSize: size, kind: { kinds[$0] ?? modeKind }, digest: digest, buffer: buffer, abort: abort)
        }) else { return .stopped }
        let verification: FileVerification
        switch scanned {
        case .success(let result): verification = result
        case .failure(let error): return closer.failed(reading: error, record: record)
        }
        guard verification.size == before.size else { return .changed(record) }

        var repaired = 0
        for (index, hash) in verification.chunkHashes.enumerated() {
            if let existing = chunks[index], existing.checksum == hash, existing.size == expectedSize(index) { continue }
            work.digest.invalidate()  // bytes changed after they were hashed: the running digest is wrong
            switch await repair(record, index: index, offset: Int64(index) * chunkSize, length: expectedSize(index)) {
            case .success(let chunk):
                chunks[index] = chunk
                repaired += 1
            case .failure(let stop):
                return stop.outcome
            }
        }

        if let moved = await changedSince(before, path: path, record: record) { return moved }
        return await complete(record, size: verification.size, sha256: verification.fileDigest,
                              chunks: (0..<verification.chunkHashes.count).compactMap { chunks[$0] }, repaired: repaired,
                              reread: true, started: started)
    }

    /// How the job ends if the file is no longer as it was at `before` (gone, unreadable, written
    /// to); nil if it is unchanged and the manifest may be written.
    private func changedSince(_ before: FileStatus, path: [CChar], record: StreamRecord) async -> WorkOutcome? {
        switch await FileCalls.shared.status(path) {
        case .success(let now): now.isUnchanged(since: before) ? nil : .changed(record)
        case .failure(let error): error.isMissing ? .vanished : .unreadable(record, .unreadable(error))
        }
    }

    /// Re-reads and re-sends one chunk whose bytes differ from what the store holds.
    private func repair(_ record: StreamRecord, index: Int, offset: Int64, length: Int) async -> Result<ChunkRecord, Stop> {
        let sent: ChunkSender.SentChunk
        switch await sender.hashAndSend(record, offset: offset, length: length, into: nil) {
        case .sent(let chunk): sent = chunk
        case .stopped: return .failure(Stop(outcome: .stopped))
        case .failed(let error): return .failure(Stop(outcome: closer.failed(reading: error, record: record)))
        case .refused(let error): return .failure(Stop(outcome: closer.failed(refusal: error, record: record)))
        }
        let repaired = ChunkRecord(index: index, size: length, checksum: sent.hash.checksum, etag: sent.put.etag)
        guard await context.checkpoints.repair(record.id, chunk: repaired) != nil else { return .failure(Stop(outcome: .stopped)) }
        context.metrics.chunkRepaired()
        context.logger.info("chunk changed after upload; sent again", metadata: [
            "event": "chunk.repaired",
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunk.index": "\(index)", "chunk.bytes": "\(length)",
        ])
        return .success(repaired)
    }

    /// A step that ends the job with `outcome`.
    struct Stop: Error { let outcome: WorkOutcome }

    /// Assembles the whole object when `OUTPUT` asks for one, writes the manifest, deletes the
    /// chunk objects when only the whole object is to stay, then marks the stream finalized.
    /// Each step is safe to repeat: a crash anywhere ends in the same bucket at the next try.
    /// `isNew`: the stream is not in Redis yet (the single-chunk shortcut) and is created finalized.
    package func complete(_ record: StreamRecord, size: Int64, sha256: String, chunks: [ChunkRecord], repaired: Int,
                  reread: Bool, started: ContinuousClock.Instant, isNew: Bool = false) async -> WorkOutcome {
        let stored: Stored
        switch await storeCompletion(record, size: size, sha256: sha256, chunks: chunks, repaired: repaired,
                                     reread: reread, started: started, isNew: isNew) {
        case .success(let done): stored = done
        case .failure(let stop): return stop.outcome
        }
        guard let marked = await context.checkpoints.finalize(stored.finalized, isNew: isNew) else { return .stopped }
        return await recorded(stored, marked: marked)
    }

    /// A finished stream whose bucket side is done (whole object, manifest, chunk deletion) and
    /// which Redis is yet to record.
    package struct Stored: Sendable {
        package var record: StreamRecord
        package var finalized: StreamRecord
        package var manifestKey: String
        package var repaired: Int
        var reread: Bool
        package var started: ContinuousClock.Instant
        package var isNew: Bool
    }

    /// The bucket side of `complete`.
    func storeCompletion(_ record: StreamRecord, size: Int64, sha256: String, chunks: [ChunkRecord], repaired: Int,
                         reread: Bool, started: ContinuousClock.Instant, isNew: Bool) async -> Result<Stored, Stop> {
        let completedAt = WallClock.nowMilliseconds()
        var manifest = Manifest(
            record: record, chunks: chunks, layout: context.layout, complete: true, size: size, sha256: sha256,
            completedAt: completedAt, repairedChunks: record.repairedChunks + repaired)
        if context.output.mode.assemblesWhole {
            switch await WholeObjectAssembler(context: context).assemble(record, chunks: chunks, size: size, sha256: sha256) {
            case .assembled(let object):
                manifest.object = object
                manifest.output = context.output.mode.rawValue
            case .tooManyParts:
                context.logger.warning("too many chunks for one object (a multipart upload takes 10000); this recording stays as chunks", metadata: [
                    "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunks": "\(chunks.count)",
                ])
            case .notJoinable:
                context.logger.warning("this recording's first chunks went up before ENCRYPT_TO was set; it stays as chunks", metadata: [
                    "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunks": "\(chunks.count)",
                ])
            case .chunksGone:
                context.logger.warning("the chunks of this recording were already deleted after an earlier assembly; starting a new stream for the file as it is now", metadata: [
                    "file.path": "\(record.path)", "stream.id": "\(record.id)",
                ])
                return .failure(Stop(outcome: .otherGeneration))
            case .unconfirmed:
                return .failure(Stop(outcome: .changed(record)))
            case .stopped:
                return .failure(Stop(outcome: .stopped))
            }
        }
        let key: String
        switch await closer.store(manifest, record: record) {
        case .stored(let stored): key = stored
        // A small file's shortcut has no record in Redis to mark failed: it takes the usual way,
        // which records the stream and fails it there.
        case .refused where isNew: return .failure(Stop(outcome: .declined))
        case .refused(let error): return .failure(Stop(outcome: closer.failed(refusal: error, record: record)))
        case .stopped: return .failure(Stop(outcome: .stopped))
        }
        let deleteChunks = !manifest.keepsChunks
        if deleteChunks {
            guard await deleteChunkObjects(record, count: chunks.count) else { return .failure(Stop(outcome: .stopped)) }
        }
        let finalized = record.finalized(size: size, chunkCount: manifest.chunks.count, sha256: sha256, completedAt: completedAt,
                                         repairedChunks: manifest.repairedChunks, objectKey: manifest.object?.key,
                                         chunksDeleted: deleteChunks)
        return .success(Stored(record: record, finalized: finalized, manifestKey: key, repaired: repaired, reread: reread,
                               started: started, isNew: isNew))
    }

    /// Reports a stream Redis was asked to record finalized: `marked` if it did.
    package func recorded(_ stored: Stored, marked: Bool) async -> WorkOutcome {
        let record = stored.record
        let finalized = stored.finalized
        guard marked else {  // abandoned or moved on meanwhile: take what Redis holds now
            guard let reloaded = await context.checkpoints.load(record.id) else { return .stopped }
            return .progressed(reloaded ?? record)
        }
        if stored.isNew { context.metrics.streamsStarted.increment() }
        context.metrics.streamFinalized()
        context.logger.info("stream finalized", metadata: [
            "event": "stream.finalized",
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "file.size": "\(finalized.fileSize)",
            "file.sha256": "\(finalized.sha256 ?? "-")", "chunks": "\(finalized.chunkCount)", "chunks.repaired": "\(stored.repaired)",
            "verified": "\(stored.reread ? "re-read" : "hashed once, unchanged since")",
            "finalize.ms": "\((ContinuousClock.now - stored.started).milliseconds)",
            "manifest.key": "\(stored.manifestKey)", "object.key": "\(finalized.objectKey ?? "-")",
        ])
        return .finalized(finalized)
    }

    /// Deletes the stream's chunk objects once its whole object and manifest are confirmed.
    private func deleteChunkObjects(_ record: StreamRecord, count: Int) async -> Bool {
        let storage = context.storage
        for index in 0..<count {
            let key = context.layout.chunkKey(streamPrefix: record.keyPrefix, index: index)
            guard await context.storeCall({ () async throws(StoreError) in try await storage.delete(key: key) }) != nil else { return false }
        }
        return true
    }
}
