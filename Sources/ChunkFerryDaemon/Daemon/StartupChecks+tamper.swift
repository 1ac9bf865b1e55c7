import ChunkFerryStorage

extension StartupChecks {
    /// With `OBJECT_LOCK`, the bucket must have Object Lock: otherwise every locked PUT fails, or
    /// (on stores that ignore the headers) nothing is locked while the settings say it is. nil
    /// when `OBJECT_LOCK` is off.
    func objectLock() async -> Outcome? {
        guard let client = storage.s3Client, let lock = client.settings.objectLock else { return nil }
        do {
            switch try await client.objectLockConfiguration() {
            case .disabled:
                return .failed(client.lockMissingAdvice, fatal: true)
            case .enabled(let fallback):
                return .ok("bucket \(client.settings.bucket) has Object Lock\(fallback.map { " (default retention \($0))" } ?? ""); footage is "
                    + "written with \(lock.description) retention, provisional pieces with \(ObjectLock.days(lock.tailRetention))")
            }
        } catch {
            return .failed(error.description, fatal: !error.isRetryable)
        }
    }

    /// What someone holding these keys could do to stored footage, tried on a probe object of
    /// the check's own.
    func deletion() async -> DeletionFinding {
        let key = "\(settings.upload.keyPrefix).chunkferry-check/\(settings.upload.nodeID)-deletion-probe"
        if let client = storage.s3Client { return await client.deletionProbe(key: key) }
        if storage.folderStore != nil {
            return DeletionFinding(thiefCanDelete: true, reason: "a folder the box writes to: whoever holds the box can delete its files")
        }
        return await httpProbe(key: key)
    }

    /// An HTTP server decides for itself: what it does with a DELETE, and with a PUT over an
    /// object it holds (ChunkFerry writes manifests again, so it must take those).
    private func httpProbe(key: String) async -> DeletionFinding {
        let (original, replaced) = (Array("chunkferry deletion probe\n".utf8), Array("overwritten by the deletion probe\n".utf8))
        do {
            _ = try await storage.put(key: key, bytes: original, attributes: .check)
        } catch {
            return DeletionFinding(thiefCanDelete: nil, reason: "the probe object could not be written: \(error.code)")
        }
        if (try? await storage.delete(key: key)) != nil, storage.showsObjects, (try? await storage.head(key: key)) == nil {
            return DeletionFinding(thiefCanDelete: true, reason: "the HTTP server deletes on request")
        }
        guard (try? await storage.put(key: key, bytes: replaced, attributes: .check)) != nil else {
            return DeletionFinding(thiefCanDelete: false, reason: "the HTTP server neither deletes nor overwrites an object it holds")
        }
        if let back = try? await storage.get(key: key), back == replaced {
            return DeletionFinding(thiefCanDelete: true, reason: "the HTTP server lets an object it holds be overwritten")
        }
        return DeletionFinding(thiefCanDelete: nil, reason: "the HTTP server took a DELETE and a PUT over the object, and does not show what it kept")
    }
}
