@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// `STORAGE_BACKEND=filesystem` with the real binary: recordings copied into a folder, whole and
/// byte-identical, surviving kills, a full disk and a wiped Redis.
@Suite(.serialized) struct DaemonFolderTests {
    func folderFixture(_ extra: [String: String] = [:], folder: String? = nil) async throws -> (DaemonFixture, String) {
        let folder = folder ?? Scratch.directory("folder-backend")
        let fixture = try await DaemonFixture(environment: ["STORAGE_BACKEND": "filesystem", "LOCAL_STORAGE_PATH": folder].merging(extra) { $1 })
        fixture.storage = FolderStore(settings: FolderSettings(path: folder))
        return (fixture, folder)
    }

    /// Every object under a real name in `folder` is whole: its bytes match the checksum kept with it.
    func expectEveryObjectWhole(_ store: any ObjectStore, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for object in try await store.list(prefix: "") where object.key.contains("/chunk-") {
            let head = try #require(try await store.head(key: object.key), sourceLocation: sourceLocation)
            let bytes = try await store.get(key: object.key)
            let checksum = try #require(head.checksumCRC32C, "\(object.key) has no checksum", sourceLocation: sourceLocation)
            #expect(ChunkChecksum.crc32c(CRC32C.of(bytes).value).header.value == checksum, "\(object.key) is not whole",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func recordingsLandInTheFolderByteIdenticalAndWhole() async throws {
        let (fixture, folder) = try await folderFixture(["OUTPUT": "both", "KEY_TEMPLATE": "{camera}/{yyyy}-{mm}-{dd}/{name}"])
        try fixture.start()
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/porch", withIntermediateDirectories: true)
        let path = "porch/20240118_120000.mp4"
        try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(11 * 1024 * 1024 + 5))
        try FileWriter.write("\(fixture.watchDir)/small.mp4", FileWriter.randomBytes(1000))
        let manifest = try await fixture.waitForManifestMatchingFile(path)
        try await fixture.expectBucketMatchesFile(manifest)
        try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile("small.mp4"))
        let whole = "\(folder)/porch/2024-01-18/20240118_120000.mp4"
        #expect(try DaemonFixture.sha256(ofFile: whole) == manifest.sha256, "the whole recording is a plain file in the folder")
        #expect(manifest.object?.key == "porch/2024-01-18/20240118_120000.mp4")
        try await expectEveryObjectWhole(fixture.storage)

