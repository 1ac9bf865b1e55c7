import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// The marker that tells the store from the empty folder an unmounted share leaves behind. The
/// first use writes `.chunkferry-store` (the store's id) at the top of LOCAL_STORAGE_PATH; after
/// that, a folder without it is an outage: nothing is written onto the disk underneath, nothing
/// read from it counts, and local retention, which asks the store first, deletes nothing.
extension FolderStore {
    /// Makes the marker the store's guard. `remembered`: the checkpoints recorded this store's
    /// marker, so a missing one is not a first use. `used`: the checkpoints hold streams (a
    /// deployment from before the marker): an empty folder then is a share not mounted, while
    /// one that holds objects gets its marker now. The store's id, or nil when the marker is
    /// missing (an outage until it is back).
    package func prepareMarker(remembered: Bool, used: Bool = false) async throws(StoreError) -> String? {
        try await run("CheckMarker") { () throws(StoreError) -> String? in
            let marker = self.root + "/" + StoredAttributes.markerName
            if let id = Self.readMarker(marker) {
                self.expectsMarker.store(true, ordering: .relaxed)
                return id.isEmpty ? try self.writeMarker() : id
            }
            if remembered || (used && !self.holdsObjects()) {
                self.expectsMarker.store(true, ordering: .relaxed)
                return nil
            }
            let id = try self.writeMarker()
            self.expectsMarker.store(true, ordering: .relaxed)
            return id
        }
    }

    /// Whether anything but the store's own files is at the folder's top.
    private func holdsObjects() -> Bool {
        guard let folder = try? openFolder([], create: false, "CheckMarker", key: "") else { return false }
        defer { close(folder) }
        return (FolderFiles.entries(of: folder) ?? []).contains { !StoredAttributes.isInternal($0.name) }
    }

    /// Throws the outage when the marker is expected and missing; runs before every operation.
    package func checkMounted(_ operation: String) throws(StoreError) {
        guard expectsMarker.load(ordering: .relaxed) else { return }
        guard access(root + "/" + StoredAttributes.markerName, F_OK) != 0 else { return }
        throw StoreError(code: "StoreNotMounted", message: "LOCAL_STORAGE_PATH has no .chunkferry-store: is the share mounted?",
                         httpStatus: nil, requestID: nil, operation: operation, resource: root)
    }

    /// The marker's id ("" for an empty marker a user made by hand); nil when there is none.
    private static func readMarker(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        return String(decoding: bytes.prefix(max(0, count)), as: UTF8.self).trimmed(of: " \n")
    }

    /// Writes a new id into the marker, the careful way objects are written.
    private func writeMarker() throws(StoreError) -> String {
        let id = ByteEncoding.hex((0..<16).map { _ in UInt8.random(in: 0...255) })
        guard let folder = try openFolder([], create: false, "WriteMarker", key: "") else {
            throw FolderFiles.failure(ENOENT, "WriteMarker", root)
        }
        defer { close(folder) }
        let temporary = Self.temporaryName()
        let descriptor = openat(folder, temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw FolderFiles.failure(errno, "WriteMarker", root) }
        let written = Array("\(id)\n".utf8).withUnsafeBytes { FileOutput.writeAll(descriptor, $0) } && fsync(descriptor) == 0
        let code = errno
        close(descriptor)
        guard written, renameat(folder, temporary, folder, StoredAttributes.markerName) == 0 else {
            let failure = written ? errno : code
            unlinkat(folder, temporary, 0)
            throw FolderFiles.failure(failure, "WriteMarker", root)
        }
        _ = FolderFiles.syncFolder(folder)
        return id
    }
}
