import Logging

/// Carries out jobs: creates or loads a stream, uploads its chunks, commits each only after the
/// store confirmed it. Store and Redis calls retry until they succeed or the daemon stops.
struct StreamWorker: Sendable {
    let context: PipelineContext
    let manager: StreamManager
    let metrics = PipelineMetrics()

    func run() async {
        while let job = await manager.queue.next() {
            switch job {
            case .upload(let path):
                guard let work = await manager.begin(path) else { continue }
                await manager.finish(path, streamID: work.streamID, outcome: await uploadNextChunk(work))
            case .finalize(let path):
                guard let work = await manager.begin(path) else { continue }
                let finalizer = Finalizer(worker: self)
                await manager.finish(path, streamID: work.streamID, outcome: await finalizer.finalize(work))
            case .abandon(let record, let reason):
                await abandon(record, reason: reason)
            }
        }
    }

    /// Uploads the next whole chunk, if the file has one beyond the committed offset.
    func uploadNextChunk(_ work: StreamWork) async -> WorkOutcome {
        guard var record = await activeStream(work) else { return .stopped }
        let chunkSize = Int64(record.chunkSize)
        guard work.status.size >= record.committedOffset + chunkSize else { return .progressed(record) }
        switch await uploadChunk(&record, length: record.chunkSize, fileSize: work.status.size) {
        case .stopped: return .stopped
        case .failed(let error): return fileFailure(error, record: record)
        case .done: return .progressed(record)
        }
    }

    enum ChunkResult { case done, stopped, failed(FileReadError) }

