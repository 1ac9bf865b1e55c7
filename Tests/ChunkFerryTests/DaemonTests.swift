@testable import ChunkFerryStorage
import Foundation
import Testing

/// The daemon as users run it: the real binary, real Redis, real S3, files written as recorders write them.
@Suite struct DaemonTests {
    @Test func growingFilesBecomeChunksWhileGrowingAndRestoreIdentical() async throws {
        let fixture = try await DaemonFixture()
        try fixture.start()
        let names = ["cam1/front door.mp4", "cam2/back.mp4", "garage.mkv"]
        for name in names {
            try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/\(name)/..".standardizedPath, withIntermediateDirectories: true)
        }
        var uploadedWhileGrowing: Set<String> = []
        for round in 0..<20 {
            for name in names {
                try FileWriter.append("\(fixture.watchDir)/\(name)", FileWriter.randomBytes(Int.random(in: 600_000...1_400_000)))
            }
            if round >= 12 {
                for name in names where !fixture.events(event: "chunk.uploaded", path: name).isEmpty { uploadedWhileGrowing.insert(name) }
            }
            try await Task.sleep(for: .seconds(1))
        }
        #expect(uploadedWhileGrowing == Set(names), "chunks should reach the bucket while files still grow")

        for name in names {
            let manifest = try await fixture.waitForManifestMatchingFile(name)
            #expect(manifest.chunks.count >= 3)
            #expect(manifest.chunks.dropLast().allSatisfy { $0.size == 5 * 1024 * 1024 })
            #expect(manifest.host == "test-node")
            try await fixture.expectBucketMatchesFile(manifest)
        }

        let manifest = try #require(try await fixture.manifests(for: names[0]).first)
        let output = Scratch.directory("restore") + "/front door.mp4"
        let restore = try fixture.start(["restore", manifest.streamID, "--output", output])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0)
        #expect(try DaemonFixture.sha256(ofFile: output) == DaemonFixture.sha256(ofFile: "\(fixture.watchDir)/\(names[0])"))
    }

    /// Each S3_INTEGRITY mode finds the patched chunk by its own kind of checksum.
    @Test(arguments: S3Settings.Integrity.allCases)
    func bytesRewrittenNearTheStartAfterUploadAreRepaired(integrity: S3Settings.Integrity) async throws {
        // IDLE_TIMEOUT long enough that a loaded machine does not finalize the file before the
        // patch, which would make the patch a reopening instead of a repair.
        let fixture = try await DaemonFixture(environment: ["S3_INTEGRITY": integrity.rawValue, "IDLE_TIMEOUT": "8s"])
        try fixture.start()
        let path = "rewrite.mp4"
        try FileWriter.append("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(6 * 1024 * 1024))
        try await fixture.waitUntil("chunk 0 uploaded") { !fixture.events(event: "chunk.uploaded", path: path).isEmpty }
        // What an MP4 muxer does when it closes the file: patch the mdat size at bytes 40–43.
        try FileWriter.overwrite("\(fixture.watchDir)/\(path)", at: 40, [0x00, 0x5f, 0x12, 0x34])
        try FileWriter.append("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(2_000_000))

        let manifest = try await fixture.waitForManifestMatchingFile(path)
        #expect(manifest.repairedChunks == 1)
        #expect(manifest.chunks.allSatisfy { integrity == .crc32c ? $0.crc32c != nil : $0.sha256 != nil })
        #expect(fixture.events(event: "chunk.repaired", path: path).count == 1)
        try await fixture.expectBucketMatchesFile(manifest)
    }

    @Test func killedMidStreamAndRestartedLosesNothingAndResendsOnlyInFlightChunks() async throws {
        // Never idle mid-test, even when a busy runner stalls between writes: a partial tail
        // committed at an idle moment is rightly sent again as a whole chunk after a restart.
        // The first run checks chunks by SHA-256, the second by CRC32C: one stream may hold both.
        let fixture = try await DaemonFixture(environment: ["IDLE_TIMEOUT": "20s"])
        let daemon = try fixture.start(environment: ["S3_INTEGRITY": "sha256"])
        let path = "killed.mp4"
        for _ in 0..<4 {
            try FileWriter.append("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(4 * 1024 * 1024))
            try await Task.sleep(for: .milliseconds(400))
        }
        try await fixture.waitUntil("two chunks committed") { fixture.events(event: "chunk.uploaded", path: path).count >= 2 }
        daemon.kill9()
        let streamID = try #require(fixture.events(event: "stream.started", path: path).first?["stream.id"])
        let committed = try #require(try await fixture.store.stream(streamID)).record.chunkCount
        #expect(committed >= 2)

        for _ in 0..<3 { try FileWriter.append("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(3 * 1024 * 1024)) }
        try fixture.start()
        let manifest = try await fixture.waitForManifestMatchingFile(path)
        try await fixture.expectBucketMatchesFile(manifest)
        let resent = fixture.events(event: "chunk.uploaded", path: path, run: 1).compactMap { Int($0["chunk.index"] ?? "") }
        let firstResent = try #require(resent.min())
        // A chunk the store confirmed just before the kill, but Redis never heard of, is found
        // in the bucket and not sent again either.
        #expect(firstResent >= committed, "nothing Redis committed is sent again")
        #expect(resent.sorted() == Array(firstResent..<manifest.chunks.count), "from there on, each chunk once")
        #expect(manifest.chunks.map { $0.sha256 != nil } == manifest.chunks.map { $0.index < firstResent },
                "the chunks below it are the first run's (SHA-256), the rest the second's (CRC32C)")
        #expect(fixture.events(event: "stream.started", path: path, run: 1).isEmpty)
    }

    @Test func mp4RecordedByFFmpegInRealTimeRestoresAndPlays() async throws {
        let fixture = try await DaemonFixture()
        try fixture.start()
        let path = "ffmpeg/live.mp4"
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/ffmpeg", withIntermediateDirectories: true)
        let ffmpeg = try FFmpeg.recorder(to: "\(fixture.watchDir)/\(path)", seconds: 8)
        #expect(await ffmpeg.waitForExit(timeout: .seconds(90)) == 0, "ffmpeg failed: \(ffmpeg.log())")

        let manifest = try await fixture.waitForManifestMatchingFile(path)
        try await fixture.expectBucketMatchesFile(manifest)
        let output = Scratch.directory("restore") + "/live.mp4"
        let restore = try fixture.start(["restore", manifest.streamID, "--output", output])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0)
        let duration = try await FFmpeg.duration(of: output) ?? 0
        #expect(duration > 7.5 && duration < 8.5, "ffprobe read \(duration) s")
    }

    @Test func sigtermStopsWithinTenSecondsAndExitsZero() async throws {
        let fixture = try await DaemonFixture()
        let daemon = try fixture.start()
        try FileWriter.append("\(fixture.watchDir)/busy.mp4", FileWriter.randomBytes(12 * 1024 * 1024))
        try await fixture.waitUntil("an upload") { !fixture.events(event: "chunk.uploaded").isEmpty }
        let started = ContinuousClock.now
        daemon.signal(SIGTERM, wait: false)
        #expect(await daemon.waitForExit(timeout: .seconds(10)) == 0)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(!fixture.events(event: "daemon.stopped").isEmpty)
    }
}

extension String {
    var standardizedPath: String { (self as NSString).standardizingPath }
}
