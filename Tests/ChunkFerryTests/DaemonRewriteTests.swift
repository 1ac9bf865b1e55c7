@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// Files rewritten in place at the same size, as loop recorders, dashcams and NVRs that
/// pre-allocate their files do: the real binary uploads the new bytes as a new recording while
/// the old one stays, and a file only touched is not sent again.
@Suite(.serialized) struct DaemonRewriteTests {
    /// Overwrites the file's bytes in place: same inode, same size.
    static func rewriteInPlace(_ path: String, with bytes: [UInt8]) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    static func inode(_ path: String) throws -> UInt64 {
        try FileStatus.of(path).get().inode
    }

    /// Restores the recording of stream `id` and returns its SHA-256.
    func restoredSHA256(_ fixture: DaemonFixture, streamID: String) async throws -> String {
        let output = Scratch.directory("rewrite-restore") + "/\(streamID).mp4"
        let restore = try fixture.start(["restore", streamID, "--output", output])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        return try DaemonFixture.sha256(ofFile: output)
    }

    @Test func aFileRewrittenInPlaceAtTheSameSizeIsUploadedAgainAndBothRecordingsRestore() async throws {
        let fixture = try await DaemonFixture()
        defer { fixture.stopAllInBackground() }
        let run = try fixture.start()
        let path = "\(fixture.watchDir)/loop.mp4"
        let size = 7 * 1024 * 1024 + 333
        let first = FileWriter.randomBytes(size)
        try FileWriter.write(path, first)
        let inode = try Self.inode(path)
        let original = try await fixture.waitForManifestMatchingFile("loop.mp4")

        // Only touched: its times move, its bytes do not; nothing is sent again.
        var times = [timespec(tv_sec: time(nil) + 5, tv_nsec: 0), timespec(tv_sec: time(nil) + 5, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        try await fixture.waitUntil("the touched file compared") {
            !fixture.events(event: "file.touched", path: "loop.mp4").isEmpty
        }
        #expect(try await fixture.manifests(for: "loop.mp4").count == 1)

        // Rewritten with other bytes while the daemon runs.
        let second = FileWriter.randomBytes(size)
        try Self.rewriteInPlace(path, with: second)
        #expect(try Self.inode(path) == inode && FileStatus.of(path).get().size == Int64(size), "same inode, same size")
        let rewritten = try await fixture.waitForManifestMatchingFile("loop.mp4")
        try await fixture.expectBucketMatchesFile(rewritten)
        #expect(rewritten.streamID != original.streamID, "a new recording")

        // Rewritten again while the daemon is down: found at startup.
        run.stop()
        #expect(await run.waitForExit(timeout: .seconds(30)) == 0)
        let third = FileWriter.randomBytes(size)
        try Self.rewriteInPlace(path, with: third)
        try fixture.start()
        let again = try await fixture.waitForManifestMatchingFile("loop.mp4")
        #expect(Set([original.streamID, rewritten.streamID, again.streamID]).count == 3)
        #expect(!fixture.events(event: "file.rewritten", path: "loop.mp4").isEmpty)

        // Every recording restores byte-identical to the bytes it was made of.
        let expected = [original.streamID: first, rewritten.streamID: second, again.streamID: third]
        for (id, bytes) in expected {
            #expect(try await restoredSHA256(fixture, streamID: id) == ByteEncoding.hex(Digest.sha256(bytes)), "recording \(id)")
        }
    }
}