    /// Reads `length` bytes at the committed offset, uploads them as the next chunk and commits it.
    /// On return `record` is what Redis holds now.
    func uploadChunk(_ record: inout StreamRecord, length: Int, fileSize: Int64) async -> ChunkResult {
        let offset = record.committedOffset
        let index = Int(offset / Int64(record.chunkSize))
        let chunk: ChunkReader.Chunk
        do {
            chunk = try await context.reader.read(context.absolutePath(record.path), offset: offset, length: length)
        } catch {
            return .failed(error)
        }
        let key = context.layout.chunkKey(streamPrefix: record.keyPrefix, index: index)
        let started = ContinuousClock.now
        let s3 = context.s3
        guard let put = await context.storeCall({ () async throws(S3Error) -> S3PutResult in
            try await s3.putObject(key: key, body: chunk.bytes, sha256: chunk.sha256)
        }) else { return .stopped }
        let elapsed = ContinuousClock.now - started
        let confirmed = ChunkRecord(index: index, size: length, sha256: ByteEncoding.hex(chunk.sha256), etag: put.etag)
        guard let committed = await commit(&record, chunk: confirmed, fileSize: fileSize) else { return .stopped }
        if committed {
            metrics.bytesUploaded.increment(by: length)
            metrics.chunksUploaded.increment()
            metrics.chunkUploadSeconds.record(duration: elapsed)
            let seconds = max(elapsed.seconds, 0.000_001)
            context.logger.info("chunk uploaded", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunk.index": "\(index)",
                "chunk.bytes": "\(length)", "chunk.ms": "\(elapsed.milliseconds)",
                "chunk.mbps": "\((Double(length) / 1_000_000 / seconds * 10).rounded() / 10)",
            ])
        }
        return .done
    }

    /// Commits `chunk` in Redis; true when this call advanced the offset. nil when stopping.
    private func commit(_ record: inout StreamRecord, chunk: ChunkRecord, fileSize: Int64) async -> Bool? {
        let store = context.store
        let snapshot = record
        guard let outcome = await context.redisCall({ () async throws(RedisError) -> CheckpointStore.CommitOutcome in
            try await store.commitChunk(streamID: snapshot.id, expectedOffset: snapshot.committedOffset, chunk: chunk,
                                        fileSize: fileSize, now: WallClock.nowMilliseconds())
        }) else { return nil }
        switch outcome {
        case .committed(let offset):
            record.committedOffset = offset
            record.chunkCount = chunk.index + 1
            record.fileSize = max(record.fileSize, fileSize)
            record.lastChunkAt = WallClock.nowMilliseconds()
            return true
        case .conflict(let current):
            context.logger.warning("checkpoint moved under this stream; continuing from Redis's offset", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "offset.expected": "\(snapshot.committedOffset)",
                "offset.redis": "\(current)",
            ])
            guard let reloaded = await load(record.id) else { return nil }
            record = reloaded ?? record
            return false
        case .missingStream:
            // Redis lost its data (restarted without persistence). The stream starts over under
            // the same id and keys, so the objects are overwritten, never orphaned or misplaced.
            context.logger.warning("Redis no longer knows this stream (restarted empty?); uploading it again from the start", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)",
            ])
            var fresh = record
            fresh.committedOffset = 0
            fresh.chunkCount = 0
            fresh.state = .active
            fresh.repairedChunks = 0
            guard let created = await create(fresh) else { return nil }
            record = created
            return false
        }
    }

    /// The stream for `work`, ready to take chunks: loaded or created, reopened if it was
    /// finalized and the file grew since.
    func activeStream(_ work: StreamWork) async -> StreamRecord? {
        var record: StreamRecord
        if let known = work.record {
            record = known
        } else {
            guard let loaded = await load(work.streamID) else { return nil }
            if let loaded {
                record = loaded
            } else {
                let now = WallClock.nowMilliseconds()
                let fresh = StreamRecord(
                    id: work.streamID, path: work.path, device: work.status.device, inode: work.status.inode,
                    chunkSize: context.upload.chunkSize,
                    keyPrefix: context.layout.streamPrefix(path: work.path, streamID: work.streamID),
                    startedAt: now, host: context.upload.nodeID)
                guard let created = await create(fresh) else { return nil }
                record = created
            }
        }
        if record.state == .finalized && record.fileSize != work.status.size {
            let store = context.store
            let snapshot = record
            guard let reopened = await context.redisCall({ () async throws(RedisError) -> Bool in
                try await store.reopen(snapshot, now: WallClock.nowMilliseconds())
            }) else { return nil }
            guard let reloaded = await load(record.id) else { return nil }
            record = reloaded ?? record
            if reopened {
                context.logger.info("finalized file grew; stream resumed", metadata: [
                    "file.path": "\(record.path)", "stream.id": "\(record.id)", "file.size": "\(work.status.size)",
                ])
            }
        }
        return record
    }

    /// The stream's record from Redis: `.some(nil)` when Redis has none, nil when stopping.
    func load(_ id: String) async -> StreamRecord?? {
        let store = context.store
        return await context.redisCall { () async throws(RedisError) -> StreamRecord? in try await store.stream(id)?.record }
    }

    /// Creates the stream in Redis (or takes the one that appeared meanwhile).
    private func create(_ record: StreamRecord) async -> StreamRecord? {
        let store = context.store
        guard let created = await context.redisCall({ () async throws(RedisError) -> Bool in try await store.createStream(record) })
        else { return nil }
        if created {
            metrics.streamsStarted.increment()
            context.logger.info("stream started", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "chunk.size": "\(record.chunkSize)",
            ])
            return record
        }
        guard let loaded = await load(record.id) else { return nil }
        return loaded ?? record
    }

    func abandon(_ record: StreamRecord, reason: String) async {
        let store = context.store
        guard await context.redisCall({ () async throws(RedisError) -> Bool in
            try await store.transition(record.id, to: .abandoned, fields: ["updated_at", String(WallClock.nowMilliseconds())])
        }) != nil else { return }
        metrics.streamsAbandoned.increment()
        context.logger.warning("stream abandoned; its uploaded chunks stay in the bucket", metadata: [
            "file.path": "\(record.path)", "stream.id": "\(record.id)", "reason": "\(reason)",
            "bytes.committed": "\(record.committedOffset)",
        ])
    }

    func fileFailure(_ error: FileReadError, record: StreamRecord) -> WorkOutcome {
        switch error {
        case .vanished:
            return .vanished
        case .truncated:
            return .changed(record)
        case .unreadable:
            context.logger.error("cannot read the file; retrying in 30s (check its permissions)", metadata: [
                "file.path": "\(record.path)", "stream.id": "\(record.id)", "error": "\(error)",
            ])
            return .unreadable(record, error)
        }
    }
}
