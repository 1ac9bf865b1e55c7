import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport

/// Rebuilds a stream's checkpoint from the store, which is the truth (Redis is a cache).
///
/// A chunk object counts only if its size is right and the checksum the store keeps for it
/// (CRC32C or SHA-256 from a HEAD, or the MD5 ETag of a single-part S3 PUT) matches the file's
/// bytes at that place now. Anything else is ignored and will be overwritten. A store that cannot
/// list (HTTP) is asked object by object, the manifest and then each chunk in order until one is
/// missing; one that answers no HEAD either leaves recovery to Redis.
struct StreamRecovery: Sendable {
    package let context: PipelineContext

    enum Finding: Sendable {
        /// Nothing under the stream's prefix: a new stream.
        case nothing
        /// Full chunks `0..<n` intact (`firstChunkStale`: chunk 0 differs, as after a muxer's
        /// header patch, and must be sent again; the others are intact).
        case chunks([ChunkRecord], firstChunkStale: Bool)
        /// A complete manifest whose every chunk matches the file as it is now.
        case finalized(Manifest, [ChunkRecord])
        /// The objects there belong to another generation of this path (the file was truncated
        /// and rewritten): leave them, use the next generation.
        case otherGeneration
    }

    /// What the bucket holds for `record` from chunk `startIndex` on; nil when stopping.
    /// `mayBeOtherGeneration`: false when Redis vouches that the stream is this file's.
    func examine(_ record: StreamRecord, fileSize: Int64, from startIndex: Int, mayBeOtherGeneration: Bool) async -> Finding? {
        let storage = context.storage
        let prefix = record.keyPrefix
        let layout = context.layout
        let lastIndex = Int((fileSize + Int64(record.chunkSize) - 1) / Int64(record.chunkSize)) - 1  // the tail's too
        guard let objects = await context.storeCall({ () async throws(StoreError) -> [ObjectInfo] in
            if storage.lists { return try await storage.list(prefix: prefix) }
            var found: [ObjectInfo] = []
            if startIndex == 0, let manifest = try await storage.head(key: layout.manifestKey(streamPrefix: prefix)) { found.append(manifest) }
            for index in startIndex...max(startIndex, lastIndex) {
                guard let chunk = try await storage.head(key: layout.chunkKey(streamPrefix: prefix, index: index)) else { break }
                found.append(chunk)
            }
            return found
        }) else { return nil }
        guard !objects.isEmpty else { return .nothing }
        var chunkObjects: [Int: ObjectInfo] = [:]
        for object in objects {
            let name = object.key.dropFirst(prefix.count)
            if name.hasPrefix("chunk-"), let index = Int(name.dropFirst(6)), name.count == 14 { chunkObjects[index] = object }
        }
        let manifestKey = context.layout.manifestKey(streamPrefix: prefix)

        if startIndex == 0, objects.contains(where: { $0.key == manifestKey }) {
            guard let manifest = await manifest(at: manifestKey) else { return nil }
            if !manifest.complete { return mayBeOtherGeneration ? .otherGeneration : .chunks([], firstChunkStale: false) }
            if !manifest.keepsChunks {
                // OUTPUT=whole: the chunks live on only inside the whole object. The file either is
                // that recording (nothing to send) or another one (never write over the recording).
                guard let verified = await verifyWhole(record, manifest, fileSize: fileSize) else { return nil }
                return verified.map { .finalized(manifest, $0) } ?? .otherGeneration
            }
            if manifest.size == fileSize, manifest.chunks.count == chunkObjects.count {
                guard let verified = await verifyAll(record, manifest.chunks.map { ($0.index, $0.size) }, chunkObjects) else { return nil }
                if let verified { return .finalized(manifest, verified) }
            }
        }

        let chunkSize = Int64(record.chunkSize)
        var intact: [ChunkRecord] = []
        var firstChunkStale = false
        var index = startIndex
        while Int64(index + 1) * chunkSize <= fileSize, let object = chunkObjects[index], object.size == chunkSize {
            guard let verified = await verify(record, index: index, size: record.chunkSize, object: object) else { return nil }
            if let verified {
                intact.append(verified)
            } else if index == 0 && startIndex == 0 && !firstChunkStale {
                firstChunkStale = true  // maybe patched; the generation is decided by chunk 1
            } else {
                break
            }
            index += 1
        }
        if firstChunkStale && intact.first?.index != 1 {
            intact = []
            firstChunkStale = false
            if mayBeOtherGeneration { return .otherGeneration }
        }
        return .chunks(intact, firstChunkStale: firstChunkStale)
    }

