import Foundation
import Testing

/// `/health`, `/ready` and `/metrics` of the real binary, read as Prometheus and Docker would:
/// counters that rise by exactly what the store confirmed, a health that follows the store's
/// outage and a refused secret, `chunkferry health`'s exit codes, and no secret on any page.
@Suite(.serialized) struct OperationsEndpointTests {
    func endpointFixture(seaweed: SeaweedServer? = nil, _ environment: [String: String] = [:]) async throws -> (DaemonFixture, Endpoint) {
        let port = FreePort.next()
        // The runner's own disk may be nearly full by the default rule (5%): a threshold no
        // runner is under keeps `healthy` about what the test does.
        let fixture = try await DaemonFixture(seaweed: seaweed, environment: ["HTTP_PORT": String(port), "MIN_FREE_SPACE": "1MiB"].merging(environment) { $1 })
        return (fixture, Endpoint(port: port))
    }

    func health(_ fixture: DaemonFixture, _ endpoint: Endpoint) async throws -> Int32? {
        let probe = try fixture.start(["health"], environment: ["HTTP_PORT": String(endpoint.port)])
        return await probe.waitForExit(timeout: .seconds(30))
    }

    func expectNoSecret(_ pages: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for page in pages {
            #expect(!page.contains(SeaweedServer.secretKey) && !page.contains("wrong-secret-Qp7"), "a secret on a page", sourceLocation: sourceLocation)
        }
    }

    @Test func countersRiseByExactlyWhatTheStoreConfirmed() async throws {
        let (fixture, endpoint) = try await endpointFixture()
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        let ready = try await endpoint.waitFor("/ready", status: 200)
        #expect(ready.body.contains("ready"))
        let before = try endpoint.metrics()
        let startHealth = try #require(try endpoint.fetch("/health")?.json)
        #expect(startHealth["status"] as? String == "healthy")

        // 12 MiB in 5 MiB chunks: three chunks, one stream.
        let bytes = FileWriter.randomBytes(12 * 1024 * 1024)
        try FileWriter.write("\(fixture.watchDir)/counted.mp4", bytes)
        let manifest = try await fixture.waitForManifestMatchingFile("counted.mp4")
        try await fixture.waitUntil("the stream counted as finalized") {
            (try endpoint.metrics()["chunkferry_streams_finalized_total"] ?? 0) - (before["chunkferry_streams_finalized_total"] ?? 0) >= 1
        }
        let after = try endpoint.metrics()
        func rise(_ name: String) -> Double { (after[name] ?? 0) - (before[name] ?? 0) }
        #expect(manifest.chunks.count == 3)
        #expect(rise("chunkferry_chunks_uploaded_total") == 3)
        #expect(rise("chunkferry_bytes_uploaded_total") == Double(bytes.count))
        #expect(rise("chunkferry_streams_finalized_total") == 1)
        #expect(rise("chunkferry_chunk_upload_seconds_count") == 3)
        #expect(after["chunkferry_dependency_up{dependency=\"store\"}"] == 1 && after["chunkferry_dependency_up{dependency=\"redis\"}"] == 1)
        #expect((after["chunkferry_watch_dir_free_bytes"] ?? 0) > 0)
        try await fixture.waitUntil("the uplink gauges read nothing unsent") {
            let now = try endpoint.metrics()
            return ["live", "event", "backlog"].allSatisfy { now["chunkferry_backlog_bytes{class=\"\($0)\"}"] == 0 }
                && now["chunkferry_unsent_oldest_seconds{camera=\"other\"}"] == 0
        }
        #expect(try endpoint.metrics()["chunkferry_bandwidth_limit_bytes_per_second"] == 0, "no BANDWIDTH_LIMIT")

        let page = try #require(try endpoint.fetch("/health"))
        let report = try #require(page.json)
        #expect(page.status == 200 && report["status"] as? String == "healthy", "\(page.body)")
        let totals = try #require(report["totals"] as? [String: Any])
        #expect(totals["chunks_uploaded"] as? Int == 3 && totals["bytes_uploaded"] as? Int == bytes.count)
        let storage = try #require(report["storage"] as? [String: Any])
        #expect(storage["backend"] as? String == "s3" && (storage["location"] as? String ?? "").contains(fixture.bucket))
        #expect(report["last_upload_at"] is String && report["version"] is String && report["uptime_seconds"] is Int)
        #expect(try endpoint.fetch("/health", method: "HEAD")?.status == 200)
        #expect(try await health(fixture, endpoint) == 0)
        let metricsText = try #require(try endpoint.fetch("/metrics")).body
        expectNoSecret([page.body, metricsText])
    }

    @Test func healthIsDegradedWhileTheStoreIsStoppedAndHealthyAfter() async throws {
        let seaweed = try await SeaweedServer()
        defer { seaweed.stop() }
        let (fixture, endpoint) = try await endpointFixture(seaweed: seaweed)
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        _ = try await endpoint.waitFor("/ready", status: 200)
        seaweed.stop()
        try FileWriter.write("\(fixture.watchDir)/during-outage.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        try await fixture.waitUntil("/health says degraded") {
            try endpoint.fetch("/health")?.json?["status"] as? String == "degraded"
        }
        let report = try #require(try endpoint.fetch("/health")?.json)
        let reasons = report["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.contains("object store unavailable") }, "\(reasons)")
        #expect(try endpoint.metrics()["chunkferry_dependency_up{dependency=\"store\"}"] == 0)
        #expect(try await health(fixture, endpoint) == 0, "degraded still passes Docker's healthcheck")

        try await seaweed.start()
        try await fixture.waitForManifestMatchingFile("during-outage.mp4", timeout: .seconds(90))
        try await fixture.waitUntil("/health says healthy again") {
            try endpoint.fetch("/health")?.json?["status"] as? String == "healthy"
        }
        let metrics = try endpoint.metrics()
        #expect(metrics["chunkferry_dependency_up{dependency=\"store\"}"] == 1)
        #expect((metrics["chunkferry_outages_total{dependency=\"store\"}"] ?? 0) >= 1)
        #expect(metrics.keys.contains { $0.hasPrefix("chunkferry_upload_errors_total{") })
    }

    @Test func aWrongSecretIsUnhealthyAndTheProbeFails() async throws {
        let (fixture, endpoint) = try await endpointFixture(["AWS_SECRET_ACCESS_KEY": "wrong-secret-Qp7"])
        defer { fixture.stopAllInBackground() }
        let daemon = try fixture.start()
        let page = try await endpoint.waitFor("/health", status: 503)
        let report = try #require(page.json, "\(page.body)")
        #expect(report["status"] as? String == "unhealthy")
        #expect((report["reasons"] as? [String] ?? []).contains { $0.contains("startup check failed") }, "\(page.body)")
        #expect(try endpoint.fetch("/ready")?.status == 503)
        #expect(try endpoint.fetch("/health", method: "HEAD")?.status == 503)
        #expect(try await health(fixture, endpoint) == 1)
        #expect(daemon.isRunning, "stays up to say why, instead of restarting in a loop")
        expectNoSecret([page.body, try #require(try endpoint.fetch("/metrics")).body] + fixture.runs.map { $0.log() })

        // Nothing listening: the probe fails too, with a line saying so.
        daemon.stop()
        let probe = try fixture.start(["health"], environment: ["HTTP_PORT": String(endpoint.port)])
        #expect(await probe.waitForExit(timeout: .seconds(30)) == 1)
        #expect(probe.log().contains("no answer from"), "\(probe.log())")
    }
}
