extension S3Client {
    /// Whether chunk PUTs carry their CRC32C as a trailer, read and hashed in the same pass that
    /// sends them: in crc32c mode, until the store refuses one.
    package var sendsTrailingChecksums: Bool {
        settings.integrity == .crc32c && trailersAccepted.load(ordering: .relaxed)
    }

    /// Switches chunk PUTs to the header form for the rest of the run; true for the caller that
    /// made the change (and reports it).
    package func stopTrailingChecksums() -> Bool {
        trailersAccepted.exchange(false, ordering: .relaxed)
    }

    /// Stores `body`'s bytes under `key`, their CRC32C computed while they are sent and checked by
    /// the store from the trailer. A store that refuses the form (501 NotImplemented and kin)
    /// answers `TrailerNotAccepted`: the caller stops trailers and sends in the header form.
    package func putObject(key: String, trailing body: ChecksummedBody, contentType: String = "application/octet-stream",
                           metadata: [String: String] = [:], temporary: Bool = false,
                           lock: ObjectAttributes.LockTerm = .footage) async throws(StoreError) -> PutResult {
        var headers = objectHeaders(contentType: contentType, metadata: metadata, storageClass: !temporary, lock: lock) + [
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", String(body.length)),
            ("x-amz-trailer", ChecksummedBody.trailerName),
        ]
        // AWS wants a locked object's checksum named (the trailer's algorithm) or a Content-MD5.
        if settings.objectLock != nil { headers.append(("x-amz-sdk-checksum-algorithm", "CRC32C")) }
        let response: HTTPResponse
        do {
            response = try await send(Call(operation: "PutObject", method: .put, key: key, headers: headers,
                                           body: .trailed(body), payloadHash: S3Signer.unsignedPayloadWithTrailer))
        } catch {
            throw Self.refusal(error, as: "TrailerNotAccepted")
        }
        guard let sent = body.checksum else {  // answered before taking the whole body
            throw StoreError(code: "IncompleteBody", message: "the store answered before the whole body was sent",
                          httpStatus: 503, requestID: response.header("x-amz-request-id"), operation: "PutObject", resource: resource(key))
        }
        return try confirmed(response, key: key, checksum: sent, md5: nil)
    }
}
