extension Finalizer {
    /// A new file that was complete when first seen (idle already) and fits in one chunk, as
    /// snapshot cameras and alert folders leave them by the thousand: one read gives the chunk's
    /// checksum and the file's SHA-256, one PUT sends it, then the manifest, then one Redis call
    /// records the stream finalized. No lease and no bucket listing: a second instance or a
    /// wiped Redis makes it write the same bytes to the same keys again, nothing worse.
    /// Anything unexpected declines, and the stream takes the usual way.
    func finalizeSingleChunk(_ work: StreamWork) async -> WorkOutcome {
        let started = ContinuousClock.now
        let size = work.status.size
        let record = worker.newRecord(for: work)
        // In sha256 mode the chunk's digest is the file's; otherwise the same read feeds both.
        let whole = context.s3.settings.integrity.checksumKind == .sha256 ? nil : DigestBox(Digest(.sha256))
        guard case .success(let hash) = await worker.hashChunk(record, offset: 0, length: Int(size), into: whole) else { return .declined }
        let sent: StreamWorker.SentChunk
        switch await worker.sendChunk(record, offset: 0, length: Int(size), hash: hash) {
        case .sent(let chunk): sent = chunk
        case .stopped: return .stopped
        case .failed: return .declined
        }
        // Unchanged since it was read: same size and times, and the ctime the read saw.
        guard case .success(let now) = FileStatus.of(context.absolutePath(work.path)), now.isUnchanged(since: work.status),
              now.changed == hash.changed else { return .declined }
        worker.metrics.chunkConfirmed(sent)
        // A SHA-256 chunk checksum's encoded form is the hex digest the manifest wants.
        let sha256 = whole.map { ByteEncoding.hex($0.digest.copy().finalize()) } ?? hash.checksum.encoded
        let chunk = ChunkRecord(index: 0, size: Int(size), checksum: hash.checksum, etag: sent.put.etag)
        return await complete(record, size: size, sha256: sha256, chunks: [chunk], repaired: 0, reread: false,
                              started: started, isNew: true)
    }
}
