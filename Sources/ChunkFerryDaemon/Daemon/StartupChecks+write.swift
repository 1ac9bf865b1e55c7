import ChunkFerryStorage

extension StartupChecks {
    /// A test object written and deleted: proves the credentials may write. In S3's crc32c mode
    /// it goes with a trailing checksum first, which finds out whether chunks can go that way. An
    /// HTTP server is asked for it back (HEAD): one that answers no HEAD is fine, unless local
    /// files are to be deleted, which needs the store to confirm it holds them.
    func writeAccess() async -> Outcome {
        let key = "\(settings.upload.keyPrefix).chunkferry-check/\(settings.upload.nodeID)-\(UInt32.random(in: 0...UInt32.max))"
        let body = Array("chunkferry write check\n".utf8)
        var attributes = ObjectAttributes.check
        attributes.readableByBox = true  // read back when the store cannot list
        do {
            var notes: [String] = []
            if storage.streamsChecksums {
                do {
                    _ = try await storage.put(key: key, streaming: ChecksummedBody(.bytes(body)), attributes: attributes)
                    if storage.backend == .s3 { notes.append("checksums trail the bytes") }
                } catch where error.code == "TrailerNotAccepted" {
                    _ = storage.stopStreamingChecksums()
                    notes.append("the store refuses trailing checksums: they go in headers, one more read of each byte")
                }
            }
            if !storage.streamsChecksums {
                _ = try await storage.put(key: key, bytes: body, attributes: attributes)
            }
            // A store without listings (an HTTP server) may or may not show what it took.
            if !storage.lists, try await storage.head(key: key)?.size != Int64(body.count) {
                if let deleting = settings.retention.enablingKeys.first {
                    return .failed("the HTTP server does not answer HEAD \(key) with the object it just took, but \(deleting.environmentName) deletes local files only once the store confirms it holds them: make the server answer HEAD and GET (see docs/storage.md), or turn \(deleting.environmentName) off", fatal: true)
                }
                notes.append("the server answers no HEAD: recovery relies on Redis alone")
            } else if !storage.lists, !settings.retention.enablingKeys.isEmpty, try await storage.get(key: key) != body {
                return .failed("the HTTP server does not give back the test object just written (\(key)), but local files are deleted only once their manifest is read back: make the server answer GET, or turn local retention off", fatal: true)
            }
            var done = "test object written and deleted"
            do {
                try await storage.delete(key: key)
            } catch where error.httpStatus == 403 {
                // Write-only keys (see `chunkferry policy`): the test object stays, as footage would.
                done = "test object written; deleting it was refused (keys without s3:DeleteObject), so it stays"
            }
            return .ok(done + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"))
        } catch {
            return .failed(error.description, fatal: !error.isRetryable)
        }
    }
}
