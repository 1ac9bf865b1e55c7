import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// MAX_LAG: the bytes past a growing file's last whole chunk, sent as one provisional object
/// that each flush replaces, so a recorder destroyed mid-chunk loses only the last seconds.
extension ChunkSender {
    /// Sends `[committed offset, file size)` as the stream's provisional tail.
    func sendProvisional(_ work: StreamWork) async -> WorkOutcome {
        let preparation = await preparer.prepare(work)
        guard case .ready(let record) = preparation else { return preparation.ending }
        guard record.state == .active else { return .progressed(record) }
        let end: Int64
        switch await FileCalls.shared.status(context.absolutePath(work.path)) {
        case .success(let status): end = status.size
        case .failure(let error): return error.isMissing ? .vanished : .unreadable(record, .unreadable(error))
        }
        let offset = record.committedOffset
        guard end > offset, end - offset < Int64(record.chunkSize) else { return .progressed(record) }
        let length = Int(end - offset)
        let hash: ChunkReader.Hash
        switch await hashChunk(record, offset: offset, length: length, into: nil) {
        case .success(let result): hash = result
        case .failure(let error): return closer.failed(reading: error, record: record)
        }
        let index = record.chunkCount
        let key = context.layout.provisionalKey(streamPrefix: record.keyPrefix, index: index)
        let attributes = ObjectAttributes(temporary: true, streamID: record.id, chunkIndex: index)
        switch await putConfirmed(key: key, context.fileRange(record, offset: offset, length: length), hash, attributes) {
        case .confirmed: break
        case .stopped: return .stopped
        case .sourceChanged(let error): return closer.failed(reading: error, record: record)
        case .refused(let error): return closer.failed(refusal: error, record: record)
        }
        context.metrics.provisionalBytes.increment(by: length)
        await manager.tailSent(work.path, streamID: work.streamID, tail: ProvisionalTail(index: index, end: end))
        context.logger.debug("provisional tail uploaded", metadata: [
            "event": "provisional.uploaded",
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunk.index": "\(index)", "tail.bytes": "\(length)",
        ])
        if let earlier = work.provisional, earlier.index < index { await dropProvisional(earlier, record: record) }
        return .progressed(record)
    }

    /// Deletes the provisional tail a committed chunk (or the finished file) now holds. One try:
    /// a leftover is harmless (restore prefers chunks and manifests) and must not hold a worker.
    func dropProvisionalIfCovered(_ work: StreamWork, outcome: WorkOutcome) async {
        guard let tail = work.provisional else { return }
        let record: StreamRecord
        switch outcome {
        case .progressed(let current), .finalized(let current): record = current
        default: return
        }
        guard record.chunkCount > tail.index || record.state != .active else { return }
        await dropProvisional(tail, record: record)
    }

    private func dropProvisional(_ tail: ProvisionalTail, record: StreamRecord) async {
        let key = context.layout.provisionalKey(streamPrefix: record.keyPrefix, index: tail.index)
        do {
            try await context.storage.delete(key: key)
        } catch {
            context.logger.debug("provisional tail left in the store", metadata: ["stream.id": "\(record.id)", "error": "\(error)"])
        }
    }
}
