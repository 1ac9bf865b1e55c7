@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

/// The bad-input table of the README: each case logs clearly while every other file carries on.
@Suite struct DaemonHostileInputTests {
    /// Creates a file whose name is raw bytes (not necessarily UTF-8).
    func createFile(_ directory: String, name: [UInt8], bytes: [UInt8]) throws {
        let path = Array(directory.utf8) + [UInt8(ascii: "/")] + name
        let descriptor = open(path.map { CChar(bitPattern: $0) } + [0], O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw HarnessError("cannot create a file named \(name)") }
        defer { close(descriptor) }
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    @Test func namesWithNewlinesAndInvalidUTF8AreKeptExactly() async throws {
        let fixture = try await DaemonFixture()
        try fixture.start()
        let newline = Array("line\nbreak 100%.mp4".utf8)
        let invalid: [UInt8] = [0x63, 0x61, 0x6d, 0xff, 0xfe, 0x2e, 0x6d, 0x70, 0x34]  // "cam\xff\xfe.mp4"
        try createFile(fixture.watchDir, name: newline, bytes: FileWriter.randomBytes(300_000))
        try createFile(fixture.watchDir, name: invalid, bytes: FileWriter.randomBytes(200_000))

        let newlineKey = PathEscaping.escape(name: newline)
        #expect(newlineKey == "line%0Abreak 100%25.mp4")
        let first = try await fixture.waitForManifestMatchingFile(newlineKey)
        #expect(first.path == "line\nbreak 100%.mp4")
        #expect(first.pathBase64 == nil)
        #expect(first.chunks.allSatisfy { $0.key.hasPrefix("line%0Abreak 100%25.mp4/") })
        try await fixture.expectBucketMatchesFile(first)

        let invalidKey = PathEscaping.escape(name: invalid)
        #expect(invalidKey == "cam%FF%FE.mp4")
        let second = try await fixture.waitForManifestMatchingFile(invalidKey)
        #expect(second.pathBase64 == ByteEncoding.base64(invalid))
        #expect(try await fixture.manifests(for: invalidKey).count == 1)
    }

    @Test func namesTryingToClimbOutStayOut() async throws {
        let fixture = try await DaemonFixture()
        let root = fixture.watchDir
        let outside = Scratch.directory("outside")
        try FileWriter.write("\(outside)/escaped.mp4", FileWriter.randomBytes(1000))
        symlink(outside, "\(root)/link-to-outside")           // a directory link leading out
        symlink("../../../../etc/hostname", "\(root)/dots.mp4")  // a file link leading out
        try FileManager.default.createDirectory(atPath: "\(root)/...", withIntermediateDirectories: true)
        try FileWriter.write("\(root)/.../hidden.mp4", FileWriter.randomBytes(1000))
        try FileWriter.write("\(root)/..evil.mp4", FileWriter.randomBytes(1000))
        try FileWriter.write("\(root)/fine.mp4", FileWriter.randomBytes(1000))
        try fixture.start()

        try await fixture.waitForManifestMatchingFile("fine.mp4")
        try await Task.sleep(for: .seconds(3))  // a few rescans more
        let keys = try await fixture.s3.listAllObjects(prefix: "").map(\.key)
        #expect(keys.allSatisfy { $0.hasPrefix("fine.mp4/") }, "only fine.mp4 may be uploaded: \(keys)")
    }

    @Test func aWatchDirectoryThatDisappearsAndComesBack() async throws {
        let fixture = try await DaemonFixture()
        let daemon = try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/before.mp4", FileWriter.randomBytes(100_000))
        try await fixture.waitForManifestMatchingFile("before.mp4")

        let away = fixture.watchDir + ".away"
        #expect(rename(fixture.watchDir, away) == 0)
        try await fixture.waitUntil("the daemon notices") {
            !fixture.events(event: "watch.missing").isEmpty
        }
        #expect(rename(away, fixture.watchDir) == 0)
        try FileWriter.write("\(fixture.watchDir)/after.mp4", FileWriter.randomBytes(100_000))
        try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile("after.mp4"))
        #expect(daemon.isRunning)
    }

    @Test func aDirectoryOfTenThousandFiles() async throws {
        let count = Int(ProcessInfo.processInfo.environment["CHUNKFERRY_MANY_FILES"] ?? "") ?? 10_000
        let fixture = try await DaemonFixture(environment: ["IDLE_TIMEOUT": "1s", "UPLOAD_CONCURRENCY": "8"])
        let directory = "\(fixture.watchDir)/archive"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for index in 0..<count {
            try FileWriter.write("\(directory)/clip-\(index).mp4", Array("clip \(index)\n".utf8))
        }
        let daemon = try fixture.start()
        try await fixture.waitUntil("\(count) streams finalized", timeout: .seconds(600)) {
            fixture.events(event: "stream.finalized").count >= count
        }
        let manifests = try await fixture.s3.listAllObjects(prefix: "archive/").filter { $0.key.hasSuffix("/manifest.json") }
        #expect(manifests.count == count)
        #expect(daemon.isRunning)
        let sample = try await fixture.manifests(for: "archive/clip-\(count - 1).mp4")
        #expect(sample.first?.size == Int64("clip \(count - 1)\n".utf8.count))
    }
}
