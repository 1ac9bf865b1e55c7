#if canImport(Glibc)
import Glibc
#endif

/// Why a file's bytes could not be read.
enum FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Deleted or moved away.
    case vanished
    /// Permission or I/O trouble; may pass.
    case unreadable(Errno)
    /// The file is shorter than the range asked for (truncated meanwhile).
    case truncated(available: Int)
    /// Another file stands at the path now (a different inode than the stream's).
    case replaced

    var description: String {
        switch self {
        case .vanished: "the file no longer exists"
        case .unreadable(let error): "cannot read the file: \(error)"
        case .truncated(let available): "the file became shorter while being read (\(available) bytes left in range)"
        case .replaced: "another file replaced it"
        }
    }
}

/// Reads byte ranges of files with `pread` on threads of its own, hashing them there too, so
/// neither a slow disk nor SHA-256 stalls Swift's cooperative threads.
final class ChunkReader: Sendable {
    struct Chunk: Sendable {
        var bytes: [UInt8]
        var sha256: [UInt8]
    }

    private let workers: BlockingWorkerPool<Void>

    init(threads: Int) {
        workers = BlockingWorkerPool(name: "reader", workers: max(1, threads)) { () }
    }

    deinit { workers.shutdown(wait: false) }

    /// Bytes `[offset, offset + length)` of `path` and their SHA-256, provided the file is still
    /// the stream's (same device and inode): bytes of a file that replaced it must never be
    /// committed to the old stream.
    func read(_ path: [CChar], offset: Int64, length: Int, expecting stream: StreamRecord) async throws(FileReadError) -> Chunk {
        let device = stream.device, inode = stream.inode
        let result: Result<Chunk, FileReadError>
        do {
            result = try await workers.run { _ in
                do throws(FileReadError) {
                    let bytes = try Self.readRange(path, offset: offset, length: length, device: device, inode: inode)
                    return .success(Chunk(bytes: bytes, sha256: Digest.sha256(bytes)))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw .unreadable(Errno(ECANCELED))
        }
        return try result.get()
    }

    /// Runs `body` on a reader thread: for whole-file passes (verification) that read and hash a lot.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        try? await workers.run { _ in body() }
    }

    static func readRange(_ path: [CChar], offset: Int64, length: Int, device: UInt64, inode: UInt64) throws(FileReadError) -> [UInt8] {
        let descriptor = try open(path, device: device, inode: inode)
        defer { close(descriptor) }
        return try readRange(descriptor: descriptor, offset: offset, length: length)
    }

    /// Opens `path` for reading if it is still the file with this device and inode.
    static func open(_ path: [CChar], device: UInt64, inode: UInt64) throws(FileReadError) -> Int32 {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw classify(errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = classify(errno)
            close(descriptor)
            throw error
        }
        guard UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode else {
            close(descriptor)
            throw .replaced
        }
        return descriptor
    }

    static func readRange(descriptor: Int32, offset: Int64, length: Int) throws(FileReadError) -> [UInt8] {
        var failure: FileReadError?
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            var done = 0
            while done < length {
                let got = pread(descriptor, buffer.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = classify(errno)
                    break
                }
                if got == 0 {
                    failure = .truncated(available: done)
                    break
                }
                done += got
            }
            count = done
        }
        if let failure { throw failure }
        return bytes
    }

    static func classify(_ code: Int32) -> FileReadError {
        code == ENOENT || code == ENOTDIR ? .vanished : .unreadable(Errno(code))
    }
}
