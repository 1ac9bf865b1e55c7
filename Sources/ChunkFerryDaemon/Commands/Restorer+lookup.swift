import ChunkFerryCheckpoint
import ChunkFerryPipeline
import ChunkFerryStorage

/// Finding what a `restore` reference names: a finished manifest, or a stream still without one.
extension Restorer {
    enum Located {
        case manifest(String)
        /// A stream folder with chunks (and perhaps a provisional tail) but no manifest.
        case unfinished(streamPrefix: String)
    }

    /// A manifest key, a stream id (20 hex digits) or a recording's path.
    func locate(_ reference: String) async throws(Failure) -> Located {
        if reference.hasSuffix("manifest.json") { return .manifest(reference) }
        if Self.isStreamID(reference) {
            if let found = try await locate(streamID: reference) { return found }
            throw Failure(description: "nothing in \(storage.location) for stream \(reference): the id is wrong, or none of its chunks arrived (see chunkferry status)")
        }
        if let found = try await locate(path: reference) { return found }
        throw Failure(description: "no recording at \(reference): give its path under WATCH_DIR, its key in the bucket, a stream id or a manifest key (see chunkferry status)")
    }

    package static func isStreamID(_ text: String) -> Bool {
        text.utf8.count == 20 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private func locate(streamID: String) async throws(Failure) -> Located? {
        if let store, let record = try? await store.stream(streamID)?.record {
            return located(record)
        }
        let folders = try await streamFolders(prefix: prefix) { $0 == streamID }
        return folders.first.map(\.located)
    }

    /// The newest recording of a file path, or the recording whose whole object has this key.
    private func locate(path: String) async throws(Failure) -> Located? {
        let trimmed = path.trimmed(of: "/")
        if let store, let records = try? await store.allStreams() {
            let matching = records.filter { record in
                PathEscaping.display(record.path).text == trimmed || record.objectKey == trimmed || record.objectKey == prefix + trimmed
            }
            let newest = matching.max { ($0.state == .finalized ? 1 : 0, $0.updatedAt) < ($1.state == .finalized ? 1 : 0, $1.updatedAt) }
            if let newest { return located(newest) }
        }
        // Without Redis: the stream folders of that path, else the stream named by a whole object's metadata.
        // Keys hold names escaped (`50%.mp4` is `50%25.mp4`), and only `<path>/<stream id>/…` is this file's.
        let escaped = trimmed.split(separator: "/").map { PathEscaping.escape(name: Array($0.utf8)) }.joined(separator: "/")
        var folders: [StreamFolder] = []
        for folder in [prefix + escaped + "/", prefix + ObjectLayout.streamsFolder + escaped + "/"] {
            folders += try await streamFolders(prefix: folder, direct: true) { _ in true }
        }
        // A finished recording before one still without a manifest, then the newest.
        if let newest = folders.max(by: { ($0.manifest != nil ? 1 : 0, $0.modified) < ($1.manifest != nil ? 1 : 0, $1.modified) }) {
            return newest.located
        }
        for key in Set([prefix + trimmed, trimmed]) {
            let head: ObjectInfo?
            do { head = try await storage.head(key: key) } catch { throw Failure(description: error.description) }
            if let streamID = head?.metadata[WholeObjectAssembler.streamMetadata] { return try await locate(streamID: streamID) }
        }
        return nil
    }

    private func located(_ record: StreamRecord) -> Located {
        record.state == .active ? .unfinished(streamPrefix: record.keyPrefix)
            : .manifest(ObjectLayout(prefix: "").manifestKey(streamPrefix: record.keyPrefix))
    }

    /// A stream's folder in the store as a listing shows it.
    private struct StreamFolder {
        var prefix: String
        var manifest: String?
        var modified: String

        var located: Located { manifest.map { .manifest($0) } ?? .unfinished(streamPrefix: prefix) }
    }

    /// Stream folders under `prefix` whose id passes `matches`; with `direct`, only folders right
    /// under `prefix` (`<prefix><id>/…`).
    private func streamFolders(prefix: String, direct: Bool = false, _ matches: (String) -> Bool) async throws(Failure) -> [StreamFolder] {
        var folders: [String: StreamFolder] = [:]
        for object in try await list(prefix: prefix) {
            let parts = object.key.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 2, !direct || parts.count == 2 else { continue }
            let id = String(parts[parts.count - 2])
            let name = parts[parts.count - 1]
            guard Self.isStreamID(id), matches(id),
                  name == "manifest.json" || name.hasPrefix("chunk-") || name.hasPrefix("provisional-") else { continue }
            let folder = String(object.key.dropLast(name.count))
            var entry = folders[folder] ?? StreamFolder(prefix: folder, manifest: nil, modified: "")
            if name == "manifest.json" { entry.manifest = object.key }
            entry.modified = max(entry.modified, object.lastModified)
            folders[folder] = entry
        }
        return Array(folders.values)
    }

    func list(prefix: String) async throws(Failure) -> [ObjectInfo] {
        do { return try await storage.list(prefix: prefix) } catch { throw Failure(description: error.description) }
    }
}
