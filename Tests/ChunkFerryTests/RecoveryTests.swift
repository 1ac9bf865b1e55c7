@testable import ChunkFerryCheckpoint
@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

/// Recovery on a real Redis and a real folder store: a checkpoint Redis lost is rebuilt from the
/// bucket, and what the bucket holds intact is not sent again.
@Suite struct RecoveryTests {
    static let chunk = PipelineHarness.chunk

    /// The chunk object's inode: a chunk sent again is a new file in the folder store.
    func inode(_ path: String) throws -> UInt64 {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
    }

    @Test func aStreamRedisLostIsRebuiltFromTheBucketWithoutSendingItAgain() async throws {
        let first = try await PipelineHarness()
        let bytes = FileWriter.randomBytes(2 * Self.chunk + 9)
        try first.write("cam/a.mp4", bytes)
        await first.sight("cam/a.mp4")
        await first.drain()
        let before = try #require(try await first.streams(of: "cam/a.mp4").first)
        let chunkPath = "\(first.storeFolder)/\(first.context.layout.chunkKey(streamPrefix: before.keyPrefix, index: 0))"
        let sent = try inode(chunkPath)

        // Redis restarted empty: a new namespace; the same folder and bucket.
        let after = try await PipelineHarness(root: first.root, storeFolder: first.storeFolder)
        await after.sight("cam/a.mp4")
        await after.drain()
        let rebuilt = try #require(try await after.streams(of: "cam/a.mp4").first)
        #expect(rebuilt.id == before.id, "the same stream, not a new generation")
        #expect(rebuilt.committedOffset == Int64(2 * Self.chunk), "both chunks found in the bucket")
        #expect(try inode(chunkPath) == sent, "chunk 0 was not sent again")
        await after.finishIdle()
        let manifest = try #require(try await after.manifests(of: "cam/a.mp4").first)
        #expect(try after.storedBytes(manifest) == bytes)
    }

    @Test func aChunkChangedOnDiskSinceItWasSentIsNotTakenFromTheBucket() async throws {
        let first = try await PipelineHarness()
        var bytes = FileWriter.randomBytes(Self.chunk + 9)
        try first.write("cam/b.mp4", bytes)
        await first.sight("cam/b.mp4")
        await first.drain()
        // Rewritten in place while the daemon was down and Redis lost everything.
        bytes.replaceSubrange(100..<200, with: [UInt8](repeating: 7, count: 100))
        try first.write("cam/b.mp4", bytes)
        let after = try await PipelineHarness(root: first.root, storeFolder: first.storeFolder)
        await after.sight("cam/b.mp4")
        await after.drain()
        // Before any finalize could repair it: what the checkpoint counts as sent is the file now.
        let resumed = try await after.streams(of: "cam/b.mp4").filter { $0.state == .active }
        for record in resumed where record.committedOffset > 0 {
            let key = after.context.layout.chunkKey(streamPrefix: record.keyPrefix, index: 0)
            let object = try #require(FileManager.default.contents(atPath: "\(after.storeFolder)/\(key)"))
            #expect(Array(object) == Array(bytes[0..<Self.chunk]), "a committed chunk 0 holds the rewritten bytes")
        }
        await after.finishIdle()
        let manifests = try await after.manifests(of: "cam/b.mp4")
        let manifest = try #require(manifests.first { $0.sha256 == PipelineHarness.sha256(bytes) }, "\(manifests.map(\.sha256))")
        #expect(try after.storedBytes(manifest) == bytes, "the bucket holds the file as it is now")
        #expect(manifest.repairedChunks == 0, "nothing stale was counted and repaired later")
    }
}
