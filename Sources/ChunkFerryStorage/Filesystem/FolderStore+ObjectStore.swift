import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// The folder as the pipeline's object store: reads, listings, deletes.
extension FolderStore: ObjectStore {
    package var backend: StorageBackend { .filesystem }
    package var location: String { "folder \(root)" }
    /// CRC32C, computed as the bytes are written (the whole file's SHA-256 still goes in the manifest).
    package var checksumKind: ChunkChecksum.Kind { .crc32c }
    package var sendsMD5: Bool { false }
    package var streamsChecksums: Bool { true }
    package var assemblyPartLimit: Int? { .max }
    package var lists: Bool { true }
    package var showsObjects: Bool { true }
    package var storageClass: String? { nil }

    package func stopStreamingChecksums() -> Bool { false }

    package func allowConnections(_ count: Int) {
        workers.grow(to: count)
    }

    /// The folder exists and this user may write it; finds out whether it keeps extended attributes.
    package func prepare(create: Bool) async throws(StoreError) -> String {
        try await run("CheckFolder") { () throws(StoreError) -> String in
            guard let folder = try self.openFolder([], create: false, "CheckFolder", key: "") else {
                throw FolderFiles.failure(ENOENT, "CheckFolder", self.root)
            }
            defer { close(folder) }
            guard access(self.root, W_OK) == 0 else {
                throw FolderFiles.failure(errno == ENOENT ? EACCES : errno, "CheckFolder", self.root)
            }
            var space = ""
            if let disk = DiskSpace.of(self.root) { space = "\(disk.available >> 30) GiB free, " }
            let probe = StoredAttributes.temporaryPrefix + "probe-\(getpid())"
            let descriptor = openat(folder, probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard descriptor >= 0 else { throw FolderFiles.failure(errno, "CheckFolder", self.root) }
            if !FolderFiles.setAttribute(descriptor, StoredAttributes.attributeName, Array("{}".utf8)) {
                self.usesSidecars.store(true, ordering: .relaxed)
            }
            close(descriptor)
            unlinkat(folder, probe, 0)
            let keeping = self.usesSidecars.load(ordering: .relaxed) ? "checksums in .cf-meta sidecar files" : "checksums in extended attributes"
            return "\(self.root) is writable (\(space)\(keeping))"
        }
    }

    package func head(key: String) async throws(StoreError) -> ObjectInfo? {
        try await run("HeadObject") { () throws(StoreError) -> ObjectInfo? in
            try self.withObject(key, "HeadObject") { (folder, descriptor, info) throws(StoreError) -> ObjectInfo in
                // A folder (or anything else) at the key holds it as much as an object would.
                guard info.st_mode & S_IFMT == S_IFREG else {
                    return ObjectInfo(key: key, size: -1, etag: "", checksumSHA256: nil, lastModified: Self.lastModified(info))
                }
                let stored = self.storedAttributes(descriptor, folder: folder, name: String(key.split(separator: "/").last!))
                return ObjectInfo(key: key, size: Int64(info.st_size), etag: stored?.etag ?? "", checksumSHA256: stored?.sha256,
                                  checksumCRC32C: stored?.crc32c, lastModified: Self.lastModified(info),
                                  metadata: stored?.metadata ?? [:], storageClass: nil)
            }
        }
    }

    package func get(key: String, range: Range<Int64>?) async throws(StoreError) -> [UInt8] {
        try await run("GetObject") { () throws(StoreError) -> [UInt8] in
            let bytes = try self.withObject(key, "GetObject") { (_, descriptor, info) throws(StoreError) -> [UInt8] in
                let wanted = range ?? 0..<Int64(info.st_size)
                let count = Int(max(0, min(wanted.upperBound, Int64(info.st_size)) - wanted.lowerBound))
                var bytes = [UInt8](repeating: 0, count: count)
                var filled = 0
                while filled < count {
                    let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, count - filled, off_t(wanted.lowerBound) + off_t(filled)) }
                    if got < 0 && errno == EINTR { continue }
                    guard got > 0 else { throw FolderFiles.failure(got < 0 ? errno : EIO, "GetObject", self.path(key)) }
                    filled += got
                }
                return bytes
            }
            guard let bytes else { throw FolderFiles.failure(ENOENT, "GetObject", self.path(key)) }
            return bytes
        }
    }

    /// Every object under `prefix`, in key order, walking only the folders that can hold one.
    package func list(prefix: String) async throws(StoreError) -> [ObjectInfo] {
        try await run("ListObjects") { () throws(StoreError) -> [ObjectInfo] in
            let base = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
            let folders = base.split(separator: "/").map(String.init)
            guard !folders.contains(where: { $0 == ".." || $0 == "." }) else { return [] }
            var found: [ObjectInfo] = []
            // Folders are queued by key and opened one at a time, so a deep tree holds one descriptor.
            var pending = [base]
            while let keyPrefix = pending.popLast() {
                let parts = keyPrefix.split(separator: "/").map(String.init)
                guard let folder = try self.openFolder(parts, create: false, "ListObjects", key: keyPrefix) else { continue }
                defer { close(folder) }
                guard let entries = FolderFiles.entries(of: folder) else { throw FolderFiles.failure(errno, "ListObjects", self.path(keyPrefix)) }
                for entry in entries where !StoredAttributes.isInternal(entry.name) {
                    let key = keyPrefix + entry.name
                    if entry.isDirectory && (prefix.hasPrefix(key + "/") || (key + "/").hasPrefix(prefix)) {
                        pending.append(key + "/")
                    } else if entry.isFile && key.hasPrefix(prefix) {
                        found.append(ObjectInfo(key: key, size: Int64(entry.info.st_size), etag: "", checksumSHA256: nil,
                                                lastModified: Self.lastModified(entry.info)))
                    }
                }
            }
            return found.sorted { $0.key < $1.key }
        }
    }

    package func delete(key: String) async throws(StoreError) {
        try await run("DeleteObject") { () throws(StoreError) in
            let (folders, name) = try self.components(of: key, "DeleteObject")
            guard let folder = try self.openFolder(folders, create: false, "DeleteObject", key: key) else { return }
            defer { close(folder) }
            guard unlinkat(folder, name, 0) == 0 || errno == ENOENT else { throw FolderFiles.failure(errno, "DeleteObject", self.path(key)) }
            unlinkat(folder, StoredAttributes.sidecarPrefix + name, 0)
            _ = FolderFiles.syncFolder(folder)
            // Folders left empty go too (S3 has none to leave behind), each removed through its
            // parent opened without symlinks; a write into one meanwhile finds it gone and is retried.
            for depth in stride(from: folders.count, to: 0, by: -1) {
                guard let parent = try? self.openFolder(Array(folders.prefix(depth - 1)), create: false, "DeleteObject", key: key) else { break }
                let removed = unlinkat(parent, folders[depth - 1], AT_REMOVEDIR) == 0
                close(parent)
                guard removed else { break }
            }
        }
    }
}
