@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// The fault-injection suite: the real binary against real Redis and SeaweedFS while files grow,
/// one fault per scenario, and afterwards every file must restore byte-identical. Prints a table
/// (and writes it to CHUNKFERRY_CHAOS_REPORT). `scripts/chaos` runs the full form; CI runs the
/// short form as part of the tests.
@Suite struct ChaosTests {
    struct Profile: Sendable {
        var name: String
        var files: Int
        var writingSeconds: Int
        var bytesPerSecond: Int
        var outage: Duration
        var kills: Int

        static let short = Profile(name: "short", files: 2, writingSeconds: 12, bytesPerSecond: 800_000,
                                   outage: .seconds(5), kills: 3)
        static let full = Profile(name: "full", files: 4, writingSeconds: 45, bytesPerSecond: 1_000_000,
                                  outage: .seconds(20), kills: 10)
        static var current: Profile { ProcessInfo.processInfo.environment["CHUNKFERRY_CHAOS"] == "full" ? full : short }
    }

    enum Fault: Sendable, CaseIterable {
        case killDaemon, redisStopped, redisFrozen, redisEmptied, storeStopped, storeFrozen
        case networkCut, networkSlow, networkBlackHole, instanceKilled

        func title(_ profile: Profile) -> String {
            let seconds = "\(Int(profile.outage.seconds))s"
            return switch self {
            case .killDaemon: "daemon SIGKILL ×\(profile.kills), random moments"
            case .redisStopped: "Redis stopped \(seconds)"
            case .redisFrozen: "Redis frozen (SIGSTOP) \(seconds)"
            case .redisEmptied: "Redis restarted empty"
            case .storeStopped: "store stopped \(seconds)"
            case .storeFrozen: "store frozen (SIGSTOP) \(seconds)"
            case .networkCut: "network to store cut mid-request \(seconds)"
            case .networkSlow: "network to store slow (2s per answer) \(seconds)"
            case .networkBlackHole: "network to store black-holed \(seconds)"
            case .instanceKilled: "two instances, one killed mid-stream"
            }
        }

        var ownsRedis: Bool { [.redisStopped, .redisFrozen, .redisEmptied].contains(self) }
        var ownsStore: Bool { [.storeStopped, .storeFrozen].contains(self) }
    }

    struct Row: Sendable {
        var fault: String
        var files: Int
        var bytes: Int64
        var sent: Int64
        var recoverySeconds: Double?
        var passed: Bool
        var detail: String
    }

    /// One case per fault, each with its own daemon, Redis and store where the fault needs
    /// them, so the cases run side by side. With CHUNKFERRY_CHAOS_REPORT each case writes its row
    /// of the table `scripts/chaos` prints.
    @Test(arguments: Fault.allCases.enumerated().map { $0 })
    func aFaultLosesNoByte(_ numbered: (offset: Int, element: Fault)) async throws {
        let profile = Profile.current
        let row = try await Self.run(numbered.element, profile)
        if let report = ProcessInfo.processInfo.environment["CHUNKFERRY_CHAOS_REPORT"] {
            try Self.header(profile).write(toFile: "\(report).header", atomically: true, encoding: .utf8)
            try Self.line(row).write(toFile: String(format: "%@.row.%02d", report, numbered.offset), atomically: true, encoding: .utf8)
        }
        #expect(row.passed, "\(row.fault): \(row.detail)")
    }