        let output = Scratch.directory("folder-restore") + "/back.mp4"
        let restore = try fixture.start(["restore", path, "--output", output])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == manifest.sha256)
        fixture.stopAll()
    }

    /// Temporary files of writes under way (or cut short) anywhere in `folder`.
    func temporaries(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { $0.contains(".cf-tmp-") }
    }

    @Test func killedMidWriteLeavesNoPartialObjectAndRecoversAfterRedisIsWiped() async throws {
        let (fixture, folder) = try await folderFixture(["UPLOAD_CONCURRENCY": "1", "CHUNK_SIZE": "64MiB"])
        let path = "big.mp4"
        try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(256 * 1024 * 1024 + 77))
        // SIGKILL while a chunk is being written (a new temporary file seen), set again if the
        // write finished before the kill landed.
        var caught = false
        let writing = { Set(self.temporaries(folder).filter { $0.hasPrefix(path + "/") }) }  // chunks, not the startup check
        for run in 0..<8 where !caught {  // a loaded runner may finish a write between two looks
            if run > 0, !fixture.events(event: "stream.finalized", path: path).isEmpty {
                // Every chunk went up between two looks: the next run needs more to write.
                try FileWriter.append("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(128 * 1024 * 1024))
            }
            let before = writing()
            let daemon = try fixture.start()
            let deadline = ContinuousClock.now + .seconds(60)
            while writing().subtracting(before).isEmpty && ContinuousClock.now < deadline
                    && fixture.events(event: "stream.finalized", path: path, run: run).isEmpty {
                try await Task.sleep(for: .milliseconds(2))
            }
            daemon.kill9()
            _ = await daemon.waitForExit(timeout: .seconds(10))
            caught = !writing().subtracting(before).isEmpty
            try await expectEveryObjectWhole(fixture.storage)
        }
        #expect(caught, "the kill never landed during a write")
        try fixture.start()
        let manifest = try await fixture.waitForManifestMatchingFile(path, timeout: .seconds(120))
        try await fixture.expectBucketMatchesFile(manifest)
        fixture.stopAll()

        // Redis loses everything: the folder is the truth, and nothing is written again.
        let fresh = try await DaemonFixture(redis: fixture.redis, environment: fixture.extraEnvironment.merging(["WATCH_DIR": fixture.watchDir]) { $1 })
        fresh.storage = fixture.storage
        try fresh.start()
        _ = try await fresh.waitForEvent("finalized stream recovered from its manifest; nothing to upload", path: path, timeout: .seconds(120))
        #expect(fresh.events(event: "chunk.uploaded").isEmpty, "every chunk was found in the folder, none sent again")
        fresh.stopAll()
    }

    @Test(.enabled(if: getuid() == 0, "mounts a small tmpfs, which needs root (CI runs as root)"))
    func aFullDiskIsAnOutageThatPassesWhenSpaceReturns() async throws {
        guard let small = try await SmallDisk.mount("full-disk", size: "16m") else { return }
        defer { small.unmount() }
        let disk = small.path
        try FileWriter.write("\(disk)/filler", FileWriter.randomBytes(12 * 1024 * 1024))
        let (fixture, _) = try await folderFixture(folder: disk)
        let daemon = try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/clip.mp4", FileWriter.randomBytes(7 * 1024 * 1024))
        let line = "object store unavailable; pausing and retrying until it is back"
        try await fixture.waitUntil("the full disk reported") { !fixture.events(line).isEmpty }
        let outage = fixture.events(line)[0]
        #expect(outage["error"]?.contains("FolderFull") == true && outage["error"]?.contains("LOCAL_STORAGE_PATH") == true, "\(outage)")
        try FileManager.default.removeItem(atPath: "\(disk)/filler")
        let manifest = try await fixture.waitForManifestMatchingFile("clip.mp4", timeout: .seconds(90))
        try await fixture.expectBucketMatchesFile(manifest)
        #expect(daemon.isRunning)
        fixture.stopAll()
    }

    @Test func settingsThatCannotWorkAreRefusedWithALineNamingThem() async throws {
        let folder = Scratch.directory("folder-refusals")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        let cases: [(environment: [String: String], asNobody: Bool, expected: String)] = [
            (["S3_PREFIX": "../../etc"], false, "S3_PREFIX='../../etc' is not valid"),
            (["S3_BUCKET": "footage"], false, "S3_BUCKET belongs to another storage backend, but STORAGE_BACKEND=filesystem"),
            (["LOCAL_STORAGE_PATH": folder + "/missing"], false, "create it, mount the share, or fix LOCAL_STORAGE_PATH"),
            ([:], true, "cannot be written by this user (uid 65534): mount it writable, fix its permissions, or fix LOCAL_STORAGE_PATH"),
        ]
        for (environment, asNobody, expected) in cases {
            let (fixture, _) = try await folderFixture(environment, folder: folder)
            fixture.extraEnvironment.merge(environment) { $1 }
            let check = try fixture.start(["check"], asNobody: asNobody)
            #expect(await check.waitForExit(timeout: .seconds(30)) != 0, "\(environment)")
            #expect(check.log().contains(expected), "\(environment): \(check.log())")
        }
        #expect((try FileManager.default.contentsOfDirectory(atPath: folder)).isEmpty)
    }

    /// The share is mounted at LOCAL_STORAGE_PATH, used, then unmounted: the empty folder left
    /// behind is an outage, not an empty store. Nothing is written onto the disk underneath,
    /// nothing is deleted locally, and uploads resume once the share is back.
    @Test func anUnmountedShareIsAnOutageNotAnEmptyStore() async throws {
        guard let share = try await SmallDisk.mount("share-backing", size: "64m") else { return }
        defer { share.unmount() }
        let mountPoint = Scratch.directory("share-mount-point")
        #expect(try await DaemonRetentionTests.run("mount", ["--bind", share.path, mountPoint]) == 0)
        defer { _ = try? DaemonRetentionTests.runSync("umount", ["-l", mountPoint]) }
        let (fixture, folder) = try await folderFixture(["DELETE_AFTER_UPLOAD": "true"], folder: mountPoint)
        defer { fixture.stopAllInBackground() }
        try fixture.start()

        let first = FileWriter.randomBytes(6 * 1024 * 1024 + 1)
        try FileWriter.write("\(fixture.watchDir)/one.mp4", first)
        try await fixture.waitUntil("one.mp4 in the share") {
            try await fixture.manifests(for: "one.mp4").contains { $0.sha256 == ByteEncoding.hex(Digest.sha256(first)) }
        }
        #expect(FileManager.default.fileExists(atPath: "\(folder)/.chunkferry-store"), "the first use marks the store")

        #expect(try await DaemonRetentionTests.run("umount", [mountPoint]) == 0)
        let second = FileWriter.randomBytes(6 * 1024 * 1024 + 2)
        try FileWriter.write("\(fixture.watchDir)/two.mp4", second)
        try await fixture.waitUntil("the outage reported") {
            fixture.events(event: "store.down").contains {
                ($0["error"] ?? "").contains("LOCAL_STORAGE_PATH has no .chunkferry-store: is the share mounted?")
            }
        }
        try await Task.sleep(for: .seconds(3))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mountPoint).isEmpty, "nothing written onto the disk under the mount point")
        #expect(FileManager.default.fileExists(atPath: "\(fixture.watchDir)/two.mp4"), "not deleted: the store does not hold it")

        #expect(try await DaemonRetentionTests.run("mount", ["--bind", share.path, mountPoint]) == 0)
        try await fixture.waitUntil("two.mp4 in the share once it is back", timeout: .seconds(90)) {
            try await fixture.manifests(for: "two.mp4").contains { $0.sha256 == ByteEncoding.hex(Digest.sha256(second)) }
        }
        #expect(!fixture.events(event: "store.up").isEmpty)
    }

    /// A killed write's temporary file is swept at startup once it is an hour old; a fresh one
    /// (a write that may still be going on) stays.
    @Test func temporaryFilesOfKilledWritesAreSwept() async throws {
        let folder = Scratch.directory("folder-sweep")
        try FileManager.default.createDirectory(atPath: "\(folder)/cam/stream", withIntermediateDirectories: true)
        let old = "\(folder)/cam/stream/.cf-tmp-0123456789abcdef"
        let fresh = "\(folder)/cam/.cf-tmp-fedcba9876543210"
        try FileWriter.write(old, FileWriter.randomBytes(1000))
        try FileWriter.write(fresh, FileWriter.randomBytes(1000))
        var times = [timespec(tv_sec: time(nil) - 7200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, old, &times, 0) == 0)
        let (fixture, _) = try await folderFixture(folder: folder)
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        try await fixture.waitUntil("the sweep") { !fixture.events(event: "store.swept").isEmpty }
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: fresh))
        #expect(fixture.events(event: "store.swept").first?["files"] == "1")
    }
}
