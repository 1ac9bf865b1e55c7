@testable import ChunkFerryCheckpoint
@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

/// The finalizer on a real Redis and a real folder store: the manifest, a header patched after
/// its chunk went out, and a late commit racing the finalize.
@Suite struct FinalizerTests {
    static let chunk = PipelineHarness.chunk

    @Test func anIdleFileIsFinalizedWithAManifestOfItsBytes() async throws {
        let pipeline = try await PipelineHarness()
        let bytes = FileWriter.randomBytes(2 * Self.chunk + 4321)
        try await pipeline.record("cam/a.mp4", bytes)
        let record = try #require(try await pipeline.streams(of: "cam/a.mp4").first)
        #expect(record.state == .finalized)
        #expect(record.sha256 == PipelineHarness.sha256(bytes))
        let manifest = try #require(try await pipeline.manifests(of: "cam/a.mp4").first)
        #expect(manifest.complete && manifest.sha256 == PipelineHarness.sha256(bytes))
        #expect(try pipeline.storedBytes(manifest) == bytes)
    }

    @Test func aHeaderPatchedAfterItsChunkWentOutIsSentAgain() async throws {
        let pipeline = try await PipelineHarness()
        var bytes = FileWriter.randomBytes(Self.chunk + 100)
        try pipeline.write("cam/b.mp4", bytes)
        await pipeline.sight("cam/b.mp4")
        await pipeline.drain()
        // The muxer rewrites the MP4 header at the start when it closes the file.
        bytes.replaceSubrange(0..<8, with: Array("moovmoov".utf8))
        let handle = try #require(FileHandle(forWritingAtPath: pipeline.path("cam/b.mp4")))
        try handle.write(contentsOf: Array("moovmoov".utf8))
        try handle.close()
        await pipeline.sight("cam/b.mp4")
        await pipeline.finishIdle()
        let manifest = try #require(try await pipeline.manifests(of: "cam/b.mp4").first)
        #expect(manifest.sha256 == PipelineHarness.sha256(bytes), "the manifest is of the file as closed")
        #expect(manifest.repairedChunks == 1)
        #expect(try pipeline.storedBytes(manifest) == bytes, "the store holds the patched header")
    }

    @Test func aLateCommitRacingTheFinalizeLeavesTheFinishedRecordAlone() async throws {
        let pipeline = try await PipelineHarness()
        let bytes = FileWriter.randomBytes(Self.chunk + 7)
        try pipeline.write("cam/c.mp4", bytes)
        await pipeline.sight("cam/c.mp4")
        await pipeline.drain()
        // A worker read the record with one chunk committed, before the finalize.
        var late = try #require(try await pipeline.streams(of: "cam/c.mp4").first)
        #expect(late.committedOffset == Int64(Self.chunk))
        await pipeline.finishIdle()
        let tail = try #require(try await pipeline.manifests(of: "cam/c.mp4").first?.chunks.last)
        #expect(tail.index == 1)
        // It now commits the tail the finalizer already sent, as the worker's own path does
        // (Redis may have lost the stream: rebuild it from the bucket).
        _ = try await pipeline.context.leases.acquire(late.id)
        let chunk = ChunkRecord(index: 1, size: 7, checksum: try #require(tail.checksum), etag: "late")
        let result = await pipeline.worker.sender.commit(&late, chunk: chunk, fileSize: Int64(bytes.count), rebuildIfLost: true)
        #expect(result != .committed)
        let records = try await pipeline.streams(of: "cam/c.mp4")
        #expect(records.count == 1 && records.allSatisfy { $0.state == .finalized }, "one finished stream, none active: \(records.map(\.state))")
        #expect(records.first?.sha256 == PipelineHarness.sha256(bytes))
    }
}
