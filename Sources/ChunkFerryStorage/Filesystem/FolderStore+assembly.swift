#if canImport(Glibc)
import Glibc
#endif

/// Whole objects from chunk files, copied by the filesystem (`copy_file_range`: reflinked on
/// Btrfs and XFS, copied server-side on NFS 4.2 and SMB 3, never through this process's memory).
/// An assembly is a temporary file beside its target; each part is copied to its own offset, so
/// a part sent again lands where it belongs.
extension FolderStore {
    package func copy(key: String, source: String, attributes: ObjectAttributes) async throws(StoreError) {
        try await run("CopyObject") { () throws(StoreError) in
            try self.withSource(source, "CopyObject") { (source, size) throws(StoreError) in
                _ = try self.commit(key: key, attributes: attributes, "CopyObject") { (target) throws(StoreError) -> ChunkChecksum? in
                    guard FolderFiles.copyRange(from: source, at: 0, to: target, at: 0, length: size, abort: self.abort) else {
                        throw FolderFiles.failure(errno, "CopyObject", self.path(key))
                    }
                    return nil
                }
            }
        }
    }

    package func beginAssembly(key: String, attributes: ObjectAttributes) async throws(StoreError) -> String {
        let assembly = try await run("BeginAssembly") { () throws(StoreError) -> String in
            let (folders, _) = try self.components(of: key, "BeginAssembly")
            guard let folder = try self.openFolder(folders, create: true, "BeginAssembly", key: key) else {
                throw FolderFiles.failure(ENOENT, "BeginAssembly", self.path(key))
            }
            defer { close(folder) }
            let name = Self.temporaryName()
            let descriptor = openat(folder, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard descriptor >= 0 else { throw FolderFiles.failure(errno, "BeginAssembly", self.path(key)) }
            close(descriptor)
            return name
        }
        assemblies.withLock { $0[assembly] = attributes }
        return assembly
    }

    package func addPart(key: String, assembly: String, number: Int, source: String, offset: Int64) async throws(StoreError) -> String {
        try await run("AddPart") { () throws(StoreError) -> String in
            let target = try self.openAssembly(key: key, assembly, O_WRONLY, "AddPart")
            defer { close(target) }
            try self.withSource(source, "AddPart") { (source, size) throws(StoreError) in
                guard FolderFiles.copyRange(from: source, at: 0, to: target, at: offset, length: size, abort: self.abort) else {
                    throw FolderFiles.failure(errno, "AddPart", self.path(key))
                }
            }
            return ""
        }
    }

    /// Makes the assembled file the object. One already gone was completed before (its answer
    /// lost) or dropped: the caller's confirming HEAD settles which.
    package func completeAssembly(key: String, assembly: String, parts: [(number: Int, tag: String)]) async throws(StoreError) {
        let attributes = assemblies.withLock { $0[assembly] } ?? ObjectAttributes()
        try await run("CompleteAssembly") { () throws(StoreError) in
            let (folders, name) = try self.components(of: key, "CompleteAssembly")
            guard let folder = try self.openFolder(folders, create: false, "CompleteAssembly", key: key) else { return }
            defer { close(folder) }
            let descriptor = openat(folder, assembly, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else {
                // Renamed by an earlier attempt whose folder sync failed: sync it now.
                if errno == ENOENT, FolderFiles.syncFolder(folder) { return }
                throw FolderFiles.failure(errno, "CompleteAssembly", self.path(key))
            }
            defer { close(descriptor) }
            try self.attach(StoredAttributes(attributes, checksum: nil), to: descriptor, folder: folder, name: name, key: key, "CompleteAssembly")
            guard fsync(descriptor) == 0 else { throw FolderFiles.failure(errno, "CompleteAssembly", self.path(key)) }
            guard renameat(folder, assembly, folder, name) == 0, FolderFiles.syncFolder(folder) else {
                throw FolderFiles.failure(errno, "CompleteAssembly", self.path(key))
            }
        }
        assemblies.withLock { _ = $0.removeValue(forKey: assembly) }
    }

    package func abortAssembly(key: String, assembly: String) async throws(StoreError) {
        assemblies.withLock { _ = $0.removeValue(forKey: assembly) }
        try await run("AbortAssembly") { () throws(StoreError) in
            guard StoredAttributes.isInternal(assembly), !assembly.contains("/") else { return }
            let (folders, _) = try self.components(of: key, "AbortAssembly")
            guard let folder = try self.openFolder(folders, create: false, "AbortAssembly", key: key) else { return }
            defer { close(folder) }
            guard unlinkat(folder, assembly, 0) == 0 || errno == ENOENT else {
                throw FolderFiles.failure(errno, "AbortAssembly", self.path(key))
            }
        }
    }

    /// Runs `body` with the object `key` opened for reading and its size; a missing one is
    /// `NoSuchKey` (a chunk deleted after an earlier assembly).
    private func withSource(_ key: String, _ operation: String, _ body: (Int32, Int64) throws(StoreError) -> Void) throws(StoreError) {
        let done: Void? = try withObject(key, operation) { (_, descriptor, info) throws(StoreError) in
            try body(descriptor, Int64(info.st_size))
        }
        guard done != nil else { throw FolderFiles.failure(ENOENT, operation, path(key)) }
    }

    /// The assembly's temporary file beside `key`, opened with `flags`.
    private func openAssembly(key: String, _ assembly: String, _ flags: Int32, _ operation: String) throws(StoreError) -> Int32 {
        let (folders, _) = try components(of: key, operation)
        guard StoredAttributes.isInternal(assembly), !assembly.contains("/"),
              let folder = try openFolder(folders, create: false, operation, key: key) else {
            throw StoreError(code: "NoSuchUpload", message: "the assembly is gone", httpStatus: nil, requestID: nil,
                             operation: operation, resource: path(key))
        }
        defer { close(folder) }
        let descriptor = openat(folder, assembly, flags | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw FolderFiles.failure(errno, operation, path(key)) }
        return descriptor
    }
}
