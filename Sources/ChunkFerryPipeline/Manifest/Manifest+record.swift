import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport

extension Manifest {
    /// The manifest of `record` with the given confirmed chunks (in index order); `sha256` is the
    /// file's digest as `FileDigest` writes it.
    package init(record: StreamRecord, chunks: [ChunkRecord], layout: ObjectLayout, complete: Bool, size: Int64, sha256: String?,
         completedAt: Int64, repairedChunks: Int) {
        let name = PathEscaping.display(record.path)
        self.init(
            streamID: record.id, path: name.text,
            pathBase64: name.isExact ? nil : ByteEncoding.base64(PathEscaping.unescape(record.path)),
            complete: complete, size: size, sha256: sha256.flatMap { FileDigest.crc32c(in: $0) == nil ? $0 : nil },
            crc32c: sha256.flatMap { FileDigest.crc32c(in: $0) }, chunkSize: record.chunkSize,
            chunks: chunks.map { chunk in
                Chunk(index: chunk.index, key: layout.chunkKey(streamPrefix: record.keyPrefix, index: chunk.index),
                      offset: Int64(chunk.index) * Int64(record.chunkSize), size: chunk.size, checksum: chunk.checksum)
            },
            startedAt: WallClock.rfc3339(milliseconds: record.startedAt),
            completedAt: WallClock.rfc3339(milliseconds: completedAt),
            host: record.host, repairedChunks: repairedChunks)
    }
}

extension ChunkRecord {
    /// A chunk as its manifest lists it (the store's ETag is not kept there); nil when it names
    /// no checksum this version knows.
    package init?(listed chunk: Manifest.Chunk) {
        guard let checksum = chunk.checksum else { return nil }
        self.init(index: chunk.index, size: chunk.size, checksum: checksum, etag: "")
    }
}