    static func run(_ fault: Fault, _ profile: Profile) async throws -> Row {
        let redis = fault.ownsRedis ? try await RedisServer(persistent: fault != .redisEmptied) : try await SharedServers.shared.redis()
        let seaweed = fault.ownsStore ? try await SeaweedServer() : try await SharedServers.shared.seaweed()
        let proxy = try FaultProxy(upstreamPort: seaweed.s3Port)
        defer {
            proxy.stop()
            if fault.ownsRedis { redis.stop() }
            if fault.ownsStore { seaweed.stop() }
        }
        let fixture = try await DaemonFixture(seaweed: seaweed, redis: redis, environment: [
            "S3_ENDPOINT": proxy.endpoint, "IDLE_TIMEOUT": "3s", "LEASE_TTL": "3s", "S3_STALL_TIMEOUT": "4s",
        ])
        defer { fixture.stopAllInBackground() }
        var daemon = try fixture.start(environment: ["NODE_ID": "node-a"])
        let names = (1...profile.files).map { "chaos/cam\($0).mp4" }
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/chaos", withIntermediateDirectories: true)

        // The writer never pauses: a fault starts and ends at given quarter-second ticks.
        let ticks = profile.writingSeconds * 4
        let faultStart = ticks / 3
        let faultEnd = faultStart + Int(profile.outage.seconds * 4)
        let killTicks = Set((0..<profile.kills).map { _ in Int.random(in: 1..<ticks) })
        var recoveryStarts: [Int64] = []  // wall-clock ms when a fault ended or a killed daemon restarted
        for tick in 0..<ticks {
            if tick % 4 == 0 {
                for name in names {
                    try FileWriter.append("\(fixture.watchDir)/\(name)", FileWriter.randomBytes(profile.bytesPerSecond))
                }
            }
            switch fault {
            case .killDaemon:
                if killTicks.contains(tick) {
                    daemon.kill9()
                    daemon = try fixture.start(environment: ["NODE_ID": "node-a"])
                    recoveryStarts.append(WallClock.nowMilliseconds())
                }
            case .instanceKilled:
                if tick == 4 { try fixture.start(environment: ["NODE_ID": "node-b"]) }
                if tick == faultStart {
                    daemon.kill9()
                    recoveryStarts.append(WallClock.nowMilliseconds())
                }
            case .redisEmptied:
                if tick == faultStart {
                    try await redis.restart()
                    recoveryStarts.append(WallClock.nowMilliseconds())
                }
            default:
                if tick == faultStart { try await Self.begin(fault, redis: redis, seaweed: seaweed, proxy: proxy) }
                if tick == faultEnd {
                    try await Self.end(fault, redis: redis, seaweed: seaweed, proxy: proxy)
                    recoveryStarts.append(WallClock.nowMilliseconds())
                }
            }
            try await Task.sleep(for: .milliseconds(250))
        }

        var passed = true
        var detail = "every file restores byte-identical"
        var bytes: Int64 = 0
        do {
            for name in names {
                let manifest = try await fixture.waitForManifestMatchingFile(name, timeout: .seconds(240))
                if let mismatch = try await mismatch(manifest, fixture: fixture) {
                    passed = false
                    detail = "\(name) does not restore byte-identical: \(mismatch)"
                    break
                }
                bytes += manifest.size
            }
        } catch {
            passed = false
            detail = "\(error)".prefix(400).description
        }
        var recoveries: [Double] = []
        for start in recoveryStarts {
            // A surviving instance proves the takeover by committing, not by having started.
            let ignored: Set<String> = fault == .instanceKilled ? ["daemon.ready"] : []
            if let seconds = try await Self.firstProgress(fixture, after: start, timeout: .seconds(1), ignoring: ignored) {
                recoveries.append(seconds)
            }
        }
        let survivors = fault == .instanceKilled ? fixture.runs.dropFirst() : [daemon][...]
        if passed && !survivors.allSatisfy(\.isRunning) {
            passed = false
            detail = "the daemon stopped"
        }
        return Row(fault: fault.title(profile), files: names.count, bytes: bytes, sent: proxy.bytesSent,
                   recoverySeconds: recoveries.max(), passed: passed, detail: detail)
    }

    static func begin(_ fault: Fault, redis: RedisServer, seaweed: SeaweedServer, proxy: FaultProxy) async throws {
        switch fault {
        case .redisStopped: redis.stop()
        case .redisFrozen: redis.freeze()
        case .storeStopped: seaweed.stop()
        case .storeFrozen: seaweed.freeze()
        case .networkCut: proxy.set(.cut)
        case .networkSlow: proxy.set(.slow(.seconds(2)))
        case .networkBlackHole: proxy.set(.blackhole)
        case .killDaemon, .redisEmptied, .instanceKilled: break
        }
    }

