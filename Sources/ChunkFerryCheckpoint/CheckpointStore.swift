/// Streams and their confirmed chunks, kept in Redis under a namespace.
///
/// Layout, with the default namespace `chunkferry:`:
/// - `chunkferry:stream:<id>` — hash: the stream record;
/// - `chunkferry:stream:<id>:chunks` — hash: chunk index → `size checksum etag`;
/// - `chunkferry:streams:<state>` — set of stream ids in that state;
/// - `chunkferry:finalized` — hash: stream id → the compact record a finalized stream keeps
///   (see `StreamRecord+compact`): its hash, chunk records and set membership are gone.
package struct CheckpointStore: Sendable {
    package enum CommitOutcome: Sendable, Equatable {
        /// The chunk is recorded and the offset advanced to this value.
        case committed(offset: Int64)
        /// The committed offset is no longer what the caller read; it is this instead.
        case conflict(current: Int64)
        /// Redis does not know the stream (it lost its data, or the stream was never created).
        case missingStream
        /// The caller's lease on the stream is gone: another instance owns it now.
        case leaseLost
    }

    /// Internal: nothing outside the checkpoint code speaks Redis.
    let redis: RedisClient
    package let namespace: String

    package init(redis: RedisClient, namespace: String = "chunkferry:") {
        self.redis = redis
        self.namespace = namespace
    }

    package func streamKey(_ id: String) -> String { "\(namespace)stream:\(id)" }
    package func chunksKey(_ id: String) -> String { "\(namespace)stream:\(id):chunks" }
    package func stateKey(_ state: StreamState) -> String { "\(namespace)streams:\(state.rawValue)" }
    package func leaseKey(_ id: String) -> String { "\(namespace)lease:\(id)" }
    package var finalizedKey: String { "\(namespace)finalized" }

    /// Records a new stream; returns false, changing nothing, when the id is already known.
    @discardableResult
    package func createStream(_ record: StreamRecord) async throws(RedisError) -> Bool {
        let reply = try await redis.command(
            ["EVAL", Self.createScript, "2", streamKey(record.id), stateKey(record.state), record.id] + record.redisFields)
        return reply.integer == 1
    }

    /// Records `chunk` and advances the offset from `expectedOffset` by its size, atomically and
    /// only if the offset is still `expectedOffset`. Call only after the store confirmed the chunk.
    /// With `leaseOwner`, only while no other owner holds the stream's lease (a free lease is
    /// taken for `leaseTTL`).
    package func commitChunk(
        streamID: String, expectedOffset: Int64, chunk: ChunkRecord, fileSize: Int64? = nil, leaseOwner: String? = nil,
        leaseTTL: Duration = .seconds(15), now: Int64
    ) async throws(RedisError) -> CommitOutcome {
        let newOffset = expectedOffset + Int64(chunk.size)
        let reply = try await redis.command(
            "EVAL", Self.commitScript, "3", streamKey(streamID), chunksKey(streamID), leaseKey(streamID),
            String(expectedOffset), String(chunk.index), String(chunk.size), chunk.redisValue, String(now),
            String(max(fileSize ?? newOffset, newOffset)), leaseOwner ?? "", String(leaseTTL.milliseconds))
        let values = reply.array.compactMap(\.integer)
        guard values.count == 2 else { throw RedisError(kind: .data, message: "unexpected commit reply \(reply)") }
        switch values[0] {
        case 1: return .committed(offset: values[1])
        case 0: return .conflict(current: values[1])
        case -2: return .leaseLost
        default: return .missingStream
        }
    }

    /// Records a chunk re-sent at finalization because its bytes changed after upload.
    @discardableResult
    package func repairChunk(streamID: String, chunk: ChunkRecord, now: Int64) async throws(RedisError) -> Bool {
        let reply = try await redis.command(
            "EVAL", Self.repairScript, "2", streamKey(streamID), chunksKey(streamID),
            String(chunk.index), chunk.redisValue, String(now))
        return reply.integer == 1
    }

    /// Makes a stream active at the start of its partial tail, which is dropped: a finalized file
    /// that grew, or an active one whose tail was committed before it grew again. False when the
    /// committed offset moved meanwhile.
    package func reopen(_ record: StreamRecord, now: Int64) async throws(RedisError) -> Bool {
        let chunkSize = Int64(record.chunkSize)
        let hasTail = record.committedOffset % chunkSize != 0
        let newOffset = record.committedOffset / chunkSize * chunkSize
        let chunkCount = Int(newOffset / chunkSize)
        let reply = try await redis.command(
            "EVAL", Self.reopenScript, "4", streamKey(record.id), chunksKey(record.id), stateKey(.active), stateKey(.finalized),
            record.id, String(record.committedOffset), String(newOffset), String(chunkCount),
            hasTail ? String(chunkCount) : "-1", String(now))
        return reply.integer == 1
    }

    /// The stream and its chunk records in index order; `nil` when Redis does not know it.
    package func stream(_ id: String) async throws(RedisError) -> (record: StreamRecord, chunks: [ChunkRecord])? {
        let replies = try await redis.pipeline([["HGETALL", streamKey(id)], ["HGETALL", chunksKey(id)], ["HGET", finalizedKey, id]])
        let fields = replies[0].fields
        guard !fields.isEmpty else {
            return replies[2].string.flatMap { StreamRecord(id: id, compactValue: $0) }.map { ($0, []) }
        }
        let chunks = replies[1].fields
            .compactMap { index, value in Int(index).flatMap { ChunkRecord(index: $0, redisValue: value) } }
            .sorted { $0.index < $1.index }
        return (try StreamRecord(id: id, redisFields: fields), chunks)
    }

    /// Every stream in `state`, read in pipelined batches; finalized ones include compact records.
    package func streams(in state: StreamState) async throws(RedisError) -> [StreamRecord] {
        let ids = try await redis.command("SMEMBERS", stateKey(state)).array.compactMap(\.string)
        var found = try await records(ids)
        if state == .finalized { try await forEachCompact { found.append($0) } }
        return found
    }

    /// Finalized streams kept as full records (written before compact records existed).
    package func legacyFinalized() async throws(RedisError) -> [StreamRecord] {
        try await records(try await redis.command("SMEMBERS", stateKey(.finalized)).array.compactMap(\.string))
    }

    /// Rewrites full finalized records as compact ones (their chunk list is in their manifest),
    /// so a deployment from before compact records shrinks too; how many it rewrote.
    package func compactLegacy(_ records: [StreamRecord]) async throws(RedisError) -> Int {
        let finalized = records.filter { $0.state == .finalized && $0.sha256 != nil }
        guard !finalized.isEmpty else { return 0 }
        let replies = try await redis.pipeline(finalized.map { record in
            ["EVAL", Self.compactLegacyScript, "4", streamKey(record.id), chunksKey(record.id), finalizedKey, stateKey(.finalized),
             record.id, record.compactValue]
        })
        return replies.filter { $0.integer == 1 }.count
    }

    /// Every compact finalized record, read in batches so a long history never arrives at once.
    package func forEachCompact(_ body: (StreamRecord) -> Void) async throws(RedisError) {
        try await forEachCompactBatch { batch in batch.forEach(body) }
    }

    /// The same, a batch (one HSCAN page, about 1000) at a time, for a body that awaits.
    package func forEachCompactBatch(_ body: ([StreamRecord]) async -> Void) async throws(RedisError) {
        var cursor = "0"
        repeat {
            let reply = try await redis.command("HSCAN", finalizedKey, cursor, "COUNT", "1000").array
            guard reply.count == 2, let next = reply[0].string else { break }
            let items = reply[1].array.compactMap(\.string)
            let batch = stride(from: 0, to: items.count - 1, by: 2).compactMap { pair in
                StreamRecord(id: items[pair], compactValue: items[pair + 1])
            }
            if !batch.isEmpty { await body(batch) }
            cursor = next
        } while cursor != "0"
    }

    /// Every known stream, whatever its state.
    package func allStreams() async throws(RedisError) -> [StreamRecord] {
        var all: [StreamRecord] = []
        for state in StreamState.allCases { all += try await streams(in: state) }
        return all
    }

    package func records(_ ids: [String]) async throws(RedisError) -> [StreamRecord] {
        var records: [StreamRecord] = []
        records.reserveCapacity(ids.count)
        var start = 0
        while start < ids.count {
            let batch = Array(ids[start..<min(start + 500, ids.count)])
            let replies = try await redis.pipeline(batch.map { ["HGETALL", streamKey($0)] })
            for (id, reply) in zip(batch, replies) where !reply.fields.isEmpty {
                records.append(try StreamRecord(id: id, redisFields: reply.fields))
            }
            start += batch.count
        }
        return records
    }

    /// Moves the stream to `state`, setting the given fields with it, if it is in state `from` at
    /// committed offset `at` (when given); false, changing nothing, otherwise.
    @discardableResult
    package func transition(_ id: String, to state: StreamState, from expected: StreamState? = nil, at offset: Int64? = nil,
                           fields: [String] = []) async throws(RedisError) -> Bool {
        let keys = [streamKey(id), stateKey(state)] + StreamState.allCases.map(stateKey)
        let reply = try await redis.command(
            ["EVAL", Self.transitionScript, String(keys.count)] + keys
                + [id, state.rawValue, expected?.rawValue ?? "", offset.map(String.init) ?? ""] + fields)
        return reply.integer == 1
    }

    /// Marks an active stream whose every byte is committed as finished (manifest written): it
    /// keeps only `finalized`'s compact record. False, changing nothing, if it moved on meanwhile.
    @discardableResult
    package func markFinalized(_ finalized: StreamRecord) async throws(RedisError) -> Bool {
        let keys = [streamKey(finalized.id), chunksKey(finalized.id), finalizedKey] + StreamState.allCases.map(stateKey)
        let reply = try await redis.command(
            ["EVAL", Self.finalizeScript, String(keys.count)] + keys + [finalized.id, String(finalized.fileSize), finalized.compactValue])
        return reply.integer == 1
    }

    /// Records a stream that never was active (a small file uploaded whole) as finalized; false
    /// if Redis knows the stream already, active or finalized.
    package func createFinalized(_ finalized: StreamRecord) async throws(RedisError) -> Bool {
        try await createFinalized([finalized])[0]
    }

    /// `createFinalized` for many streams in one round trip (a batch of small files).
    package func createFinalized(_ records: [StreamRecord]) async throws(RedisError) -> [Bool] {
        let replies = try await redis.pipeline(records.map { record in
            ["EVAL", Self.createFinalizedScript, "2", streamKey(record.id), finalizedKey, record.id, record.compactValue]
        })
        return try replies.map { reply throws(RedisError) -> Bool in
            if case .error(let message) = reply { throw RedisError(kind: .reply, message: message) }
            return reply.integer == 1
        }
    }

    /// A compact record made full again with `chunks` (from the manifest), so the stream can
    /// reopen; false if it is not compact (any more).
    package func expand(_ record: StreamRecord, chunks: [ChunkRecord]) async throws(RedisError) -> Bool {
        var full = record
        full.isCompact = false
        let fields = full.redisFields
        let keys = [streamKey(record.id), chunksKey(record.id), finalizedKey, stateKey(.finalized)]
        let reply = try await redis.command(
            ["EVAL", Self.expandScript, String(keys.count)] + keys + [record.id, String(fields.count)] + fields
                + chunks.flatMap { [String($0.index), $0.redisValue] })
        return reply.integer == 1
    }

    /// Reserves a whole object's key for `streamID` while it is assembled, so two recordings whose
    /// template keys coincide never write over each other; true if the stream holds it.
    package func claimObjectKey(_ key: String, for streamID: String, ttl: Duration) async throws(RedisError) -> Bool {
        let reply = try await redis.command(
            "EVAL", Self.acquireLeaseScript, "1", "\(namespace)objectkey:\(key)", streamID, String(ttl.milliseconds))
        return reply.integer == 1
    }

    /// A multipart upload the stream started and has not completed (`key`, `uploadID`), if any.
    package func pendingUpload(_ id: String) async throws(RedisError) -> (key: String, uploadID: String)? {
        guard let value = try await redis.command("HGET", streamKey(id), "upload").string else { return nil }
        let parts = value.split(separator: "\n", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[1], parts[0]) : nil
    }

    /// Remembers (or, with nil, forgets) the stream's open multipart upload, so one a crash left
    /// behind is aborted at the next try instead of lingering (and being billed) in the store.
    package func notePendingUpload(_ id: String, _ upload: (key: String, uploadID: String)?) async throws(RedisError) {
        if let upload {
            try await redis.command("HSET", streamKey(id), "upload", "\(upload.uploadID)\n\(upload.key)")
        } else {
            try await redis.command("HDEL", streamKey(id), "upload")
        }
    }

    /// Records when the stream's local file left the disk (deleted by local retention, or by anyone),
    /// or with nil that it is back; for status and FORGET_AFTER.
    package func noteFileGone(_ id: String, at now: Int64?) async throws(RedisError) {
        try await redis.command("EVAL", Self.goneScript, "2", streamKey(id), finalizedKey, id, now.map(String.init) ?? "")
    }

    /// Replaces the compact record `old` with `new` (the same stream, the file's times moved but
    /// not its bytes); false, changing nothing, if Redis holds something else for it now.
    @discardableResult
    package func replaceCompact(_ old: StreamRecord, with new: StreamRecord) async throws(RedisError) -> Bool {
        let reply = try await redis.command(
            "EVAL", Self.replaceCompactScript, "1", finalizedKey, old.id, old.compactValue, old.legacyCompactValue, new.compactValue)
        return reply.integer == 1
    }

    /// Drops every trace of the stream `record` from Redis (FORGET_AFTER) if it is still as read
    /// (compact, or full at the same state and update time) and unleased; its objects stay in the
    /// bucket. False, changing nothing, when it moved on meanwhile (reopened, say).
    @discardableResult
    package func forget(_ record: StreamRecord) async throws(RedisError) -> Bool {
        let keys = [streamKey(record.id), chunksKey(record.id), leaseKey(record.id), finalizedKey] + StreamState.allCases.map(stateKey)
        let expected = record.isCompact ? [record.compactValue, record.legacyCompactValue, "", ""]
            : ["", "", record.state.rawValue, String(record.updatedAt)]
        let reply = try await redis.command(["EVAL", Self.forgetScript, String(keys.count)] + keys + [record.id] + expected)
        return reply.integer == 1
    }

    /// This instance's view of the disk under WATCH_DIR, for status: node → `available total short at`.
    package func noteDisk(node: String, _ disk: (available: Int64, total: Int64, short: Bool), now: Int64) async throws(RedisError) {
        try await redis.command("HSET", "\(namespace)disks", node, "\(disk.available) \(disk.total) \(disk.short ? 1 : 0) \(now)")
    }

    /// What `noteDisk` recorded, per instance, leaving out figures older than `maxAge` (a stopped instance's).
    package func disks(now: Int64, maxAge: Duration = .seconds(60)) async throws(RedisError) -> [(node: String, available: Int64, total: Int64, short: Bool)] {
        try await redis.command("HGETALL", "\(namespace)disks").fields.compactMap { node, value in
            let numbers = value.split(separator: " ").compactMap { Int64($0) }
            guard numbers.count == 4, now - numbers[3] <= maxAge.milliseconds else { return nil }
            return (node, numbers[0], numbers[1], numbers[2] == 1)
        }.sorted { $0.node < $1.node }
    }

    /// This instance's uplink report (JSON), for status: node → `at json`.
    package func noteUplink(node: String, _ json: String, now: Int64) async throws(RedisError) {
        try await redis.command("HSET", "\(namespace)uplink", node, "\(now) \(json)")
    }

    /// What `noteUplink` recorded, per instance, leaving out reports older than `maxAge`.
    package func uplinks(now: Int64, maxAge: Duration = .seconds(60)) async throws(RedisError) -> [(node: String, json: String)] {
        try await redis.command("HGETALL", "\(namespace)uplink").fields.compactMap { node, value in
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let at = Int64(parts[0]), now - at <= maxAge.milliseconds else { return nil }
            return (node, String(parts[1]))
        }.sorted { $0.node < $1.node }
    }

    /// Redis answers.
    package func ping() async throws(RedisError) {
        _ = try await redis.command("PING")
    }

    /// Binds the namespace to the store `owner` describes ("s3 bucket X", "folder P"), unless
    /// it is bound already: the store it is bound to.
    package func bindStore(_ owner: String) async throws(RedisError) -> String {
        let key = namespace + "storage"
        _ = try await redis.command("SET", key, owner, "NX")
        return try await redis.command("GET", key).string ?? owner
    }

    /// The folder store's id, once its marker was written or found (see `FolderStore+marker`).
    package func storeMarker() async throws(RedisError) -> String? {
        try await redis.command("GET", "\(namespace)store-marker").string
    }

    /// Whether the namespace holds any stream: the store behind it was used.
    package func holdsStreams() async throws(RedisError) -> Bool {
        let keys = [finalizedKey] + StreamState.allCases.map(stateKey)
        return try await redis.command(["EXISTS"] + keys).integer ?? 0 > 0
    }

    package func rememberStoreMarker(_ id: String) async throws(RedisError) {
        try await redis.command("SET", "\(namespace)store-marker", id, "NX")
    }

    /// Records why the stream cannot progress, for status; the next commit clears it. `failed`:
    /// it waits for `chunkferry retry` (the store refuses one of its objects).
    package func noteProblem(_ id: String, _ problem: String, failed: Bool = false, now: Int64) async throws(RedisError) {
        var fields = ["HSET", streamKey(id), "last_error", problem, "updated_at", String(now)]
        if failed { fields += ["failed", "1"] }
        try await redis.command(fields)
    }

    /// Clears a failed stream's mark: `chunkferry retry`, or the daemon trying it again.
    package func clearFailed(_ id: String) async throws(RedisError) {
        try await redis.command("HDEL", streamKey(id), "failed", "last_error")
    }

    /// Whether the stream is still marked failed: `chunkferry retry` clears the mark, and the
    /// daemon holding the stream sees that and tries again (whichever instance that is).
    package func isFailed(_ id: String) async throws(RedisError) -> Bool {
        try await redis.command("HGET", streamKey(id), "failed").string == "1"
    }
}
