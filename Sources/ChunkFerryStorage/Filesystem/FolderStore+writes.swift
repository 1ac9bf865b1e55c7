import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Writing objects: a temporary name, fsync, the checksum attached, rename, folder fsync.
extension FolderStore {
    package func put(key: String, bytes: [UInt8], attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await put(key: key, streaming: ChecksummedBody(.bytes(bytes)), attributes: attributes)
    }

    /// The bytes are hashed as they are written, so what the checksum vouches for is what the
    /// file holds; a checksum other than the caller's (the source changed since it was hashed)
    /// is refused before the object is renamed into place.
    package func put(key: String, file: FileRange, checksum: ChunkChecksum, md5: [UInt8]?, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        let sha256 = checksum.kind == .sha256 ? DigestBox(Digest(.sha256)) : nil
        let body = ChecksummedBody(.file(file), feeding: sha256)
        return try await write(key: key, body: body, attributes: attributes) { () throws(StoreError) -> ChunkChecksum in
            let written: ChunkChecksum? = if let sha256 { .sha256(sha256.copy().finalize()) } else { body.checksum }
            guard written == checksum else {
                throw StoreError(code: "BadDigest", message: "the bytes written differ from the bytes hashed", httpStatus: nil,
                                 requestID: nil, operation: "PutObject", resource: self.path(key))
            }
            return checksum
        }
    }

    package func put(key: String, streaming body: ChecksummedBody, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await write(key: key, body: body, attributes: attributes) { () throws(StoreError) -> ChunkChecksum in body.checksum! }
    }

    /// A folder hashes what it writes: the caller's checksum is checked against it.
    package func put(key: String, pulled body: ChecksummedBody, checksum: ChunkChecksum, md5: [UInt8]?,
                     attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await write(key: key, body: body, attributes: attributes) { () throws(StoreError) -> ChunkChecksum in
            guard body.checksum == checksum else {
                throw StoreError(code: "BadDigest", message: "the bytes written differ from the bytes hashed", httpStatus: nil,
                                 requestID: nil, operation: "PutObject", resource: self.path(key))
            }
            return checksum
        }
    }

    /// Writes `body` to `key` through a temporary file; `verify` gives the checksum to keep
    /// once every byte is written, or refuses them.
    private func write(key: String, body: ChecksummedBody, attributes: ObjectAttributes,
                       verify: @escaping @Sendable () throws(StoreError) -> ChunkChecksum) async throws(StoreError) -> PutResult {
        let lane = UplinkClass.current
        return try await run("PutObject") { () throws(StoreError) -> PutResult in
            let checksum = try self.commit(key: key, attributes: attributes, "PutObject") { (descriptor) throws(StoreError) -> ChunkChecksum? in
                try self.copy(body, to: descriptor, key: key, lane: lane)
                return try verify()
            }
            return PutResult(etag: StoredAttributes(attributes, checksum: checksum).etag, checksum: checksum?.header.value)
        }
    }

