@testable import ChunkFerryCheckpoint
@testable import ChunkFerryStorage
import Testing

@Suite struct CheckpointStoreTests {
    func record(_ id: String, path: String = "front-door/clip.mp4") -> StreamRecord {
        StreamRecord(id: id, path: path, device: 2049, inode: 77, chunkSize: 8 << 20, keyPrefix: "\(path)/\(id)/",
                     startedAt: 1_700_000_000_000, host: "test-node")
    }

    func chunk(_ index: Int, size: Int = 8 << 20, etag: String = "etag") -> ChunkRecord {
        // Both kinds of checksum records hold, so every round trip covers both encodings.
        let checksum: ChunkChecksum = index % 2 == 0 ? .sha256([UInt8](repeating: UInt8(index % 10), count: 32))
            : .crc32c(UInt32(truncatingIfNeeded: index) &* 2_654_435_761)
        return ChunkRecord(index: index, size: size, checksum: checksum, etag: "\(etag)-\(index)")
    }

    static let sha = String(repeating: "ab", count: 32)

    /// `record` as the finalizer hands it over: every byte committed.
    func finished(_ record: StreamRecord, size: Int64, chunks: Int, completedAt: Int64) -> StreamRecord {
        record.finalized(size: size, chunkCount: chunks, sha256: Self.sha, completedAt: completedAt, repairedChunks: 0,
                         objectKey: nil, chunksDeleted: false)
    }

    func store(_ server: RedisServer) -> CheckpointStore {
        CheckpointStore(redis: RedisClient(url: server.url), namespace: Scratch.uniqueName("ns") + ":")
    }

    @Test func roundTripsStreamsAndChunks() async throws {
        let store = store(try await SharedServers.shared.redis())
        #expect(try await store.createStream(record("s1")))
        #expect(try await store.createStream(record("s1")) == false)
        #expect(try await store.createStream(record("s2", path: "back yard/ü.mp4")))

        let size = Int64(8 << 20)
        #expect(try await store.commitChunk(streamID: "s1", expectedOffset: 0, chunk: chunk(0), now: 1) == .committed(offset: size))
        #expect(try await store.commitChunk(streamID: "s1", expectedOffset: size, chunk: chunk(1), now: 2) == .committed(offset: 2 * size))
        #expect(try await store.commitChunk(streamID: "s1", expectedOffset: 2 * size, chunk: chunk(2, size: 1234), now: 3)
            == .committed(offset: 2 * size + 1234))

        let (stream, chunks) = try #require(try await store.stream("s1"))
        #expect(stream.committedOffset == 2 * size + 1234)
        #expect(stream.chunkCount == 3)
        #expect(stream.lastChunkAt == 3)
        #expect(stream.path == "front-door/clip.mp4")
        #expect(chunks == [chunk(0), chunk(1), chunk(2, size: 1234)])
        #expect(try await store.stream("s2")?.record.path == "back yard/ü.mp4")
        #expect(try await store.stream("nope") == nil)

