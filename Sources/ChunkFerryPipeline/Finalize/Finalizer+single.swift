import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport

extension Finalizer {
    /// A new file that was complete when first seen (idle already) and fits in one chunk, as
    /// snapshot cameras and alert folders leave them by the thousand: one read gives the chunk's
    /// checksum and the file's digest, one PUT sends it, then the manifest, then one Redis call
    /// (pipelined with other files') records the stream finalized. No lease and no bucket listing: a second instance or a
    /// wiped Redis makes it write the same bytes to the same keys again, nothing worse.
    /// Anything unexpected declines, and the stream takes the usual way. Once the chunk is
    /// confirmed the file goes to the `SmallFileFinisher` (nil), which reports its outcome.
    func finalizeSingleChunk(_ work: StreamWork) async -> WorkOutcome? {
        let started = ContinuousClock.now
        let size = work.status.size
        var record = sender.preparer.newRecord(for: work)
        record.takeTimes(of: work.status)
        // The chunk's checksum is the file's when they are of one kind (a SHA-256 chunk in sha256
        // mode, a CRC32C chunk with FILE_DIGEST=crc32c); otherwise the same read feeds both.
        let chunkIsFile = context.output.fileDigest == .crc32c || context.storage.checksumKind == .sha256
        let whole = chunkIsFile ? nil : DigestBox(Digest(.sha256))
        let sent: ChunkSender.SentChunk
        switch await sender.hashAndSend(record, offset: 0, length: Int(size), into: whole) {
        case .sent(let chunk): sent = chunk
        case .stopped: return .stopped
        case .failed, .refused: return .declined
        }
        let hash = sent.hash
        // Unchanged since it was read: same size and times, and the ctime the read saw.
        guard case .success(let now) = await FileCalls.shared.status(context.absolutePath(work.path)), now.isUnchanged(since: work.status),
              now.changed == hash.changed else { return .declined }
        context.metrics.chunkConfirmed(sent)
        // A SHA-256 chunk checksum's encoded form is the hex digest the manifest wants.
        let sha256: String
        switch (whole, hash.checksum) {
        case (let whole?, _): sha256 = ByteEncoding.hex(whole.copy().finalize())
        case (nil, .crc32c(let value)): sha256 = FileDigest.text(CRC32C(value: value))
        case (nil, .sha256): sha256 = hash.checksum.encoded
        }
        let chunk = ChunkRecord(index: 0, size: Int(size), checksum: hash.checksum, etag: sent.put.etag)
        await finisher.submit(SmallFileFinisher.Item(record: record, size: size, sha256: sha256, chunk: chunk, started: started))
        return nil
    }
}
