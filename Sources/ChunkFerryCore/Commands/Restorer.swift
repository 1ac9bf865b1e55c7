#if canImport(Glibc)
import Glibc
#endif

/// `chunkferry restore`: a manifest back into the original file, every byte verified, written
/// under a temporary name and renamed into place only when everything matched.
public struct Restorer: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    let storage: any ObjectStore
    let store: CheckpointStore?
    /// `S3_PREFIX`, normalized: where recordings named by their path are looked for.
    let prefix: String

    init(storage: any ObjectStore, store: CheckpointStore?, prefix: String = "") {
        self.storage = storage
        self.store = store
        self.prefix = ObjectLayout(prefix: prefix).prefix
    }

    public init(storage settings: StorageSettings, store: CheckpointStore?, prefix: String = "") throws(StoreError) {
        self.init(storage: try settings.makeStore(connections: 1), store: store, prefix: prefix)
    }

    /// `reference` is a stream id, a manifest key, or the recording's path (relative to WATCH_DIR,
    /// or its whole object's key). Returns the manifest that was restored.
    public func restore(_ reference: String, to output: String) async throws(Failure) -> Manifest {
        let key = try await manifestKey(for: reference)
        let manifest: Manifest
        do {
            manifest = try Manifest.decode(try await fetch(key: key, range: nil))
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: "\(key) is not a ChunkFerry manifest: \(error)")
        }
        guard manifest.version == 1 else { throw Failure(description: "\(key) has manifest version \(manifest.version); this ChunkFerry reads version 1") }
        guard manifest.isContiguous else { throw Failure(description: "\(key) lists chunks that do not cover the file exactly") }

        let temporary = Self.temporaryPath(for: output)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "cannot create \(temporary): \(Errno(errno))") }
        var closed = false
        defer {
            if !closed { close(descriptor) }
            unlink(temporary)
        }
        var digest = Digest(.sha256)
        // Without chunk objects (OUTPUT=whole) each chunk is read as its range of the whole object,
        // and checked against its own checksum all the same.
        let whole = manifest.keepsChunks ? nil : manifest.object
        if !manifest.keepsChunks && whole == nil { throw Failure(description: "\(key) says its chunks were deleted but names no whole object") }
        for chunk in manifest.chunks {
            let source = whole.map { "\($0.key) bytes \(chunk.offset)–\(chunk.offset + Int64(chunk.size))" } ?? chunk.key
            let bytes = try await fetch(key: whole?.key ?? chunk.key,
                                        range: whole.map { _ in chunk.offset..<(chunk.offset + Int64(chunk.size)) })
            guard bytes.count == chunk.size else {
                throw Failure(description: "chunk \(chunk.index) (\(source)) has \(bytes.count) bytes, the manifest says \(chunk.size)")
            }
            guard let expected = chunk.checksum else {
                throw Failure(description: "chunk \(chunk.index) of \(key) names no sha256 or crc32c this ChunkFerry can check")
            }
            guard expected.kind.checksum(of: bytes) == expected else {
                throw Failure(description: "chunk \(chunk.index) (\(source)) does not match its \(expected.kind) in the manifest")
            }
            bytes.withUnsafeBytes { digest.update($0) }
            try Self.writeAll(descriptor, bytes, path: temporary)
        }
        let restoredHash = ByteEncoding.hex(digest.finalize())
        if let expected = manifest.sha256, restoredHash != expected {
            throw Failure(description: "the restored bytes do not match the file's SHA-256 in the manifest")
        }
        if manifest.sha256 == nil && manifest.complete {
            throw Failure(description: "\(key) has no whole-file SHA-256 although it says it is complete")
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else { throw Failure(description: "cannot flush \(temporary): \(Errno(errno))") }
        closed = true
        guard rename(temporary, output) == 0 else { throw Failure(description: "cannot rename \(temporary) to \(output): \(Errno(errno))") }
        return manifest
    }

    func fetch(key: String, range: Range<Int64>?) async throws(Failure) -> [UInt8] {
        var attempt = 0
        while true {
            do {
                return try await storage.get(key: key, range: range)
            } catch where error.isRetryable && attempt < 4 {
                attempt += 1
                try? await Task.sleep(for: RetryPolicy().delay(afterAttempt: attempt))
            } catch {
                throw Failure(description: error.isNotFound
                              ? "\(key) is not in \(storage.location)" : error.description)
            }
        }
    }

    static func temporaryPath(for output: String) -> String {
        let slash = output.lastIndex(of: "/")
        let directory = slash.map { String(output[...$0]) } ?? ""
        let name = slash.map { String(output[output.index(after: $0)...]) } ?? output
        return "\(directory).\(name).restore-\(getpid())"
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot write \(path): \(Errno(errno))")
            }
            written += result
        }
    }
}
