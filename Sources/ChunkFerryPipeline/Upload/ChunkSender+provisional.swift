import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// MAX_LAG: the bytes past a growing file's last whole chunk, sent in pieces: each flush sends
/// only what the earlier ones did not, as its own small object, so a recorder destroyed
/// mid-chunk loses only the last seconds and the uplink carries each byte once before its chunk.
extension ChunkSender {
    /// Sends the bytes past the stream's last whole chunk that no piece holds yet.
    func sendProvisional(_ work: StreamWork) async -> WorkOutcome {
        let preparation = await preparer.prepare(work)
        guard case .ready(let record) = preparation else { return preparation.ending }
        guard record.state == .active else { return .progressed(record) }
        let end: Int64
        switch await FileCalls.shared.status(context.absolutePath(work.path)) {
        case .success(let status): end = status.size
        case .failure(let error): return error.isMissing ? .vanished : .unreadable(record, .unreadable(error))
        }
        let chunkStart = record.committedOffset
        guard end > chunkStart, end - chunkStart < Int64(record.chunkSize) else { return .progressed(record) }
        let index = record.chunkCount
        // Pieces already in the store for this chunk go on from where they end; otherwise (a new
        // chunk, a restart, a file shorter than they said) the first piece starts at the chunk.
        var tail = ProvisionalTail(index: index, end: chunkStart, pieces: [])
        if let earlier = work.provisional, earlier.index == index, earlier.end > chunkStart, earlier.end <= end {
            tail = earlier
        }
        guard end > tail.end else { return .progressed(record) }
        let offset = tail.end
        let length = Int(end - offset)
        let hash: ChunkReader.Hash
        switch await hashChunk(record, offset: offset, length: length, into: nil) {
        case .success(let result): hash = result
        case .failure(let error): return closer.failed(reading: error, record: record)
        }
        let key = context.layout.provisionalKey(streamPrefix: record.keyPrefix, index: index, from: offset - chunkStart)
        var attributes = ObjectAttributes(temporary: true, streamID: record.id, chunkIndex: index)
        attributes.lock = .tail
        let sending = ContinuousClock.now
        switch await putConfirmed(key: key, context.fileRange(record, offset: offset, length: length), hash, attributes) {
        case .confirmed: break
        case .stopped: return .stopped
        case .sourceChanged(let error): return closer.failed(reading: error, record: record)
        case .refused(let error): return closer.failed(refusal: error, record: record)
        }
        context.metrics.provisionalBytes.increment(by: length)
        tail.pieces.append(offset - chunkStart)
        tail.end = end
        await manager.tailSent(work.path, streamID: work.streamID, tail: tail, bytes: length, took: .now - sending)
        context.logger.debug("provisional tail uploaded", metadata: [
            "event": "provisional.uploaded",
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunk.index": "\(index)", "tail.bytes": "\(length)",
            "tail.pieces": "\(tail.pieces.count)",
        ])
        // Pieces of an earlier chunk, or of a tail begun again, that the new one does not list.
        if let earlier = work.provisional { await dropProvisional(earlier, record: record, keeping: tail) }
        if work.sweepPieces, tail.pieces == [0] { await sweepLeftPieces(record: record, keeping: tail) }
        return .progressed(record)
    }

    /// Deletes the provisional pieces a committed chunk (or the finished file) now holds. One try
    /// each: a leftover is harmless (restore prefers chunks and manifests) and must not hold a
    /// worker.
    func dropProvisionalIfCovered(_ work: StreamWork, outcome: WorkOutcome) async {
        guard let tail = work.provisional else { return }
        let record: StreamRecord
        switch outcome {
        case .progressed(let current), .finalized(let current), .changed(let current), .refused(let current, _): record = current
        case .unreadable(let current?, _): record = current
        default: return
        }
        guard record.chunkCount > tail.index || record.state != .active else { return }
        await dropProvisional(tail, record: record)
    }

    /// The first tail this run sends for a stream: pieces an earlier run left (it was stopped
    /// before their chunk was committed) are covered by the new first piece or by chunks; they
    /// go, so that no commit leaves them behind. One listing per stream and run.
    private func sweepLeftPieces(record: StreamRecord, keeping tail: ProvisionalTail) async {
        guard context.storage.lists else { return }
        let prefix = record.keyPrefix + "provisional-"
        guard let objects = try? await context.storage.list(prefix: prefix) else { return }
        for object in objects {
            guard let piece = ObjectLayout.provisionalPiece(object.key.dropFirst(record.keyPrefix.count)),
                  piece.index < tail.index || (piece.index == tail.index && !tail.pieces.contains(piece.from)) else { continue }
            try? await context.storage.delete(key: object.key)
        }
    }

    /// Deletes `tail`'s pieces, but those `keeping` (the tail now in the store) still lists.
    private func dropProvisional(_ tail: ProvisionalTail, record: StreamRecord, keeping: ProvisionalTail? = nil) async {
        for from in tail.pieces where keeping.map({ $0.index != tail.index || !$0.pieces.contains(from) }) ?? true {
            let key = context.layout.provisionalKey(streamPrefix: record.keyPrefix, index: tail.index, from: from)
            do {
                try await context.storage.delete(key: key)
            } catch {
                context.logger.debug("provisional tail left in the store", metadata: ["stream.id": "\(record.id)", "error": "\(error)"])
            }
        }
    }
}
