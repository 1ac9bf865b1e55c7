import Foundation
import Testing
@testable import ChunkFerryCore

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
        #expect(fixture.events("Redis unavailable; pausing and retrying until it is back").count == 1)
        #expect(fixture.events("Redis available again; resuming").count == 1)
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
        let began = fixture.events("object store unavailable; pausing and retrying until it is back").count
        #expect(began >= 1 && began <= 3, "one line per outage (and per change of cause), not per attempt: \(began)")
        #expect(fixture.events("object store available again; resuming").count >= 1)
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
}
