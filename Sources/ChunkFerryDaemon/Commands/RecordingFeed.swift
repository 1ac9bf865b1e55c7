import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport

/// A recording's bytes as `verify --deep` reads them, in order and in pieces of any size: each
/// chunk checked against its checksum in the manifest as its last byte arrives, the whole hashed.
/// A class: the pieces come from a loop or from age's reader, and the digests must not be copied.
final class RecordingFeed {
    struct Outcome: Sendable {
        /// Positions in the manifest's `chunks` whose bytes do not match their checksum.
        var mismatched: [Int]
        /// The digest of every byte fed, of the manifest's kind, as `FileDigest` writes it.
        var fileDigest: String
    }

    let chunks: [Manifest.Chunk]
    private var whole: FileDigest.Accumulator
    /// The chunk the next byte belongs to, and how many of its bytes came so far.
    private var position = 0
    private var filled = 0
    private var chunkSHA256 = Digest(.sha256)
    private var chunkCRC32C = CRC32C()
    private var mismatched: [Int] = []

    /// `digest`: the manifest's whole-file digest, which says which kind to keep.
    init(chunks: [Manifest.Chunk], digest: String?) {
        self.chunks = chunks
        whole = FileDigest.Accumulator(matching: digest ?? "")
    }

    func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { whole.update($0) }
        var start = 0
        // Bytes past the last chunk count only in the whole hash, which then differs.
        while start < bytes.count && position < chunks.count {
            let count = min(bytes.count - start, chunks[position].size - filled)
            let kind = chunks[position].checksum?.kind
            bytes.withUnsafeBytes { raw in
                let piece = UnsafeRawBufferPointer(rebasing: raw[start..<(start + count)])
                switch kind {
                case .sha256: chunkSHA256.update(piece)
                case .crc32c: chunkCRC32C.update(piece)
                case nil: break
                }
            }
            filled += count
            start += count
            if filled == chunks[position].size { closeChunk() }
        }
    }

    /// A chunk not read (already found missing or wrong): the next bytes are the following one's.
    func skip(_ chunk: Manifest.Chunk) {
        guard position < chunks.count, chunks[position].index == chunk.index, filled == 0 else { return }
        position += 1
    }

    func finish() -> Outcome {
        // A chunk begun but cut short (the object ended early) does not match.
        if position < chunks.count && filled > 0 { mismatched.append(position) }
        return Outcome(mismatched: mismatched, fileDigest: whole.text)
    }

    private func closeChunk() {
        if let expected = chunks[position].checksum {
            let actual: ChunkChecksum = switch expected.kind {
            case .sha256: .sha256(chunkSHA256.copy().finalize())
            case .crc32c: .crc32c(chunkCRC32C.value)
            }
            if actual != expected { mismatched.append(position) }
        }
        chunkSHA256 = Digest(.sha256)
        chunkCRC32C = CRC32C()
        filled = 0
        position += 1
    }
}
