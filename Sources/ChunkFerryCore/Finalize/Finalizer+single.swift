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
        let record = StreamRecord(
            id: work.streamID, path: work.path, device: work.status.device, inode: work.status.inode,
            chunkSize: context.upload.chunkSize, keyPrefix: context.layout.streamPrefix(path: work.path, streamID: work.streamID),
            startedAt: WallClock.nowMilliseconds(), host: context.upload.nodeID)
        let range = context.fileRange(record, offset: 0, length: Int(size))
        let integrity = context.s3.settings.integrity
        // In sha256 mode the chunk's digest is the file's; otherwise one pass feeds both.
        let whole = integrity.checksumKind == .sha256 ? nil : DigestBox(Digest(.sha256))
        let hash: ChunkReader.Hash
        do {
            hash = try await context.reader.hash(range, integrity.checksumKind, md5: integrity == .md5, continuing: whole)
        } catch {
            return .declined
        }
        let sha256: String
        if let whole {
            sha256 = ByteEncoding.hex(whole.digest.copy().finalize())
        } else if case .sha256(let digest) = hash.checksum {
            sha256 = ByteEncoding.hex(digest)
        } else {
            return .declined
        }
        let key = context.layout.chunkKey(streamPrefix: record.keyPrefix, index: 0)
        let put: S3PutResult
        switch await worker.putConfirmed(key: key, range, hash) {
        case .confirmed(let result): put = result
        case .stopped: return .stopped
        case .sourceChanged: return .declined
        }
        // Unchanged since it was read: same size and times, and the ctime the read saw.
        guard case .success(let now) = FileStatus.of(context.absolutePath(work.path)), now.isUnchanged(since: work.status),
              now.changed == hash.changed else { return .declined }
        let chunk = ChunkRecord(index: 0, size: Int(size), checksum: hash.checksum, etag: put.etag)
        worker.metrics.bytesUploaded.increment(by: Int(size))
        worker.metrics.chunksUploaded.increment()
        return await complete(record, size: size, sha256: sha256, chunks: [chunk], repaired: 0, reread: false,
                              started: started, isNew: true)
    }
}
