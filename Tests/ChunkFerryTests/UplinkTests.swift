import Foundation
import Testing

/// The uplink with the real binary and SeaweedFS behind a rate-limited proxy: live footage
/// first whatever the backlog, BANDWIDTH_LIMIT held, and the loss window in `/health` and
/// `/metrics` (read with prometheus_client).
@Suite struct UplinkTests {
    /// Bytes per second through `proxy` from 2 s after the first byte, over 10 s.
    static func measuredRate(_ proxy: FaultProxy, fixture: DaemonFixture, from floor: Int64) async throws -> Double {
        try await fixture.waitUntil("the upload starts", timeout: .seconds(30)) { proxy.bytesSent > floor + 64 * 1024 }
        try await Task.sleep(for: .seconds(2))
        let start = proxy.bytesSent, began = ContinuousClock.now
        try await Task.sleep(for: .seconds(10))
        return Double(proxy.bytesSent - start) / (ContinuousClock.now - began).seconds
    }

    @Test(arguments: [("2Mbit", 250_000), ("4Mbit", 500_000)])
    func theLimitHoldsWithinTenPercent(limit: String, bytesPerSecond: Int) async throws {
        let seaweed = try await SharedServers.shared.seaweed()
        let proxy = try FaultProxy(upstreamPort: seaweed.s3Port)
        defer { proxy.stop() }
        let fixture = try await DaemonFixture(seaweed: seaweed, environment: ["S3_ENDPOINT": proxy.endpoint, "BANDWIDTH_LIMIT": limit])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        try await fixture.waitUntil("startup's checks are done", timeout: .seconds(30)) { !fixture.events(event: "scan.initial_complete").isEmpty }
        // Two chunks sent at once: the limit is for all uploads together.
        try FileWriter.write("\(fixture.watchDir)/limited.mp4", FileWriter.randomBytes(bytesPerSecond * 16))
        let rate = try await Self.measuredRate(proxy, fixture: fixture, from: proxy.bytesSent)
        #expect(abs(rate - Double(bytesPerSecond)) <= 0.1 * Double(bytesPerSecond), "\(Int(rate)) bytes/s with BANDWIDTH_LIMIT=\(limit)")
        let manifest = try await fixture.waitForManifestMatchingFile("limited.mp4", timeout: .seconds(60))
        try await fixture.expectBucketMatchesFile(manifest)
    }

    /// The burglar arrives while a backlog drains up a slow uplink: the recording being made
    /// is in the bucket to within MAX_LAG + 5 s of its end, and `restore` gets it back from the
    /// bucket alone (Redis and the disk gone with the box).
    @Test func aBacklogNeverKeepsTheRecordingBeingMadeOutOfTheStore() async throws {
        let seaweed = try await SharedServers.shared.seaweed()
        let proxy = try FaultProxy(upstreamPort: seaweed.s3Port)
        defer { proxy.stop() }
        proxy.limit(400_000)  // 3.2 Mbit/s
        let fixture = try await DaemonFixture(seaweed: seaweed, environment: [
            "S3_ENDPOINT": proxy.endpoint, "MAX_LAG": "5s", "IDLE_TIMEOUT": "10s", "UPLOAD_CONCURRENCY": "2",
        ])
        defer { fixture.stopAllInBackground() }
        // Last night's recordings: 24 MiB, a minute of this uplink.
        let backlog = (1...4).map { "backlog/night-\($0).mp4" }
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/backlog", withIntermediateDirectories: true)
        for name in backlog {
            try FileWriter.write("\(fixture.watchDir)/\(name)", FileWriter.randomBytes(6 << 20))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: "\(fixture.watchDir)/\(name)")
        }
        let daemon = try fixture.start()
        try await fixture.waitUntil("the backlog is going up", timeout: .seconds(30)) { proxy.bytesSent > 1 << 20 }

        // A camera records at 160 kbit/s for 30 s.
        let live = "\(fixture.watchDir)/cam/now.mp4"
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/cam", withIntermediateDirectories: true)
        var written: [UInt8] = []
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(30) {
            let piece = FileWriter.randomBytes(10_000)
            try FileWriter.append(live, piece)
            written += piece
            try await Task.sleep(for: .milliseconds(500))
        }
        daemon.kill9()
        #expect(fixture.events(event: "stream.finalized").count < backlog.count, "the backlog was still draining: the uplink was contended")

        let output = Scratch.directory("uplink-burglar") + "/now.mp4"
        let restore = try fixture.restoreFromStoreAlone("cam/now.mp4", to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        let restored = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
        #expect(restored == Array(written.prefix(restored.count)), "the restored bytes are the recording's")
        let atRisk = (5 + 5) * 20_000  // MAX_LAG + 5 s at 20 kB/s
        #expect(restored.count >= written.count - atRisk, "\(restored.count) of \(written.count) bytes in the store")
    }

