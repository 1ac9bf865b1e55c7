/// Finding the manifest a `restore` reference names.
extension Restorer {
    /// The manifest key for a manifest key, a stream id (20 hex digits) or a recording's path.
    func manifestKey(for reference: String) async throws(Failure) -> String {
        if reference.hasSuffix("manifest.json") { return reference }
        if Self.isStreamID(reference) {
            if let key = try await manifestKey(streamID: reference) { return key }
            throw Failure(description: "no manifest for stream \(reference): it is not finalized yet, or the id is wrong (see chunkferry status)")
        }
        if let key = try await manifestKey(path: reference) { return key }
        throw Failure(description: "no recording at \(reference): give its path under WATCH_DIR, its key in the bucket, a stream id or a manifest key (see chunkferry status)")
    }

    static func isStreamID(_ text: String) -> Bool {
        text.utf8.count == 20 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private func manifestKey(streamID: String) async throws(Failure) -> String? {
        if let store, let record = try? await store.stream(streamID)?.record {
            return ObjectLayout(prefix: "").manifestKey(streamPrefix: record.keyPrefix)
        }
        return try await firstKey(prefix: prefix) { $0.hasSuffix("/\(streamID)/manifest.json") }
    }

    /// The newest finished recording of a file path, or the recording whose whole object has this key.
    private func manifestKey(path: String) async throws(Failure) -> String? {
        let trimmed = path.trimmed(of: "/")
        if let store, let records = try? await store.allStreams() {
            let matching = records.filter { record in
                PathEscaping.display(record.path).text == trimmed || record.objectKey == trimmed || record.objectKey == prefix + trimmed
            }
            let newest = matching.max { ($0.state == .finalized ? 1 : 0, $0.updatedAt) < ($1.state == .finalized ? 1 : 0, $1.updatedAt) }
            if let newest { return ObjectLayout(prefix: "").manifestKey(streamPrefix: newest.keyPrefix) }
        }
        // Without Redis: the stream folders of that path, else the stream named by a whole object's metadata.
        // Keys hold names escaped (`50%.mp4` is `50%25.mp4`), and only `<path>/<stream id>/manifest.json` is this file's.
        let escaped = trimmed.split(separator: "/").map { PathEscaping.escape(name: Array($0.utf8)) }.joined(separator: "/")
        var newest: (key: String, modified: String)?
        for folder in [prefix + escaped + "/", prefix + ObjectLayout.streamsFolder + escaped + "/"] {
            for object in try await list(prefix: folder) {
                let rest = object.key.dropFirst(folder.count)
                guard rest.hasSuffix("/manifest.json"), Self.isStreamID(String(rest.dropLast("/manifest.json".count))) else { continue }
                if newest == nil || object.lastModified > newest!.modified { newest = (object.key, object.lastModified) }
            }
        }
        if let newest { return newest.key }
        for key in Set([prefix + trimmed, trimmed]) {
            let head: ObjectInfo?
            do { head = try await storage.head(key: key) } catch { throw Failure(description: error.description) }
            if let streamID = head?.metadata[WholeObjectAssembler.streamMetadata] { return try await manifestKey(streamID: streamID) }
        }
        return nil
    }

    private func firstKey(prefix: String, where matches: (String) -> Bool) async throws(Failure) -> String? {
        try await list(prefix: prefix).first { matches($0.key) }?.key
    }

    private func list(prefix: String) async throws(Failure) -> [ObjectInfo] {
        do { return try await storage.list(prefix: prefix) } catch { throw Failure(description: error.description) }
    }
}
