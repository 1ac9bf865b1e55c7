@testable import ChunkFerryPipeline
@testable import ChunkFerryViewer
import Foundation
import Testing

/// `chunkferry serve`: the bucket alone (no Redis, no watch folder) listed and played as
/// MediaMTX's playback server would, behind its token, and sealed footage only with its identity.
/// The real binary against SeaweedFS, recordings made by ffmpeg and uploaded by the daemon.
@Suite struct ViewerTests {
    /// 2026-12-01T10:00:00Z.
    static let morning = Date(timeIntervalSince1970: 1_796_119_200)

    /// Recordings named as the camera recorder names them, dated as a recorder leaves them:
    /// porch 10:00:00–10:00:30 and 10:00:30–10:01:00, garage 10:00:00–10:00:20 (UTC).
    /// With `events`, also a snapshot of the porch at 10:00:10 and a webhook event on it from
    /// 10:00:25 to 10:00:35, whose clip the daemon cuts and stores.
    func record(into fixture: DaemonFixture, events port: Int? = nil) async throws {
        try await FFmpeg.segment(to: "\(fixture.watchDir)/porch/20261201_100000.mp4", seconds: 30, endingAt: Self.morning + 30)
        try await FFmpeg.segment(to: "\(fixture.watchDir)/porch/20261201_100030.mp4", seconds: 30, endingAt: Self.morning + 60)
        try await FFmpeg.segment(to: "\(fixture.watchDir)/garage/20261201_100000.mp4", seconds: 20, endingAt: Self.morning + 20)
        if port != nil {
            try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/porch/snapshots", withIntermediateDirectories: true)
            let snapshot = ManagedProcess(name: "ffmpeg", executable: "ffmpeg",
                                          arguments: ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1",
                                                      "\(fixture.watchDir)/porch/snapshots/20261201_100010.jpg"],
                                          logPath: Scratch.directory("ffmpeg") + "/snapshot.log")
            try snapshot.start()
            #expect(await snapshot.waitForExit(timeout: .seconds(30)) == 0)
        }
        let run = try fixture.start()
        for path in ["porch/20261201_100000.mp4", "porch/20261201_100030.mp4", "garage/20261201_100000.mp4"] {
            _ = try await fixture.waitForManifestMatchingFile(path)
        }
        if let port {
            _ = try await fixture.waitForManifestMatchingFile("porch/snapshots/20261201_100010.jpg")
            let endpoint = Endpoint(port: port)
            _ = try await endpoint.waitFor("/ready", status: 200)
            let start = Self.morning.timeIntervalSince1970 + 25
            let posted = try #require(try endpoint.post("/events", body: #"{"camera": "porch", "label": "person", "id": "gate-1", "start": \#(start), "end": \#(start + 10)}"#,
                                                        headers: ["Authorization": "Bearer \(Self.eventsToken)", "Content-Type": "application/json"]))
            #expect(posted.status == 201, "\(posted.body)")
            try await fixture.waitUntil("the event's clip is stored", timeout: .seconds(60)) { !fixture.events(event: "event.clip").isEmpty }
        }
        run.stop()
        _ = await run.waitForExit(timeout: .seconds(30))
    }

    static let eventsToken = "viewer-events-token-0123456789"

    /// `chunkferry serve` as after a burglary: Redis and the watch folder gone.
    func serve(_ fixture: DaemonFixture, _ environment: [String: String] = [:], arguments: [String] = []) async throws -> (ManagedProcess, String) {
        let port = FreePort.next()
        let viewer = try fixture.start(["serve"] + arguments, environment: [
            "VIEW_PORT": String(port), "REDIS_URL": "redis://127.0.0.1:\(FreePort.next())/0", "WATCH_DIR": "/nonexistent",
        ].merging(environment) { $1 })
        try await fixture.waitUntil("the viewer listens") { FreePort.acceptsConnections(port) || !viewer.isRunning }
        #expect(viewer.isRunning, "serve starts: \(viewer.log())")
        return (viewer, "http://127.0.0.1:\(port)")
    }

    @Test func theBucketAloneIsListedAndPlayedAsMediaMTXWould() async throws {
        let port = FreePort.next()
        let fixture = try await DaemonFixture(environment: ["IDLE_TIMEOUT": "1s", "FILE_EXTENSIONS": "mp4,jpg", "HTTP_PORT": String(port),
                                                            "EVENTS_TOKEN": Self.eventsToken, "EVENT_PRE_ROLL": "2s", "EVENT_POST_ROLL": "2s"])
        defer { fixture.stopAllInBackground() }
        try await record(into: fixture, events: port)
        try FileManager.default.removeItem(atPath: fixture.watchDir)
        let (viewer, base) = try await serve(fixture)

        // MediaMTX's /list: its field names, one entry per recording, times from the manifests.
        let list = try await HTTPFetch.get("\(base)/list?path=porch&start=2026-12-01T09%3A00%3A00Z&end=2026-12-01T11%3A00%3A00Z")
        #expect(list.status == 200, "\(list.body)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [[String: Any]], "\(list.body)")
        #expect(entries.map { $0["start"] as? String } == ["2026-12-01T10:00:00.000Z", "2026-12-01T10:00:30.000Z"], "\(entries)")
        for entry in entries {
            #expect(abs((entry["duration"] as? Double ?? 0) - 30) <= 2, "\(entry)")
            #expect((entry["url"] as? String ?? "").hasPrefix("\(base)/get?path=porch&start="), "\(entry)")
            #expect(entry["complete"] as? Bool == true)
        }
        #expect(try await HTTPFetch.get("\(base)/list?path=porch&start=2026-12-02T00%3A00%3A00Z").status == 404)

        // /get across both porch recordings: one file that plays for the window asked.
        let played = Scratch.directory("viewer") + "/window.mp4"
        let get = try await HTTPFetch.get("\(base)/get?path=porch&start=2026-12-01T10%3A00%3A20Z&duration=20", saveTo: played)
        #expect(get.status == 200 && get.header("Content-Type") == "video/mp4")
        let duration = try #require(try await FFmpeg.duration(of: played), "ffprobe reads /get's stream")
        #expect(abs(duration - 20) <= 1, "20 s asked across two recordings: \(duration) s")

        // format=mp4: a download with its index first, and ranges.
        let whole = Scratch.directory("viewer") + "/download.mp4"
        let download = try await HTTPFetch.get("\(base)/get?path=garage&start=2026-12-01T10%3A00%3A00Z&duration=60&format=mp4", saveTo: whole)
        #expect(download.status == 200 && download.header("Accept-Ranges") == "bytes", "\(download.headers)")
        #expect(abs((try await FFmpeg.duration(of: whole) ?? 0) - 20) <= 1, "the garage's 20 s")
        let range = try await HTTPFetch.get("\(base)/get?path=garage&start=2026-12-01T10%3A00%3A00Z&duration=60&format=mp4",
                                            headers: ["Range": "bytes=0-99"])
        #expect(range.status == 206 && range.bytes == 100 && range.header("Content-Range") == "bytes 0-99/\(download.bytes)")

        // What the page draws: both cameras, their chain, sizes.
        let overview = try await HTTPFetch.get("\(base)/api/recordings?start=2026-12-01T00%3A00%3A00Z&end=2026-12-02T00%3A00%3A00Z")
        let cameras = try #require((try JSONSerialization.jsonObject(with: Data(overview.body.utf8)) as? [String: Any])?["cameras"] as? [[String: Any]])
        #expect(cameras.map { $0["path"] as? String } == ["garage", "porch"])
        let porch = try #require(cameras.last?["recordings"] as? [[String: Any]])
        // The event and the snapshot are marks on the porch's timeline, not recordings.
        let events = try #require(cameras.last?["events"] as? [[String: Any]])
        #expect(events.map { $0["label"] as? String } == ["person"] && events.first?["start"] as? String == "2026-12-01T10:00:25.000Z", "\(events)")
        let snapshots = try #require(cameras.last?["snapshots"] as? [[String: Any]])
        #expect(snapshots.map { $0["at"] as? String } == ["2026-12-01T10:00:10.000Z"], "\(snapshots)")
        // The porch's chain holds its snapshot too, and the daemon finalizes in whichever order it
        // gets to them: the first of the three begins it, each other links to the one before.
        #expect(porch.allSatisfy { ["begins", "linked"].contains($0["chain"] as? String) && ($0["size"] as? Int ?? 0) > 0 }, "\(porch)")
        let page = try await HTTPFetch.get(base + "/")
        #expect(page.status == 200 && page.body.contains("<video"), "the page, from inside the binary")

        // Bad input: a 400 naming the parameter; a traversal reaches nothing.
        for (query, named) in [("path=../../etc/passwd&start=2026-12-01T10%3A00%3A00Z&duration=5", "path"),
                               ("path=porch&start=yesterday&duration=5", "start"), ("path=porch&start=2026-12-01T10%3A00%3A00Z&duration=abc", "duration"),
                               ("path=porch&start=2026-12-01T10%3A00%3A00Z&duration=5&format=avi", "format"), ("start=2026-12-01T10%3A00%3A00Z&duration=5", "path")] {
            let refused = try await HTTPFetch.get("\(base)/get?\(query)")
            #expect(refused.status == 400 && refused.body.hasPrefix(named), "\(query): \(refused.status) \(refused.body)")
        }
        #expect(try await HTTPFetch.get("\(base)/source/guess/00000000000000000000").status == 404, "ffmpeg's source needs this run's secret")
        let rebound = try await HTTPFetch.get(base + "/api/recordings", headers: ["Host": "evil.example:8090"])
        #expect(rebound.status == 403, "no token: a name other than loopback's is refused (DNS rebinding): \(rebound.status)")

        // No store credential in any page or log.
        for reply in [list, overview, page, get] {
            #expect(!reply.body.contains(SeaweedServer.secretKey) && !reply.body.contains(SeaweedServer.accessKey))
        }
        #expect(!viewer.log().contains(SeaweedServer.secretKey))
        viewer.stop()
        #expect(await viewer.waitForExit(timeout: .seconds(15)) == 0, "SIGTERM ends serve cleanly: \(viewer.log())")
    }

    @Test func beyondLoopbackTheViewerNeedsItsToken() async throws {
        let fixture = try await DaemonFixture()
        defer { fixture.stopAllInBackground() }
        let open = try fixture.start(["serve"], environment: ["VIEW_BIND": "0.0.0.0", "VIEW_PORT": String(FreePort.next())])
        #expect(await open.waitForExit(timeout: .seconds(15)) == 2)
        #expect(open.log().contains("VIEW_TOKEN"), "refused, naming the setting: \(open.log())")

        let token = "s3cret-token-\(UUID().uuidString)"
        let (viewer, base) = try await serve(fixture, ["VIEW_BIND": "0.0.0.0", "VIEW_TOKEN": token])
        let anonymous = try await HTTPFetch.get(base + "/")
        #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
        #expect(try await HTTPFetch.get(base + "/list?path=porch", headers: ["Authorization": "Bearer wrong-token-0123456789"]).status == 401)
        let bearer = try await HTTPFetch.get(base + "/", headers: ["Authorization": "Bearer \(token)"])
        #expect(bearer.status == 200)
        let basic = Data("anyone:\(token)".utf8).base64EncodedString()
        let api = try await HTTPFetch.get(base + "/api/recordings", headers: ["Authorization": "Basic \(basic)"])
        #expect(api.status == 200 && api.body.contains("\"cameras\""), "\(api.body)")
        for reply in [anonymous, bearer, api] { #expect(!reply.body.contains(token)) }
        #expect(!viewer.log().contains(token))
    }

    @Test func sealedFootageIsListedButPlaysOnlyWithTheIdentity() async throws {
        let keys = Scratch.directory("viewer-age")
        let key = try await AgeTests.keygen(in: keys)
        let fixture = try await DaemonFixture(environment: ["IDLE_TIMEOUT": "1s", "ENCRYPT_TO": "\(key.recipient)",
                                                            "STATE_DIR": Scratch.directory("viewer-state")])
        defer { fixture.stopAllInBackground() }
        try await FFmpeg.segment(to: "\(fixture.watchDir)/porch/20261201_100000.mp4", seconds: 10, endingAt: Self.morning + 10)
        let run = try fixture.start()
        try await fixture.waitUntil("the sealed manifest is stored") {
            try await fixture.s3.list(prefix: "").contains { $0.key.hasSuffix("manifest.json") }
        }
        run.stop()
        _ = await run.waitForExit(timeout: .seconds(30))

        let (blind, base) = try await serve(fixture)
        let listed = try await HTTPFetch.get("\(base)/api/recordings")
        #expect(listed.body.contains("\"state\":\"encrypted\"") && listed.body.contains("--identity"), "listed, saying what it needs: \(listed.body)")
        let refused = try await HTTPFetch.get("\(base)/get?path=porch&start=2026-12-01T10%3A00%3A00Z&duration=10")
        #expect(refused.status == 403 && refused.body.contains("--identity"), "\(refused.body)")
        blind.stop()

        let (viewer, opened) = try await serve(fixture, arguments: ["--identity", key.path])
        let played = Scratch.directory("viewer-age") + "/played.mp4"
        let get = try await HTTPFetch.get("\(opened)/get?path=porch&start=2026-12-01T10%3A00%3A00Z&duration=10", saveTo: played)
        #expect(get.status == 200)
        #expect(abs((try await FFmpeg.duration(of: played) ?? 0) - 10) <= 1, "the sealed recording plays with the identity")
        let identity = try String(contentsOfFile: key.path, encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-") }
        #expect(!viewer.log().contains(String(try #require(identity))), "the identity reaches no log")
    }

    @Test func aRangeHeaderIsReadAsRFC9110Says() {
        #expect(ByteRange(header: "bytes=0-99", size: 1000)?.range == 0..<100)
        #expect(ByteRange(header: "bytes=900-", size: 1000)?.range == 900..<1000)
        #expect(ByteRange(header: "bytes=-100", size: 1000)?.range == 900..<1000)
        #expect(ByteRange(header: "bytes=990-2000", size: 1000)?.range == 990..<1000)
        #expect(ByteRange(header: "bytes=1000-", size: 1000) == nil, "past the end: the whole body")
        #expect(ByteRange(header: "bytes=0-1,5-6", size: 1000) == nil, "several ranges: the whole body")
        #expect(ByteRange(header: "bytes=0-99", size: 1000)?.contentRange(size: 1000) == "bytes 0-99/1000")
        #expect(ByteRange(header: "bytes=0-9223372036854775807", size: 1000)?.range == 0..<1000, "the largest end does not overflow")
    }

    @Test func withoutATokenOnlyLoopbackNamesAreAnswered() {
        for host in ["127.0.0.1:8090", "localhost:8090", "[::1]:8090", "LOCALHOST", nil] {
            #expect(ViewerAuth.isLoopbackHost(host), "\(host ?? "no Host")")
        }
        for host in ["evil.example:8090", "192.168.1.5:8090", "[fe80::1]:8090", "127.0.0.1.evil.example"] {
            #expect(!ViewerAuth.isLoopbackHost(host), "\(host): a name a page elsewhere could point here")
        }
    }

    @Test func aRecordingsSpanComesFromItsNameAndItsLastWrite() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        let span = Manifest.footageSpan(path: "porch/20261201_100000.mp4", layout: nil, timeZone: utc, firstSeen: 1_796_119_205_000,
                                        modifiedNanoseconds: 1_796_119_230_000_000_000, completedAt: nil)
        #expect(span.start == 1_796_119_200_000 && span.end == 1_796_119_230_000)
        let unnamed = Manifest.footageSpan(path: "porch/clip.mp4", layout: nil, timeZone: utc, firstSeen: 1_796_119_205_000,
                                           modifiedNanoseconds: nil, completedAt: 1_796_119_260_000)
        #expect(unnamed.start == 1_796_119_205_000 && unnamed.end == 1_796_119_260_000, "first seen to completion")
    }
}