    static func end(_ fault: Fault, redis: RedisServer, seaweed: SeaweedServer, proxy: FaultProxy) async throws {
        switch fault {
        case .redisStopped: try await redis.start()
        case .redisFrozen: redis.thaw()
        case .storeStopped: try await seaweed.start()
        case .storeFrozen: seaweed.thaw()
        case .networkCut, .networkSlow, .networkBlackHole: proxy.set(.pass)
        case .killDaemon, .redisEmptied, .instanceKilled: break
        }
    }

    /// What shows the daemon works again: its notice that an outage ended, being ready after a
    /// restart, rebuilding a checkpoint, or committing.
    static let recoveryEvents: Set<String> = [
        "store.up", "redis.up", "daemon.ready", "checkpoint.rebuilt", "chunk.uploaded", "stream.finalized",
    ]

    /// Seconds from `wallMilliseconds` until the daemon showed it works again.
    static func firstProgress(_ fixture: DaemonFixture, after wallMilliseconds: Int64, timeout: Duration,
                              ignoring ignored: Set<String> = []) async throws -> Double? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            let progress = fixture.events().filter { recoveryEvents.subtracting(ignored).contains($0["event"] ?? "") }
                .compactMap { $0["time"].flatMap(Self.milliseconds) }.filter { $0 >= wallMilliseconds }
            if let first = progress.min() { return Double(first - wallMilliseconds) / 1000 }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        return nil
    }

    /// Downloads every chunk of the manifest and compares their concatenation with the file.
    /// What keeps the bucket from restoring the file byte-identical, named so a failure can be
    /// told apart (a chunk the store gives back otherwise than confirmed, a gap, another file); nil
    /// when it restores.
    static func mismatch(_ manifest: Manifest, fixture: DaemonFixture) async throws -> String? {
        var whole = Digest(.sha256)
        for chunk in manifest.chunks {
            let bytes = try await fixture.s3.getObject(key: chunk.key)
            guard chunk.holds(bytes) else {
                return "chunk \(chunk.index) in the store (\(bytes.count) bytes) is not the \(chunk.size) bytes its manifest lists"
            }
            bytes.withUnsafeBytes { whole.update($0) }
        }
        let restored = ByteEncoding.hex(whole.finalize())
        let onDisk = try DaemonFixture.sha256(ofFile: "\(fixture.watchDir)/\(manifest.path)")
        if !manifest.isContiguous { return "the manifest's chunks leave a gap" }
        if manifest.sha256 != onDisk { return "the manifest names another file than the one on disk" }
        return restored == onDisk ? nil : "the chunks join to another file than the one on disk"
    }

    /// `2026-11-21T06:01:31.146Z` → Unix milliseconds.
    static func milliseconds(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { "-T:.Z".contains($0) }).compactMap { Int($0) }
        guard parts.count == 7 else { return nil }
        var time = tm()
        time.tm_year = Int32(parts[0] - 1900)
        time.tm_mon = Int32(parts[1] - 1)
        time.tm_mday = Int32(parts[2])
        time.tm_hour = Int32(parts[3])
        time.tm_min = Int32(parts[4])
        time.tm_sec = Int32(parts[5])
        return Int64(timegm(&time)) * 1000 + Int64(parts[6])
    }

    static func header(_ profile: Profile) -> String {
        [
            "Fault-injection suite (\(profile.name) form): \(profile.files) files growing at \(profile.bytesPerSecond / 1000) kB/s each for \(profile.writingSeconds)s, per fault.",
            "",
            "| fault | files | bytes | sent to store / needed | time to recover | result |",
            "|---|---|---|---|---|---|",
        ].joined(separator: "\n") + "\n"
    }

    static func line(_ row: Row) -> String {
        let ratio = row.bytes > 0 ? String(format: "%.3f", Double(row.sent) / Double(row.bytes)) : "-"
        let recovery = row.recoverySeconds.map { String(format: "%.1fs", $0) } ?? "-"
        return "| \(row.fault) | \(row.files) | \(row.bytes) | \(ratio) | \(recovery) | \(row.passed ? "pass" : "FAIL: \(row.detail)") |\n"
    }
}
