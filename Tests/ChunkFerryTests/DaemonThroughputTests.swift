import Foundation
import Testing

/// The two shapes of work with a path of their own: one big finished file, whose chunks go up
/// several at once but are committed in order, and small finished files, sent in one go each.
@Suite struct DaemonThroughputTests {
    /// Log times as unix milliseconds.
    static func milliseconds(_ event: [String: String]) -> Int64? {
        guard let time = event["time"] else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: time).map { Int64($0.timeIntervalSince1970 * 1000) }
    }

    @Test func oneBigFileSendsSeveralChunksAtOnceAndCommitsThemInOrder() async throws {
        let fixture = try await DaemonFixture()
        let path = "big.mp4"
        try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(8 * 5 * 1024 * 1024 + 12_345))
        try fixture.start()
        let manifest = try await fixture.waitForManifestMatchingFile(path)
        try await fixture.expectBucketMatchesFile(manifest)
        #expect(manifest.chunks.count == 9)

        // "chunk uploaded" is logged at commit: in log order, indexes must rise one by one.
        let commits = fixture.events(event: "chunk.uploaded", path: path)
        #expect(commits.compactMap { Int($0["chunk.index"] ?? "") } == Array(0..<9))
        // Several in flight: some chunk began sending before the previous one was committed.
        let spans = commits.compactMap { event -> (start: Int64, end: Int64)? in
            guard let end = Self.milliseconds(event), let took = Int64(event["chunk.ms"] ?? "") else { return nil }
            return (end - took, end)
        }
        let overlapping = zip(spans, spans.dropFirst()).filter { $1.start < $0.end }.count
        #expect(overlapping >= 2, "chunks went one at a time: \(spans)")
    }

    @Test func smallFinishedFilesGoUpInOneStepEach() async throws {
        let fixture = try await DaemonFixture(environment: ["OUTPUT": "both"])
        let names = (0..<12).map { "snapshots/cam\($0 % 3)/snap-\($0).jpg.mp4" }
        for name in names {
            try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/\(name)/..".standardizedPath, withIntermediateDirectories: true)
            try FileWriter.write("\(fixture.watchDir)/\(name)", FileWriter.randomBytes(Int.random(in: 1...300_000)))
        }
        try await Task.sleep(for: .seconds(2.5))  // older than IDLE_TIMEOUT when the daemon first sees them
        try fixture.start()
        for name in names {
            let manifest = try await fixture.waitForManifestMatchingFile(name)
            try await fixture.expectBucketMatchesFile(manifest)
            let object = try #require(manifest.object)
            #expect(try await fixture.independentSHA256(object.key) == manifest.sha256)
        }
        // The shortcut: no stream went through the active state, and Redis holds each finalized.
        #expect(fixture.events(event: "stream.started").isEmpty)
        #expect(fixture.events(event: "stream.finalized").count == names.count)
        for event in fixture.events(event: "stream.finalized") {
            let record = try #require(try await fixture.store.stream(event["stream.id"] ?? ""))
            #expect(record.record.state == .finalized)
        }

        // A restart finds them all finished: nothing is sent again.
        fixture.stopAll()
        try fixture.start()
        try await fixture.waitUntil("the initial scan") { !fixture.events(event: "scan.initial_complete", path: nil, run: 1).isEmpty }
        try await Task.sleep(for: .seconds(3))
        #expect(fixture.events(event: "stream.finalized", run: 1).isEmpty && fixture.events(event: "chunk.uploaded", run: 1).isEmpty)
    }

    /// Small files whose chunk is up but whose manifest and Redis record wait in the finisher's
    /// batch when SIGTERM comes: the drain finishes them, and a restart does the rest. Every file
    /// ends up in the bucket, finalized exactly once.
    @Test func smallFilesCaughtBySIGTERMAreAllFinishedAfterRestart() async throws {
        let seaweed = try await SharedServers.shared.seaweed()
        let proxy = try FaultProxy(upstreamPort: seaweed.s3Port)
        defer { proxy.stop() }
        proxy.set(.slow(.milliseconds(300)))  // the first run cannot finish before SIGTERM, however slow the runner
        let fixture = try await DaemonFixture(seaweed: seaweed, environment: ["S3_ENDPOINT": proxy.endpoint])
        let names = (0..<300).map { "alerts/cam\($0 % 4)/alert-\($0).mp4" }
        for name in names {
            try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/\(name)/..".standardizedPath, withIntermediateDirectories: true)
            try FileWriter.write("\(fixture.watchDir)/\(name)", FileWriter.randomBytes(Int.random(in: 1_000...200_000)))
        }
        try await Task.sleep(for: .seconds(2.5))
        let first = try fixture.start()
        try await fixture.waitUntil("some files finalized") { fixture.events(event: "stream.finalized").count >= 30 }
        first.signal(SIGTERM, wait: false)
        // The daemon's own deadline is 12 s; a starved runner may take longer to get there.
        let code = await first.waitForExit(timeout: .seconds(30))
        #expect(code == 0, "exit \(code.map(String.init) ?? "none"): \(first.log().suffix(3000))")
        let before = fixture.events(event: "stream.finalized", run: 0).count
        #expect(before < names.count, "all files were done before SIGTERM; the test proves nothing")

        proxy.set(.pass)
        try fixture.start()
        try await fixture.waitUntil("every file finalized", timeout: .seconds(120)) {
            fixture.events(event: "stream.finalized", run: 1).count >= names.count - before
        }
        let finalized = fixture.events(event: "stream.finalized").compactMap { $0["file.path"] }
        #expect(finalized.count == names.count && Set(finalized) == Set(names))
        for name in names {
            try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile(name))
        }
    }

    /// SIGKILL while several chunks of one file are in flight: Redis's checkpoint is a contiguous
    /// prefix, and the restart carries on right after it, sending no chunk twice.
    @Test func killedWhileSeveralChunksAreInFlightResumesAfterTheLastInOrderCommit() async throws {
        let chunk = 5 * 1024 * 1024
        let path = "window-killed.mp4"
        let seaweed = try await SharedServers.shared.seaweed()
        // The store answers slowly so chunks stay in flight; a runner too slow to kill in time
        // sets the scene again (the property is checked only on a kill that caught some).
        var scene: (fixture: DaemonFixture, proxy: FaultProxy, streamID: String, committed: Int)?
        for _ in 0..<3 where scene == nil {
            let proxy = try FaultProxy(upstreamPort: seaweed.s3Port)
            let fixture = try await DaemonFixture(environment: ["S3_ENDPOINT": proxy.endpoint, "IDLE_TIMEOUT": "30s", "LEASE_TTL": "3s"])
            try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(12 * chunk))
            proxy.set(.slow(.milliseconds(1500)))
            let daemon = try fixture.start()
            try await fixture.waitUntil("a chunk committed") { !fixture.events(event: "chunk.uploaded", path: path).isEmpty }
            daemon.kill9()
            let streamID = try #require(fixture.events(event: "stream.started", path: path).first?["stream.id"])
            let committed = try #require(try await fixture.store.stream(streamID)).record.chunkCount
            if committed < 12 { scene = (fixture, proxy, streamID, committed) } else { proxy.stop() }
        }
        let (fixture, proxy, streamID, committed) = try #require(scene, "the kill never caught chunks in flight")
        defer { proxy.stop() }
        let stored = try #require(try await fixture.store.stream(streamID))
        #expect(stored.record.committedOffset == Int64(committed * chunk))
        #expect(stored.chunks.map(\.index).sorted() == Array(0..<committed))

        proxy.set(.pass)
        try fixture.start(environment: ["IDLE_TIMEOUT": "2s"])
        let manifest = try await fixture.waitForManifestMatchingFile(path)
        try await fixture.expectBucketMatchesFile(manifest)
        // Chunks that reached the store before the kill are taken from the bucket, not sent again.
        let recovered = fixture.events(event: "checkpoint.rebuilt", path: path, run: 1)
            .compactMap { Int($0["chunks.recovered"] ?? "") }.reduce(0, +)
        #expect(recovered <= 4, "more recovered than UPLOAD_CONCURRENCY could have had in flight")
        let sent = fixture.events(event: "chunk.uploaded", path: path, run: 1).compactMap { Int($0["chunk.index"] ?? "") }
        #expect(sent == Array((committed + recovered)..<12), "run 2 sent \(sent) after \(committed) committed, \(recovered) recovered")
    }
}