    /// The manifest's chunks if the whole object is in the store at its size and the file's bytes
    /// match every chunk's checksum; `.some(nil)` if not; nil when stopping.
    private func verifyWhole(_ record: StreamRecord, _ manifest: Manifest, fileSize: Int64) async -> [ChunkRecord]?? {
        guard let object = manifest.object, manifest.size == fileSize, manifest.isContiguous else { return .some(nil) }
        let storage = context.storage
        guard let head = await context.storeCall({ () async throws(StoreError) -> ObjectInfo? in try await storage.head(key: object.key) })
        else { return nil }
        guard head?.size == object.size else { return .some(nil) }
        var verified: [ChunkRecord] = []
        for chunk in manifest.chunks {
            let range = context.fileRange(record, offset: chunk.offset, length: chunk.size)
            guard let listed = ChunkRecord(listed: chunk), let hash = try? await context.reader.hash(range, listed.checksum.kind),
                  hash.checksum == listed.checksum else {
                return .some(nil)
            }
            verified.append(listed)
        }
        return .some(verified)
    }

    /// Every listed `(index, size)` chunk verified, in order; `.some(nil)` if any does not match.
    private func verifyAll(_ record: StreamRecord, _ chunks: [(index: Int, size: Int)], _ objects: [Int: ObjectInfo]) async -> [ChunkRecord]?? {
        var verified: [ChunkRecord] = []
        for chunk in chunks {
            guard let object = objects[chunk.index], object.size == Int64(chunk.size) else { return .some(nil) }
            guard let result = await verify(record, index: chunk.index, size: chunk.size, object: object) else { return nil }
            guard let result else { return .some(nil) }
            verified.append(result)
        }
        return .some(verified)
    }

    /// The chunk's record if the stored object matches the file's bytes; `.some(nil)` if not.
    private func verify(_ record: StreamRecord, index: Int, size: Int, object: ObjectInfo) async -> ChunkRecord?? {
        let storage = context.storage
        guard let head = await context.storeCall({ () async throws(StoreError) -> ObjectInfo? in try await storage.head(key: object.key) })
        else { return nil }
        guard let head, head.size == Int64(size) else { return .some(nil) }
        let kind = ChunkChecksum.Kind.stored(in: head, preferring: storage.checksumKind)
        let byMD5 = kind == nil  // only its ETag can vouch for it
        guard !byMD5 || (head.etag.count == 32 && !head.etag.contains("-")) else { return .some(nil) }  // nothing vouches for it
        let offset = Int64(index) * Int64(record.chunkSize)
        let range = context.fileRange(record, offset: offset, length: size)
        guard let hash = try? await context.reader.hash(range, kind ?? .sha256, md5: byMD5) else { return .some(nil) }
        let matches = byMD5 ? head.etag.lowercased() == hash.md5.map(ByteEncoding.hex) : hash.checksum.matches(head)
        return .some(matches ? ChunkRecord(index: index, size: size, checksum: hash.checksum, etag: head.etag) : nil)
    }

    private func manifest(at key: String) async -> Manifest? {
        let storage = context.storage
        guard let bytes = await context.storeCall({ () async throws(StoreError) -> [UInt8] in try await storage.get(key: key) })
        else { return nil }
        // An unreadable manifest vouches for nothing: treat it as an incomplete one.
        return (try? Manifest.decode(bytes)) ?? Manifest(
            streamID: "", path: "", complete: false, size: 0, chunkSize: 0, chunks: [], startedAt: "", completedAt: "",
            host: "", repairedChunks: 0)
    }
}
