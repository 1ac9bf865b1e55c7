import ChunkFerryStorage

/// Restoring a stream that has no finished manifest: its recorder was destroyed, or it is still
/// growing. Everything comes from the store alone: the chunks in index order, each checked
/// against the checksum the store kept with it, then the provisional tail.
extension Restorer {
    func restoreUnfinished(streamPrefix: String, to output: String) async throws(Failure) -> Restored {
        let objects = try await list(prefix: streamPrefix)
        var chunks: [Int: ObjectInfo] = [:]
        for object in objects {
            let name = object.key.dropFirst(streamPrefix.count)
            if name.hasPrefix("chunk-"), name.count == 14, let index = Int(name.dropFirst(6)) { chunks[index] = object }
        }
        let target = try RestoreTarget(output: output)
        var size: Int64 = 0
        var count = 0
        // Every chunk but a last one has chunk 0's size. A shorter one is the last chunk of an
        // earlier finalize (the file grew since) and ends what the chunks give; the provisional
        // object at its index, if longer, is newer and takes its place.
        let chunkSize = chunks[0]?.size ?? 0
        var tail: [UInt8]?
        while tail == nil, let chunk = chunks[count] {
            if chunk.size < chunkSize {
                let newer = try await provisionalTail(streamPrefix: streamPrefix, index: count)
                tail = newer.count > chunk.size ? newer : []
                if tail?.isEmpty == false { break }
            }
            let bytes = try await fetch(key: chunk.key, range: nil)
            try await verify(bytes, against: chunk.key, info: nil)
            try target.write(bytes)
            size += Int64(bytes.count)
            count += 1
            progress?(size, nil)
        }
        var provisional = tail ?? []
        if tail == nil { provisional = try await provisionalTail(streamPrefix: streamPrefix, index: count) }
        try target.write(provisional)
        guard size + Int64(provisional.count) > 0 else { throw Failure(description: "\(streamPrefix) holds no chunk of this recording yet") }
        try target.commit()
        // `<prefix>[.chunkferry/streams/]<path>/<stream id>/`
        var path = streamPrefix.split(separator: "/").dropLast().joined(separator: "/")
        for root in [prefix + ObjectLayout.streamsFolder, prefix] where path.hasPrefix(root) {
            path = String(path.dropFirst(root.count))
            break
        }
        return Restored(path: path, size: size + Int64(provisional.count),
                        chunkCount: count, sha256: nil, complete: false, provisionalBytes: provisional.count, wholeObject: nil)
    }

    /// The provisional tail that follows chunk `index - 1`: its pieces in order, each checked
    /// like a chunk, as far as they run on; empty if none. Each piece's key names where it
    /// starts, so the next one is found where the bytes so far end: no listing, any store.
    func provisionalTail(streamPrefix: String, index: Int) async throws(Failure) -> [UInt8] {
        let layout = ObjectLayout(prefix: "")
        var bytes: [UInt8] = []
        while true {
            let key = layout.provisionalKey(streamPrefix: streamPrefix, index: index, from: Int64(bytes.count))
            let head: ObjectInfo?
            do { head = try await storage.head(key: key) } catch { throw Failure(description: error.description) }
            guard let head, head.size > 0 else { return bytes }  // the end, or deleted meanwhile: its chunk was committed
            let got: [UInt8]
            do {
                got = try await fetch(key: key, range: nil)
            } catch {
                if error.isNotFound { return bytes }
                throw error
            }
            try await verify(got, against: key, info: head)
            bytes += got
        }
    }

    /// Checks `bytes` against the checksum the store kept with `key` (`info`, else a HEAD), when it keeps one.
    private func verify(_ bytes: [UInt8], against key: String, info known: ObjectInfo?) async throws(Failure) {
        var info = known
        if info == nil {
            do { info = try await storage.head(key: key) } catch { throw Failure(description: error.description) }
        }
        guard let info, let kind = ChunkChecksum.Kind.stored(in: info, preferring: storage.checksumKind) else { return }
        guard kind.checksum(of: bytes).matches(info) else {
            throw Failure(description: "\(key) does not match the \(kind) the store kept with it")
        }
    }
}
