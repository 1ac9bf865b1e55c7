import ChunkFerryStorage
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Checksums byte ranges of files on threads of its own, in 256 KiB pieces through one reusable buffer
/// per thread: no chunk is ever held in memory whole (curl later streams it from the file), and
/// neither a slow disk nor SHA-256 stalls Swift's cooperative threads.
final class ChunkReader: Sendable {
    struct Hash: Sendable {
        package var checksum: ChunkChecksum
        package var md5: [UInt8]?
        /// The file's status-change time (ns) when the pass began.
        package var changed: Int64
        /// Whether its filesystem keeps timestamps fine enough to prove anything with.
        package var hasFineTimestamps: Bool
        /// Wall-clock ms when the pass began.
        var hashedAt: Int64
        /// The bytes hashed (a CRC32C's length, for combining).
        package var length = 0
    }

    package static let pieceSize = 1 << 18
    private let workers: BlockingWorkerPool<ReadBuffer>

    package init(threads: Int) {
        workers = BlockingWorkerPool(name: "reader", workers: max(1, threads)) { ReadBuffer(size: ChunkReader.pieceSize) }
    }

    deinit { workers.shutdown(wait: false) }

    /// Reads on up to `threads` threads from now on (never fewer than now).
    package func grow(to threads: Int) {
        workers.grow(to: threads)
    }

    /// The range's checksum of `kind` (and MD5 when asked), feeding `continuing` with the same bytes.
    package func hash(_ range: FileRange, _ kind: ChunkChecksum.Kind, md5: Bool = false,
              continuing running: DigestBox? = nil) async throws(FileReadError) -> Hash {
        let result: Result<Hash, FileReadError>
        do {
            result = try await workers.run { buffer in
                do throws(FileReadError) {
                    return .success(try Self.hash(range, kind, md5: md5, continuing: running, buffer: buffer.bytes))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw .unreadable(Errno(ECANCELED))
        }
        return try result.get()
    }

    /// Runs `body` on a reader thread with that thread's buffer (whole-file verification).
    package func run<T: Sendable>(_ body: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> T) async -> T? {
        try? await workers.run { buffer in body(buffer.bytes) }
    }

    private static func hash(_ range: FileRange, _ kind: ChunkChecksum.Kind, md5 wantsMD5: Bool, continuing running: DigestBox?,
                             buffer: UnsafeMutableRawBufferPointer) throws(FileReadError) -> Hash {
        let hashedAt = WallClock.nowMilliseconds()
        let opened = try range.open()
        let descriptor = opened.descriptor
        defer { close(descriptor) }
        var sha = kind == .sha256 ? Digest(.sha256) : nil  // a context per chunk only when it is fed
        var crc = CRC32C()
        var md5 = wantsMD5 ? Digest(.md5) : nil
        var position = range.offset
        var remaining = range.length
        while remaining > 0 {
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(remaining, buffer.count)])
            let got = try FileRange.read(descriptor, into: piece, at: position)
            guard got > 0 else { throw .truncated(available: range.length - remaining) }
            let bytes = UnsafeRawBufferPointer(rebasing: piece[0..<got])
            if kind == .sha256 { sha?.update(bytes) } else { crc.update(bytes) }
            md5?.update(bytes)
            running?.update(bytes)
            position += Int64(got)
            remaining -= got
        }
        let checksum: ChunkChecksum = if let digest = sha?.finalize() { .sha256(digest) } else { .crc32c(crc.value) }
        return Hash(checksum: checksum, md5: md5?.finalize(), changed: opened.changed,
                    hasFineTimestamps: FilesystemTypes.hasFineTimestamps(device: range.device), hashedAt: hashedAt, length: range.length)
    }
}

/// One reader thread's buffer, allocated once.
final class ReadBuffer {
    package let bytes: UnsafeMutableRawBufferPointer

    package init(size: Int) {
        bytes = .allocate(byteCount: size, alignment: 64)
    }

    deinit { bytes.deallocate() }
}
