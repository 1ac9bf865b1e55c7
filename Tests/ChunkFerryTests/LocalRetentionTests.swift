@testable import ChunkFerryCheckpoint
@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

/// Local retention on a real Redis and a real folder store: a file leaves the disk only once the
/// store holds every object its manifest lists.
@Suite struct LocalRetentionTests {
    static let chunk = PipelineHarness.chunk

    func finalized(_ pipeline: PipelineHarness, _ path: String, _ bytes: [UInt8]) async throws -> StreamRecord {
        try await pipeline.record(path, bytes)
        return try #require(try await pipeline.streams(of: path).first { $0.state == .finalized })
    }

    @Test func deleteAfterUploadRemovesOnlyFilesTheStoreHolds() async throws {
        let pipeline = try await PipelineHarness()
        _ = try await finalized(pipeline, "cam/held.mp4", FileWriter.randomBytes(Self.chunk + 5))
        let lost = try await finalized(pipeline, "cam/lost.mp4", FileWriter.randomBytes(Self.chunk + 6))
        // One of the second file's chunks is gone from the store (deleted by hand, a lifecycle rule).
        try FileManager.default.removeItem(atPath: "\(pipeline.storeFolder)/\(pipeline.context.layout.chunkKey(streamPrefix: lost.keyPrefix, index: 0))")
        var settings = RetentionSettings()
        settings.deleteAfterUpload = true
        let retention = LocalRetention(settings: Reloadable(settings), context: pipeline.context, manager: pipeline.manager, gate: ReadinessGate())
        await retention.pass()
        #expect(!FileManager.default.fileExists(atPath: pipeline.path("cam/held.mp4")), "the store holds it: deleted")
        #expect(FileManager.default.fileExists(atPath: pipeline.path("cam/lost.mp4")), "the store lacks a chunk: kept")
    }

    @Test func aFileChangedAfterItsFinalizeIsKept() async throws {
        let pipeline = try await PipelineHarness()
        _ = try await finalized(pipeline, "cam/a.mp4", FileWriter.randomBytes(Self.chunk + 5))
        try pipeline.write("cam/a.mp4", FileWriter.randomBytes(10), append: true)
        var settings = RetentionSettings()
        settings.deleteAfterUpload = true
        let retention = LocalRetention(settings: Reloadable(settings), context: pipeline.context, manager: pipeline.manager, gate: ReadinessGate())
        await retention.pass()
        #expect(FileManager.default.fileExists(atPath: pipeline.path("cam/a.mp4")), "bytes the store lacks are never deleted")
    }
}
