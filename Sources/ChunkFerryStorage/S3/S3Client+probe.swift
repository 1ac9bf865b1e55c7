import ChunkFerrySupport

extension S3Client {
    /// Tries on an object of its own what a thief holding these keys would try on footage:
    /// delete its version (bypassing governance retention), overwrite it, shorten its
    /// retention and delete it then. The probe is written as footage is (locked for a day when
    /// `OBJECT_LOCK` is on) and removed again when the keys can remove it.
    package func deletionProbe(key: String) async -> DeletionFinding {
        let body = Array("chunkferry deletion probe: what a thief with these keys could do\n".utf8)
        let version: String?
        do throws(StoreError) {
            version = try await probePut(key: key, body: body) ?? nil
        } catch {
            return DeletionFinding(thiefCanDelete: nil, reason: "the probe object could not be written: \(error.code)")
        }
        guard let version else {
            // No versions: a delete or an overwrite is the end of the object.
            if (try? await deleteObject(key: key)) != nil {
                return DeletionFinding(thiefCanDelete: true, reason: "deleting an object works: bucket \(settings.bucket) keeps no versions and has no object lock")
            }
            if (try? await probePut(key: key, body: Array("overwritten\n".utf8))) != nil {
                return DeletionFinding(thiefCanDelete: true, reason: "these keys may not delete, but overwriting an object replaces it: bucket \(settings.bucket) keeps no versions")
            }
            return DeletionFinding(thiefCanDelete: false, reason: "these keys may neither delete nor overwrite an object")
        }
        var versions = [version]
        // As a thief would: plainly first (asking to bypass needs a permission of its own), then
        // bypassing governance retention.
        if await deleteVersion(key: key, version: version, bypass: false) {
            await cleanUp(key: key, versions: versions.dropFirst())
            return DeletionFinding(thiefCanDelete: true, reason: "deleting an object's version works")
        }
        if await deleteVersion(key: key, version: version, bypass: true) {
            await cleanUp(key: key, versions: versions.dropFirst())
            return DeletionFinding(thiefCanDelete: true, reason: "deleting an object's version works: these keys may bypass governance retention")
        }
        // An overwrite only adds a version beside the first; it matters where versions are off.
        if case let newer?? = try? await probePut(key: key, body: Array("overwritten\n".utf8)) { versions.append(newer) }
        // Shortened to a minute, the version can be deleted a minute later.
        if settings.objectLock != nil, await shortenRetention(key: key, version: version) {
            await cleanUp(key: key, versions: versions.dropFirst())
            return DeletionFinding(thiefCanDelete: true, reason: "the retention can be shortened (to a minute here), after which a version delete is up to the keys")
        }
        await cleanUp(key: key, versions: versions.dropFirst())
        if let lock = settings.objectLock {
            return DeletionFinding(thiefCanDelete: false, reason: "object lock \(lock.description)")
        }
        return DeletionFinding(thiefCanDelete: false, reason: "bucket \(settings.bucket) keeps every version and these keys may not delete one; a lifecycle rule still could")
    }

    /// A PUT of the probe, locked as footage is (for a day); its version id when the bucket keeps versions.
    private func probePut(key: String, body: [UInt8]) async throws(StoreError) -> String?? {
        var headers = objectHeaders(contentType: "text/plain", metadata: [:], storageClass: false, lock: .probe)
        headers.append(("Content-MD5", ByteEncoding.base64(Digest.md5(body))))
        let response = try await send(Call(operation: "PutObject", method: .put, key: key, headers: headers, body: .bytes(body),
                                           payloadHash: ByteEncoding.hex(Digest.sha256(body))))
        let version = response.header("x-amz-version-id")
        return version == nil || version == "null" ? .some(nil) : .some(version)
    }

    private func deleteVersion(key: String, version: String, bypass: Bool = true) async -> Bool {
        let call = Call(operation: "DeleteObjectVersion", method: .delete, key: key, query: [("versionId", version)],
                        headers: bypass ? [("x-amz-bypass-governance-retention", "true")] : [])
        return (try? await send(call)) != nil
    }

    /// PutObjectRetention to a minute from now, bypassing governance if the keys may.
    private func shortenRetention(key: String, version: String) async -> Bool {
        guard let lock = settings.objectLock else { return false }
        let call = retentionCall(key: key, version: version, mode: lock.mode, term: .seconds(60), bypass: true)
        return (try? await send(call)) != nil
    }

    /// Removes what of the probe these keys may remove; locked versions stay their day.
    private func cleanUp(key: String, versions: ArraySlice<String>) async {
        for version in versions { _ = await deleteVersion(key: key, version: version) }
    }
}
