import ChunkFerrySupport

extension S3Client {
    /// Succeeds when the bucket exists and the credentials may use it.
    package func headBucket() async throws(StoreError) {
        do {
            _ = try await send(Call(operation: "HeadBucket", method: .head, key: nil))
        } catch where error.httpStatus == 404 {
            var missing = error
            missing.code = "NoSuchBucket"
            throw missing
        } catch where error.httpStatus == 403 || error.httpStatus == 400 {
            // A HEAD answer has no body, so a wrong secret and a missing permission look alike;
            // a one-key listing brings the store's own error code.
            _ = try await listObjects(maxKeys: 1)
            throw error
        }
    }

    /// Creates the bucket (with Object Lock when `OBJECT_LOCK` is on); one that already belongs to these credentials counts as created.
    package func createBucket() async throws(StoreError) {
        var body: [UInt8]?
        var hash = S3Signer.emptyPayloadHash
        if settings.region != "us-east-1" && settings.endpoint.isEmpty {
            let xml = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(S3XML.escape(settings.region))</LocationConstraint></CreateBucketConfiguration>"
            body = Array(xml.utf8)
            hash = ByteEncoding.hex(Digest.sha256(body!))
        }
        do {
            // Object Lock can only be asked for when the bucket is made (it turns versioning on).
            let headers: [(name: String, value: String)] = settings.objectLock == nil ? [] : [("x-amz-bucket-object-lock-enabled", "true")]
            _ = try await send(Call(operation: "CreateBucket", method: .put, key: nil, headers: headers, body: body.map { .bytes($0) }, payloadHash: hash))
        } catch where error.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    /// One page of ListObjectsV2. Keys come URL-encoded from the store (`encoding-type=url`)
    /// so names with control characters survive XML, and are decoded here.
    package func listObjects(
        prefix: String = "", delimiter: String? = nil, continuationToken: String? = nil, maxKeys: Int = 1000
    ) async throws(StoreError) -> S3ListPage {
        var query: [(name: String, value: String)] = [
            ("list-type", "2"), ("encoding-type", "url"), ("max-keys", String(maxKeys)),
        ]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try await send(Call(operation: "ListObjectsV2", method: .get, key: nil, query: query))
        let xml = S3XML(response.body)
        let encoded = xml.value("EncodingType") == "url"
        func decode(_ text: String) -> String { encoded ? URIEncoding.decode(text, plusIsSpace: true) : text }
        let objects = xml.elements("Contents").map { item in
            ObjectInfo(
                key: decode(item.value("Key") ?? ""),
                size: Int64(item.value("Size") ?? "") ?? 0,
                etag: ETag.unquote(item.value("ETag")),
                checksumSHA256: nil,
                lastModified: item.value("LastModified") ?? ""
            )
        }
        let prefixes = xml.elements("CommonPrefixes").compactMap { $0.value("Prefix") }.map(decode)
        let truncated = xml.value("IsTruncated") == "true"
        return S3ListPage(
            objects: objects,
            commonPrefixes: prefixes,
            continuationToken: truncated ? xml.value("NextContinuationToken") : nil
        )
    }

    /// Every object under `prefix`, following continuation tokens.
    package func listAllObjects(prefix: String) async throws(StoreError) -> [ObjectInfo] {
        var all: [ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await listObjects(prefix: prefix, continuationToken: token)
            all += page.objects
            token = page.continuationToken
        } while token != nil
        return all
    }
}
