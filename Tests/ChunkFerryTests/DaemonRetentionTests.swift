@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// Local retention with the real binary: files leave the recorder's disk only once the store holds
/// them, never while it cannot be asked, never before they are finished.
@Suite struct DaemonRetentionTests {
    @Test func deleteAfterUploadRemovesFinishedFilesAndTheirEmptyFoldersButNeverAGrowingFile() async throws {
        let fixture = try await DaemonFixture(environment: ["DELETE_AFTER_UPLOAD": "true", "OUTPUT": "whole", "IDLE_TIMEOUT": "15s"])
        let daemon = try fixture.start()
        // A recorder in its own process, so a busy test runner cannot make the file look idle.
        let live = "live.mp4"
        let ffmpeg = try FFmpeg.recorder(to: "\(fixture.watchDir)/\(live)", seconds: 8)
        // A second name outside WATCH_DIR keeps the recording readable after the daemon deletes
        // it, however late a loaded runner notices that ffmpeg exited.
        let kept = Scratch.directory("kept") + "/live.mp4"
        try await fixture.waitUntil("ffmpeg's file") { FileManager.default.fileExists(atPath: "\(fixture.watchDir)/\(live)") }
        try FileManager.default.linkItem(atPath: "\(fixture.watchDir)/\(live)", toPath: kept)
        let done = "cam/2024/01/18/done.mp4"
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/cam/2024/01/18", withIntermediateDirectories: true)
        let bytes = FileWriter.randomBytes(6 * 1024 * 1024)
        try FileWriter.write("\(fixture.watchDir)/\(done)", bytes)

        let deleted = try await fixture.waitForEvent("local file deleted; the store holds it", path: done)
        #expect(deleted["object.key"] == done && deleted["reason"] == "DELETE_AFTER_UPLOAD")
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.watchDir)/\(done)"))
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.watchDir)/cam"), "empty date folders are removed")
        #expect(try await fixture.independentSHA256(done) == ByteEncoding.hex(Digest.sha256(bytes)))
        if ffmpeg.isRunning {
            #expect(FileManager.default.fileExists(atPath: "\(fixture.watchDir)/\(live)"), "a file being recorded must stay")
        }

        #expect(await ffmpeg.waitForExit(timeout: .seconds(90)) == 0, "ffmpeg failed: \(ffmpeg.log())")
        let expected = try DaemonFixture.sha256(ofFile: kept)
        let liveDeleted = try await fixture.waitForEvent("local file deleted; the store holds it", path: live)
        #expect(try await fixture.independentSHA256(try #require(liveDeleted["object.key"])) == expected)
        #expect(fixture.events(event: "file.deleted", path: live).count == 1)

        let status = try fixture.start(["status"])
        #expect(await status.waitForExit(timeout: .seconds(30)) == 0)
        #expect(status.log().contains("2 local files deleted after upload"), "\(status.log())")
        #expect(daemon.isRunning)
    }

    @Test func retentionWaitsWhileTheStoreCannotConfirmAndDeletesOnceItIsBack() async throws {
        let seaweed = try await SeaweedServer()
        let fixture = try await DaemonFixture(seaweed: seaweed, environment: ["LOCAL_RETENTION": "15s"])
        try fixture.start()
        let path = "kept.mp4"
        try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(3 * 1024 * 1024))
        let finalized = try await fixture.waitForEvent("stream finalized", path: path)
        seaweed.process.kill9()  // at once: a stopping SeaweedFS answers for seconds more
        let stopped = Date()
        // Past the retention time, by the daemon's own clock.
        let due = try #require(Self.logTime(finalized["time"])).addingTimeInterval(18)
        try await Task.sleep(for: .seconds(max(1, due.timeIntervalSinceNow)))
        let early = fixture.events(event: "file.deleted").compactMap { Self.logTime($0["time"]) }
        #expect(early.allSatisfy { $0 < stopped }, "deleted while the store could not be asked")
        if early.isEmpty { #expect(FileManager.default.fileExists(atPath: "\(fixture.watchDir)/\(path)")) }

        try await seaweed.start()
        _ = try await fixture.waitForEvent("local file deleted; the store holds it", path: path)
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.watchDir)/\(path)"))
        seaweed.stop()
    }

    static func logTime(_ text: String?) -> Date? {
        text.flatMap { try? Date($0, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) }
    }

    @Test func aFinishedStreamWhoseFileLeftIsForgottenAfterForgetAfterButStaysInTheBucket() async throws {
        let fixture = try await DaemonFixture(environment: ["FORGET_AFTER": "3s"])
        try fixture.start()
        let path = "old.mp4"
        try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(5 * 1024 * 1024 + 7))
        let finalized = try await fixture.waitForEvent("stream finalized", path: path)
        let id = try #require(finalized["stream.id"])
        #expect(try await fixture.store.stream(id)?.record.isCompact == true)
        try await Task.sleep(for: .seconds(5))
        #expect(try await fixture.store.stream(id) != nil, "a stream whose file is still there is kept")

        try FileManager.default.removeItem(atPath: "\(fixture.watchDir)/\(path)")
        try await fixture.waitUntil("the stream forgotten", timeout: .seconds(30)) { try await fixture.store.stream(id) == nil }
        #expect(!fixture.events(event: "streams.forgotten").isEmpty)
        let manifest = try #require(try await fixture.manifests(for: path).first)
        let output = Scratch.directory("restore") + "/forgotten.mp4"
        let restore = try fixture.start(["restore", path, "--output", output])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == manifest.sha256)
    }

    @Test(.enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root (CI runs as root)"))
    func minFreeSpaceDeletesTheOldestUploadedFilesFirst() async throws {
        guard let small = try await SmallDisk.mount("small-disk", size: "24m") else { return }
        defer { small.unmount() }
        let disk = small.path
        let fixture = try await DaemonFixture(environment: ["WATCH_DIR": disk, "MIN_FREE_SPACE": "10MiB", "IDLE_TIMEOUT": "1s"])
        try fixture.start()
        for name in ["a.mp4", "b.mp4", "c.mp4"] {
            try FileWriter.write("\(disk)/\(name)", FileWriter.randomBytes(5 * 1024 * 1024 + 4096))
            _ = try await fixture.waitForEvent("stream finalized", path: name)
        }
        // 24 MiB less three files leaves under 10 MiB free: the oldest upload, a.mp4, goes, and that is enough.
        let deleted = try await fixture.waitForEvent("local file deleted; the store holds it", path: "a.mp4")
        #expect(deleted["reason"] == "MIN_FREE_SPACE")
        try await Task.sleep(for: .seconds(5))
        #expect(fixture.events(event: "file.deleted").map { $0["file.path"] } == ["a.mp4"])
        #expect(FileManager.default.fileExists(atPath: "\(disk)/b.mp4") && FileManager.default.fileExists(atPath: "\(disk)/c.mp4"))
        fixture.stopAll()
    }

    @Test func aReadOnlyWatchFolderWithRetentionOnStopsWithALineNamingTheSetting() async throws {
        let fixture = try await DaemonFixture(environment: ["DELETE_AFTER_UPLOAD": "true"])
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: fixture.watchDir)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fixture.watchDir) }
        let daemon = try fixture.start(asNobody: true)
        #expect(await daemon.waitForExit(timeout: .seconds(30)) != 0)
        #expect(daemon.log().contains("is read-only, but DELETE_AFTER_UPLOAD must delete uploaded files"), "\(daemon.log())")
    }

    static func run(_ tool: String, _ arguments: [String]) async throws -> Int32? {
        let process = ManagedProcess(name: tool, executable: tool, arguments: arguments,
                                     logPath: Scratch.directory("tools") + "/\(tool)-\(Scratch.uniqueName("run")).log")
        try process.start()
        return await process.waitForExit(timeout: .seconds(30))
    }

    static func runSync(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
