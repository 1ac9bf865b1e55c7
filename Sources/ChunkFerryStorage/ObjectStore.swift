import ChunkFerrySupport

/// Where objects go. The pipeline (chunks, manifests, whole objects, recovery from the store,
/// retention, restore) speaks only this; `S3Client`, `FolderStore` and `HTTPStore` implement it.
///
/// Every method returns only once the store confirmed: a put that returns means the object is
/// there, whole, under its real key. Failures are `StoreError`s that say whether a retry can help.
package protocol ObjectStore: Sendable {
    /// Which `STORAGE_BACKEND` this is.
    var backend: StorageBackend { get }
    /// Where objects go, as logs, `check` and `status` show it (never a credential).
    var location: String { get }
    /// The checksum every chunk is verified and recorded with.
    var checksumKind: ChunkChecksum.Kind { get }
    /// Whether chunk puts carry an MD5 too (`S3_INTEGRITY=md5`).
    var sendsMD5: Bool { get }
    /// Whether a chunk goes in one read, its checksum computed as it is sent
    /// (`put(key:streaming:attributes:)`); otherwise it is hashed first, then sent.
    var streamsChecksums: Bool { get }
    /// The most parts a whole object may be assembled from; nil when the store cannot assemble.
    var assemblyPartLimit: Int? { get }
    /// The storage class objects are written in (`S3_STORAGE_CLASS`), for manifests.
    var storageClass: String? { get }
    /// Whether the store can show what it holds (a listing or a HEAD): without that, only Redis
    /// tells a new file from an old one at the same path and inode, so finished streams are kept.
    var showsObjects: Bool { get }
    /// Whether `list` shows what the store holds; one that cannot list recovers from Redis alone.
    var lists: Bool { get }

    /// Lets up to `count` requests run at once from now on (a reload raised UPLOAD_CONCURRENCY).
    func allowConnections(_ count: Int)
    /// Writes objects from now on in the storage class `name` (`S3_STORAGE_CLASS` reloaded).
    func changeStorageClass(_ name: String?)
    /// Sends `token` from now on (`HTTP_AUTH_TOKEN` reloaded).
    func changeToken(_ token: Secret?)
    /// Ends the store's connections and threads: one-shot commands call it before they exit, so
    /// nothing is left for exit (or a deinit's wait) to tear down.
    func shutDown()

    /// Turns streamed checksums off for the rest of the run (the store refused one); true for
    /// the caller that made the change, which reports it.
    func stopStreamingChecksums() -> Bool

    /// Makes sure the destination exists and may be used (creating it when `create` and the
    /// store can); says what it found.
    func prepare(create: Bool) async throws(StoreError) -> String

    /// Stores `bytes` (a manifest, a test object).
    func put(key: String, bytes: [UInt8], attributes: ObjectAttributes) async throws(StoreError) -> PutResult
    /// Stores a range of a file whose checksum (and MD5 when `sendsMD5`) the caller computed; bytes
    /// that changed since are refused (`BadDigest`) or reported by the range (`sourceFailure`).
    func put(key: String, file: FileRange, checksum: ChunkChecksum, md5: [UInt8]?,
             attributes: ObjectAttributes) async throws(StoreError) -> PutResult
    /// Stores `body`'s bytes, hashed as they go; `body.checksum` is what was stored.
    func put(key: String, streaming body: ChecksummedBody, attributes: ObjectAttributes) async throws(StoreError) -> PutResult
    /// Stores `body`'s bytes (a sealed object) whose checksum (and MD5 when `sendsMD5`) the caller
    /// computed in a pass before: the header form, for stores that take no streamed checksum.
    func put(key: String, pulled body: ChecksummedBody, checksum: ChunkChecksum, md5: [UInt8]?,
             attributes: ObjectAttributes) async throws(StoreError) -> PutResult
    /// The object's size, checksum and metadata; nil when there is none (or the store cannot say).
    func head(key: String) async throws(StoreError) -> ObjectInfo?
    /// The object's bytes, or those in `range` (upper bound exclusive).
    func get(key: String, range: Range<Int64>?) async throws(StoreError) -> [UInt8]
    /// Every object under `prefix` (empty when the store cannot list, see `lists`).
    func list(prefix: String) async throws(StoreError) -> [ObjectInfo]
    /// Removes the object; one that is not there counts as removed.
    func delete(key: String) async throws(StoreError)

    /// Copies `source` to `key` inside the store, with `attributes` instead of the source's.
    func copy(key: String, source: String, attributes: ObjectAttributes) async throws(StoreError)
    /// Whether `sources` join into one object that opens as one (see `EncryptedStore`).
    func joinable(_ sources: [String]) async throws(StoreError) -> Bool
    /// Starts assembling an object at `key` from parts; returns the assembly's id.
    func beginAssembly(key: String, attributes: ObjectAttributes) async throws(StoreError) -> String
    /// Copies the whole object `source` in as part `number` (from 1), which starts at `offset`
    /// of the result; returns the part's tag for `completeAssembly`.
    func addPart(key: String, assembly: String, number: Int, source: String, offset: Int64) async throws(StoreError) -> String
    /// Joins the parts, in order, into the object at `key`.
    func completeAssembly(key: String, assembly: String, parts: [(number: Int, tag: String)]) async throws(StoreError)
    /// Drops an assembly and its parts; one already gone counts as dropped.
    func abortAssembly(key: String, assembly: String) async throws(StoreError)
}

extension ObjectStore {
    /// The folder store objects go to, in front of it an `EncryptedStore` or not.
    package var folderStore: FolderStore? {
        (self as? FolderStore) ?? ((self as? EncryptedStore)?.base as? FolderStore)
    }

    /// The bucket objects go to, in front of it an `EncryptedStore` or not.
    package var s3Client: S3Client? {
        (self as? S3Client) ?? ((self as? EncryptedStore)?.base as? S3Client)
    }

    /// Stores without storage classes have nothing to change.
    package func changeStorageClass(_ name: String?) {}

    /// Stores without a token have nothing to change.
    package func changeToken(_ token: Secret?) {}

    package func shutDown() {}

    /// Any objects join.
    package func joinable(_ sources: [String]) async throws(StoreError) -> Bool { true }

    package func get(key: String) async throws(StoreError) -> [UInt8] {
        try await get(key: key, range: nil)
    }

    /// The object at `key` if it already holds `length` bytes with this checksum (or MD5): a
    /// put whose answer was lost may have arrived.
    package func holds(key: String, length: Int, checksum: ChunkChecksum, md5: [UInt8]?) async throws(StoreError) -> PutResult? {
        guard let stored = try await head(key: key), stored.size == Int64(length) else { return nil }
        let same = md5.map { stored.etag.lowercased() == ByteEncoding.hex($0) } ?? checksum.matches(stored)
        return same ? PutResult(etag: stored.etag, checksum: checksum.header.value) : nil
    }
}
