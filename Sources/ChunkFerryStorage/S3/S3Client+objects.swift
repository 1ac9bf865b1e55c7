import ChunkFerrySupport

extension S3Client {
    /// Stores `body` under `key` and returns once the store confirmed it.
    ///
    /// The store verifies the bytes through the checksum `settings.integrity` names and rejects a
    /// mismatch with BadDigest, so a success means the bytes arrived intact. `sha256` may be
    /// passed when the caller already hashed the buffer (it is then what the store checks).
    package func putObject(
        key: String, body: [UInt8], sha256 knownSHA256: [UInt8]? = nil,
        contentType: String = "application/octet-stream", metadata: [String: String] = [:], lock: ObjectAttributes.LockTerm = .footage
    ) async throws(StoreError) -> PutResult {
        let checksum = knownSHA256.map(ChunkChecksum.sha256) ?? settings.integrity.checksumKind.checksum(of: body)
        let md5 = settings.integrity == .md5 ? Digest.md5(body) : nil
        return try await put(key: key, body: .bytes(body), checksum: checksum, md5: md5, contentType: contentType, metadata: metadata, lock: lock)
    }

    /// Stores a range of a file streamed from disk (or a body pulled as it is sent) whose checksum
    /// (and MD5, in md5 mode) the caller computed: if the bytes change before they are sent, the
    /// store rejects them (BadDigest). A CRC32C goes with an unsigned payload: the signature covers
    /// the headers, the checksum header the bytes. A `temporary` object is deleted within minutes
    /// (chunks under OUTPUT=whole), so it takes the bucket's default class: infrequent-access
    /// classes bill 30 days or more for anything stored.
    package func putObject(key: String, body: HTTPRequest.Body, checksum: ChunkChecksum, md5: [UInt8]?,
                           attributes: ObjectAttributes) async throws(StoreError) -> PutResult {
        try await put(key: key, body: body, checksum: checksum, md5: settings.integrity == .md5 ? md5 : nil,
                      contentType: attributes.contentType, metadata: attributes.metadata, storageClass: !attributes.temporary,
                      lock: attributes.lock)
    }

    private func put(key: String, body: HTTPRequest.Body, checksum: ChunkChecksum, md5: [UInt8]?, contentType: String,
                     metadata: [String: String], storageClass: Bool = true, lock: ObjectAttributes.LockTerm) async throws(StoreError) -> PutResult {
        var headers = objectHeaders(contentType: contentType, metadata: metadata, storageClass: storageClass, lock: lock)
        let (checksumHeader, checksumValue) = checksum.header
        if let md5 {
            headers.append(("Content-MD5", ByteEncoding.base64(md5)))
        } else {
            headers.append((checksumHeader, checksumValue))
            // AWS wants a locked object's checksum named too (or a Content-MD5).
            if settings.objectLock != nil { headers.append(("x-amz-sdk-checksum-algorithm", checksum.kind == .crc32c ? "CRC32C" : "SHA256")) }
        }
        let payloadHash = switch checksum {
        case .sha256(let digest): ByteEncoding.hex(digest)
        case .crc32c: S3Signer.unsignedPayload
        }
        let response: HTTPResponse
        do {
            response = try await send(Call(operation: "PutObject", method: .put, key: key, headers: headers, body: body, payloadHash: payloadHash))
        } catch where checksum.kind == .crc32c && md5 == nil {
            throw Self.refusal(error, as: "ChecksumNotAccepted")
        }
        return try confirmed(response, key: key, checksum: md5 == nil ? checksum : nil, md5: md5)
    }

    /// A PUT's answer checked: an ETag, matching `md5` when given, and the store's echo of
    /// `checksum` (when it echoes one) equal to what was sent.
    package func confirmed(_ response: HTTPResponse, key: String, checksum: ChunkChecksum?, md5: [UInt8]?) throws(StoreError) -> PutResult {
        let etag = ETag.unquote(response.header("etag"))
        let (checksumHeader, checksumValue) = checksum?.header ?? ("", "")
        let echoed = checksum == nil ? nil : response.header(checksumHeader)
        if etag.isEmpty {
            throw StoreError(code: "MissingETag", message: "the store answered without an ETag", httpStatus: response.status,
                          requestID: response.header("x-amz-request-id"), operation: "PutObject", resource: resource(key))
        }
        let mismatchedMD5 = md5.map { etag.count == 32 && etag.lowercased() != ByteEncoding.hex($0) } ?? false
        let mismatchedChecksum = echoed.map { $0 != checksumValue } ?? false
        if mismatchedMD5 || mismatchedChecksum {
            throw StoreError(code: "BadDigest", message: "the store confirmed a different checksum than was sent",
                          httpStatus: response.status, requestID: response.header("x-amz-request-id"),
                          operation: "PutObject", resource: resource(key))
        }
        return PutResult(etag: etag, checksum: echoed)
    }

