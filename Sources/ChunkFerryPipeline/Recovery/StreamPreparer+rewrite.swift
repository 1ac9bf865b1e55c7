import ChunkFerryCheckpoint
import ChunkFerrySupport
import Logging

/// A finished file whose modification or status-change time moved while its size did not: loop
/// recorders, dashcams and NVRs that pre-allocate files rewrite them in place this way.
extension StreamPreparer {
    enum RewriteFinding: Sendable {
        /// Same bytes (touched, its mode changed): the record, with the new times.
        case same(StreamRecord)
        /// Other bytes: the file is a new recording; the old one stays in the store as it is.
        case rewritten
        case gone
        /// It could not be read (permissions, I/O): compared again later, nothing sent meanwhile.
        case unreadable(FileReadError)
        case stopped
    }

    /// Reads the file once, hashing it as chunks the way the finalizer does, and compares it
    /// with the finalized recording's digest (which covers every chunk).
    func compareRewritten(_ record: StreamRecord, status: FileStatus) async -> RewriteFinding {
        guard let recorded = record.sha256 else { return .rewritten }
        let range = context.fileRange(record, offset: 0, length: Int(status.size))
        let (abort, chunkSize, kind) = (context.abort, record.chunkSize, context.storage.checksumKind)
        guard let scanned = await context.reader.run({ buffer in
            FileVerification.scan(range, chunkSize: chunkSize, kind: { _ in kind }, digest: FileDigest.kind(of: recorded), buffer: buffer, abort: abort)
        }) else { return .stopped }
        switch scanned {
        case .failure(.vanished):
            return .gone
        case .failure(.unreadable(let error)):
            return .unreadable(.unreadable(error))
        case .failure:
            // Changing under the read (shorter, replaced): other bytes than the recording's.
            logRewrite(record, changed: true)
            return .rewritten
        case .success(let verification):
            guard verification.fileDigest == recorded, verification.size == record.fileSize else {
                logRewrite(record, changed: true)
                return .rewritten
            }
        }
        var updated = record
        updated.takeTimes(of: status)
        guard let replaced = await context.checkpoints.replaceCompact(record, with: updated) else { return .stopped }
        if !replaced {
            // Redis moved on meanwhile (another instance, a gone mark): the next look compares again.
            context.logger.debug("the finished record changed meanwhile; its times were not updated", metadata: ["stream.id": "\(record.id)"])
        }
        logRewrite(record, changed: false)
        return .same(updated)
    }

    private func logRewrite(_ record: StreamRecord, changed: Bool) {
        let metadata: Logger.Metadata = ["file.path": "\(record.path)", "stream.id": "\(record.id)", "file.size": "\(record.fileSize)"]
        if changed {
            context.logger.notice("finished file rewritten in place with other bytes; uploading it as a new recording (the old one stays in the store)",
                                  metadata: metadata.merging(["event": "file.rewritten"]) { $1 })
        } else {
            context.logger.info("finished file's times moved but its bytes did not; nothing to upload",
                                metadata: metadata.merging(["event": "file.touched"]) { $1 })
        }
    }
}
