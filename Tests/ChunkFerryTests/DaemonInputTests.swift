@testable import ChunkFerryDaemon
import Foundation
import Testing

/// Odd and hostile input: each case gets its behaviour while the other files carry on.
@Suite struct DaemonInputTests {
    @Test func replacedAndTruncatedFilesBecomeNewStreamsAndBothVersionsRestore() async throws {
        let fixture = try await DaemonFixture()
        try fixture.start()
        let replaced = "replaced.mp4", truncated = "truncated.mp4"
        try FileWriter.write("\(fixture.watchDir)/\(replaced)", FileWriter.randomBytes(6 * 1024 * 1024))
        try FileWriter.write("\(fixture.watchDir)/\(truncated)", FileWriter.randomBytes(7 * 1024 * 1024))
        let firstReplaced = try await fixture.waitForManifestMatchingFile(replaced)
        let firstTruncated = try await fixture.waitForManifestMatchingFile(truncated)

        // A new file renamed over the old name (new inode); the other cut short and rewritten in place.
        let staging = "\(fixture.watchDir)/.staging.tmp"
        try FileWriter.write(staging, FileWriter.randomBytes(5 * 1024 * 1024 + 99))
        #expect(rename(staging, "\(fixture.watchDir)/\(replaced)") == 0)
        #expect(truncate("\(fixture.watchDir)/\(truncated)", 1000) == 0)
        try FileWriter.append("\(fixture.watchDir)/\(truncated)", FileWriter.randomBytes(3_000_000))

        let secondReplaced = try await fixture.waitForManifestMatchingFile(replaced)
        let secondTruncated = try await fixture.waitForManifestMatchingFile(truncated)
        #expect(secondReplaced.streamID != firstReplaced.streamID)
        #expect(secondTruncated.streamID != firstTruncated.streamID)
        try await fixture.expectBucketMatchesFile(secondReplaced)
        try await fixture.expectBucketMatchesFile(secondTruncated)
        // The first versions are still whole in the bucket.
        for old in [firstReplaced, firstTruncated] {
            let output = Scratch.directory("old") + "/old.mp4"
            let restored = try await Restorer(storage: fixture.s3, store: fixture.store).restore(old.streamID, to: output)
            #expect(restored.sha256 == old.sha256)
            #expect(try DaemonFixture.sha256(ofFile: output) == old.sha256)
        }
        #expect(try await fixture.manifests(for: replaced).count == 2)
    }