    /// `error` renamed `code` when it is how a store that does not implement a checksum form
    /// (CRC32C, unsigned payloads, trailers) answers it; otherwise `error` itself.
    package static func refusal(_ error: StoreError, as code: String) -> StoreError {
        let codes: Set = ["NotImplemented", "InvalidArgument", "InvalidRequest", "BadRequest", "XAmzContentSHA256Mismatch"]
        let refuses = error.httpStatus == 411 || ([400, 501].contains(error.httpStatus) && codes.contains(error.code))
        guard refuses else { return error }
        var refused = error
        refused.code = code
        refused.message = "\(error.code): \(error.message)"
        return refused
    }

    /// The object's size, ETag and stored checksum; `nil` when there is no such object.
    package func headObject(key: String) async throws(StoreError) -> ObjectInfo? {
        let response = try await send(Call(
            operation: "HeadObject", method: .head, key: key,
            headers: [("x-amz-checksum-mode", "ENABLED")], acceptedStatuses: [404]
        ))
        guard response.status != 404 else { return nil }
        return ObjectInfo(
            key: key,
            size: Int64(response.header("content-length") ?? "") ?? 0,
            etag: ETag.unquote(response.header("etag")),
            checksumSHA256: response.header("x-amz-checksum-sha256"),
            checksumCRC32C: response.header("x-amz-checksum-crc32c"),
            lastModified: response.header("last-modified") ?? "",
            metadata: Dictionary(response.headers.compactMap { header in
                header.name.hasPrefix("x-amz-meta-") ? (String(header.name.dropFirst("x-amz-meta-".count)), header.value) : nil
            }, uniquingKeysWith: { $1 }),
            storageClass: response.header("x-amz-storage-class")
        )
    }

    /// Copies `sourceKey` to `key` inside the store (up to 5 GiB), with this client's storage class
    /// and the given metadata instead of the source's.
    package func copyObject(key: String, sourceKey: String, contentType: String, metadata: [String: String] = [:],
                            lock: ObjectAttributes.LockTerm = .footage) async throws(StoreError) -> String {
        let response = try await send(Call(
            operation: "CopyObject", method: .put, key: key,
            headers: objectHeaders(contentType: contentType, metadata: metadata, lock: lock) + [
                ("x-amz-copy-source", copySource(sourceKey)), ("x-amz-metadata-directive", "REPLACE"),
            ] + (settings.objectLock == nil ? [] : [
                // A locked write names its checksum (moto refuses one that does not): the copy's
                // CRC32C, which the store computes.
                ("x-amz-checksum-algorithm", "CRC32C"), ("x-amz-sdk-checksum-algorithm", "CRC32C"),
            ])
        ))
        // S3 may answer 200 and still report a failure in the body.
        let xml = S3XML(response.body)
        if let code = xml.value("Code") {
            throw StoreError(code: code, message: xml.value("Message") ?? "", httpStatus: response.status,
                          requestID: xml.value("RequestId"), operation: "CopyObject", resource: resource(key))
        }
        return ETag.unquote(xml.value("ETag"))
    }

    /// Headers every object written carries: its type, the storage class, the lock, user metadata.
    package func objectHeaders(contentType: String, metadata: [String: String], storageClass: Bool = true,
                               lock: ObjectAttributes.LockTerm = .footage) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Content-Type", contentType)]
        if storageClass, let storageClass = self.storageClass { headers.append(("x-amz-storage-class", storageClass)) }
        if let objectLock = settings.objectLock { headers += objectLock.headers(for: lock) }
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.append(("x-amz-meta-" + name, value)) }
        return headers
    }

    /// `x-amz-copy-source` for an object of this bucket.
    package func copySource(_ key: String) -> String {
        "/" + URIEncoding.encodePath(settings.bucket) + "/" + URIEncoding.encodePath(key)
    }

    /// The object's bytes, or the bytes in `range` (offsets, upper bound exclusive).
    package func getObject(key: String, range: Range<Int64>? = nil) async throws(StoreError) -> [UInt8] {
        var headers: [(name: String, value: String)] = []
        if let range {
            guard !range.isEmpty else { return [] }
            headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        return try await send(Call(operation: "GetObject", method: .get, key: key, headers: headers)).body
    }

    /// Removes the object; removing one that is not there succeeds.
    package func deleteObject(key: String) async throws(StoreError) {
        _ = try await send(Call(operation: "DeleteObject", method: .delete, key: key, acceptedStatuses: [404]))
    }
}