    /// Streams `body` into the open file, hashing it.
    private func copy(_ body: ChecksummedBody, to descriptor: Int32, key: String, lane: UplinkClass) throws(StoreError) {
        func sourceFailed(_ failure: FileReadError) -> StoreError {
            StoreError(code: "SourceChanged", message: "\(failure)", httpStatus: nil, requestID: nil, operation: "PutObject",
                       resource: path(key), sourceFailure: failure)
        }
        do throws(FileReadError) { try body.open() } catch { throw sourceFailed(error) }
        defer { body.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        throttle?.started(lane)
        defer { throttle?.finished(lane) }
        let aborted = StoreError(code: "Aborted", message: "stopped at the shutdown deadline", httpStatus: nil, requestID: nil,
                                 operation: "PutObject", resource: path(key))
        while true {
            if abort?.isTriggered == true { throw aborted }
            guard let count = body.fillPayload(buffer) else { throw sourceFailed(body.failure ?? .changed) }
            if count == 0 { return }
            // Written as the throttle admits it, piece by piece, so a shutdown stops it in between.
            var written = 0
            while written < count {
                let piece = throttle?.admit(count - written, lane: lane) ?? count - written
                guard FileOutput.writeAll(descriptor, UnsafeRawBufferPointer(rebasing: buffer[written..<(written + piece)])) else {
                    throw FolderFiles.failure(errno, "PutObject", path(key))
                }
                written += piece
                if written < count, abort?.isTriggered == true { throw aborted }
            }
        }
    }

    /// Creates a temporary file beside `key`, lets `fill` write it, then makes it the object:
    /// fsync, attributes, rename, folder fsync. Returns what `fill` returned.
    package func commit(key: String, attributes: ObjectAttributes, _ operation: String,
                fill: (Int32) throws(StoreError) -> ChunkChecksum?) throws(StoreError) -> ChunkChecksum? {
        let (folders, name) = try components(of: key, operation)
        guard let folder = try openFolder(folders, create: true, operation, key: key) else {
            throw FolderFiles.failure(ENOENT, operation, path(key))
        }
        defer { close(folder) }
        let temporary = Self.temporaryName()
        let descriptor = openat(folder, temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            var failure = FolderFiles.failure(errno, operation, path(key))
            if failure.isNotFound { failure.code = "IOError" }  // the folder was removed as empty meanwhile: retried
            throw failure
        }
        var open = true
        var placed = false
        defer {
            if open { close(descriptor) }
            if !placed { unlinkat(folder, temporary, 0) }
        }
        let checksum = try fill(descriptor)
        // Attached first, so the fsync makes the checksum as durable as the bytes.
        try attach(StoredAttributes(attributes, checksum: checksum), to: descriptor, folder: folder, name: name, key: key, operation)
        guard fsync(descriptor) == 0 else { throw FolderFiles.failure(errno, operation, path(key)) }
        open = false
        guard close(descriptor) == 0 else { throw FolderFiles.failure(errno, operation, path(key)) }
        guard renameat(folder, temporary, folder, name) == 0 else { throw FolderFiles.failure(errno, operation, path(key)) }
        placed = true
        // The rename is durable only once the folder is: a power cut after this keeps the object.
        guard FolderFiles.syncFolder(folder) else { throw FolderFiles.failure(errno, operation, path(key)) }
        return checksum
    }

    /// Attaches the attributes to the (unnamed yet) object: an extended attribute, or on a
    /// filesystem without them a sidecar naming the file's inode, written the same careful way.
    package func attach(_ attributes: StoredAttributes, to descriptor: Int32, folder: Int32, name: String, key: String,
                        _ operation: String) throws(StoreError) {
        if !usesSidecars.load(ordering: .relaxed) {
            if FolderFiles.setAttribute(descriptor, StoredAttributes.attributeName, attributes.encoded) { return }
            guard errno == ENOTSUP || errno == EOPNOTSUPP || errno == EPERM else { throw FolderFiles.failure(errno, operation, path(key)) }
            usesSidecars.store(true, ordering: .relaxed)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FolderFiles.failure(errno, operation, path(key)) }
        var sidecar = attributes
        sidecar.inode = UInt64(info.st_ino)
        let temporary = Self.temporaryName()
        let file = openat(folder, temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard file >= 0 else { throw FolderFiles.failure(errno, operation, path(key)) }
        let written = sidecar.encoded.withUnsafeBytes { FileOutput.writeAll(file, $0) } && fsync(file) == 0
        var code = errno
        close(file)
        let renamed = written && renameat(folder, temporary, folder, StoredAttributes.sidecarPrefix + name) == 0
        if written && !renamed { code = errno }
        guard renamed else {
            unlinkat(folder, temporary, 0)
            throw FolderFiles.failure(code, operation, path(key))
        }
    }
}
