@testable import ChunkFerryCheckpoint
@testable import ChunkFerryDaemon
@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Logging
import Testing

/// FORGET_AFTER's janitor against a real Redis: a stream reopened between the janitor's read and
/// its forget (its file came back and grew) is kept, hit deterministically through the seam
/// between the two.
@Suite struct StateJanitorTests {
    func janitor(_ store: CheckpointStore) async throws -> StateJanitor {
        let watch = Scratch.directory("janitor-watch")
        let config = try await ConfigurationLoader.load(flags: [], environment: [
            "WATCH_DIR": watch, "STORAGE_BACKEND": "filesystem", "LOCAL_STORAGE_PATH": Scratch.directory("janitor-store"),
        ])
        let settings = try ChunkFerrySettings(config: config)
        let context = PipelineContext(storage: try settings.storage.makeStore(connections: 1), store: store, watch: settings.watch, upload: settings.upload, output: settings.output,
                                      abort: TransferAbort(), logger: Logger(label: "test"))
        return StateJanitor(retention: Reloadable(settings.retention), context: context, gate: ReadinessGate())
    }

    /// A finalized stream whose file left the disk `daysAgo` days ago.
    func goneStream(_ store: CheckpointStore, _ id: String, daysAgo: Int64, now: Int64) async throws -> StreamRecord {
        var stream = StreamRecord(id: id, path: "cam/\(id).mp4", device: 1, inode: 2, chunkSize: 100, keyPrefix: "cam/\(id).mp4/\(id)/",
                                  startedAt: 1, host: "test-node")
        try await store.createStream(stream)
        _ = try await store.commitChunk(streamID: id, expectedOffset: 0, chunk: ChunkRecord(index: 0, size: 100, checksum: .crc32c(1), etag: "e"), now: 2)
        stream = try #require(try await store.stream(id)).record
        var done = stream.finalized(size: 100, chunkCount: 1, sha256: String(repeating: "ab", count: 32), completedAt: 3,
                                    repairedChunks: 0, objectKey: nil, chunksDeleted: false)
        done.localDeletedAt = now - daysAgo * 86_400_000
        #expect(try await store.markFinalized(done))
        return done
    }

    @Test func aStreamReopenedBetweenReadAndForgetIsKept() async throws {
        let store = CheckpointStore(redis: RedisClient(url: try await SharedServers.shared.redis().url), namespace: Scratch.uniqueName("jan") + ":")
        let now = WallClock.nowMilliseconds()
        let reopened = try await goneStream(store, "0123456789abcdef0001", daysAgo: 30, now: now)
        let forgotten = try await goneStream(store, "0123456789abcdef0002", daysAgo: 30, now: now)
        let janitor = try await janitor(store)
        try await janitor.sweep(now: now) {
            // The window: a worker takes the stream up again (its file is back and grew).
            guard let compact = try? await store.stream(reopened.id)?.record else { return }
            _ = try? await store.expand(compact, chunks: [ChunkRecord(index: 0, size: 100, checksum: .crc32c(1), etag: "e")])
            _ = try? await store.reopen(compact, now: now)
        }
        let kept = try #require(try await store.stream(reopened.id), "the reopened stream survives the sweep")
        #expect(kept.record.state == .active)
        #expect(try await store.stream(forgotten.id) == nil, "the other one, untouched, is forgotten")
    }
}
