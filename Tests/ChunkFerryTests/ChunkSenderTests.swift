@testable import ChunkFerryCheckpoint
@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

/// The chunk sender on a real Redis and a real folder store, jobs run one at a time: whole chunks
/// of a growing file, and a file replaced between the job's queueing and its read.
@Suite struct ChunkSenderTests {
    static let chunk = PipelineHarness.chunk

    @Test func wholeChunksOfAGrowingFileAreCommittedInOrderAndHoldItsBytes() async throws {
        let pipeline = try await PipelineHarness()
        let bytes = FileWriter.randomBytes(2 * Self.chunk + 123)
        try pipeline.write("cam/a.mp4", bytes)
        await pipeline.sight("cam/a.mp4")
        await pipeline.drain()
        let record = try #require(try await pipeline.streams(of: "cam/a.mp4").first)
        #expect(record.state == .active, "still growing as far as anyone knows: not finalized")
        #expect(record.committedOffset == Int64(2 * Self.chunk), "both whole chunks committed, the tail waits")
        let stored = try #require(try await pipeline.stream(record.id))
        #expect(stored.chunks.map(\.index) == [0, 1])
        for chunk in stored.chunks {
            let key = pipeline.context.layout.chunkKey(streamPrefix: record.keyPrefix, index: chunk.index)
            let object = try #require(FileManager.default.contents(atPath: "\(pipeline.storeFolder)/\(key)"))
            let start = chunk.index * Self.chunk
            #expect(PipelineHarness.sha256(Array(object)) == PipelineHarness.sha256(Array(bytes[start..<start + Self.chunk])),
                    "chunk \(chunk.index) in the store is the file's bytes")
        }
    }

    @Test func aFileReplacedWhileItsJobWaitsBecomesItsOwnRecording() async throws {
        let pipeline = try await PipelineHarness()
        try pipeline.write("cam/b.mp4", FileWriter.randomBytes(Self.chunk + 10))
        await pipeline.sight("cam/b.mp4")
        let job = try #require(await pipeline.manager.queue.next()?.job)
        guard case .upload(_, let firstID) = job else { Issue.record("\(job)"); return }
        // The recorder replaces the file after the job was queued, before it reads. The old
        // file stays linked elsewhere, so the new one cannot reuse its inode.
        try FileManager.default.linkItem(atPath: pipeline.path("cam/b.mp4"), toPath: pipeline.path("old-b.keep"))
        try FileManager.default.removeItem(atPath: pipeline.path("cam/b.mp4"))
        let replacement = FileWriter.randomBytes(Self.chunk + 20)
        try pipeline.write("cam/b.mp4", replacement)
        await pipeline.worker.carryOut(job)
        await pipeline.sight("cam/b.mp4")
        await pipeline.drain()
        await pipeline.finishIdle()
        let manifests = try await pipeline.manifests(of: "cam/b.mp4")
        let finished = try #require(manifests.first { $0.sha256 == PipelineHarness.sha256(replacement) },
                                    "the replacement is finalized as a recording: \(manifests.map(\.sha256))")
        #expect(try pipeline.storedBytes(finished) == replacement, "its chunks are the replacement's bytes")
        #expect(finished.streamID != firstID, "a stream of its own, not the replaced file's")
    }

    @Test func aCommitFromAStaleRecordCountsOnlyIfItIsTheSameChunk() async throws {
        let pipeline = try await PipelineHarness()
        try pipeline.write("cam/c.mp4", FileWriter.randomBytes(Self.chunk + 1))
        await pipeline.sight("cam/c.mp4")
        await pipeline.drain()
        let current = try #require(try await pipeline.streams(of: "cam/c.mp4").first)
        #expect(current.committedOffset == Int64(Self.chunk))
        let committed = try #require(try await pipeline.stream(current.id)?.chunks.first)
        _ = try await pipeline.context.leases.acquire(current.id)
        // What a second worker would hold had it read the record before the first commit.
        var stale = current
        stale.committedOffset = 0
        stale.chunkCount = 0
        let other = ChunkRecord(index: 0, size: committed.size, checksum: .crc32c(12345), etag: "other-bytes")
        let refused = await pipeline.worker.sender.commit(&stale, chunk: other, fileSize: Int64(Self.chunk + 1), rebuildIfLost: false)
        #expect(refused == .notCommitted, "other bytes at a committed offset are not counted")
        #expect(stale.committedOffset == Int64(Self.chunk), "the record now is Redis's, not the stale copy")
        #expect(try await pipeline.stream(current.id)?.chunks == [committed], "the committed chunk stays as it was")
        // The same chunk again is a retry whose answer was lost: it counts, once.
        var retry = current
        retry.committedOffset = 0
        retry.chunkCount = 0
        let again = await pipeline.worker.sender.commit(&retry, chunk: committed, fileSize: Int64(Self.chunk + 1), rebuildIfLost: false)
        #expect(again == .committed)
        #expect(try await pipeline.stream(current.id)?.chunks.count == 1, "no chunk recorded twice")
    }
}
