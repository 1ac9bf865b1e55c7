import ChunkFerryStorage
import ChunkFerrySupport

extension PipelineContext {
    /// What `storeFile` stored.
    package struct StoredFile: Sendable {
        package var size: Int64
        package var sha256: String
    }

    /// Stores the local file at `path` (absolute, outside WATCH_DIR: a clip) as one object at
    /// `key` under the prefix, hashed first on a reader thread, retried through outages like a
    /// chunk; nil when the file cannot be read or the daemon is stopping.
    package func storeFile(_ path: String, key: String, attributes: ObjectAttributes) async -> Result<StoredFile, FileReadError>? {
        let cPath = Array(path.utf8CString)
        let status: FileStatus
        switch await FileCalls.shared.status(cPath) {
        case .success(let found): status = found
        case .failure(let error): return .failure(.unreadable(error))
        }
        let range = FileRange(path: cPath, offset: 0, length: Int(status.size), device: status.device, inode: status.inode)
        let sha256 = DigestBox(Digest(.sha256))
        let hash: ChunkReader.Hash
        do throws(FileReadError) {
            hash = try await reader.hash(range, storage.checksumKind, md5: storage.sendsMD5, continuing: sha256)
        } catch {
            return .failure(error)
        }
        let stored: PutResult? = await storeCall { () async throws(StoreError) -> PutResult in
            try await storage.put(key: layout.prefix + key, file: range, checksum: hash.checksum, md5: hash.md5, attributes: attributes)
        }
        guard stored != nil else { return nil }
        return .success(StoredFile(size: status.size, sha256: ByteEncoding.hex(sha256.copy().finalize())))
    }

    /// Stores small bytes (an event's record) at `key` under the prefix; false when stopping.
    package func storeBytes(_ bytes: [UInt8], key: String, attributes: ObjectAttributes) async -> Bool {
        await storeCall { () async throws(StoreError) -> PutResult in
            try await storage.put(key: layout.prefix + key, bytes: bytes, attributes: attributes)
        } != nil
    }

    /// The object at `key` under the prefix as a HEAD describes it; nil when there is none, or
    /// when the store cannot say (then nothing is known to be there).
    package func objectInfo(_ key: String) async -> ObjectInfo? {
        (await storeCall { () async throws(StoreError) -> ObjectInfo? in try await storage.head(key: layout.prefix + key) }) ?? nil
    }

    /// The absolute path of a file under WATCH_DIR, as a string for another program (ffmpeg).
    package func absolutePathString(_ relativePath: String) -> String {
        absolutePath(relativePath).withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The key of a stream's manifest (what restore starts from).
    package func manifestKey(path: String, streamID: String) -> String {
        layout.manifestKey(streamPrefix: layout.streamPrefix(path: path, streamID: streamID))
    }
}
