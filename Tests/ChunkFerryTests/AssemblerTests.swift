@testable import ChunkFerryCheckpoint
@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

/// The whole-object assembler on a real folder store: one object per recording, joined inside
/// the store, and the chunk objects gone only once it is there.
@Suite struct AssemblerTests {
    static let chunk = PipelineHarness.chunk

    @Test func aWholeRecordingIsJoinedFromItsChunksWhichAreThenDeleted() async throws {
        let pipeline = try await PipelineHarness(output: .whole)
        let bytes = FileWriter.randomBytes(2 * Self.chunk + 77)
        try await pipeline.record("cam/a.mp4", bytes)
        let record = try #require(try await pipeline.streams(of: "cam/a.mp4").first)
        #expect(record.state == .finalized && record.chunksDeleted)
        let key = try #require(record.objectKey)
        let whole = try #require(FileManager.default.contents(atPath: "\(pipeline.storeFolder)/\(key)"))
        #expect(PipelineHarness.sha256(Array(whole)) == PipelineHarness.sha256(bytes), "the whole object is the file")
        for index in 0..<3 {
            let chunkKey = pipeline.context.layout.chunkKey(streamPrefix: record.keyPrefix, index: index)
            #expect(!FileManager.default.fileExists(atPath: "\(pipeline.storeFolder)/\(chunkKey)"), "chunk \(index) deleted")
        }
        let manifest = try #require(try await pipeline.manifests(of: "cam/a.mp4").first)
        #expect(manifest.object?.key == key && manifest.sha256 == PipelineHarness.sha256(bytes))
    }

    @Test func twoRecordingsRenderingTheSameKeyKeepBoth() async throws {
        let pipeline = try await PipelineHarness(output: .whole)
        let first = FileWriter.randomBytes(Self.chunk + 1)
        try await pipeline.record("cam/a.mp4", first)
        // The recorder starts over under the same name: a new file, a new recording.
        try FileManager.default.removeItem(atPath: pipeline.path("cam/a.mp4"))
        let second = FileWriter.randomBytes(Self.chunk + 2)
        try await pipeline.record("cam/a.mp4", second)
        let keys = try await pipeline.streams(of: "cam/a.mp4").filter { $0.state == .finalized }.compactMap(\.objectKey)
        #expect(Set(keys).count == 2, "each recording has its own object: \(keys)")
        let hashes = try keys.map { key in
            PipelineHarness.sha256(Array(try #require(FileManager.default.contents(atPath: "\(pipeline.storeFolder)/\(key)"))))
        }
        #expect(Set(hashes) == [PipelineHarness.sha256(first), PipelineHarness.sha256(second)])
    }
}
