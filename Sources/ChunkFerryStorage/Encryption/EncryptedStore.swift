import ChunkFerrySupport
import Synchronization

/// `ENCRYPT_TO`: a store whose every object is an age v1 file to the recipients, in front of the
/// real one (S3, a folder, HTTP). The pipeline talks to it as to any store and sees plaintext
/// sizes and checksums; the bytes that leave are age files only.
///
/// - Every put, and every attempt at one, seals with a new `AgeSealer`: a fresh random file key,
///   so no key and nonce ever meet two plaintexts, whatever is sent again (a patched header, a
///   longer provisional piece, a restart, a Redis wiped).
/// - The plaintext's size and checksum go in metadata, the checksum sealed under the `BoxKey`,
///   so the box can still tell what the store holds (recovery, `holds`, retention) without
///   the recipients' keys. Nothing in clear metadata is a hash of footage.
/// - `get` opens what the identities given open: the box's own (manifests and its write check),
///   or the user's (`restore --identity`).
package final class EncryptedStore: ObjectStore {
    static let markerMetadata = "chunkferry-encrypted"
    static let sizeMetadata = "chunkferry-size"
    static let checksumMetadata = "chunkferry-sum"
    /// Metadata values that are hashes of footage, kept sealed.
    static let sealedMetadata: Set<String> = ["chunkferry-sha256"]

    let inner: any ObjectStore
    package let recipients: [AgeRecipient]
    let box: BoxKey?
    let identities: [AgeIdentity]
    /// Header form only: the first of two passes over the plaintext, off the cooperative threads.
    let sealers: BlockingWorkerPool<Void>
    /// A folder's assemblies in progress: where each part's age file starts (parts come in order).
    let partOffsets = Mutex<[String: [Int: Int64]]>([:])
    /// `restore` and `decrypt`: an object no identity given opens is an error that says so. The
    /// daemon instead sees its bytes as they are (a manifest it cannot read: a new stream).
    let failsUnopened: Bool

    /// `box` is nil for a reader (restore, decrypt), which writes nothing.
    package init(_ inner: any ObjectStore, recipients: [AgeRecipient], box: BoxKey?, identities: [AgeIdentity] = []) {
        self.inner = inner
        self.recipients = recipients
        self.box = box
        self.identities = (box.map { [$0.identity] } ?? []) + identities
        failsUnopened = box == nil
        sealers = BlockingWorkerPool(name: "sealer", workers: 2) {}
    }

    deinit { sealers.shutdown(wait: false) }

    /// The store the age files go to.
    package var base: any ObjectStore { inner }

    package var backend: StorageBackend { inner.backend }
    package var location: String { inner.location + ", encrypted to \(recipients.count) age recipient\(recipients.count == 1 ? "" : "s")" }
    package var checksumKind: ChunkChecksum.Kind { inner.checksumKind }
    package var sendsMD5: Bool { false }
    /// The pipeline hashes the plaintext first: its checksum goes, sealed, in the headers.
    package var streamsChecksums: Bool { false }
    package var assemblyPartLimit: Int? { inner.assemblyPartLimit }
    package var storageClass: String? { inner.storageClass }
    package var showsObjects: Bool { inner.showsObjects }
    package var lists: Bool { inner.lists }

    package func allowConnections(_ count: Int) { inner.allowConnections(count) }
    package func changeStorageClass(_ name: String?) { inner.changeStorageClass(name) }
    package func changeToken(_ token: Secret?) { inner.changeToken(token) }
    package func shutDown() {
        inner.shutDown()
        sealers.shutdown(wait: false)
    }
    package func stopStreamingChecksums() -> Bool { false }
    package func prepare(create: Bool) async throws(StoreError) -> String { try await inner.prepare(create: create) }

    /// The recipients' fingerprints as `check` prints them: each recipient's own text (a public key).
    package var fingerprints: [String] { recipients.map(\.description) }

    package func put(key: String, bytes: [UInt8], attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await seal(key: key, .bytes(bytes), checksum: inner.checksumKind.checksum(of: bytes), attributes: attributes)
    }

    package func put(key: String, file: FileRange, checksum: ChunkChecksum, md5: [UInt8]?, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await seal(key: key, .file(file), checksum: checksum, attributes: attributes)
    }

    /// Only bytes come this way (`streamsChecksums` is false).
    package func put(key: String, streaming body: ChecksummedBody, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        switch body.source {
        case .bytes(let bytes): return try await put(key: key, bytes: bytes, attributes: attributes)
        case .file, .sealed:
            throw StoreError(code: "NotImplemented", message: "an encrypted store takes files with their checksum", httpStatus: nil,
                             requestID: nil, operation: "PutObject", resource: key)
        }
    }

    package func put(key: String, pulled body: ChecksummedBody, checksum: ChunkChecksum, md5: [UInt8]?,
                     attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await put(key: key, streaming: body, attributes: attributes)
    }

    package func delete(key: String) async throws(StoreError) { try await inner.delete(key: key) }

    /// A whole object of one chunk: the chunk's age file, or (a recording begun before
    /// ENCRYPT_TO) its clear bytes, which then keep their clear attributes.
    package func copy(key: String, source: String, attributes: ObjectAttributes) async throws(StoreError) {
        let sealedSource = try await inner.head(key: source).map(isSealed) ?? true
        try await inner.copy(key: key, source: source, attributes: sealedSource ? sealed(attributes, checksum: nil) : attributes)
    }

    /// Only age files join into one that opens: a recording whose first chunks went up before
    /// ENCRYPT_TO was set stays as chunks.
    package func joinable(_ sources: [String]) async throws(StoreError) -> Bool {
        for source in sources {
            guard let info = try await inner.head(key: source) else { continue }  // gone: the assembly says so
            if !isSealed(info) { return false }
        }
        return true
    }

    package func beginAssembly(key: String, attributes: ObjectAttributes) async throws(StoreError) -> String {
        var plain = attributes
        plain.wholeCRC32C = nil  // the store holds age files: its CRC32C is of those, not of the recording
        let assembly = try await inner.beginAssembly(key: key, attributes: sealed(plain, checksum: nil))
        partOffsets.withLock { $0[assembly] = [1: 0] }
        return assembly
    }

    /// A folder writes each part at its offset in the result: where the earlier parts' age files
    /// end, by their real sizes (S3 joins parts in order and needs none).
    package func addPart(key: String, assembly: String, number: Int, source: String, offset: Int64) async throws(StoreError) -> String {
        guard inner.backend == .filesystem else {
            return try await inner.addPart(key: key, assembly: assembly, number: number, source: source, offset: offset)
        }
        guard let start = partOffsets.withLock({ $0[assembly]?[number] }), let size = try await inner.head(key: source)?.size else {
            throw StoreError(code: "NoSuchKey", message: "part \(number) of the assembly cannot be placed", httpStatus: 404, requestID: nil,
                             operation: "UploadPartCopy", resource: source)
        }
        let tag = try await inner.addPart(key: key, assembly: assembly, number: number, source: source, offset: start)
        partOffsets.withLock { $0[assembly]?[number + 1] = start + size }
        return tag
    }

    package func completeAssembly(key: String, assembly: String, parts: [(number: Int, tag: String)]) async throws(StoreError) {
        try await inner.completeAssembly(key: key, assembly: assembly, parts: parts)
        partOffsets.withLock { $0[assembly] = nil }
    }

    package func abortAssembly(key: String, assembly: String) async throws(StoreError) {
        partOffsets.withLock { $0[assembly] = nil }
        try await inner.abortAssembly(key: key, assembly: assembly)
    }
}
