import ChunkFerryDaemon
import ChunkFerryPipeline
import ChunkFerryStorage

/// A stream folder and its manifest as one `ViewedRecording`.
extension Catalog {
    func recording(of folder: StreamFolder, manifest read: ReadManifest?, read all: [String: ReadManifest],
                   sealed: Bool) -> ViewedRecording? {
        let path = PathEscaping.display(folder.escapedPath).text
        var recording = ViewedRecording(camera: camera(of: path, source: nil), path: path, streamID: folder.streamID, start: 0, end: 0,
                                        state: .incomplete, chain: .none, note: "", pieces: [])
        if case .parsed(let manifest, _) = read {
            recording.camera = camera(of: path, source: manifest.source)
            let span = footage(path: path, manifest: manifest)
            (recording.start, recording.end) = (span.start, span.end)
            recording.state = manifest.complete ? .complete : .incomplete
            // Sealed objects list larger than the plaintext their manifest counts.
            let sealedChunks = manifest.chunks.first.flatMap { folder.chunks[$0.index] }.map { $0.size != Int64(manifest.chunks[0].size) } ?? false
            if manifest.keepsChunks {
                recording.pieces = manifest.chunks.map { .init(key: $0.key, offset: nil, size: Int64($0.size)) }
            } else if let object = manifest.object {
                recording.pieces = [.init(key: object.key, offset: 0, size: object.size)]
            }
            if !manifest.complete && manifest.keepsChunks {
                recording.pieces += folder.tail(at: manifest.chunks.count, sealed: sealedChunks).map { .init(key: $0.key, offset: nil, size: sealedChunks ? nil : $0.size) }
                recording.note = "cut off before it was finished: what reached the store"
            }
            (recording.chain, recording.note) = chain(of: manifest, read: all, note: recording.note)
            return recording
        }
        // No manifest yet (still being recorded, or the recorder is gone), or one no identity opens.
        // As restore reads it: every chunk but a last one has chunk 0's size; a shorter one is the
        // last chunk of an earlier finalize, and a longer provisional tail at its index is newer.
        var pieces: [ObjectInfo] = []
        let chunkSize = folder.chunks[0]?.size ?? 0
        var ended = false
        while !ended, let chunk = folder.chunks[pieces.count] {
            if chunk.size < chunkSize && !sealed {
                let newer = folder.tail(at: pieces.count, sealed: false)
                if newer.reduce(0, { $0 + $1.size }) > chunk.size {
                    pieces += newer
                    ended = true
                    continue
                }
            }
            pieces.append(chunk)
        }
        if !ended { pieces += folder.tail(at: pieces.count, sealed: sealed) }
        guard !pieces.isEmpty else { return nil }
        recording.pieces = pieces.map { .init(key: $0.key, offset: nil, size: sealed ? nil : $0.size) }
        let first = ChainAudit.milliseconds(folder.firstModified) ?? 0
        let last = ChainAudit.milliseconds(folder.lastModified) ?? first
        let span = Manifest.footageSpan(path: path, layout: layout, timeZone: timeZone, firstSeen: first,
                                        modifiedNanoseconds: last * 1_000_000, completedAt: nil)
        (recording.start, recording.end) = (span.start, span.end)
        if case .sealed = read {
            recording.state = canOpen ? .incomplete : .encrypted
        } else {
            recording.state = sealed && !canOpen ? .encrypted : .incomplete
        }
        if recording.state == .encrypted {
            recording.note = "encrypted (ENCRYPT_TO): start chunkferry serve with --identity to play it"
        } else if case .unreadable(let problem) = read {
            recording.note = "its manifest does not read (\(problem)): what reached the store"
        } else {
            recording.note = "still being uploaded, or cut off: its chunks and provisional tail as far as they reached the store"
        }
        return recording
    }

    /// The MediaMTX path of a recording: its camera (the manifest's source, else what the path
    /// says), with `/live` for a sub-stream's recordings.
    func camera(of path: String, source: String?) -> String {
        let camera = source ?? ManifestChain.source(of: path, layout: layout)
        let parts = path.split(separator: "/")
        let isSubstream = path.hasSuffix("_live.mp4") || (parts.count > 2 && parts[0] == camera && parts[1] == "live")
        return isSubstream && !camera.hasSuffix("/live") ? camera + "/live" : camera
    }

    /// The footage's span: as the manifest recorded it, else from its path and times.
    private func footage(path: String, manifest: Manifest) -> (start: Int64, end: Int64) {
        if let start = manifest.mediaStart.flatMap(ChainAudit.milliseconds), let end = manifest.mediaEnd.flatMap(ChainAudit.milliseconds) {
            return (start, max(start, end))
        }
        let started = ChainAudit.milliseconds(manifest.startedAt) ?? 0
        return Manifest.footageSpan(path: path, layout: layout, timeZone: timeZone, firstSeen: started, modifiedNanoseconds: nil,
                                    completedAt: ChainAudit.milliseconds(manifest.completedAt))
    }

    /// Whether the manifest before this one is in the store as it was when this one named it.
    private func chain(of manifest: Manifest, read all: [String: ReadManifest], note: String) -> (ViewedRecording.Chain, String) {
        guard manifest.source != nil else { return (.none, note) }
        guard let previous = manifest.previous else { return (.begins, note) }
        for key in [previous.key, prefix + previous.key] {
            if case .parsed(_, let sha256)? = all[key] {
                if sha256 == previous.sha256 { return (.linked, note) }
                return (.broken, "the manifest before this one (\(previous.key)) was altered: run chunkferry verify")
            }
        }
        return (.broken, "the manifest before this one (\(previous.key)) is missing: run chunkferry verify")
    }
}