    @Test func oddFilesGetTheirBehaviourWhileOthersCarryOn() async throws {
        let fixture = try await DaemonFixture(environment: ["IDLE_TIMEOUT": "10s"])
        let root = fixture.watchDir
        for directory in ["dir.mp4", ".cache", "Café Straße"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        let ignored = [".hidden.mp4", ".cache/c.mp4", "notes.txt", "frame.jpg", "clip.mp4.part", "rec.tmp", "~lock.mp4"]
        for name in ignored { try FileWriter.write("\(root)/\(name)", FileWriter.randomBytes(1000)) }
        try FileWriter.write("\(root)/empty.mp4", [])
        try FileWriter.write("\(root)/dir.mp4/inner.mp4", FileWriter.randomBytes(200_000))
        try FileWriter.write("\(root)/Café Straße/caméra 1.MP4", FileWriter.randomBytes(5 * 1024 * 1024 + 12_345))
        try FileWriter.write("\(root)/locked.mp4", FileWriter.randomBytes(300_000))
        chmod("\(root)/locked.mp4", 0)
        try FileWriter.write("\(root)/outside-target.mp4", FileWriter.randomBytes(10))
        let outside = Scratch.directory("outside") + "/secret.mp4"
        try FileWriter.write(outside, FileWriter.randomBytes(1000))
        symlink(outside, "\(root)/link-out.mp4")

        try fixture.start(asNobody: true)
        try FileWriter.append("\(root)/deleted.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        // Still being written when it is deleted, and after, through its open descriptor as a
        // recorder would: it never goes idle, however late a busy runner lets this test look.
        let writer = open("\(root)/deleted.mp4", O_WRONLY | O_APPEND)
        #expect(writer >= 0)
        defer { close(writer) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let bytes = FileWriter.randomBytes(10_000)
                while !Task.isCancelled {
                    _ = bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                    try? await Task.sleep(for: .milliseconds(300))
                }
            }
            try await fixture.waitUntil("deleted.mp4's first chunk") { !fixture.events(event: "chunk.uploaded", path: "deleted.mp4").isEmpty }
            #expect(unlink("\(root)/deleted.mp4") == 0)
            try await fixture.waitUntil("deleted.mp4 abandoned") { !fixture.events(event: "stream.abandoned", path: "deleted.mp4").isEmpty }
            group.cancelAll()
        }

        for name in ["empty.mp4", "dir.mp4/inner.mp4", "Café Straße/caméra 1.MP4", "outside-target.mp4"] {
            try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile(name))
        }
        #expect(try await fixture.manifests(for: "empty.mp4").first?.chunks.isEmpty == true)
        #expect(fixture.events(event: "stream.finalized", path: "deleted.mp4").isEmpty, "a deleted file is abandoned, not finished")
        try await fixture.waitUntil("locked.mp4 reported") { !fixture.events(event: "file.unreadable", path: "locked.mp4").isEmpty }

        let keys = try await fixture.s3.listAllObjects(prefix: "").map(\.key)
        for name in ignored + ["locked.mp4", "link-out.mp4", "dir.mp4/"] {
            #expect(!keys.contains { $0.hasPrefix(name + "/") }, "\(name) must not be uploaded")
        }
        #expect(keys.contains { $0.hasPrefix("deleted.mp4/") && $0.hasSuffix("chunk-00000000") }, "an abandoned stream keeps its chunks")
        let daemon = try #require(fixture.runs.first)
        #expect(daemon.isRunning)
    }

    /// A watch folder where inotify sees nothing, as for Blue Iris watched over SMB or through
    /// WSL2's /mnt/c: a FUSE view (bindfs) of a folder written underneath it. SCAN_INTERVAL does
    /// the work: new files and growth are found by the scan and uploaded whole.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bindfs") && getuid() == 0, "needs bindfs and root"))
    func aWatchFolderInotifyCannotSeeIsUploadedByScanning() async throws {
        let underneath = Scratch.directory("blind-source")
        // Blue Iris's own file types, as the docs' Blue Iris example lists them.
        let fixture = try await DaemonFixture(environment: ["SCAN_INTERVAL": "1s", "FILE_EXTENSIONS": "bvr,dat,jpg,mp4"])
        defer { fixture.stopAllInBackground() }
        // bindfs in the foreground: the FUSE server is a process of the test's, stopped with it.
        let fuse = ManagedProcess(name: "bindfs", executable: "/usr/bin/bindfs", arguments: ["-f", underneath, fixture.watchDir],
                                  logPath: Scratch.directory("bindfs") + "/bindfs.log")
        try fuse.start()
        defer {
            _ = try? DaemonRetentionTests.runSync("fusermount", ["-uz", fixture.watchDir])
            fuse.kill9()
        }
        try await fixture.waitUntil("the FUSE view mounted", timeout: .seconds(20)) {
            (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8))?.contains(" \(fixture.watchDir) fuse") ?? false
        }
        try fixture.start()
        try FileManager.default.createDirectory(atPath: "\(underneath)/Cam1", withIntermediateDirectories: true)
        let path = "\(underneath)/Cam1/Cam1.20240118_120000.bvr"
        try FileWriter.write(path, FileWriter.randomBytes(3 * 1024 * 1024))
        try await Task.sleep(for: .seconds(2))
        try FileWriter.append(path, FileWriter.randomBytes(4 * 1024 * 1024))
        // Compared with the file underneath: the FUSE view may show the 3 MiB version a moment
        // longer, which matched the first recording's manifest while its chunk was being replaced.
        let manifest = try await fixture.waitForManifestMatchingFile("Cam1/Cam1.20240118_120000.bvr", source: path, timeout: .seconds(90))
        try await fixture.expectBucketMatchesFile(manifest, file: path)
    }
}