    /// A recording the store cannot take turns `/health` degraded, naming it, and shows in the
    /// gauges; one line when it falls behind, one when it has caught up.
    @Test func fallingBehindIsNamedInHealthAndMetricsThenCaughtUp() async throws {
        let seaweed = try await SharedServers.shared.seaweed()
        let proxy = try FaultProxy(upstreamPort: seaweed.s3Port)
        defer { proxy.stop() }
        let port = FreePort.next()
        let fixture = try await DaemonFixture(seaweed: seaweed, environment: [
            "S3_ENDPOINT": proxy.endpoint, "HTTP_PORT": String(port), "MIN_FREE_SPACE": "1MiB", "LAG_ALERT": "4s",
            "MAX_LAG": "2s", "IDLE_TIMEOUT": "20s", "S3_STALL_TIMEOUT": "2s",
        ])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        let endpoint = Endpoint(port: port)
        _ = try await endpoint.waitFor("/ready", status: 200)
        proxy.set(.blackhole)
        let path = "\(fixture.watchDir)/lagging.mp4"
        var degraded: [String: Any] = [:]
        try await fixture.waitUntil("/health names the recording falling behind", timeout: .seconds(40)) {
            try FileWriter.append(path, FileWriter.randomBytes(20_000))
            try await Task.sleep(for: .milliseconds(400))
            degraded = try endpoint.fetch("/health")?.json ?? [:]
            return (degraded["reasons"] as? [String] ?? []).contains { $0.contains("LAG_ALERT") }
        }
        #expect(degraded["status"] as? String == "degraded")
        let reason = (degraded["reasons"] as? [String] ?? []).first { $0.contains("LAG_ALERT") } ?? ""
        #expect(reason.contains("other ("), "names the files outside any camera: \(reason)")
        let uplink = try #require(degraded["uplink"] as? [String: Any])
        #expect(uplink["behind"] as? [String] == ["other"])
        let metrics = try endpoint.metrics()
        #expect((metrics["chunkferry_unsent_oldest_seconds{camera=\"other\"}"] ?? 0) > 4, "\(metrics)")
        #expect((metrics["chunkferry_backlog_bytes{class=\"live\"}"] ?? 0) > 0)
        let behind = try #require(fixture.events(event: "uplink.behind").first)
        #expect(behind["camera"] == "other")
        var status = ""
        try await fixture.waitUntil("status shows it behind", timeout: .seconds(20)) {
            let run = try fixture.start(["status"])
            guard await run.waitForExit(timeout: .seconds(30)) == 0 else { return false }
            status = run.log()
            if status.contains("uplink (test-node)") && status.contains("oldest byte: other") && status.contains("(behind)") { return true }
            try await Task.sleep(for: .seconds(1))
            return false
        }
        #expect(status.contains("unsent: live "), "\(status)")

        proxy.set(.pass)
        try await fixture.waitUntil("the recording has caught up", timeout: .seconds(60)) {
            !fixture.events(event: "uplink.caught_up").isEmpty
        }
        #expect(fixture.events(event: "uplink.behind").count == 1, "one line, not one per look")
    }

    /// BANDWIDTH_LIMIT changes with a reload; a malformed timetable is refused with a line that
    /// names the bad entry, and the running limit stays.
    @Test func aReloadChangesTheLimitAndABadTimetableIsRefusedByEntry() async throws {
        let port = FreePort.next()
        let config = Scratch.directory("uplink-reload") + "/chunkferry.yaml"
        try "bandwidth_limit: \"off\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let fixture = try await DaemonFixture(environment: ["CONFIG_FILE": config, "HTTP_PORT": String(port), "MIN_FREE_SPACE": "1MiB"])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        let endpoint = Endpoint(port: port)
        _ = try await endpoint.waitFor("/ready", status: 200)
        let gauge = "chunkferry_bandwidth_limit_bytes_per_second"
        #expect(try endpoint.metrics()[gauge] == 0)

        try "bandwidth_limit: 4Mbit\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await fixture.waitUntil("the new limit is in force") { try endpoint.metrics()[gauge] == 500_000 }
        #expect(fixture.events(event: "config.reloaded").first?["changed"] == "BANDWIDTH_LIMIT")

        try "bandwidth_limit: \"08:00,4Mbit 25:00,off\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await fixture.waitUntil("the bad timetable is refused") { !fixture.events(event: "config.refused").isEmpty }
        let refused = try #require(fixture.events(event: "config.refused").first)
        #expect(refused["setting"] == "BANDWIDTH_LIMIT")
        #expect(refused["message"]?.contains("BANDWIDTH_LIMIT entry '25:00,off': the time must be HH:MM") == true, "\(refused)")
        #expect(try endpoint.metrics()[gauge] == 500_000, "the running limit stays")
    }
}
