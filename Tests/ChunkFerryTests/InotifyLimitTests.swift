@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Testing

/// The one test that changes a system-wide setting (the inotify queue's length, for every
/// process on the machine): `scripts/test` runs it on its own, after the others, so no other
/// test's daemon starts while the queue is 16 events short.
@Suite struct InotifyLimitTests {
    @Test(.enabled(if: FileManager.default.isWritableFile(atPath: "/proc/sys/fs/inotify/max_queued_events"),
                   "needs root to shrink the inotify queue"))
    func aFullInotifyQueueLeadsToARescan() async throws {
        let limit = "/proc/sys/fs/inotify/max_queued_events"
        let saved = try String(contentsOfFile: limit, encoding: .utf8)
        let fixture = try await DaemonFixture(environment: ["SCAN_INTERVAL": "10m"])  // only the overflow may trigger a rescan
        try "16\n".write(toFile: limit, atomically: false, encoding: .utf8)
        let daemon = try fixture.start()
        try await fixture.waitUntil("the daemon is ready") { !fixture.events(event: "daemon.ready").isEmpty }
        try saved.write(toFile: limit, atomically: false, encoding: .utf8)

        daemon.freeze()  // events pile up past the queue's 16 slots
        let names = (0..<60).map { "burst-\($0).mp4" }
        for name in names { try FileWriter.write("\(fixture.watchDir)/\(name)", FileWriter.randomBytes(1000)) }
        daemon.thaw()
        try await fixture.waitUntil("an overflow notice") { !fixture.events(event: "inotify.overflowed").isEmpty }
        for name in names { try await fixture.waitForManifestMatchingFile(name) }
    }
}
