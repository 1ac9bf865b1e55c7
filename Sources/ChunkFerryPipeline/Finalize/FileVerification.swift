import ChunkFerryStorage
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// One pass over a finished file: each chunk's checksum and the whole file's digest, read through
/// the reader thread's buffer (never a whole chunk in memory).
struct FileVerification: Sendable {
    var chunkHashes: [ChunkChecksum]
    /// As `FileDigest` writes it: a SHA-256's hex, or `crc32c:` and the CRC32C's Base64.
    var fileDigest: String
    package var size: Int64

    /// Hashes the file `file` names (if still that file) as chunks of `chunkSize`, each with the
    /// checksum `kind(index)` (what its record holds); runs on a reader thread. Gives up between
    /// pieces once `abort` is triggered (shutdown).
    static func scan(_ file: FileRange, chunkSize: Int, kind: (Int) -> ChunkChecksum.Kind, digest: FileDigest,
                     buffer: UnsafeMutableRawBufferPointer, abort: TransferAbort) -> Result<FileVerification, FileReadError> {
        do throws(FileReadError) {
            let descriptor = try file.open().descriptor
            defer { close(descriptor) }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { throw .from(errno: errno) }
            let size = Int64(info.st_size)
            var whole = FileDigest.Accumulator(digest)
            var chunk = Digest(.sha256)
            var crc = CRC32C()
            var inChunk = 0
            var hashes: [ChunkChecksum] = []
            var position: Int64 = 0
            while position < size {
                if abort.isTriggered { throw .unreadable(Errno(ECANCELED)) }
                let wanted = Int(min(Int64(buffer.count), size - position, Int64(chunkSize - inChunk)))
                let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted])
                let got = try FileRange.read(descriptor, into: piece, at: position)
                guard got > 0 else { throw .truncated(available: Int(position)) }
                let bytes = UnsafeRawBufferPointer(rebasing: piece[0..<got])
                let chunkKind = kind(hashes.count)
                // A CRC32C costs a twentieth of a SHA-256: the file's is kept directly, not combined.
                whole.update(bytes)
                if chunkKind == .sha256 { chunk.update(bytes) } else { crc.update(bytes) }
                position += Int64(got)
                inChunk += got
                if inChunk == chunkSize || position == size {
                    let finished = chunk
                    chunk = Digest(.sha256)
                    hashes.append(chunkKind == .sha256 ? .sha256(finished.finalize()) : .crc32c(crc.value))
                    crc = CRC32C()
                    inChunk = 0
                }
            }
            return .success(FileVerification(chunkHashes: hashes, fileDigest: whole.text, size: size))
        } catch {
            return .failure(error)
        }
    }
}
