import ChunkFerrySupport

/// The HTTP server as the pipeline's object store.
extension HTTPStore: ObjectStore {
    package func shutDown() { connections.close() }

    package var backend: StorageBackend { .http }
    package var location: String { "HTTP server \(settings.url)" }
    /// SHA-256: what `Repr-Digest` carries, so the server can check every body.
    package var checksumKind: ChunkChecksum.Kind { .sha256 }
    package var sendsMD5: Bool { false }
    /// The digest goes in a header, so it is known before the first byte.
    package var streamsChecksums: Bool { false }
    package var assemblyPartLimit: Int? { nil }
    package var lists: Bool { false }
    package var showsObjects: Bool { answersHead.load(ordering: .relaxed) }
    package var storageClass: String? { nil }

    package func stopStreamingChecksums() -> Bool { false }

    package func allowConnections(_ count: Int) {
        connections.grow(to: count)
    }

    /// Nothing to create; the write check that follows proves the URL and the token.
    package func prepare(create: Bool) async throws(StoreError) -> String {
        "objects go to \(settings.url)/<key> by \(settings.method.rawValue)" + (settings.token == nil ? " without a token" : " with a bearer token")
    }

    package func put(key: String, bytes: [UInt8], attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        let sha256 = Digest.sha256(bytes)
        return try await put(key: key, body: .bytes(bytes), sha256: sha256, attributes: attributes)
    }

    package func put(key: String, file: FileRange, checksum: ChunkChecksum, md5: [UInt8]?, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        guard case .sha256(let sha256) = checksum else {
            throw StoreError(code: "ChecksumNotAccepted", message: "the HTTP backend sends SHA-256 digests only", httpStatus: nil,
                             requestID: nil, operation: "PutObject", resource: url(key))
        }
        return try await put(key: key, body: .file(file), sha256: sha256, attributes: attributes)
    }

    package func put(key: String, streaming body: ChecksummedBody, attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        guard case .bytes(let bytes) = body.source else {
            throw StoreError(code: "NotImplemented", message: "the HTTP backend sends digests in headers", httpStatus: nil,
                             requestID: nil, operation: "PutObject", resource: url(key))
        }
        return try await put(key: key, bytes: bytes, attributes: attributes)
    }

    package func put(key: String, pulled body: ChecksummedBody, checksum: ChunkChecksum, md5: [UInt8]?,
                     attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        guard case .sha256(let sha256) = checksum else {
            throw StoreError(code: "ChecksumNotAccepted", message: "the HTTP backend sends SHA-256 digests only", httpStatus: nil,
                             requestID: nil, operation: "PutObject", resource: url(key))
        }
        return try await put(key: key, body: .pulled(body), sha256: sha256, attributes: attributes)
    }

    /// One object: its type, length (set by curl), digest, and which stream and chunk it is.
    /// A server that echoes another `Repr-Digest` than was sent received other bytes.
    private func put(key: String, body: HTTPRequest.Body, sha256: [UInt8], attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", attributes.contentType), ("Repr-Digest", Self.reprDigest(sha256)),
        ]
        if let stream = attributes.streamID { headers.append((Self.streamHeader, stream)) }
        if let index = attributes.chunkIndex { headers.append((Self.chunkHeader, String(index))) }
        let method: HTTPRequest.Method = settings.method == .post ? .post : .put
        let response = try await send("PutObject", method, key: key, headers: headers, body: body)
        let sent = ByteEncoding.base64(sha256)
        if let echoed = Self.sha256(inReprDigest: response.header("repr-digest")), echoed != sent {
            throw StoreError(code: "BadDigest", message: "the server confirmed a different SHA-256 than was sent", httpStatus: response.status,
                             requestID: response.header("x-request-id"), operation: "PutObject", resource: url(key))
        }
        return PutResult(etag: ETag.unquote(response.header("etag")), checksum: sent)
    }

    /// The object's size and digest as the server shows them; nil when it has none, or answers
    /// no HEAD (405/501, remembered: it is not asked again).
    package func head(key: String) async throws(StoreError) -> ObjectInfo? {
        guard answersHead.load(ordering: .relaxed) else { return nil }
        let response = try await send("HeadObject", .head, key: key, accepted: [404, 405, 501])
        if response.status == 405 || response.status == 501 {
            answersHead.store(false, ordering: .relaxed)
            return nil
        }
        guard response.status != 404, let length = response.header("content-length").flatMap({ Int64($0) }) else { return nil }
        return ObjectInfo(key: key, size: length, etag: ETag.unquote(response.header("etag")),
                          checksumSHA256: Self.sha256(inReprDigest: response.header("repr-digest")),
                          lastModified: response.header("last-modified") ?? "")
    }

    package func get(key: String, range: Range<Int64>?) async throws(StoreError) -> [UInt8] {
        var headers: [(name: String, value: String)] = []
        if let range {
            guard !range.isEmpty else { return [] }
            headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        let response = try await send("GetObject", .get, key: key, headers: headers, accepted: [405, 501])
        if response.status == 405 || response.status == 501 {  // shows nothing: as if it were not there
            throw StoreError(code: "NotFound", message: "the server answers no GET (HTTP \(response.status))", httpStatus: 404,
                             requestID: nil, operation: "GetObject", resource: url(key))
        }
        // A server that ignores Range sends the whole object with 200.
        if let range, response.status == 200, Int64(response.body.count) >= range.upperBound {
            return Array(response.body[Int(range.lowerBound)..<Int(range.upperBound)])
        }
        return response.body
    }

    /// What a server that indexes its folders as JSON shows under `prefix` (see `HTTPStore+listing`);
    /// nothing from one that does not. The daemon never relies on it (`lists` is false): `restore`
    /// without Redis uses it to find a recording by its path.
    package func list(prefix: String) async throws(StoreError) -> [ObjectInfo] {
        try await listIndexed(prefix: prefix)
    }

    /// Asked of the server for the write check's object only; one that deletes nothing (405,
    /// 501) is left to clean it up itself.
    package func delete(key: String) async throws(StoreError) {
        _ = try await send("DeleteObject", .delete, key: key, accepted: [404, 405, 501])
    }

    package func copy(key: String, source: String, attributes: ObjectAttributes) async throws(StoreError) { throw notAssembling(key) }
    package func beginAssembly(key: String, attributes: ObjectAttributes) async throws(StoreError) -> String { throw notAssembling(key) }
    package func addPart(key: String, assembly: String, number: Int, source: String, offset: Int64) async throws(StoreError) -> String {
        throw notAssembling(key)
    }
    package func completeAssembly(key: String, assembly: String, parts: [(number: Int, tag: String)]) async throws(StoreError) {
        throw notAssembling(key)
    }
    package func abortAssembly(key: String, assembly: String) async throws(StoreError) {}

    private func notAssembling(_ key: String) -> StoreError {
        StoreError(code: "NotImplemented", message: "an HTTP server cannot assemble objects: use OUTPUT=chunks", httpStatus: nil,
                   requestID: nil, operation: "Assemble", resource: url(key))
    }
}
