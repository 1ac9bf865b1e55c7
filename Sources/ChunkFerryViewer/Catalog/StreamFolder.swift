import ChunkFerryDaemon
import ChunkFerryPipeline
import ChunkFerryStorage

/// A stream's folder as the listing shows it, `<prefix>[.chunkferry/streams/]<path>/<id>/`:
/// its manifest, its chunks and its provisional pieces.
struct StreamFolder: Sendable {
    /// The folder's key, ending in `/`.
    var key: String
    /// The recording's path relative to WATCH_DIR, escaped as keys hold it.
    var escapedPath: String
    var streamID: String
    var manifest: ObjectInfo?
    /// By index.
    var chunks: [Int: ObjectInfo] = [:]
    /// By the index of the chunk they stand in for, then where they start in it.
    var provisional: [Int: [Int64: ObjectInfo]] = [:]
    /// The earliest and latest modification of its objects (RFC 3339 as the store says it).
    var firstModified = ""
    var lastModified = ""

    /// The folders among `objects` (everything under `prefix`), in key order.
    static func group(_ objects: [ObjectInfo], prefix: String) -> [StreamFolder] {
        var folders: [String: StreamFolder] = [:]
        for object in objects {
            let parts = object.key.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            let id = String(parts[parts.count - 2])
            let name = parts[parts.count - 1]
            guard Restorer.isStreamID(id) else { continue }
            var pathParts = parts.dropLast(2)
            if pathParts.count > 2, pathParts.prefix(2).joined(separator: "/") + "/" == ObjectLayout.streamsFolder {
                pathParts = pathParts.dropFirst(2)
            }
            let folderKey = String(object.key.dropLast(name.count))
            var folder = folders[folderKey] ?? StreamFolder(key: folderKey, escapedPath: pathParts.joined(separator: "/"), streamID: id)
            if name == "manifest.json" {
                folder.manifest = object
            } else if name.hasPrefix("chunk-"), name.count == 14, let index = Int(name.dropFirst(6)) {
                folder.chunks[index] = object
            } else if let piece = ObjectLayout.provisionalPiece(name) {
                folder.provisional[piece.index, default: [:]][piece.from] = object
            } else {
                continue
            }
            if folder.firstModified.isEmpty || object.lastModified < folder.firstModified { folder.firstModified = object.lastModified }
            if object.lastModified > folder.lastModified { folder.lastModified = object.lastModified }
            folders[folderKey] = folder
        }
        return folders.values.sorted { $0.key < $1.key }
    }

    /// The pieces of the provisional tail that stands for chunk `index`, in order, as far as
    /// they run on without a hole. Sealed pieces (ENCRYPT_TO) list larger than the plaintext
    /// their keys count, so those are taken in order of their keys.
    func tail(at index: Int, sealed: Bool) -> [ObjectInfo] {
        guard let pieces = provisional[index] else { return [] }
        if sealed { return pieces.sorted { $0.key < $1.key }.map(\.value) }
        var run: [ObjectInfo] = []
        var next: Int64 = 0
        while let piece = pieces[next], piece.size > 0 {
            run.append(piece)
            next += piece.size
        }
        return run
    }
}
