import ChunkFerrySupport

/// The bucket as the pipeline's object store.
extension S3Client: ObjectStore {
    package func shutDown() { connections.close() }

    package var backend: StorageBackend { .s3 }
    package var location: String { "bucket \(settings.bucket) at \(endpointDescription)" }
    package var checksumKind: ChunkChecksum.Kind { settings.integrity.checksumKind }
    package var sendsMD5: Bool { settings.integrity == .md5 }
    package var streamsChecksums: Bool { sendsTrailingChecksums }
    /// S3's limit on the parts of one multipart upload.
    package var assemblyPartLimit: Int? { 10_000 }
    package var lists: Bool { true }
    package var showsObjects: Bool { true }
    package var storageClass: String? { currentStorageClass.withLock { $0 } }

    package func changeStorageClass(_ name: String?) {
        currentStorageClass.withLock { $0 = name }
    }

    package func allowConnections(_ count: Int) {
        connections.grow(to: count)
    }

    /// The endpoint as logs and `check` show it (never a credential).
    package var endpointDescription: String { "\(endpoint.scheme)://\(endpoint.authority)" }

    package func stopStreamingChecksums() -> Bool { stopTrailingChecksums() }

    package func prepare(create: Bool) async throws(StoreError) -> String {
        do {
            try await headBucket()
            return "\(settings.bucket) exists at \(endpointDescription)"
        } catch where error.code == "NoSuchBucket" && create {
            try await createBucket()
            return "\(settings.bucket) created at \(endpointDescription)"
        }
    }

    package func put(key: String, bytes: [UInt8], attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await putObject(key: key, body: bytes, contentType: attributes.contentType, metadata: attributes.metadata, lock: attributes.lock)
    }

    package func put(key: String, file: FileRange, checksum: ChunkChecksum, md5: [UInt8]?, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await putObject(key: key, body: .file(file), checksum: checksum, md5: md5, attributes: attributes)
    }

    package func put(key: String, streaming body: ChecksummedBody, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await putObject(key: key, trailing: body, contentType: attributes.contentType, metadata: attributes.metadata,
                            temporary: attributes.temporary, lock: attributes.lock)
    }

    package func put(key: String, pulled body: ChecksummedBody, checksum: ChunkChecksum, md5: [UInt8]?,
                     attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await putObject(key: key, body: .pulled(body), checksum: checksum, md5: md5, attributes: attributes)
    }

    package func head(key: String) async throws(StoreError) -> ObjectInfo? { try await headObject(key: key) }

    package func get(key: String, range: Range<Int64>?) async throws(StoreError) -> [UInt8] { try await getObject(key: key, range: range) }

    package func list(prefix: String) async throws(StoreError) -> [ObjectInfo] { try await listAllObjects(prefix: prefix) }

    package func delete(key: String) async throws(StoreError) { try await deleteObject(key: key) }

    package func copy(key: String, source: String, attributes: ObjectAttributes) async throws(StoreError) {
        _ = try await copyObject(key: key, sourceKey: source, contentType: attributes.contentType, metadata: attributes.metadata, lock: attributes.lock)
    }

    package func beginAssembly(key: String, attributes: ObjectAttributes) async throws(StoreError) -> String {
        try await createMultipartUpload(key: key, contentType: attributes.contentType, metadata: attributes.metadata, lock: attributes.lock,
                                        fullObjectCRC32C: attributes.wholeCRC32C)
    }

    package func addPart(key: String, assembly: String, number: Int, source: String, offset: Int64) async throws(StoreError) -> String {
        try await uploadPartCopy(key: key, uploadID: assembly, partNumber: number, sourceKey: source)
    }

    package func completeAssembly(key: String, assembly: String, parts: [(number: Int, tag: String)]) async throws(StoreError) {
        do throws(StoreError) {
            _ = try await completeMultipartUpload(key: key, uploadID: assembly, parts: parts.map { ($0.number, $0.tag) })
        } catch where error.code == "NoSuchUpload" {
            // Completed already (the answer was lost) or aborted by a lifecycle rule: the
            // caller's confirming HEAD settles which.
        }
        try await confirmLock(key: key)
    }

    package func abortAssembly(key: String, assembly: String) async throws(StoreError) {
        try await abortMultipartUpload(key: key, uploadID: assembly)
    }
}
