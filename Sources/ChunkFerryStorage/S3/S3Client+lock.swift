import ChunkFerrySupport

extension S3Client {
    /// What the bucket says of Object Lock.
    package enum LockConfiguration: Sendable, Equatable {
        /// Enabled, with the bucket's default retention when it has one (`GOVERNANCE, 1 days`).
        case enabled(defaultRetention: String?)
        case disabled
    }

    /// GetObjectLockConfiguration: whether objects written here can be locked at all.
    package func objectLockConfiguration() async throws(StoreError) -> LockConfiguration {
        let response: HTTPResponse
        do {
            response = try await send(Call(operation: "GetObjectLockConfiguration", method: .get, key: nil, query: [("object-lock", "")]))
        } catch where error.code == "ObjectLockConfigurationNotFoundError" || error.httpStatus == 404 {
            return .disabled
        }
        let xml = S3XML(response.body)
        guard xml.value("ObjectLockEnabled") == "Enabled" else { return .disabled }
        let retention = xml.value("Mode").map { mode in
            let term = xml.value("Days").map { "\($0) days" } ?? xml.value("Years").map { "\($0) years" } ?? "?"
            return "\(mode), \(term)"
        }
        return .enabled(defaultRetention: retention)
    }

    /// Why `OBJECT_LOCK` cannot work on this bucket, as one line saying what to do.
    package var lockMissingAdvice: String {
        "bucket \(settings.bucket) has no Object Lock, so OBJECT_LOCK cannot lock anything: create a bucket with it "
            + "(aws s3api create-bucket --bucket NAME --object-lock-enabled-for-bucket; mc mb --with-lock ALIAS/NAME; "
            + "or S3_CREATE_BUCKET=true with a new S3_BUCKET) and point S3_BUCKET at it, or set OBJECT_LOCK=off"
    }

    /// An assembled object carries the lock asked for at its start; where HEAD does not show it
    /// (a store that drops it on the way, as moto does, or keys without s3:GetObjectRetention,
    /// which AWS needs to show it) it is set again, to a date no earlier, so no footage goes
    /// unlocked. Extending a retention needs no bypass.
    func confirmLock(key: String) async throws(StoreError) {
        guard let lock = settings.objectLock else { return }
        let head = try await send(Call(operation: "HeadObject", method: .head, key: key, acceptedStatuses: [404]))
        guard head.status != 404, head.header("x-amz-object-lock-mode") == nil else { return }
        _ = try await send(retentionCall(key: key, version: head.header("x-amz-version-id"), mode: lock.mode, term: lock.retention, bypass: false))
    }

    /// PutObjectRetention on the object (its version `version`, when given): `mode` until `term`
    /// from now.
    func retentionCall(key: String, version: String?, mode: ObjectLock.Mode, term: Duration, bypass: Bool) -> Call {
        let xml = "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>\(mode.header)</Mode>"
            + "<RetainUntilDate>\(ObjectLock.retainUntil(term: term))</RetainUntilDate></Retention>"
        let body = Array(xml.utf8)
        var query: [(name: String, value: String)] = [("retention", "")]
        if let version, version != "null" { query.append(("versionId", version)) }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/xml"), ("Content-MD5", ByteEncoding.base64(Digest.md5(body)))]
        if bypass { headers.append(("x-amz-bypass-governance-retention", "true")) }
        return Call(operation: "PutObjectRetention", method: .put, key: key, query: query, headers: headers,
                    body: .bytes(body), payloadHash: ByteEncoding.hex(Digest.sha256(body)))
    }
}