        #expect(Set(try await store.streams(in: .active).map(\.id)) == ["s1", "s2"])
        #expect(try await store.markFinalized(finished(stream, size: 2 * size + 1234, chunks: 3, completedAt: 9)))
        #expect(try await store.streams(in: .active).map(\.id) == ["s2"])
        let finalized = try await store.streams(in: .finalized)
        #expect(finalized.map(\.id) == ["s1"])
        let compact = try #require(finalized.first)
        #expect(compact.isCompact && compact.path == stream.path && compact.keyPrefix == stream.keyPrefix)
        #expect(compact.device == 2049 && compact.inode == 77 && compact.host == "test-node" && compact.startedAt == stream.startedAt)
        #expect(compact.fileSize == 2 * size + 1234 && compact.committedOffset == 2 * size + 1234 && compact.chunkCount == 3)
        #expect(compact.sha256 == Self.sha && compact.completedAt == 9)
        #expect(try await store.stream("s1")?.chunks == [], "the chunk list lives in the manifest once finalized")
        #expect(try await store.markFinalized(finished(record("unknown"), size: 0, chunks: 0, completedAt: 0)) == false)
    }

    /// State that does not grow with history: a finalized stream of 300 chunks keeps one compact
    /// record, measured with Redis's own MEMORY USAGE.
    @Test func aFinalizedStreamOf300ChunksKeepsUnder400BytesInRedis() async throws {
        let store = store(try await SharedServers.shared.redis())
        let path = "front-door/2024/01/18/20240118_120000.mp4"
        let id = "0123456789abcdef0123"
        var stream = record(id, path: path)
        stream.keyPrefix = "footage/.chunkferry/streams/\(path)/\(id)/"
        try await store.createStream(stream)
        var offset: Int64 = 0
        for index in 0..<300 {
            #expect(try await store.commitChunk(streamID: id, expectedOffset: offset, chunk: chunk(index), now: 1) == .committed(offset: offset + (8 << 20)))
            offset += 8 << 20
        }
        let before = try await memory(store, [store.streamKey(id), store.chunksKey(id)])
        var done = finished(try #require(try await store.stream(id)).record, size: offset, chunks: 300, completedAt: 2)
        done.objectKey = "footage/" + path
        done.chunksDeleted = true
        #expect(try await store.markFinalized(done))
        #expect(try await store.redis.command("EXISTS", store.streamKey(id), store.chunksKey(id)).integer == 0)

        // What one more finalized stream adds to the hash (its entry), measured by adding a twin.
        let one = try await memory(store, [store.finalizedKey])
        let value = try #require(try await store.redis.command("HGET", store.finalizedKey, id).string)
        _ = try await store.redis.command("HSET", store.finalizedKey, "fedcba9876543210fedc", value)
        let perStream = try await memory(store, [store.finalizedKey]) - one
        print("redis bytes per finalized stream: \(perStream) (300 chunks: \(before) bytes while active)")
        #expect(perStream <= 400, "\(perStream) bytes per finalized stream")
        #expect(before > 30_000, "the active stream's chunk records should be what compaction removes")
    }

    /// A finalized stream written as a full record (before compact records existed) is
    /// rewritten compact when loaded, so an old deployment's Redis shrinks too.
    @Test func oldFullFinalizedRecordsAreRewrittenCompact() async throws {
        let store = store(try await SharedServers.shared.redis())
        var old = finished(record("0123456789abcdef0aaa"), size: 3 * (8 << 20), chunks: 3, completedAt: 5)
        old.isCompact = false
        try await store.createStream(old)
        for index in 0..<3 { _ = try await store.redis.command("HSET", store.chunksKey(old.id), String(index), chunk(index).redisValue) }
        let legacy = try await store.legacyFinalized()
        #expect(legacy.map(\.id) == [old.id])
        #expect(try await store.compactLegacy(legacy) == 1)
        #expect(try await store.legacyFinalized().isEmpty)
        #expect(try await store.redis.command("EXISTS", store.streamKey(old.id), store.chunksKey(old.id)).integer == 0)
        let compact = try #require(try await store.stream(old.id)).record
        #expect(compact.isCompact && compact.sha256 == Self.sha && compact.fileSize == old.fileSize && compact.chunkCount == 3)
        #expect(try await store.compactLegacy(legacy) == 0, "once is enough")
    }

    /// The file's times ride in the compact record (c2); a c1 record from before still reads,
    /// and marking its file gone touches the gone-at field in both.
    @Test func compactRecordsKeepTheFilesTimesAndOldOnesStillRead() async throws {
        let store = store(try await SharedServers.shared.redis())
        var done = finished(record("0123456789abcdef0bbb"), size: 100, chunks: 1, completedAt: 7)
        done.fileModified = 1_700_000_000_123_456_789
        done.fileChanged = 1_700_000_000_987_654_321
        let decoded = try #require(StreamRecord(id: done.id, compactValue: done.compactValue))
        #expect(decoded.fileModified == done.fileModified && decoded.fileChanged == done.fileChanged)
        let legacy = try #require(StreamRecord(id: done.id, compactValue: done.legacyCompactValue))
        #expect(legacy.fileModified == nil && legacy.sha256 == done.sha256 && legacy.fileSize == 100)

        for value in [done.compactValue, done.legacyCompactValue] {
            _ = try await store.redis.command("HSET", store.finalizedKey, done.id, value)
            try await store.noteFileGone(done.id, at: 4242)
            let gone = try #require(try await store.stream(done.id)).record
            #expect(gone.localDeletedAt == 4242 && gone.fileModified == (value == done.compactValue ? done.fileModified : nil))
        }
        // The times move (the file was touched): the record is replaced only if it is still as read.
        var touched = legacy
        touched.fileModified = 1
        touched.fileChanged = 2
        var stored = legacy
        stored.localDeletedAt = 4242
        #expect(try await store.replaceCompact(stored, with: touched))
        #expect(try await store.stream(done.id)?.record.fileModified == 1)
        #expect(try await store.replaceCompact(stored, with: touched) == false, "it moved on")
    }

    private func memory(_ store: CheckpointStore, _ keys: [String]) async throws -> Int {
        var total = 0
        for key in keys { total += try await store.redis.command("MEMORY", "USAGE", key, "SAMPLES", "0").integer.map(Int.init) ?? 0 }
        return total
    }

    /// The compact record gives back exactly what was finalized, whatever the prefix looks like.
    @Test(arguments: ["", "footage/", "footage/.chunkferry/streams/", "!arch/", "!arch/.chunkferry/streams/"])
    func compactRecordsRoundTrip(root: String) throws {
        var stream = record("0123456789abcdef0123", path: "front door/50%25.mp4")
        stream.keyPrefix = "\(root)\(stream.path)/\(stream.id)/"
        var done = finished(stream, size: 123_456_789, chunks: 15, completedAt: 1_700_000_100_000)
        done.objectKey = root.replacing(".chunkferry/streams/", with: "") + stream.path
        done.chunksDeleted = true
        done.localDeletedAt = 1_700_000_200_000
        let decoded = try #require(StreamRecord(id: done.id, compactValue: done.compactValue))
        #expect(decoded.keyPrefix == done.keyPrefix && decoded.objectKey == done.objectKey && decoded.path == done.path)
        #expect(decoded.sha256 == done.sha256 && decoded.fileSize == done.fileSize && decoded.chunkCount == 15)
        #expect(decoded.chunksDeleted && decoded.localDeletedAt == done.localDeletedAt && decoded.completedAt == done.completedAt)
    }

    @Test func commitIsCompareAndAdvance() async throws {
        let store = store(try await SharedServers.shared.redis())
        try await store.createStream(record("s"))
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0, size: 100), now: 1) == .committed(offset: 100))
        // The same chunk again (a retry whose reply was lost) is not a second advance.
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0, size: 100), now: 1) == .committed(offset: 100))
        // A different chunk 0 from a stale reader conflicts.
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0, size: 100, etag: "other"), now: 1)
            == .conflict(current: 100))
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 50, chunk: chunk(1), now: 1) == .conflict(current: 100))
        #expect(try await store.commitChunk(streamID: "gone", expectedOffset: 0, chunk: chunk(0), now: 1) == .missingStream)
        #expect(try await store.stream("s")?.record.committedOffset == 100)
    }

    @Test func repairReplacesAChunkRecord() async throws {
        let store = store(try await SharedServers.shared.redis())
        try await store.createStream(record("s"))
        _ = try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0, size: 10), now: 1)
        let repaired = ChunkRecord(index: 0, size: 10, checksum: .crc32c(0xdead_beef), etag: "new")
        #expect(try await store.repairChunk(streamID: "s", chunk: repaired, now: 2))
        #expect(try await store.repairChunk(streamID: "unknown", chunk: chunk(0), now: 2) == false)
        let (stream, chunks) = try #require(try await store.stream("s"))
        #expect(chunks == [repaired])
        #expect(stream.repairedChunks == 1)
        #expect(stream.committedOffset == 10)
    }

    @Test func reopeningAFinalizedStreamDropsItsPartialTail() async throws {
        let store = store(try await SharedServers.shared.redis())
        var stream = record("s")
        stream.chunkSize = 100
        try await store.createStream(stream)
        _ = try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0, size: 100), now: 1)
        _ = try await store.commitChunk(streamID: "s", expectedOffset: 100, chunk: chunk(1, size: 40), now: 2)
        let current = try #require(try await store.stream("s")).record
        try await store.markFinalized(finished(current, size: 140, chunks: 2, completedAt: 3))
        let finalized = try #require(try await store.stream("s")).record
        #expect(finalized.isCompact)
        // A compact record takes its chunk records back from the manifest before it reopens.
        #expect(try await store.expand(finalized, chunks: [chunk(0, size: 100), chunk(1, size: 40)]))
        #expect(try await store.expand(finalized, chunks: []) == false)

        #expect(try await store.reopen(finalized, now: 4))
        let (reopened, chunks) = try #require(try await store.stream("s"))
        #expect(reopened.state == .active)
        #expect(reopened.committedOffset == 100)
        #expect(reopened.chunkCount == 1)
        #expect(reopened.sha256 == nil)
        #expect(chunks.map(\.index) == [0])
        #expect(try await store.streams(in: .active).map(\.id) == ["s"])
        #expect(try await store.streams(in: .finalized).isEmpty)
        #expect(try await store.reopen(finalized, now: 5) == false)  // stale offset
    }

    @Test func leasesAreExclusiveLapseAndFenceCommits() async throws {
        let store = store(try await SharedServers.shared.redis())
        try await store.createStream(record("s"))
        // Leases that must hold last a minute: a loaded runner may pause this test for seconds.
        #expect(try await store.acquireLease("s", owner: "a/1", ttl: .seconds(60)))
        #expect(try await store.acquireLease("s", owner: "b/2", ttl: .seconds(60)) == false)
        #expect(try await store.acquireLease("s", owner: "a/1", ttl: .seconds(60)))  // extends its own
        #expect(try await store.leaseOwners(["s", "none"]) == ["a/1", nil])

        // Only the holder commits.
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0, size: 10), leaseOwner: "b/2", now: 1) == .leaseLost)
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0, size: 10), leaseOwner: "a/1", now: 1)
            == .committed(offset: 10))

        // A holder that stops renewing loses the stream to another instance.
        #expect(try await store.acquireLease("s", owner: "a/1", ttl: .milliseconds(300)))
        try await Task.sleep(for: .milliseconds(1000))
        #expect(try await store.renewLeases(["s"], owner: "a/1", ttl: .seconds(60)) == ["s"])
        #expect(try await store.acquireLease("s", owner: "b/2", ttl: .seconds(60)))
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 10, chunk: chunk(1, size: 10), leaseOwner: "a/1", now: 2) == .leaseLost)
        #expect(try await store.renewLeases(["s"], owner: "b/2", ttl: .seconds(60)).isEmpty)

        try await store.releaseLeases(["s"], owner: "a/1")  // not a's: nothing happens
        #expect(try await store.leaseOwners(["s"]) == ["b/2"])
        try await store.releaseLeases(["s"], owner: "b/2")
        #expect(try await store.leaseOwners(["s"]) == [nil])

        // A lease nobody holds (Redis lost it) is taken by the committing instance.
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 10, chunk: chunk(1, size: 10), leaseOwner: "a/1",
                                            leaseTTL: .seconds(60), now: 3) == .committed(offset: 20))
        #expect(try await store.leaseOwners(["s"]) == ["a/1"])
    }

    @Test func racingWritersExactlyOneWins() async throws {
        let server = try await SharedServers.shared.redis()
        let namespace = Scratch.uniqueName("race") + ":"
        let writers = (0..<2).map { _ in CheckpointStore(redis: RedisClient(url: server.url), namespace: namespace) }
        for round in 0..<40 {
            let id = "race-\(round)"
            try await writers[0].createStream(record(id))
            let outcomes = try await withThrowingTaskGroup(of: CheckpointStore.CommitOutcome.self) { group in
                for (number, writer) in writers.enumerated() {
                    group.addTask {
                        try await writer.commitChunk(streamID: id, expectedOffset: 0, chunk: chunk(0, size: 64, etag: "writer\(number)"), now: 1)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .committed(offset: 64) }.count == 1)
            #expect(outcomes.filter { $0 == .conflict(current: 64) }.count == 1)
            let (stream, chunks) = try #require(try await writers[1].stream(id))
            #expect(stream.committedOffset == 64)
            #expect(chunks.count == 1)
        }
    }

    @Test func survivesARedisRestartByReconnecting() async throws {
        let server = try await RedisServer(persistent: true)
        let store = CheckpointStore(redis: RedisClient(url: server.url))
        try await store.createStream(record("s"))
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0, size: 10), now: 1) == .committed(offset: 10))

        try await server.restart()  // SIGKILL, then start on the same data

        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 10, chunk: chunk(1, size: 10), now: 2) == .committed(offset: 20))
        let (stream, chunks) = try #require(try await store.stream("s"))
        #expect(stream.committedOffset == 20)
        #expect(chunks.map(\.index) == [0, 1])
        server.stop()
    }

    @Test func anEmptiedRedisReportsTheStreamMissing() async throws {
        let server = try await RedisServer(persistent: false)
        let store = CheckpointStore(redis: RedisClient(url: server.url))
        try await store.createStream(record("s"))
        try await server.restart()
        #expect(try await store.commitChunk(streamID: "s", expectedOffset: 0, chunk: chunk(0), now: 1) == .missingStream)
        server.stop()
    }
}

extension StreamRecord {
    func with(_ change: (inout StreamRecord) -> Void) -> StreamRecord {
        var copy = self
        change(&copy)
        return copy
    }
}
