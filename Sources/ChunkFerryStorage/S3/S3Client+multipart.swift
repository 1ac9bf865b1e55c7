import ChunkFerrySupport

/// Server-side assembly: objects already in the bucket become parts of a new object.
extension S3Client {
    /// `fullObjectCRC32C`: the result's CRC32C (Base64), for the store to check at completion as
    /// its full-object checksum, where it takes one (it is then shown on HEAD).
    package func createMultipartUpload(key: String, contentType: String = "application/octet-stream",
                                      metadata: [String: String] = [:], lock: ObjectAttributes.LockTerm = .footage,
                                      fullObjectCRC32C: String? = nil) async throws(StoreError) -> String {
        var headers = objectHeaders(contentType: contentType, metadata: metadata, lock: lock)
        let checksummed = fullObjectCRC32C != nil && fullObjectChecksums.load(ordering: .relaxed)
        if checksummed { headers += [("x-amz-checksum-algorithm", "CRC32C"), ("x-amz-checksum-type", "FULL_OBJECT")] }
        let response: HTTPResponse
        do {
            response = try await send(Call(operation: "CreateMultipartUpload", method: .post, key: key, query: [("uploads", "")], headers: headers))
        } catch where checksummed && Self.refusal(error, as: "ChecksumNotAccepted").code == "ChecksumNotAccepted" {
            // A store without full-object checksums: assembled as before, checked by size and metadata.
            fullObjectChecksums.store(false, ordering: .relaxed)
            return try await createMultipartUpload(key: key, contentType: contentType, metadata: metadata, lock: lock)
        }
        guard let uploadID = S3XML(response.body).value("UploadId"), !uploadID.isEmpty else {
            throw StoreError(code: "MalformedResponse", message: "no UploadId in the answer", httpStatus: response.status,
                          requestID: nil, operation: "CreateMultipartUpload", resource: resource(key))
        }
        if checksummed, let fullObjectCRC32C { assemblyChecksums.withLock { $0[uploadID] = fullObjectCRC32C } }
        return uploadID
    }

    /// Copies `sourceKey` (or `sourceRange` of it, upper bound exclusive) in as part `partNumber`.
    package func uploadPartCopy(
        key: String, uploadID: String, partNumber: Int, sourceKey: String, sourceRange: Range<Int64>? = nil
    ) async throws(StoreError) -> String {
        var headers: [(name: String, value: String)] = [("x-amz-copy-source", copySource(sourceKey))]
        if let sourceRange {
            headers.append(("x-amz-copy-source-range", "bytes=\(sourceRange.lowerBound)-\(sourceRange.upperBound - 1)"))
        }
        let response = try await send(Call(
            operation: "UploadPartCopy", method: .put, key: key,
            query: [("partNumber", String(partNumber)), ("uploadId", uploadID)], headers: headers
        ))
        let xml = S3XML(response.body)
        if let code = xml.value("Code") {
            throw StoreError(code: code, message: xml.value("Message") ?? "", httpStatus: response.status,
                          requestID: xml.value("RequestId"), operation: "UploadPartCopy", resource: resource(key))
        }
        // The part's CRC32C, when the store computed one, goes back at completion beside its ETag.
        let etag = ETag.unquote(xml.value("ETag"))
        return xml.value("ChecksumCRC32C").map { etag + Self.partChecksumSeparator + $0 } ?? etag
    }

    /// Between a part's ETag and its CRC32C in the tag `uploadPartCopy` returns.
    static let partChecksumSeparator = "\n"

    /// Joins the parts, in order, into the final object; returns its ETag.
    package func completeMultipartUpload(key: String, uploadID: String, parts: [(number: Int, etag: String)]) async throws(StoreError) -> String {
        let fullObject = assemblyChecksums.withLock { $0.removeValue(forKey: uploadID) }
        let xml = "<CompleteMultipartUpload>"
            + parts.map { part in
                let tag = part.etag.split(separator: Self.partChecksumSeparator, maxSplits: 1).map(String.init)
                let checksum = fullObject != nil && tag.count == 2 ? "<ChecksumCRC32C>\(S3XML.escape(tag[1]))</ChecksumCRC32C>" : ""
                return "<Part><PartNumber>\(part.number)</PartNumber><ETag>\"\(S3XML.escape(tag.first ?? ""))\"</ETag>\(checksum)</Part>"
            }.joined()
            + "</CompleteMultipartUpload>"
        let body = Array(xml.utf8)
        var headers: [(name: String, value: String)] = [("Content-Type", "application/xml")]
        if let fullObject { headers += [("x-amz-checksum-crc32c", fullObject), ("x-amz-checksum-type", "FULL_OBJECT")] }
        let response = try await send(Call(
            operation: "CompleteMultipartUpload", method: .post, key: key,
            query: [("uploadId", uploadID)], headers: headers,
            body: .bytes(body), payloadHash: ByteEncoding.hex(Digest.sha256(body))
        ))
        // S3 may answer 200 and still report a failure in the body.
        let answer = S3XML(response.body)
        if let code = answer.value("Code") {
            throw StoreError(code: code, message: answer.value("Message") ?? "", httpStatus: response.status,
                          requestID: answer.value("RequestId"), operation: "CompleteMultipartUpload", resource: resource(key))
        }
        return ETag.unquote(answer.value("ETag"))
    }

    package func abortMultipartUpload(key: String, uploadID: String) async throws(StoreError) {
        assemblyChecksums.withLock { $0[uploadID] = nil }
        _ = try await send(Call(
            operation: "AbortMultipartUpload", method: .delete, key: key,
            query: [("uploadId", uploadID)], acceptedStatuses: [404]
        ))
    }
}
