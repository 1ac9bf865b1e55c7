@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// FILE_DIGEST=crc32c with the real binary: the manifest's whole-file CRC32C is the file's (the
/// chunks' combined, no SHA-256 pass), the store holds the whole object under the same full-object
/// CRC32C, `restore` checks it and names a flipped byte.
@Suite struct FileDigestTests {
    @Test(arguments: S3TestServer.allCases) func theManifestsCRC32CIsTheFilesAndTheStoresToo(server: S3TestServer) async throws {
        let settings = ["FILE_DIGEST": "crc32c", "OUTPUT": "both"]
        let fixture = try await server == .moto ? DaemonFixture.onMoto(environment: settings).0 : DaemonFixture(environment: settings)
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        let path = "yard/20261207_040000.mp4"
        let bytes = FileWriter.randomBytes(6 * 1024 * 1024 + 5)
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/yard", withIntermediateDirectories: true)
        try FileWriter.write("\(fixture.watchDir)/\(path)", bytes)
        let crc = ByteEncoding.base64(CRC32C.of(bytes).bytes)
        var found: Manifest?
        try await fixture.waitUntil("a manifest of \(path)") {
            found = try await fixture.manifests(for: path).first { $0.complete }
            return found != nil
        }
        let manifest = try #require(found)
        #expect(manifest.crc32c == crc && manifest.sha256 == nil, "\(manifest)")
        let object = try #require(manifest.object)
        #expect(object.crc32c == crc && object.sha256 == nil)
        #expect(manifest.chunks.count == 2)
        // The store's own full-object CRC32C of the assembled recording.
        let head = try #require(try await fixture.storage.head(key: object.key))
        #expect(head.checksumCRC32C == crc, "\(server): the store shows \(head.checksumCRC32C ?? "no CRC32C") for \(object.key)")

        let output = Scratch.directory("restore") + "/yard.mp4"
        let restore = try fixture.restoreFromStoreAlone(path, to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(restore.log().contains("crc32c \(crc)"), "\(restore.log())")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data(bytes))

        // One byte flipped in the store: restore refuses, naming the chunk, and writes nothing.
        let chunk = manifest.chunks[1]
        var stored = try await fixture.storage.get(key: chunk.key)
        stored[1234] ^= 0x01
        _ = try await fixture.storage.put(key: chunk.key, bytes: stored, attributes: ObjectAttributes())
        let flipped = Scratch.directory("restore") + "/flipped.mp4"
        let refused = try fixture.restoreFromStoreAlone(path, to: flipped)
        #expect(await refused.waitForExit(timeout: .seconds(60)) != 0)
        #expect(refused.log().contains("chunk 1") && refused.log().contains("crc32c"), "\(refused.log())")
        #expect(!FileManager.default.fileExists(atPath: flipped))
    }
}
