import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// How a stream ends other than finalized: abandoned (its file went away unfinished; its chunks
/// stay, listed in a manifest marked incomplete), or failed (the store refuses one of its
/// objects). It also writes manifests, for the finalizer too.
package struct StreamCloser: Sendable {
    let context: PipelineContext

    /// Closes a stream whose file went away unfinished: its chunks stay, listed in a manifest
    /// marked incomplete.
    func abandon(_ record: StreamRecord, reason: String) async {
        var closed: (record: StreamRecord, chunks: [ChunkRecord])?
        for _ in 0..<5 where closed == nil {
            guard let stored = await context.checkpoints.stream(record.id) else { return }
            guard let stored, stored.record.state == .active else { return }  // finished or closed meanwhile
            // Closed only if nothing moved since it was read, so the manifest lists exactly what is committed.
            guard let won = await context.checkpoints.abandon(record.id, at: stored.record.committedOffset) else { return }
            if won { closed = stored }
        }
        guard let (current, storedChunks) = closed else { return }
        let chunks = Array(storedChunks.prefix { $0.index < current.chunkCount })
        var manifestKey = "-"
        if !chunks.isEmpty {
            let manifest = Manifest(
                record: current, chunks: chunks, layout: context.layout, complete: false,
                size: chunks.reduce(0) { $0 + Int64($1.size) }, sha256: nil, completedAt: WallClock.nowMilliseconds(),
                repairedChunks: current.repairedChunks)
            switch await store(manifest, record: current) {
            case .stored(let key): manifestKey = key
            case .refused(let error): manifestKey = "- (the store refuses it: \(error.code))"
            case .stopped: return
            }
        }
        await context.leases.release(record.id)
        context.metrics.streamAbandoned()
        context.logger.warning("stream abandoned; its uploaded chunks stay in the bucket", metadata: [
            "event": "stream.abandoned",
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "reason": "\(reason)",
            "bytes.committed": "\(current.committedOffset)", "manifest.key": "\(manifestKey)",
        ])
    }

    package enum Stored: Sendable { case stored(key: String), refused(StoreError), stopped }

    /// Writes `manifest.json` for `record`: its key, or the store's refusal of this one object
    /// (see `PipelineContext.refusesOnlyThis`), or stopped. The manifest joins its source's
    /// chain: it names the newest manifest before it, and becomes the newest once stored.
    package func store(_ manifest: Manifest, record: StreamRecord) async -> Stored {
        let key = context.layout.manifestKey(streamPrefix: record.keyPrefix)
        let source = ManifestChain.source(of: manifest.path, layout: context.output.layout)
        await context.chain.acquire(source)
        let stored = await link(manifest, key: key, source: source, record: record)
        await context.chain.release(source)
        return stored
    }

    private func link(_ manifest: Manifest, key: String, source: String, record: StreamRecord) async -> Stored {
        // Written before (a finalize repeated after a crash, a batch stored again): the same
        // recording keeps its manifest, and its successor the link it holds to it.
        let earlier = await storedManifest(key)
        if let earlier, earlier.isSameRecording(as: manifest) { return .stored(key: key) }
        for _ in 0..<5 {
            guard let headText = await context.checkpoints.chainHead(source) else { return .stopped }
            let head = ManifestChain.decode(headText)
            // An older manifest written again with other content keeps its place in the chain.
            let rewritesOlder = earlier != nil && head?.link.key != key
            var linked = manifest
            linked.source = source
            linked.recordFootageSpan(of: record, layout: context.output.layout, timeZone: context.output.pathTimeZone)
            linked.previous = rewritesOlder ? earlier?.previous : ManifestChain.previous(for: key, head: head)
            let body = linked.encoded()
            let stored = await put(body, key: key, record: record)
            guard case .stored = stored, !rewritesOlder else { return stored }
            let newest = ManifestChain.Head(link: Manifest.Link(key: key, sha256: ByteEncoding.hex(Digest.sha256(body))), previous: linked.previous)
            guard let advanced = await context.checkpoints.advanceChainHead(source, from: headText, to: newest) else { return .stopped }
            if advanced { return stored }
            // Another instance wrote a manifest of this source meanwhile: name that one instead.
        }
        // Still racing after five tries: stored, and `verify` notes the fork.
        return .stored(key: key)
    }

    /// The manifest already at `key`, if the store has one and gives it back.
    private func storedManifest(_ key: String) async -> Manifest? {
        guard let bytes = try? await context.storage.get(key: key) else { return nil }
        return try? Manifest.decode(bytes)
    }

    private func put(_ body: [UInt8], key: String, record: StreamRecord) async -> Stored {
        let (storage, context) = (context.storage, context)
        var attributes = ObjectAttributes(contentType: "application/json", streamID: record.id)
        attributes.readableByBox = true  // recovery and retention read it (ENCRYPT_TO)
        let result = await context.storeCall { () async throws(StoreError) -> StoreError? in
            do throws(StoreError) {
                _ = try await storage.put(key: key, bytes: body, attributes: attributes)
                return nil
            } catch {
                if await context.refusesOnlyThis(error) { return error }
                throw error
            }
        }
        switch result {
        case .some(nil): return .stored(key: key)
        case .some(let refusal?): return .refused(refusal)
        case nil: return .stopped
        }
    }

    /// The store refuses one of this stream's objects while it takes others: the stream fails
    /// with the reason (status, `/health`, a metric), and the other files go on. `chunkferry
    /// retry` or a reload tries it again.
    package func failed(refusal error: StoreError, record: StreamRecord) -> WorkOutcome {
        let reason = "the store refuses \(error.resource): \(error.code)\(error.httpStatus.map { " (HTTP \($0))" } ?? "")"
            + (error.message.isEmpty || error.message == error.code ? "" : ": \(error.message)")
        context.logger.error("the store refuses this file's object while it takes others; the stream is marked failed and the other files go on (fix the cause, then run: chunkferry retry PATH)", metadata: [
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "error": "\(error)", "event": "stream.failed",
        ])
        return .refused(record, reason)
    }

    /// How a job ends whose file could not be read: gone, changed under the read, or unreadable
    /// (logged; tried again later).
    func failed(reading error: FileReadError, record: StreamRecord) -> WorkOutcome {
        switch error {
        case .vanished:
            return .vanished
        case .truncated, .replaced, .changed:
            return .changed(record)
        case .unreadable:
            context.logger.error("cannot read the file; retrying in 30s (check its permissions)", metadata: [
                "event": "file.unreadable",
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "error": "\(error)",
            ])
            return .unreadable(record, error)
        }
    }
}
