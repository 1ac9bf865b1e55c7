import ChunkFerryCheckpoint
import ChunkFerrySupport

/// The checkpoint calls of the pipeline's stages, said as what they do. Each one is retried
/// through Redis outages (one outage line, backoff; see `PipelineContext.redisCall`) until it
/// succeeds, and answers nil only when the daemon is stopping.
package struct StreamCheckpoints: Sendable {
    let context: PipelineContext
    private var store: CheckpointStore { context.store }

    /// Takes or renews the stream's lease: whether this instance holds it, and whether it is new
    /// (then the stream's record must be read again: another instance may have moved it).
    func acquireLease(_ id: String) async -> (held: Bool, isNew: Bool)? {
        let leases = context.leases
        return await context.redisCall { () async throws(RedisError) in try await leases.acquire(id) }
    }

    /// The stream and its committed chunks; `.some(nil)` when Redis has none.
    func stream(_ id: String) async -> (record: StreamRecord, chunks: [ChunkRecord])?? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.stream(id) }
    }

    /// The stream's record; `.some(nil)` when Redis has none.
    package func load(_ id: String) async -> StreamRecord?? {
        await stream(id).map { $0?.record }
    }

    /// The stream's committed chunks (none when Redis has no such stream).
    func chunks(_ id: String) async -> [ChunkRecord]? {
        await stream(id).map { $0?.chunks ?? [] }
    }

    /// Creates the stream; false when one with its id is there already.
    func create(_ record: StreamRecord) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.createStream(record) }
    }

    /// Commits `chunk` as the next one after `record`'s committed offset, under this instance's lease.
    func commit(_ record: StreamRecord, chunk: ChunkRecord, fileSize: Int64) async -> CheckpointStore.CommitOutcome? {
        let (store, owner, ttl) = (store, context.leases.owner, context.leases.ttl)
        return await context.redisCall { () async throws(RedisError) in
            try await store.commitChunk(streamID: record.id, expectedOffset: record.committedOffset, chunk: chunk,
                                        fileSize: fileSize, leaseOwner: owner, leaseTTL: ttl, now: WallClock.nowMilliseconds())
        }
    }

    /// Replaces a committed chunk's record with the one of its re-sent object.
    func repair(_ id: String, chunk: ChunkRecord) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in
            try await store.repairChunk(streamID: id, chunk: chunk, now: WallClock.nowMilliseconds())
        }
    }

    /// Closes an active stream as abandoned, only if its committed offset is still `offset`.
    func abandon(_ id: String, at offset: Int64) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in
            try await store.transition(id, to: .abandoned, from: .active, at: offset,
                                       fields: ["updated_at", String(WallClock.nowMilliseconds())])
        }
    }

    /// Records why the stream does not progress (status and `/health` show it); `failed` marks
    /// it failed until `chunkferry retry`.
    func noteProblem(_ id: String, _ problem: String, failed: Bool = false) async {
        let store = store
        _ = await context.redisCall { () async throws(RedisError) in
            try await store.noteProblem(id, problem, failed: failed, now: WallClock.nowMilliseconds())
        }
    }

    /// Marks an existing stream finalized (`isNew`: creates it finalized).
    func finalize(_ record: StreamRecord, isNew: Bool = false) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in
            try await isNew ? store.createFinalized(record) : store.markFinalized(record)
        }
    }

    /// Creates several streams finalized at once (small files), one answer each.
    func createFinalized(_ records: [StreamRecord]) async -> [Bool]? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.createFinalized(records) }
    }

    /// Swaps a finished stream's compact record, only if it is still `old`.
    func replaceCompact(_ old: StreamRecord, with new: StreamRecord) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.replaceCompact(old, with: new) }
    }

    /// Makes a finished stream active again (its file grew).
    func reopen(_ record: StreamRecord) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.reopen(record, now: WallClock.nowMilliseconds()) }
    }

    /// Turns a compact finished record back into a full one with its chunks.
    func expand(_ record: StreamRecord, chunks: [ChunkRecord]) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.expand(record, chunks: chunks) }
    }

    /// The server-side assembly left open by an earlier attempt; `.some(nil)` without one.
    func pendingAssembly(_ id: String) async -> (key: String, uploadID: String)?? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.pendingUpload(id) }
    }

    /// Remembers (or, with nil, forgets) the assembly in progress, so a crash can abort it.
    func notePendingAssembly(_ id: String, _ upload: (key: String, uploadID: String)?) async -> Void? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.notePendingUpload(id, upload) }
    }

    /// Claims a whole object's key for the stream; false when another stream holds it.
    func claimObjectKey(_ key: String, for id: String, ttl: Duration) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.claimObjectKey(key, for: id, ttl: ttl) }
    }

    /// The newest manifest of `source`'s chain as Redis keeps it (see `ManifestChain.decode`);
    /// `.some(nil)` when the chain has none yet.
    func chainHead(_ source: String) async -> String?? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in try await store.chainHead(source) }
    }

    /// Makes `head` the newest manifest of `source` if it still is `expected`; false when
    /// another instance moved it meanwhile; nil only when stopping.
    func advanceChainHead(_ source: String, from expected: String?, to head: ManifestChain.Head) async -> Bool? {
        let store = store
        return await context.redisCall { () async throws(RedisError) in
            try await store.advanceChainHead(source, from: expected, to: ManifestChain.encode(head))
        }
    }
}

extension PipelineContext {
    /// The checkpoint calls, retried through outages.
    package var checkpoints: StreamCheckpoints { StreamCheckpoints(context: self) }
}
