import Foundation
import Testing

/// Outages of Redis and of the store while files grow: the daemon stays up, says so once,
/// resumes by itself, and the bucket ends byte-identical.
@Suite struct DaemonOutageTests {
    /// Appends about 1 MB a second to `path` for `seconds`, running `during` after `at` seconds.
    func grow(_ fixture: DaemonFixture, _ path: String, seconds: Int, outageAt: Int, outage: () async throws -> Void,
              recovery: () async throws -> Void) async throws {
        for second in 0..<seconds {
            try FileWriter.append("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(1_000_000))
            if second == outageAt { try await outage() }
            if second == outageAt + 10 { try await recovery() }
            try await Task.sleep(for: .seconds(1))
        }
    }

    @Test func redisStoppedForTenSecondsMidStream() async throws {
        let redis = try await RedisServer(persistent: true)
        let fixture = try await DaemonFixture(redis: redis)
        let daemon = try fixture.start()
        try await grow(fixture, "redis-outage.mp4", seconds: 22, outageAt: 6, outage: { redis.stop() },
                       recovery: { try await redis.start() })
        let manifest = try await fixture.waitForManifestMatchingFile("redis-outage.mp4", timeout: .seconds(90))
        try await fixture.expectBucketMatchesFile(manifest)
        #expect(daemon.isRunning)
        #expect(fixture.events(event: "redis.down").count == 1)
        #expect(fixture.events(event: "redis.up").count == 1)
        redis.stop()
    }

    @Test func storeStoppedForTenSecondsMidStream() async throws {
        let seaweed = try await SeaweedServer()
        let fixture = try await DaemonFixture(seaweed: seaweed)
        let daemon = try fixture.start()
        try await grow(fixture, "store-outage.mp4", seconds: 22, outageAt: 6, outage: { seaweed.stop() },
                       recovery: { try await seaweed.start() })
        let manifest = try await fixture.waitForManifestMatchingFile("store-outage.mp4", timeout: .seconds(90))
        try await fixture.expectBucketMatchesFile(manifest)
        #expect(daemon.isRunning)
        let began = fixture.events(event: "store.down").count
        #expect(began >= 1 && began <= 3, "one line per outage (and per change of cause), not per attempt: \(began)")
        #expect(fixture.events(event: "store.up").count >= 1)
        seaweed.stop()
    }

    @Test func redisRestartedEmptyNeverYieldsAManifestThatMisplacesAChunk() async throws {
        let redis = try await RedisServer(persistent: false)
        let fixture = try await DaemonFixture(redis: redis)
        let daemon = try fixture.start()
        try await grow(fixture, "amnesia.mp4", seconds: 16, outageAt: 7, outage: { try await redis.restart() }, recovery: {})
        let manifest = try await fixture.waitForManifestMatchingFile("amnesia.mp4", timeout: .seconds(90))
        try await fixture.expectBucketMatchesFile(manifest)
        #expect(daemon.isRunning)
        redis.stop()
    }

    /// WATCH_DIR is a share that goes away mid-recording: its files vanish all at once, which is
    /// not their deletion. No stream is abandoned, and once the share is back the recording
    /// goes on in the same stream and is finalized whole.
    @Test func aWatchFolderWhoseShareGoesAwayIsNotTakenForDeletedFiles() async throws {
        guard let share = try await SmallDisk.mount("watch-share", size: "64m") else { return }
        defer { share.unmount() }
        let fixture = try await DaemonFixture()
        defer { fixture.stopAllInBackground() }
        #expect(try await DaemonRetentionTests.run("mount", ["--bind", share.path, fixture.watchDir]) == 0)
        defer { _ = try? DaemonRetentionTests.runSync("umount", ["-l", fixture.watchDir]) }
        try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/grow.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        try await fixture.waitUntil("the first chunk") { !fixture.events(event: "chunk.uploaded", path: "grow.mp4").isEmpty }

        #expect(try await DaemonRetentionTests.run("umount", [fixture.watchDir]) == 0)
        try await fixture.waitUntil("the share's absence noticed") {
            !fixture.events(event: "watch.unmounted").isEmpty
        }
        try await Task.sleep(for: .seconds(5))  // past IDLE_TIMEOUT and several scans
        #expect(fixture.events(event: "stream.abandoned").isEmpty, "a vanished share is not deleted files")

        #expect(try await DaemonRetentionTests.run("mount", ["--bind", share.path, fixture.watchDir]) == 0)
        let handle = try #require(FileHandle(forWritingAtPath: "\(fixture.watchDir)/grow.mp4"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(FileWriter.randomBytes(3 * 1024 * 1024)))
        try handle.close()
        let manifest = try await fixture.waitForManifestMatchingFile("grow.mp4", timeout: .seconds(90))
        try await fixture.expectBucketMatchesFile(manifest)
        #expect(try await fixture.manifests(for: "grow.mp4").count == 1, "one stream from start to end")
        #expect(fixture.events(event: "stream.abandoned").isEmpty)
        #expect(!fixture.events(event: "watch.mounted").isEmpty)
    }
}
