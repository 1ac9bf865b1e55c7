@testable import ChunkFerryCheckpoint
@testable import ChunkFerryStorage
import Foundation
import Testing

/// Events on the real binary: the webhook and Frigate over a real mosquitto broker say which
/// footage matters; its window goes up ahead of the backlog and becomes a playable clip with a
/// record beside it; with UPLOAD_SCOPE=events nothing else leaves the box.
@Suite struct EventTests {
    static let token = "events-token-0123456789abcdef"
    static let auth = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]

    /// `yyyyMMdd_HHmmss` in UTC, as ChunkFerry's recorder names its segments.
    static func recorderName(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd_HHmmss"
        return formatter.string(from: date)
    }

    static func utc(_ date: Date, _ format: String) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }

    /// A whole second a while ago, so that segment names and times agree.
    static func secondsAgo(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - seconds).rounded(.down))
    }

    /// The clip and its record, read back from the store; the clip's duration by ffprobe.
    static func clip(_ fixture: DaemonFixture, key: String) async throws -> (duration: Double?, record: [String: Any], sha256: String) {
        let bytes = try await fixture.storage.get(key: key, range: nil)
        let path = Scratch.directory("clip") + "/clip.mp4"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let recordBytes = try await fixture.storage.get(key: String(key.dropLast(4)) + ".json", range: nil)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(recordBytes)) as? [String: Any])
        return (try await FFmpeg.duration(of: path), record, try DaemonFixture.sha256(ofFile: path))
    }

    /// A camera's last minute as two finished 30 s segments, and a backlog newer than both: an
    /// event on the camera sends its window first, and writes one clip across the two segments.
    @Test func aWebhookEventBecomesAPlayableClipAheadOfTheBacklog() async throws {
        let port = FreePort.next()
        let fixture = try await DaemonFixture(environment: [
            "HTTP_PORT": String(port), "EVENTS_TOKEN": Self.token, "EVENT_PRE_ROLL": "5s", "EVENT_POST_ROLL": "5s",
            "UPLOAD_CONCURRENCY": "1", "BANDWIDTH_LIMIT": "16Mbit",
        ])
        defer { fixture.stopAllInBackground() }
        let t0 = Self.secondsAgo(75)
        for (index, start) in [t0, t0 + 30].enumerated() {
            try await FFmpeg.segment(to: "\(fixture.watchDir)/front/\(Self.recorderName(start)).mp4", seconds: 30, endingAt: start + 30)
            _ = index
        }
        // Last night's backlog, finished after the camera's segments: newest first, it would go first.
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/other", withIntermediateDirectories: true)
        for index in 1...8 {
            let path = "\(fixture.watchDir)/other/night-\(index).mp4"
            try FileWriter.write(path, FileWriter.randomBytes(3 << 20))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3)], ofItemAtPath: path)
        }
        try fixture.start()
        let endpoint = Endpoint(port: port)
        _ = try await endpoint.waitFor("/ready", status: 200)

        let start = t0.timeIntervalSince1970 + 20
        // What finished before the event arrived had no event to yield to (on a loaded runner
        // the small backlog may be through before the POST).
        let finishedBeforeEvent = fixture.events(event: "stream.finalized").count
        let opened = try #require(try endpoint.post("/events", body: #"{"camera": "front", "label": "person", "id": "door-1", "start": \#(start)}"#, headers: Self.auth))
        #expect(opened.status == 201, "\(opened.body)")
        let open = try #require(try endpoint.fetch("/health")?.json?["events"] as? [[String: Any]])
        #expect(open.map { $0["id"] as? String } == ["door-1"], "/health lists the open event")
        let status = try fixture.start(["status"])
        #expect(await status.waitForExit(timeout: .seconds(30)) == 0)
        #expect(status.log().contains("event open: front person"), "\(status.log())")

        let ended = try #require(try endpoint.post("/events", body: #"{"camera": "front", "id": "door-1", "end": \#(start + 20)}"#, headers: Self.auth))
        #expect(ended.status == 200, "\(ended.body)")
        try await fixture.waitUntil("the event's clip is stored", timeout: .seconds(90)) { !fixture.events(event: "event.clip").isEmpty }

        let key = try #require(fixture.events(event: "event.clip").first?["clip.key"])
        let startDate = Date(timeIntervalSince1970: start)
        #expect(key == "events/front/\(Self.utc(startDate, "yyyy/MM/dd/HHmmss"))-person.mp4")
        let clip = try await Self.clip(fixture, key: key)
        // The window: 5 s before the start to 5 s after the end, across both segments.
        let duration = try #require(clip.duration, "the clip plays")
        #expect(abs(duration - 30) <= 1, "the clip covers the window: \(duration) s")
        #expect(clip.record["camera"] as? String == "front")
        #expect(clip.record["label"] as? String == "person")
        #expect((clip.record["recordings"] as? [[String: Any]])?.count == 2, "both segments are named")
        #expect((clip.record["clip"] as? [String: Any])?["sha256"] as? String == clip.sha256, "the record holds the clip's digest")

        // The window went ahead of the backlog: once the event was in, at most the backlog file in
        // flight, and the one taken while the event arrived, went before the camera's segments.
        let finalized = fixture.events(event: "stream.finalized").compactMap { $0["file.path"] }
        let lastFront = try #require(finalized.lastIndex { $0.hasPrefix("front/") })
        let backlogFirst = finalized[min(finishedBeforeEvent, lastFront)..<lastFront].filter { $0.hasPrefix("other/") }.count
        #expect(backlogFirst <= 2, "the event's segments waited for \(backlogFirst) backlog files: \(finalized)")
        for segment in finalized where segment.hasPrefix("front/") {
            try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile(segment))
        }

        // A second event of the camera in the same second, with the same label: its own clip.
        let second = try #require(try endpoint.post("/events", body: #"{"camera": "front", "label": "person", "id": "door-2", "start": \#(start), "end": \#(start + 5)}"#, headers: Self.auth))
        #expect(second.status == 201, "\(second.body)")
        try await fixture.waitUntil("the second clip is stored", timeout: .seconds(60)) { fixture.events(event: "event.clip").count >= 2 }
        #expect(fixture.events(event: "event.clip").last?["clip.key"] == String(key.dropLast(4)) + "-door-2.mp4", "it does not overwrite the first")
        #expect(try await fixture.storage.head(key: key) != nil)

        let metrics = try endpoint.metrics()
        #expect(metrics[#"chunkferry_events_total{camera="front",source="webhook"}"#] == 2)
        #expect(metrics["chunkferry_event_clips_total"] == 2)
        #expect(try endpoint.fetch("/health")?.json?["events"] as? [[String: Any]] == nil || (try endpoint.fetch("/health")?.json?["events"] as? [[String: Any]])?.isEmpty == true)
    }

    /// Wrong or missing tokens, malformed bodies and unknown cameras get one line naming the
    /// problem, and nothing changes; without EVENTS_TOKEN there is no route at all.
    @Test func badWebhookRequestsAreRefusedAndChangeNothing() async throws {
        let port = FreePort.next()
        let fixture = try await DaemonFixture(environment: ["HTTP_PORT": String(port), "EVENTS_TOKEN": Self.token])
        defer { fixture.stopAllInBackground() }
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/front", withIntermediateDirectories: true)
        try FileWriter.write("\(fixture.watchDir)/front/a.mp4", FileWriter.randomBytes(1000))
        let daemon = try fixture.start()
        let endpoint = Endpoint(port: port)
        _ = try await endpoint.waitFor("/ready", status: 200)

        let cases: [(body: String, headers: [String: String], status: Int, says: String)] = [
            (#"{"camera": "front"}"#, ["Content-Type": "application/json"], 401, "Authorization: Bearer"),
            (#"{"camera": "front"}"#, ["Authorization": "Bearer not-the-token-at-all-000"], 401, "missing or wrong"),
            (#"{"camera": "front""#, Self.auth, 400, "not JSON"),
            (#"{"label": "person"}"#, Self.auth, 400, "field 'camera' is missing"),
            (#"{"camera": "front", "start": "yesterday"}"#, Self.auth, 400, "field 'start'"),
            (#"{"camera": "front", "colour": "red"}"#, Self.auth, 400, "field 'colour'"),
            (#"{"camera": "back-yard"}"#, Self.auth, 404, "camera 'back-yard' is not known"),
        ]
        for request in cases {
            let page = try #require(try endpoint.post("/events", body: request.body, headers: request.headers))
            #expect(page.status == request.status, "\(request.body): \(page.status) \(page.body)")
            #expect(page.body.contains(request.says), "\(request.body): \(page.body)")
            #expect(page.body.split(separator: "\n").count == 1, "one line: \(page.body)")
            #expect(!page.body.contains(Self.token))
        }
        #expect((try endpoint.fetch("/health")?.json?["events"] as? [[String: Any]])?.isEmpty == true, "no event was opened")
        #expect(try await fixture.store.savedEvents().isEmpty, "nothing was saved")
        #expect(try endpoint.metrics().keys.allSatisfy { !$0.hasPrefix("chunkferry_events_total{") })
        #expect(!daemon.log().contains(Self.token), "the token never shows")

        daemon.stop()
        let other = FreePort.next()
        try fixture.start(environment: ["EVENTS_TOKEN": "", "HTTP_PORT": String(other)])
        let plain = Endpoint(port: other)
        _ = try await plain.waitFor("/ready", status: 200)
        #expect(try plain.post("/events", body: #"{"camera": "front"}"#, headers: Self.auth)?.status == 404, "without EVENTS_TOKEN the route is off")
    }

    /// Frigate's recordings tree (`YYYY-MM-DD/HH/<camera>/MM.SS.mp4`, 10 s segments) with
    /// PATH_LAYOUT=frigate, and Frigate's review messages published to a real broker: the
    /// segments get the right camera and time in their keys, an alert becomes a clip across
    /// segments, a detection is left alone, and a broker restart is survived without the
    /// password ever showing.
    @Test func frigateReviewsOverMQTTMakeClipsFromFrigatesSegments() async throws {
        let broker = try await MosquittoServer()
        defer { broker.process.stop() }
        // Encrypted (ENCRYPT_TO): clips, their records and the whole recordings are age files,
        // read back here through an identity.
        let identity = AgeIdentity.generate()
        let fixture = try await DaemonFixture(environment: [
            "MQTT_URL": broker.url, "PATH_LAYOUT": "frigate", "OUTPUT": "both",
            "KEY_TEMPLATE": "{camera}/{yyyy}-{mm}-{dd}/{HH}{MM}{SS}.mp4", "EVENT_PRE_ROLL": "5s", "EVENT_POST_ROLL": "5s",
            "ENCRYPT_TO": identity.recipient.description, "STATE_DIR": Scratch.directory("frigate-state"),
        ])
        defer { fixture.stopAllInBackground() }
        fixture.storage = EncryptedStore(fixture.s3, recipients: [], box: nil, identities: [identity])
        let t0 = Self.secondsAgo(70)
        var segments: [(path: String, start: Date)] = []
        for index in 0..<6 {
            let start = t0 + Double(index * 10)
            let path = "\(Self.utc(start, "yyyy-MM-dd/HH"))/front_door/\(Self.utc(start, "mm.ss")).mp4"
            try await FFmpeg.segment(to: "\(fixture.watchDir)/\(path)", seconds: 10, endingAt: start + 10)
            segments.append((path, start))
        }
        let daemon = try fixture.start()
        try await fixture.waitUntil("connected to the broker", timeout: .seconds(30)) { !fixture.events(event: "mqtt.connected").isEmpty }

        func review(_ name: String, id: String, start: Double, end: Double, severity: String = "alert") throws -> String {
            let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/frigate")
            return try String(contentsOf: fixtures.appendingPathComponent("\(name).json"), encoding: .utf8)
                .replacing("__ID__", with: id).replacing("__CAMERA__", with: "front_door").replacing("__SEVERITY__", with: severity)
                .replacing("__START__", with: String(start)).replacing("__END__", with: String(end))
        }
        let start = t0.timeIntervalSince1970 + 22.5
        // A detection, with EVENT_SEVERITY at its default (alert): not an event.
        try await broker.publish(try review("review-new", id: "\(start)-detect", start: start, end: 0, severity: "detection"))
        for name in ["review-new", "review-update", "review-end"] {
            try await broker.publish(try review(name, id: "\(start)-alert1", start: start, end: start + 10))
        }
        try await fixture.waitUntil("the alert's clip is stored", timeout: .seconds(90)) { !fixture.events(event: "event.clip").isEmpty }
        let first = try #require(fixture.events(event: "event.clip").first)
        #expect(first["event.label"] == "person+car", "the review's objects name it")
        let clipKey = try #require(first["clip.key"])
        for key in [clipKey, String(clipKey.dropLast(4)) + ".json"] {
            #expect(try await fixture.s3.getObject(key: key).starts(with: Array("age-encryption.org/v1\n".utf8)), "\(key) is an age file")
        }
        let clip = try await Self.clip(fixture, key: clipKey)
        let duration = try #require(clip.duration, "the clip plays")
        #expect(abs(duration - 20) <= 1, "one clip across three segments covers the window: \(duration) s")
        #expect((clip.record["recordings"] as? [[String: Any]])?.count == 3)
        #expect(clip.record["source"] as? String == "frigate")
        #expect(fixture.events(event: "event.opened").count == 1, "the detection was left alone")

        // Frigate's camera and time in the keys of the whole recordings.
        for segment in segments {
            let key = "front_door/\(Self.utc(segment.start, "yyyy-MM-dd/HHmmss")).mp4"
            try await fixture.waitUntil("\(key) is in the store", timeout: .seconds(60)) { try await fixture.storage.head(key: key) != nil }
        }

        try await broker.restart()
        try await fixture.waitUntil("reconnected after the broker's restart", timeout: .seconds(60)) {
            fixture.events(event: "mqtt.connected").count >= 2
        }
        #expect(!fixture.events(event: "mqtt.lost").isEmpty, "the loss was logged")
        let later = t0.timeIntervalSince1970 + 45
        for name in ["review-new", "review-end"] {
            try await broker.publish(try review(name, id: "\(later)-alert2", start: later, end: later + 5))
        }
        try await fixture.waitUntil("the second alert's clip is stored", timeout: .seconds(90)) { fixture.events(event: "event.clip").count >= 2 }
        #expect(!daemon.log().contains(broker.password), "the broker's password never shows")
    }

    /// `mqtts://`: the broker's certificate is checked; a private CA is trusted through
    /// MQTT_CA_FILE, and without it the connection is refused (and said so), never made blind.
    @Test func aBrokerOverTLSIsTrustedOnlyThroughMQTTCAFile() async throws {
        let broker = try await MosquittoServer(tls: true)
        defer { broker.process.stop() }
        let certificate = try #require(broker.certificate)
        let fixture = try await DaemonFixture(environment: ["MQTT_URL": broker.url])
        defer { fixture.stopAllInBackground() }
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/front_door", withIntermediateDirectories: true)
        try FileWriter.write("\(fixture.watchDir)/front_door/a.mp4", FileWriter.randomBytes(1000))
        let untrusting = try fixture.start()
        try await fixture.waitUntil("the unverified broker is refused", timeout: .seconds(30)) { !fixture.events(event: "mqtt.lost").isEmpty }
        #expect(fixture.events(event: "mqtt.connected").isEmpty, "no connection to a broker whose certificate is not trusted")
        untrusting.stop()

        try fixture.start(environment: ["MQTT_CA_FILE": certificate])
        try await fixture.waitUntil("connected over TLS", timeout: .seconds(30)) { !fixture.events(event: "mqtt.connected").isEmpty }
        let now = Date().timeIntervalSince1970
        let review = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/frigate/review-new.json"), encoding: .utf8)
            .replacing("__ID__", with: "tls-1").replacing("__CAMERA__", with: "front_door").replacing("__SEVERITY__", with: "alert")
            .replacing("__START__", with: String(now)).replacing("__END__", with: "null")
        try await broker.publish(review)
        try await fixture.waitUntil("the review became an event", timeout: .seconds(30)) { !fixture.events(event: "event.opened").isEmpty }
        for run in fixture.runs { #expect(!run.log().contains(broker.password), "the broker's password never shows") }
    }

    /// UPLOAD_SCOPE=events: last night's segments never go up, and LOCAL_RETENTION deletes them
    /// unsent; a recording in progress goes up once an event opens on its camera, within
    /// MAX_LAG + 5 s, as a burglar would find it.
    @Test func eventsOnlySendsNothingOutsideEventWindows() async throws {
        let port = FreePort.next()
        let fixture = try await DaemonFixture(environment: [
            "HTTP_PORT": String(port), "EVENTS_TOKEN": Self.token, "UPLOAD_SCOPE": "events", "MAX_LAG": "5s", "IDLE_TIMEOUT": "10s",
            "LOCAL_RETENTION": "30m",
        ])
        defer { fixture.stopAllInBackground() }
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/yard", withIntermediateDirectories: true)
        var old: [String] = []
        for hour in 1...3 {
            let start = Self.secondsAgo(Double(hour) * 3600)
            let path = "\(fixture.watchDir)/yard/\(Self.recorderName(start)).mp4"
            old.append(path)
            try FileWriter.write(path, FileWriter.randomBytes(1 << 20))
            try FileManager.default.setAttributes([.modificationDate: start + 600], ofItemAtPath: path)
        }
        let name = "yard/\(Self.recorderName(Self.secondsAgo(0))).mp4"
        let live = "\(fixture.watchDir)/\(name)"
        var written: [UInt8] = []
        func record(for duration: Duration) async throws {
            let started = ContinuousClock.now
            while ContinuousClock.now - started < duration {
                let piece = FileWriter.randomBytes(10_000)
                try FileWriter.append(live, piece)
                written += piece
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        let daemon = try fixture.start()
        let endpoint = Endpoint(port: port)
        _ = try await endpoint.waitFor("/ready", status: 200)
        try await record(for: .seconds(8))
        #expect(try await fixture.storage.list(prefix: "").isEmpty, "nothing goes up without an event")
        try await fixture.waitUntil("retention deleted last night's segments unsent", timeout: .seconds(30)) {
            old.allSatisfy { !FileManager.default.fileExists(atPath: $0) }
        }
        #expect(fixture.events(event: "file.deleted").allSatisfy { $0["reason"] == "LOCAL_RETENTION" && $0["file.path"] != name })

        let opened = try #require(try endpoint.post("/events", body: #"{"camera": "yard", "label": "person", "id": "intruder"}"#, headers: Self.auth))
        #expect(opened.status == 201, "\(opened.body)")
        try await record(for: .seconds(20))
        daemon.kill9()

        let keys = try await fixture.storage.list(prefix: "").map(\.key)
        #expect(keys.allSatisfy { $0.hasPrefix(name + "/") }, "only the recording the event takes in is in the store: \(keys)")
        let output = Scratch.directory("events-only") + "/live.mp4"
        let restore = try fixture.restoreFromStoreAlone(name, to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        let restored = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
        #expect(restored == Array(written.prefix(restored.count)), "the restored bytes are the recording's")
        let atRisk = (5 + 5) * 20_000  // MAX_LAG + 5 s at 20 kB/s
        #expect(restored.count >= written.count - atRisk, "\(restored.count) of \(written.count) bytes in the store")
    }
}
