import ChunkFerrySupport

/// Server-side assembly: objects already in the bucket become parts of a new object.
extension S3Client {
    package func createMultipartUpload(key: String, contentType: String = "application/octet-stream",
                                      metadata: [String: String] = [:], lock: ObjectAttributes.LockTerm = .footage) async throws(StoreError) -> String {
        let response = try await send(Call(
            operation: "CreateMultipartUpload", method: .post, key: key,
            query: [("uploads", "")], headers: objectHeaders(contentType: contentType, metadata: metadata, lock: lock)
        ))
        guard let uploadID = S3XML(response.body).value("UploadId"), !uploadID.isEmpty else {
            throw StoreError(code: "MalformedResponse", message: "no UploadId in the answer", httpStatus: response.status,
                          requestID: nil, operation: "CreateMultipartUpload", resource: resource(key))
        }
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
        return ETag.unquote(xml.value("ETag"))
    }

    /// Joins the parts, in order, into the final object; returns its ETag.
    package func completeMultipartUpload(key: String, uploadID: String, parts: [(number: Int, etag: String)]) async throws(StoreError) -> String {
        let xml = "<CompleteMultipartUpload>"
            + parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\"\(S3XML.escape($0.etag))\"</ETag></Part>" }.joined()
            + "</CompleteMultipartUpload>"
        let body = Array(xml.utf8)
        let response = try await send(Call(
            operation: "CompleteMultipartUpload", method: .post, key: key,
            query: [("uploadId", uploadID)], headers: [("Content-Type", "application/xml")],
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
        _ = try await send(Call(
            operation: "AbortMultipartUpload", method: .delete, key: key,
            query: [("uploadId", uploadID)], acceptedStatuses: [404]
        ))
    }
}
