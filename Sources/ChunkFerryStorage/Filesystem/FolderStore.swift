import ChunkFerrySupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A folder as the object store (`STORAGE_BACKEND=filesystem`): a local disk, a USB disk or a NAS
/// share mounted by the system. Each object is a file at its key under `LOCAL_STORAGE_PATH`.
///
/// A write goes to a temporary name beside its target, is fsynced, gets its checksum attached,
/// is renamed into place and its folder fsynced: a crash or a power cut leaves either the old
/// object or the new one under a real name, never part of one, and a put returns only after all
/// of that. Keys are checked component by component and folders opened without following
/// symlinks, so nothing is ever written outside the folder. Calls block, so they run on threads
/// of their own.
package final class FolderStore: Sendable {
    package let settings: FolderSettings
    package let abort: TransferAbort?
    /// BANDWIDTH_LIMIT and the uplink's classes: a NAS share is an uplink too.
    package let throttle: UplinkThrottle?
    package let workers: BlockingWorkerPool<Void>
    /// Checksums and metadata go to sidecar files: set at the first filesystem found without
    /// extended attributes (or by a test).
    package let usesSidecars: Atomic<Bool>
    /// Attributes of assemblies in progress, applied when they complete (a crash drops the
    /// assembly anyway: it is begun again).
    package let assemblies = Mutex<[String: ObjectAttributes]>([:])
    /// Set once this folder is known to be the store (its marker was found or written): from then
    /// on a folder without the marker is a share that is not mounted, never an empty store.
    package let expectsMarker = Atomic<Bool>(false)

    package init(settings: FolderSettings, threads: Int = 4, abort: TransferAbort? = nil, throttle: UplinkThrottle? = nil, sidecars: Bool = false) {
        self.settings = settings
        self.abort = abort
        self.throttle = throttle
        usesSidecars = Atomic(sidecars)
        workers = BlockingWorkerPool(name: "folder", workers: max(1, threads)) {}
    }

    deinit {
        workers.shutdown(wait: false)
    }

    package var root: String { settings.path }

    /// Runs a blocking call on one of the store's threads.
    package func run<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError>
        do {
            result = try await workers.run { _ -> Result<T, StoreError> in
                do throws(StoreError) {
                    try self.checkMounted(operation)
                    return .success(try body())
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw StoreError(code: "ClientShutDown", message: "the folder store was shut down", httpStatus: nil,
                             requestID: nil, operation: operation, resource: root)
        }
        return try result.get()
    }

    /// The key's folders and file name, refused when any part could leave the folder.
    package func components(of key: String, _ operation: String) throws(StoreError) -> (folders: [String], name: String) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let bad = key.isEmpty || key.utf8.contains(0) || parts.contains { $0.isEmpty || $0 == "." || $0 == ".." }
            || parts.last.map(StoredAttributes.isInternal) == true
        guard !bad else {
            throw StoreError(code: "InvalidKey", message: "'\(key)' is not a key this folder can hold", httpStatus: nil,
                             requestID: nil, operation: operation, resource: root)
        }
        return (Array(parts.dropLast()), parts.last!)
    }

    /// The path as messages show it.
    package func path(_ key: String) -> String { root + "/" + key }

    /// The folder holding `folders` under the root, opened (created when `create`); nil when it
    /// is missing and not to be created. The caller closes it.
    package func openFolder(_ folders: [String], create: Bool, _ operation: String, key: String) throws(StoreError) -> Int32? {
        let rootDescriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootDescriptor >= 0 else {
            let code = errno
            var failure = FolderFiles.failure(code, operation, root)
            if code == ENOENT || code == ENOTDIR { failure.code = "FolderMissing" }
            throw failure
        }
        var current = rootDescriptor
        for folder in folders {
            let next = FolderFiles.openDirectory(current, folder, create: create)
            let code = errno
            close(current)
            guard next >= 0 else {
                if (code == ENOENT || code == ENOTDIR) && !create { return nil }
                var failure = FolderFiles.failure(code, operation, path(key))
                // A symlink or a file where a folder belongs: the key leads nowhere safe.
                if code == ELOOP || code == ENOTDIR { failure.code = "InvalidKey" }
                throw failure
            }
            current = next
        }
        return current
    }

    /// Runs `body` with the object's folder, the object opened for reading (never through a
    /// symlink, never blocking on a FIFO) and its status; nil when nothing is at the key.
    package func withObject<T>(_ key: String, _ operation: String,
                       _ body: (_ folder: Int32, _ descriptor: Int32, _ info: stat) throws(StoreError) -> T) throws(StoreError) -> T? {
        let (folders, name) = try components(of: key, operation)
        guard let folder = try openFolder(folders, create: false, operation, key: key) else { return nil }
        defer { close(folder) }
        let descriptor = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw FolderFiles.failure(errno, operation, path(key))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FolderFiles.failure(errno, operation, path(key)) }
        return try body(folder, descriptor, info)
    }

    /// A name for a write in progress beside its target.
    package static func temporaryName() -> String {
        StoredAttributes.temporaryPrefix + ByteEncoding.hex((0..<8).map { _ in UInt8.random(in: 0...255) })
    }

    /// The stored attributes of the open object file: its extended attribute, else a sidecar
    /// that names its inode.
    package func storedAttributes(_ descriptor: Int32, folder: Int32, name: String) -> StoredAttributes? {
        if let bytes = FolderFiles.attribute(descriptor, StoredAttributes.attributeName) {
            return StoredAttributes.decode(bytes)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        let sidecar = openat(folder, StoredAttributes.sidecarPrefix + name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard sidecar >= 0 else { return nil }
        defer { close(sidecar) }
        var bytes = [UInt8](repeating: 0, count: 64 * 1024)
        let got = bytes.withUnsafeMutableBytes { read(sidecar, $0.baseAddress, $0.count) }
        guard got > 0, let stored = StoredAttributes.decode(Array(bytes.prefix(got))), stored.inode == UInt64(info.st_ino) else { return nil }
        return stored
    }

    package static func lastModified(_ info: stat) -> String {
        WallClock.rfc3339(milliseconds: Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000)
    }
}
