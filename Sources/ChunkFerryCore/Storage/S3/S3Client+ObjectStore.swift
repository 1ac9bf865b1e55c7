/// The bucket as the pipeline's object store.
extension S3Client: ObjectStore {
    func shutDown() { connections.close() }

    var backend: StorageBackend { .s3 }
    var location: String { "bucket \(settings.bucket) at \(endpointDescription)" }
    var checksumKind: ChunkChecksum.Kind { settings.integrity.checksumKind }
    var sendsMD5: Bool { settings.integrity == .md5 }
    var streamsChecksums: Bool { sendsTrailingChecksums }
    /// S3's limit on the parts of one multipart upload.
    var assemblyPartLimit: Int? { 10_000 }
    var lists: Bool { true }
    var showsObjects: Bool { true }
    var storageClass: String? { currentStorageClass.withLock { $0 } }

    func changeStorageClass(_ name: String?) {
        currentStorageClass.withLock { $0 = name }
    }

    func allowConnections(_ count: Int) {
        connections.grow(to: count)
    }

    /// The endpoint as logs and `check` show it (never a credential).
    public var endpointDescription: String { "\(endpoint.scheme)://\(endpoint.authority)" }

    func stopStreamingChecksums() -> Bool { stopTrailingChecksums() }

    func prepare(create: Bool) async throws(StoreError) -> String {
        do {
            try await headBucket()
            return "\(settings.bucket) exists at \(endpointDescription)"
        } catch where error.code == "NoSuchBucket" && create {
            try await createBucket()
            return "\(settings.bucket) created at \(endpointDescription)"
        }
    }

    func put(key: String, bytes: [UInt8], attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await putObject(key: key, body: bytes, contentType: attributes.contentType, metadata: attributes.metadata)
    }

    func put(key: String, file: FileRange, checksum: ChunkChecksum, md5: [UInt8]?, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await putObject(key: key, file: file, checksum: checksum, md5: md5, temporary: attributes.temporary)
    }

    func put(key: String, streaming body: ChecksummedBody, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await putObject(key: key, trailing: body, contentType: attributes.contentType, temporary: attributes.temporary)
    }

    func head(key: String) async throws(StoreError) -> ObjectInfo? { try await headObject(key: key) }

    func get(key: String, range: Range<Int64>?) async throws(StoreError) -> [UInt8] { try await getObject(key: key, range: range) }

    func list(prefix: String) async throws(StoreError) -> [ObjectInfo] { try await listAllObjects(prefix: prefix) }

    func delete(key: String) async throws(StoreError) { try await deleteObject(key: key) }

    func copy(key: String, source: String, attributes: ObjectAttributes) async throws(StoreError) {
        _ = try await copyObject(key: key, sourceKey: source, contentType: attributes.contentType, metadata: attributes.metadata)
    }

    func beginAssembly(key: String, attributes: ObjectAttributes) async throws(StoreError) -> String {
        try await createMultipartUpload(key: key, contentType: attributes.contentType, metadata: attributes.metadata)
    }

    func addPart(key: String, assembly: String, number: Int, source: String, offset: Int64) async throws(StoreError) -> String {
        try await uploadPartCopy(key: key, uploadID: assembly, partNumber: number, sourceKey: source)
    }

    func completeAssembly(key: String, assembly: String, parts: [(number: Int, tag: String)]) async throws(StoreError) {
        do throws(StoreError) {
            _ = try await completeMultipartUpload(key: key, uploadID: assembly, parts: parts.map { ($0.number, $0.tag) })
        } catch where error.code == "NoSuchUpload" {
            // Completed already (the answer was lost) or aborted by a lifecycle rule: the
            // caller's confirming HEAD settles which.
        }
    }

    func abortAssembly(key: String, assembly: String) async throws(StoreError) {
        try await abortMultipartUpload(key: key, uploadID: assembly)
    }
}
