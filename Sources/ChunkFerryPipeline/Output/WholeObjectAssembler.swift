import ChunkFerryCheckpoint
import ChunkFerryStorage
import Logging

/// Turns a finished stream's chunk objects into one object at its `KEY_TEMPLATE` key, inside the
/// store: the bytes never travel again. No chunk (an empty file) is a put of nothing, one chunk a
/// copy, more an assembly with one part per chunk (S3: a multipart upload of UploadPartCopy parts;
/// a folder: ranges copied by the filesystem). The object is confirmed by a HEAD (its size, stream
/// id and SHA-256) before anyone may delete a chunk.
///
/// Each object carries its stream id and SHA-256 as metadata, so a key held by another recording
/// is never overwritten (this one gets `name.<stream-id>.ext`) and a run cut short by a crash
/// finds its own finished object and takes it as done.
package struct WholeObjectAssembler: Sendable {
    package static let streamMetadata = "chunkferry-stream"
    package static let sha256Metadata = "chunkferry-sha256"

    package enum Outcome: Sendable {
        case assembled(Manifest.WholeObject)
        /// More chunks than the store assembles (S3: 10,000): the recording stays as chunks.
        case tooManyParts
        /// Chunks that would not open as one object (some went up before ENCRYPT_TO was set):
        /// the recording stays as chunks.
        case notJoinable
        /// A chunk object is no longer in the store (deleted after an earlier assembly).
        case chunksGone
        /// The store showed another size than assembled; try again at the next idle check.
        case unconfirmed
        case stopped
    }

    package let context: PipelineContext

    package func assemble(_ record: StreamRecord, chunks: [ChunkRecord], size: Int64, sha256: String) async -> Outcome {
        guard chunks.count <= context.storage.assemblyPartLimit ?? 0 else { return .tooManyParts }
        guard let key = await key(for: record, size: size, sha256: sha256) else { return .stopped }
        let object = Manifest.WholeObject(key: key.value, size: size, digest: sha256, storageClass: context.storage.storageClass)
        if key.isDone { return .assembled(object) }

        let storage = context.storage
        var attributes = ObjectAttributes(contentType: ContentType.of(record.path),
                                          metadata: [Self.streamMetadata: record.id, Self.sha256Metadata: sha256])
        attributes.length = size
        attributes.wholeCRC32C = FileDigest.crc32c(in: sha256)
        let sourceKeys = chunks.map { context.layout.chunkKey(streamPrefix: record.keyPrefix, index: $0.index) }
        guard let joinable = await context.storeCall({ () async throws(StoreError) -> Bool in try await storage.joinable(sourceKeys) })
        else { return .stopped }
        guard joinable else { return .notJoinable }
        let copied: Bool?
        switch sourceKeys.count {
        case 0:
            copied = await context.storeCall { () async throws(StoreError) -> Bool in
                _ = try await storage.put(key: key.value, bytes: [], attributes: attributes)
                return true
            }
        case 1:
            copied = await context.storeCall { () async throws(StoreError) -> Bool in
                try await Self.unlessGone { () async throws(StoreError) in
                    try await storage.copy(key: key.value, source: sourceKeys[0], attributes: attributes)
                }
            }
        default:
            var offset: Int64 = 0
            let offsets = chunks.map { chunk in defer { offset += Int64(chunk.size) }; return offset }
            copied = await assembleParts(record, key.value, sources: Array(zip(sourceKeys, offsets)), attributes: attributes)
        }
        guard let copied else { return .stopped }
        guard copied else { return .chunksGone }

        // Confirmed only as this stream's object with these bytes: nothing else may let chunks go.
        guard let stored = await context.storeCall({ () async throws(StoreError) -> ObjectInfo? in
            try await storage.head(key: key.value)
        }) else { return .stopped }
        guard let stored, stored.metadata[Self.streamMetadata] == record.id, Self.holds(stored, size: size, sha256: sha256),
              Self.agrees(stored, crc32c: attributes.wholeCRC32C) else {
            context.logger.warning("the assembled recording is not in the store as assembled; assembling again later", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "object.key": "\(key.value)",
                "file.size": "\(size)", "object.size": "\(stored.map { String($0.size) } ?? "missing")",
            ])
            return .unconfirmed
        }
        return .assembled(object)
    }

    /// An assembly begun, one part per source (at its offset) in order, completed. True when
    /// done, false when a source is gone, nil when stopping. The assembly's id waits in Redis
    /// until it completes, so one a crash left open is dropped at the next try.
    private func assembleParts(_ record: StreamRecord, _ key: String, sources: [(key: String, offset: Int64)],
                               attributes: ObjectAttributes) async -> Bool? {
        let storage = context.storage
        guard let leftOver = await context.checkpoints.pendingAssembly(record.id)
        else { return nil }
        if let leftOver { try? await storage.abortAssembly(key: leftOver.key, assembly: leftOver.uploadID) }
        guard let uploadID = await context.storeCall({ () async throws(StoreError) -> String in
            try await storage.beginAssembly(key: key, attributes: attributes)
        }) else { return nil }
        guard await context.checkpoints.notePendingAssembly(record.id, (key, uploadID)) != nil
        else { return nil }

        var parts: [(number: Int, tag: String)] = []
        parts.reserveCapacity(sources.count)
        var result: Bool? = true
        for (position, source) in sources.enumerated() {
            let etag = await context.storeCall { () async throws(StoreError) -> String? in
                var etag: String?
                guard try await Self.unlessGone({ () async throws(StoreError) in
                    etag = try await storage.addPart(key: key, assembly: uploadID, number: position + 1, source: source.key, offset: source.offset)
                }) else { return nil }
                return etag
            }
            guard let etag, let etag else {
                result = etag == nil ? nil : false
                break
            }
            parts.append((position + 1, etag))
        }
        if result == true {
            // An assembly that vanished (its completion answered but the answer lost, or aborted
            // by a lifecycle rule) is settled by the confirming HEAD, not retried forever.
            result = await context.storeCall { () async throws(StoreError) -> Bool in
                try await storage.completeAssembly(key: key, assembly: uploadID, parts: parts)
                return true
            }
        }
        if result != true { try? await storage.abortAssembly(key: key, assembly: uploadID) }
        if result != nil {
            _ = await context.checkpoints.notePendingAssembly(record.id, nil)
        }
        return result
    }

    /// Runs a copy; false instead of an error when its source object does not exist.
    private static func unlessGone(_ body: () async throws(StoreError) -> Void) async throws(StoreError) -> Bool {
        do throws(StoreError) {
            try await body()
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// Where the recording goes: its template key, unless another recording holds that key.
    /// `isDone` when this stream's object with these bytes is there already.
    private func key(for record: StreamRecord, size: Int64, sha256: String) async -> (value: String, isDone: Bool)? {
        let rendered = context.output.template.render(
            path: record.path, streamID: record.id, firstSeen: record.startedAt, timeZone: context.output.timeZone, layout: context.output.layout)
        let preferred = context.layout.prefix + rendered
        // A stream begun under OUTPUT=chunks has its folder at `<path>/<id>/`, which rules out a
        // `<path>` object in MinIO and SeaweedFS.
        if !record.keyPrefix.hasPrefix(preferred + "/") {
            guard let held = await holder(of: preferred, streamID: record.id) else { return nil }
            switch held {
            case .free: return (preferred, false)
            case .ours(let info): return (preferred, Self.holds(info, size: size, sha256: sha256))
            case .other: break
            }
        }
        let distinct = context.layout.prefix + KeyTemplate.distinct(rendered, streamID: record.id)
        guard let again = await holder(of: distinct, streamID: record.id) else { return nil }
        if case .ours(let info) = again { return (distinct, Self.holds(info, size: size, sha256: sha256)) }
        context.logger.warning("another recording already holds this key; this one gets a distinct key", metadata: [
            "event": "object.key_taken",
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "object.key": "\(preferred)", "object.key.distinct": "\(distinct)",
        ])
        return (distinct, false)
    }

    private enum Holder { case free, other, ours(ObjectInfo) }

    /// Who holds `key`: nobody, this stream (by its metadata, or by a claim in Redis while being
    /// assembled), or anything else; nil when stopping.
    private func holder(of key: String, streamID: String) async -> Holder? {
        guard let claimed = await context.checkpoints.claimObjectKey(key, for: streamID, ttl: .seconds(3600)) else { return nil }
        guard claimed else { return .other }
        let storage = context.storage
        guard let found = await context.storeCall({ () async throws(StoreError) -> ObjectInfo? in try await storage.head(key: key) })
        else { return nil }
        guard let found else { return .free }
        return found.metadata[Self.streamMetadata] == streamID ? .ours(found) : .other
    }

    private static func holds(_ info: ObjectInfo, size: Int64, sha256: String) -> Bool {
        info.size == size && info.metadata[sha256Metadata] == sha256
    }

    /// Where the store shows a full-object CRC32C (FILE_DIGEST=crc32c on S3), it is the file's.
    /// A composite one (`…-N`, from parts) or none says nothing either way.
    private static func agrees(_ info: ObjectInfo, crc32c: String?) -> Bool {
        guard let crc32c, let shown = info.checksumCRC32C, !shown.contains("-") else { return true }
        return shown == crc32c
    }
}
