import Foundation
import Testing

/// Cameras recorded by the real binary from a real RTSP server (GStreamer's): files that play,
/// recovery from a camera that drops, hangs or is misconfigured, and footage that survives the
/// recorder's destruction. Each runs a GStreamer camera and ffmpeg in real time, mostly waiting:
/// `scripts/test` runs them three at a time, apart from the rest of the suite.
@Suite struct CameraRecordingTests {
    static let layout = "{camera}/{yyyy}/{mm}/{dd}/{name}"

    func fixture(_ cameras: [[String: String]], _ extra: [String: String] = [:]) async throws -> DaemonFixture {
        let config = try CameraConfig.write(cameras)
        return try await DaemonFixture(environment: ["CONFIG_FILE": config, "KEY_TEMPLATE": Self.layout].merging(extra) { $1 })
    }

    /// Every output of a run, to check that no password reached it.
    func expectNoSecret(_ secrets: [String], in fixture: DaemonFixture, sourceLocation: SourceLocation = #_sourceLocation) {
        for run in fixture.runs {
            for secret in secrets {
                #expect(!run.log().contains(secret), "a password reached the output", sourceLocation: sourceLocation)
            }
        }
    }

    func waitForGrowth(_ folder: String, in fixture: DaemonFixture, after existing: Set<String> = [], bytes: Int64 = 100_000) async throws -> String {
        var found = ""
        try await fixture.waitUntil("a new recording in \(folder) grows", timeout: .seconds(60)) {
            guard let newest = CameraConfig.recordings(in: folder).last(where: { !existing.contains($0) }) else { return false }
            found = newest
            return CameraConfig.size("\(folder)/\(newest)") >= bytes
        }
        return found
    }

    @Test func aRecordedCameraEndsInTheBucketAsAFileThatPlays() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let fixture = try await fixture([["name": "front-door", "rtsp_url": camera.url(), "segment_duration": "1h"]],
                                        ["OUTPUT": "both", "IDLE_TIMEOUT": "3s"])
        defer { fixture.stopAllInBackground() }
        let launched = ContinuousClock.now
        let run = try fixture.start()
        let folder = "\(fixture.watchDir)/front-door"
        let name = try await waitForGrowth(folder, in: fixture, bytes: 1)
        let began = ContinuousClock.now
        #expect(name.wholeMatch(of: /\d{8}_\d{6}\.mp4/) != nil, "named by its start time: \(name)")
        try await Task.sleep(for: .seconds(20))
        let status = try fixture.start(["status", "--cameras", "--json"])
        #expect(await status.waitForExit(timeout: .seconds(30)) == 0)
        let cameras = try JSONSerialization.jsonObject(with: Data(status.log().utf8)) as? [[String: Any]]
        let shown = try #require(cameras?.first, "status lists the camera: \(status.log())")
        #expect(shown["name"] as? String == "front-door" && shown["state"] as? String == "recording", "\(shown)")
        #expect(shown["current_file"] as? String == "front-door/\(name)")
        #expect((shown["bytes_today"] as? Int ?? 0) > 1_000_000, "\(shown)")
        camera.stop()  // the camera goes away: the file stops growing and is finalized
        let recorded = Double((ContinuousClock.now - began).components.seconds)
        // ffmpeg writes the packets it buffered while probing the stream when it opens the file:
        // the recording may start before the file appeared, never before the daemon did.
        let connected = Double((ContinuousClock.now - launched).components.seconds)
        let manifest = try await fixture.waitForManifestMatchingFile("front-door/\(name)", timeout: .seconds(90))
        try await fixture.expectBucketMatchesFile(manifest)
        let key = "front-door/\(name.prefix(4))/\(name.dropFirst(4).prefix(2))/\(name.dropFirst(6).prefix(2))/\(name)"
        #expect(manifest.object?.key == key, "the seed's layout: camera/yyyy/mm/dd/name")
        let copy = Scratch.directory("camera-play") + "/\(name)"
        try Data(try await fixture.storage.get(key: key)).write(to: URL(fileURLWithPath: copy))
        let duration = try #require(try await FFmpeg.duration(of: copy), "ffprobe reads the recording from the bucket")
        #expect(recorded >= 20 && duration >= recorded - 2 && duration <= connected + 2,
                "\(recorded) s recorded since the file appeared, \(connected) s since the daemon started (±2 s): \(duration)")
        #expect(!fixture.events(event: "camera.recording").isEmpty)

        // ffmpeg notices the camera gone when the connection closes, or at the latest when its
        // stall timeout (20 s) fires: on a loaded machine that is not always at once.
        var table = ""
        try await fixture.waitUntil("the table shows the camera reconnecting", timeout: .seconds(40)) {
            let run = try fixture.start(["status"])
            guard await run.waitForExit(timeout: .seconds(30)) == 0 else { return false }
            table = run.log()
            if table.contains("front-door  reconnecting") { return true }
            try await Task.sleep(for: .seconds(1))
            return false
        }
        #expect(table.contains("front-door/\(name)"), "the table names the recording: \(table)")
        run.stop()
        #expect(await run.waitForExit(timeout: .seconds(30)) == 0)
        expectNoSecret([camera.password], in: fixture)
        #expect(!String(decoding: try await fixture.storage.get(key: try #require(manifest.chunks.first?.key).replacing(/chunk-\d+$/, with: "manifest.json")), as: UTF8.self).contains(camera.password))
    }

    @Test func aCameraThatDropsIsRecordedAgainInANewFileAndBothPlay() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let fixture = try await fixture([["name": "porch", "rtsp_url": camera.url()]], ["IDLE_TIMEOUT": "3s"])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        let folder = "\(fixture.watchDir)/porch"
        let first = try await waitForGrowth(folder, in: fixture)
        try await Task.sleep(for: .seconds(4))
        camera.stop()
        try await Task.sleep(for: .seconds(5))
        try await camera.start()
        let second = try await waitForGrowth(folder, in: fixture, after: [first])
        try await Task.sleep(for: .seconds(4))
        camera.stop()
        for name in [first, second] {
            let manifest = try await fixture.waitForManifestMatchingFile("porch/\(name)", timeout: .seconds(90))
            try await fixture.expectBucketMatchesFile(manifest)
            let duration = try await FFmpeg.duration(of: "\(folder)/\(name)")
            #expect((duration ?? 0) >= 3, "\(name) plays: \(String(describing: duration))")
        }
        let down = fixture.events(event: "camera.down")
        #expect(down.count == 2, "one line per outage: \(down)")
        #expect(down.allSatisfy { $0["camera"] == "porch" })
        #expect(fixture.events(event: "camera.back").count == 1)
        expectNoSecret([camera.password], in: fixture)
    }

    @Test func aFrozenCameraIsDetectedAndRecordingResumesWhenItThaws() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let fixture = try await fixture([["name": "yard", "rtsp_url": camera.url()]])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        let folder = "\(fixture.watchDir)/yard"
        let first = try await waitForGrowth(folder, in: fixture)
        camera.freeze()
        try await fixture.waitUntil("the hang is noticed", timeout: .seconds(60)) {
            !fixture.events(event: "camera.down").isEmpty
        }
        let line = try #require(fixture.events(event: "camera.down").first)
        #expect(line["camera"] == "yard")
        #expect(line["reason"]?.contains("stalled") == true || line["reason"]?.contains("timed out") == true
                || line["reason"]?.contains("ended") == true, "names why: \(line)")
        camera.thaw()
        _ = try await waitForGrowth(folder, in: fixture, after: [first])
        try await fixture.waitUntil("the camera is reported back", timeout: .seconds(30)) {
            fixture.events(event: "camera.back").count == 1
        }
    }

    @Test func aWrongCameraAddressGetsAClearLineAndTheOthersKeepRecording() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let wrong = "rtsp://viewer:not-the-password-5d1@127.0.0.1:\(camera.port)/cam"
        let fixture = try await fixture([["name": "good", "rtsp_url": camera.url()], ["name": "bad", "rtsp_url": wrong]])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        _ = try await waitForGrowth("\(fixture.watchDir)/good", in: fixture, bytes: 500_000)
        try await fixture.waitUntil("the bad camera is reported", timeout: .seconds(60)) {
            fixture.events(event: "camera.down").contains { $0["camera"] == "bad" }
        }
        let line = try #require(fixture.events(event: "camera.down").first { $0["camera"] == "bad" })
        #expect(line["reason"]?.contains("401") == true, "ffmpeg's reason: \(line)")
        #expect(!fixture.events(event: "camera.down").contains { $0["camera"] == "good" })
        #expect(CameraConfig.recordings(in: "\(fixture.watchDir)/bad").isEmpty)
        expectNoSecret([camera.password, "not-the-password-5d1"], in: fixture)
    }

    /// The burglar test: the recorder and its disk are gone; the bucket alone gives back a file
    /// that plays and covers all but the last MAX_LAG and a little more.
    @Test func afterTheRecorderIsDestroyedTheBucketAloneRestoresAPlayableRecording() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        // A generous IDLE_TIMEOUT: a recorder held up on a loaded machine must not have its file
        // finalized mid-recording, which would commit the tail as a chunk instead. Segments of an
        // hour: a wall-clock boundary in the 30 s would cut the file measured after 2 s.
        let fixture = try await fixture([["name": "shop", "rtsp_url": camera.url(), "segment_duration": "1h"]], ["MAX_LAG": "5s", "IDLE_TIMEOUT": "60s"])
        defer { fixture.stopAllInBackground() }
        let run = try fixture.start()
        let folder = "\(fixture.watchDir)/shop"
        let name = try await waitForGrowth(folder, in: fixture, bytes: 1)
        let started = ContinuousClock.now
        try await Task.sleep(for: .seconds(30))
        run.kill9()
        CameraConfig.killAll(containing: "127.0.0.1:\(camera.port)/cam")
        let recorded = try #require(try await FFmpeg.duration(of: "\(folder)/\(name)"))
        #expect(ContinuousClock.now - started >= .seconds(30))
        try FileManager.default.removeItem(atPath: fixture.watchDir)

        // Redis went with the recorder: restore asks the store alone.
        let output = Scratch.directory("burglar") + "/shop.mp4"
        let restore = try fixture.restoreFromStoreAlone("shop/\(name)", to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(restore.log().contains("provisional tail"), "says the tail was provisional: \(restore.log())")
        let restored = try #require(try await FFmpeg.duration(of: output), "the restored recording plays")
        // Against what the recorder wrote, not the wall clock: a camera starved of CPU records
        // less than real time.
        #expect(recorded >= 15 && restored >= recorded - 5 - 3, "covers all but MAX_LAG + 3 s of \(recorded) s: \(restored) s")
        expectNoSecret([camera.password], in: fixture)
    }

    /// The morning after: two cameras recorded for a minute, then the recorder destroyed (daemon,
    /// ffmpeg, Redis and disk). `serve` on the bucket alone lists both with the times they were
    /// recorded, `/get` joins two segments into one file that plays, and in a real browser a
    /// click on a recording plays it.
    @Test func afterTheBurglaryTheViewerShowsBothCamerasAndPlaysThemInABrowser() async throws {
        let (front, yard) = (try await RTSPServer(), try await RTSPServer())
        defer { front.stop(); yard.stop() }
        let fixture = try await fixture([["name": "front", "rtsp_url": front.url(), "segment_duration": "20s"],
                                         ["name": "yard", "rtsp_url": yard.url(), "segment_duration": "20s"]],
                                        ["MAX_LAG": "1s", "IDLE_TIMEOUT": "10s"])
        defer { fixture.stopAllInBackground() }
        let run = try fixture.start()
        _ = try await waitForGrowth("\(fixture.watchDir)/front", in: fixture, bytes: 1)
        try await Task.sleep(for: .seconds(60))
        run.kill9()
        for camera in [front, yard] { CameraConfig.killAll(containing: "127.0.0.1:\(camera.port)/cam") }
        // What the recorder left: each file's start (its name, UTC) and end (its last write).
        var recorded: [String: [(start: Double, end: Double)]] = [:]
        for camera in ["front", "yard"] {
            let folder = "\(fixture.watchDir)/\(camera)"
            recorded[camera] = try CameraConfig.recordings(in: folder).map { name in
                let formatter = DateFormatter()
                formatter.dateFormat = "yyyyMMdd_HHmmss"
                formatter.timeZone = TimeZone(identifier: "UTC")
                let start = try #require(formatter.date(from: String(name.prefix(15))))
                let end = try #require(try FileManager.default.attributesOfItem(atPath: "\(folder)/\(name)")[.modificationDate] as? Date)
                return (start.timeIntervalSince1970, end.timeIntervalSince1970)
            }
        }
        try FileManager.default.removeItem(atPath: fixture.watchDir)
        // Redis went with the recorder: serve is pointed at a port nobody answers on.

        let port = FreePort.next()
        let viewer = try fixture.start(["serve"], environment: ["VIEW_PORT": String(port), "REDIS_URL": "redis://127.0.0.1:\(FreePort.next())/0"])
        try await fixture.waitUntil("the viewer listens") { FreePort.acceptsConnections(port) || !viewer.isRunning }
        let base = "http://127.0.0.1:\(port)"
        for camera in ["front", "yard"] {
            let list = try await HTTPFetch.get("\(base)/list?path=\(camera)")
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [[String: Any]], "\(list.body)")
            let shown = entries.compactMap { entry -> (start: Double, end: Double)? in
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                guard let start = (entry["start"] as? String).flatMap({ formatter.date(from: $0) }),
                      let duration = entry["duration"] as? Double else { return nil }
                return (start.timeIntervalSince1970, start.timeIntervalSince1970 + duration)
            }
            let files = try #require(recorded[camera])
            #expect(shown.count == files.count, "\(camera): one entry per recording: \(list.body)")
            for (entry, file) in zip(shown, files) {
                #expect(abs(entry.start - file.start) <= 2 && abs(entry.end - file.end) <= 2,
                        "\(camera): \(entry) against the recorder's \(file) (±2 s)")
            }
        }
        // A window across a segment boundary, both sides at least 4 s long.
        let files = try #require(recorded["front"])
        let boundary = try #require(zip(files, files.dropFirst()).first { $0.0.end - $0.0.start >= 5 && $0.1.end - $0.1.start >= 5 }?.1.start,
                                    "two segments of 5 s or more: \(files)")
        let start = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: boundary - 4))
        let joined = Scratch.directory("viewer-burglary") + "/joined.mp4"
        let get = try await HTTPFetch.get("\(base)/get?path=front&start=\(start.replacing(":", with: "%3A"))&duration=8", saveTo: joined)
        #expect(get.status == 200, "\(get.body)")
        let duration = try #require(try await FFmpeg.duration(of: joined), "ffprobe reads the joined window")
        #expect(abs(duration - 8) <= 1, "8 s across two segments: \(duration)")

        let screenshot = Scratch.artifact("viewer.png")
        let browser = ManagedProcess(name: "browse", executable: "/usr/bin/env",
                                     arguments: ["python3", URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/viewer/browse.py").path, base + "/", screenshot, "front", "yard"],
                                     logPath: Scratch.directory("browse") + "/browse.log")
        try browser.start()
        #expect(await browser.waitForExit(timeout: .seconds(120)) == 0, "Chromium plays a recording: \(browser.log().suffix(3000))")
        let result = browser.log().split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect((result?["current_time"] as? Double ?? 0) > 3, "the <video> plays past 3 s: \(browser.log().suffix(2000))")
        #expect(FileManager.default.fileExists(atPath: screenshot))
        expectNoSecret([front.password, yard.password], in: fixture)
    }

    /// A webhook event on a camera being recorded: once it has ended and its window is in the
    /// store, a clip cut from the recording in progress plays and covers the window.
    @Test func aWebhookEventOnARecordingCameraBecomesAClipThatPlays() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let port = FreePort.next()
        let token = "camera-events-token-0123456789"
        let fixture = try await fixture([["name": "gate", "rtsp_url": camera.url()]], [
            "HTTP_PORT": String(port), "EVENTS_TOKEN": token, "EVENT_PRE_ROLL": "3s", "EVENT_POST_ROLL": "3s",
            "MAX_LAG": "5s", "IDLE_TIMEOUT": "60s",
        ])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        _ = try await waitForGrowth("\(fixture.watchDir)/gate", in: fixture, bytes: 1)
        try await Task.sleep(for: .seconds(8))
        let endpoint = Endpoint(port: port)
        let headers = ["Authorization": "Bearer \(token)"]
        let start = Date().timeIntervalSince1970 - 2
        #expect(try endpoint.post("/events", body: #"{"camera": "gate", "label": "car", "id": "c1", "start": \#(start)}"#, headers: headers)?.status == 201)
        try await Task.sleep(for: .seconds(5))
        let end = Date().timeIntervalSince1970
        #expect(try endpoint.post("/events", body: #"{"camera": "gate", "id": "c1", "end": \#(end)}"#, headers: headers)?.status == 200)
        try await fixture.waitUntil("the clip is stored", timeout: .seconds(60)) { !fixture.events(event: "event.clip").isEmpty }
        let key = try #require(fixture.events(event: "event.clip").first?["clip.key"])
        let path = Scratch.directory("camera-clip") + "/clip.mp4"
        try Data(try await fixture.storage.get(key: key, range: nil)).write(to: URL(fileURLWithPath: path))
        let duration = try #require(try await FFmpeg.duration(of: path), "the clip plays")
        let window = end - start + 6
        // Stream copy starts at the key frame before the window (one a second from this camera):
        // up to a second and a frame more, never less than the window.
        #expect(duration >= window - 0.5 && duration <= window + 1.1, "the clip covers the \(window) s window: \(duration) s")
        expectNoSecret([camera.password, token], in: fixture)
    }

    /// `live_url`: the camera's sub-stream is recorded beside the main stream and goes up
    /// first. On an uplink slower than both streams together, the bucket alone gives back the
    /// sub-stream's recording to within MAX_LAG + 5 s of its end.
    @Test func aSubStreamIsOffSiteFirstOnAnUplinkSlowerThanBothStreams() async throws {
        let main = try await RTSPServer(bitrateKbps: 2000)
        defer { main.stop() }
        let sub = try await RTSPServer(bitrateKbps: 150)
        defer { sub.stop() }
        let fixture = try await fixture([["name": "porch", "rtsp_url": main.url(), "live_url": sub.url()]], ["MAX_LAG": "5s", "IDLE_TIMEOUT": "60s"])
        defer { fixture.stopAllInBackground() }
        let proxy = try FaultProxy(upstreamPort: fixture.seaweed.s3Port)
        defer { proxy.stop() }
        proxy.limit(125_000)  // 1 Mbit/s against 2.15 Mbit/s recorded
        let run = try fixture.start(environment: ["S3_ENDPOINT": proxy.endpoint])
        let live = "\(fixture.watchDir)/porch/live"
        let name = try await waitForGrowth(live, in: fixture, bytes: 1)
        #expect(name.hasSuffix("_live.mp4"), "named apart from the main stream's: \(name)")
        let mainName = try await waitForGrowth("\(fixture.watchDir)/porch", in: fixture, bytes: 1)
        let started = ContinuousClock.now
        try await Task.sleep(for: .seconds(25))
        run.kill9()
        for camera in [main, sub] { CameraConfig.killAll(containing: "127.0.0.1:\(camera.port)/cam") }
        let elapsed = (ContinuousClock.now - started).seconds
        let mainSize = CameraConfig.size("\(fixture.watchDir)/porch/\(mainName)")
        #expect(Double(mainSize) > 125_000 * elapsed, "the main stream alone outruns the uplink: \(mainSize) bytes in \(elapsed) s")
        let recorded = try #require(try await FFmpeg.duration(of: "\(live)/\(name)"))

        let output = Scratch.directory("substream") + "/porch-live.mp4"
        let restore = try fixture.restoreFromStoreAlone("porch/live/\(name)", to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        let restored = try #require(try await FFmpeg.duration(of: output), "the sub-stream's recording plays from the bucket")
        #expect(recorded >= 10 && restored >= recorded - 5 - 5, "all but MAX_LAG + 5 s of \(recorded) s: \(restored) s")
        expectNoSecret([main.password], in: fixture)
    }

    @Test func theRelayIsReceivedAndADeadRelayTargetDoesNotStopTheRecording() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let port = FreePort.next()
        let received = Scratch.directory("relay") + "/received.mp4"
        let listener = ManagedProcess(name: "relay-listener", executable: "ffmpeg",
                                      arguments: ["-nostdin", "-loglevel", "error", "-rtsp_flags", "listen", "-timeout", "60",
                                                  "-i", "rtsp://127.0.0.1:\(port)/live", "-c", "copy", "-t", "6", received],
                                      logPath: Scratch.directory("relay") + "/listener.log")
        try listener.start()
        defer { listener.stop() }
        // A relay that cannot connect when ffmpeg starts is dropped until the recorder restarts:
        // the listener must be listening before the daemon starts.
        let listening = ContinuousClock.now + .seconds(30)
        while !FreePort.isListening(port) && ContinuousClock.now < listening { try await Task.sleep(for: .milliseconds(100)) }
        try #require(FreePort.isListening(port), "the relay listener listens: \(listener.log())")
        let fixture = try await fixture([
            ["name": "relayed", "rtsp_url": camera.url(), "relay_url": "rtsp://127.0.0.1:\(port)/live"],
            ["name": "nowhere", "rtsp_url": camera.url(), "relay_url": "rtsp://127.0.0.1:\(FreePort.next())/live"],
        ])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        #expect(await listener.waitForExit(timeout: .seconds(60)) == 0, "\(listener.log())")
        let duration = try #require(try await FFmpeg.duration(of: received), "the relayed stream plays")
        #expect(duration >= 4, "about 6 s relayed: \(duration)")
        _ = try await waitForGrowth("\(fixture.watchDir)/relayed", in: fixture)
        _ = try await waitForGrowth("\(fixture.watchDir)/nowhere", in: fixture, bytes: 500_000)
        expectNoSecret([camera.password], in: fixture)
    }

    @Test func aDiskTooFullToRecordIsReportedOnceAndNotLoopedOn() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        guard let small = try await SmallDisk.mount("camera-disk", size: "32m") else { return }  // under the 64 MiB floor
        defer { small.unmount() }
        let fixture = try await fixture([["name": "attic", "rtsp_url": camera.url()]], ["WATCH_DIR": small.path])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        try await fixture.waitUntil("the full disk is reported", timeout: .seconds(30)) {
            !fixture.events(event: "camera.disk_full").isEmpty
        }
        try await Task.sleep(for: .seconds(12))
        #expect(fixture.events(event: "camera.disk_full").count == 1)
        #expect(CameraConfig.processes(containing: "127.0.0.1:\(camera.port)/cam").isEmpty, "no ffmpeg started and stopped in a loop")
        let status = try fixture.start(["status", "--cameras", "--json"])
        #expect(await status.waitForExit(timeout: .seconds(30)) == 0)
        #expect(status.log().contains("disk-full"), "\(status.log())")
    }

    @Test func sigtermEndsTheRecordingOnAWholeFragmentAndARestartRecordsANewFile() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let fixture = try await fixture([["name": "hall", "rtsp_url": camera.url()]])
        defer { fixture.stopAllInBackground() }
        let run = try fixture.start()
        let folder = "\(fixture.watchDir)/hall"
        let first = try await waitForGrowth(folder, in: fixture, bytes: 1)
        try await Task.sleep(for: .seconds(5))
        run.signal(SIGTERM, wait: false)
        #expect(await run.waitForExit(timeout: .seconds(15)) == 0, "within the shutdown deadline")
        #expect(CameraConfig.processes(containing: "127.0.0.1:\(camera.port)/cam").isEmpty, "ffmpeg ended with its Service")
        // Ended by SIGINT, ffmpeg closes the file with its fragment index: the end is whole.
        let bytes = try #require(FileManager.default.contents(atPath: "\(folder)/\(first)"))
        #expect(bytes.suffix(16).range(of: Data("mfro".utf8)) != nil, "the file ends with ffmpeg's closing boxes")
        #expect((try await FFmpeg.duration(of: "\(folder)/\(first)") ?? 0) >= 4)
        try fixture.start()
        let second = try await waitForGrowth(folder, in: fixture, after: [first])
        #expect(second != first)
    }

    /// The camera list reloaded: a camera added starts recording, one disabled or removed stops,
    /// and the camera that stayed keeps its ffmpeg and its file throughout.
    @Test func aReloadedCameraListStartsAndStopsRecordersWithoutTouchingTheOthers() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let porch: [String: String] = ["name": "porch", "rtsp_url": camera.url()]
        let config = try CameraConfig.write([porch])
        let fixture = try await DaemonFixture(environment: ["CONFIG_FILE": config, "KEY_TEMPLATE": Self.layout])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        let porchFolder = "\(fixture.watchDir)/porch", garageFolder = "\(fixture.watchDir)/garage"
        let porchFile = try await waitForGrowth(porchFolder, in: fixture, bytes: 200_000)
        let porchRecorder = CameraConfig.processes(containing: porchFolder + "/")
        #expect(porchRecorder.count == 1)

        // Added with snapshots, which no camera took at startup: they go up all the same.
        let garage = ["name": "garage", "rtsp_url": camera.url(), "snapshot_interval": "2s"]
        _ = try CameraConfig.write([porch, garage], to: config)
        _ = try await waitForGrowth(garageFolder, in: fixture, bytes: 200_000)
        #expect(fixture.events(event: "config.reloaded").first?["changed"] == "cameras")
        var snapshot = ""
        try await fixture.waitUntil("a garage snapshot is finalized") {
            snapshot = fixture.events(event: "stream.finalized").compactMap { $0["file.path"] }.first { $0.hasPrefix("garage/snapshots/") } ?? ""
            return !snapshot.isEmpty
        }
        let snapshotManifest = try #require(try await fixture.manifests(for: snapshot).first)
        try await fixture.expectBucketMatchesFile(snapshotManifest, file: "\(fixture.watchDir)/\(snapshot)")
        let porchRecorded = CameraConfig.recordings(in: porchFolder).map { CameraConfig.size("\(porchFolder)/\($0)") }.reduce(0, +)

        _ = try CameraConfig.write([porch, garage.merging(["enabled": "false"]) { $1 }], to: config)
        try await fixture.waitUntil("garage's recorder stops") {
            !fixture.events(event: "camera.disabled").isEmpty
                && CameraConfig.processes(containing: garageFolder + "/").isEmpty
        }
        #expect(CameraConfig.processes(containing: porchFolder + "/") == porchRecorder, "porch's ffmpeg untouched")
        try await fixture.waitUntil("porch keeps recording", timeout: .seconds(20)) {
            CameraConfig.recordings(in: porchFolder).map { CameraConfig.size("\(porchFolder)/\($0)") }.reduce(0, +) > porchRecorded
        }

        _ = try CameraConfig.write([], to: config)
        try await fixture.waitUntil("porch's recorder stops") { CameraConfig.processes(containing: porchFolder + "/").isEmpty }
        #expect(fixture.events(event: "camera.removed").contains { $0["camera"] == "porch" })
        // Its file ended cleanly, goes idle, and the bucket holds a recording that plays.
        let manifest = try await fixture.waitForManifestMatchingFile("porch/\(porchFile)", timeout: .seconds(60))
        try await fixture.expectBucketMatchesFile(manifest)
        let duration = try await FFmpeg.duration(of: "\(porchFolder)/\(porchFile)")
        #expect((duration ?? 0) > 2, "the porch recording plays")
        #expect(fixture.runs.first?.isRunning == true)
        expectNoSecret([camera.password], in: fixture)
    }

    /// Sizes of the newest recording in `folder`, sampled every 250 ms for `seconds`: the
    /// longest time it went without growing.
    func longestStillness(_ folder: String, seconds: Int) async throws -> Duration {
        var last: (name: String, size: Int64)?
        var grewAt = ContinuousClock.now
        var longest = Duration.zero
        let end = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(250))
            guard let newest = CameraConfig.recordings(in: folder).last else { continue }
            let size = CameraConfig.size("\(folder)/\(newest)")
            if last.map({ $0.name != newest || $0.size != size }) ?? true {
                grewAt = ContinuousClock.now
                last = (newest, size)
            }
            longest = max(longest, ContinuousClock.now - grewAt)
        }
        return longest
    }

    /// ffmpeg hands each fragment to the disk at once (no 256 KiB buffer first): a recording
    /// grows at least every 2 s from 64 kbit/s to 8 Mbit/s.
    @Test(arguments: [64, 8000])
    func aRecordingGrowsEverySecondWhateverTheBitrate(kbps: Int) async throws {
        let camera = try await RTSPServer(bitrateKbps: kbps)
        defer { camera.stop() }
        let fixture = try await fixture([["name": "rate\(kbps)", "rtsp_url": camera.url()]])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        let folder = "\(fixture.watchDir)/rate\(kbps)"
        _ = try await waitForGrowth(folder, in: fixture, bytes: 1)
        let still = try await longestStillness(folder, seconds: 10)
        #expect(still <= .milliseconds(2250), "at \(kbps) kbit/s the file stood still for \(still)")
        expectNoSecret([camera.password], in: fixture)
    }

    /// A low-bitrate camera (a static scene, a sub-stream): its file grows on disk every second,
    /// the segment being recorded is never finalized for being idle, and after the recorder is
    /// destroyed the store holds all but MAX_LAG + 3 s.
    @Test func aLowBitrateCameraIsInTheStoreWithinMaxLag() async throws {
        let camera = try await RTSPServer(bitrateKbps: 150)
        defer { camera.stop() }
        let fixture = try await fixture([["name": "attic", "rtsp_url": camera.url(), "segment_duration": "1h"]],
                                        ["MAX_LAG": "5s", "IDLE_TIMEOUT": "3s"])
        defer { fixture.stopAllInBackground() }
        let run = try fixture.start()
        let folder = "\(fixture.watchDir)/attic"
        let name = try await waitForGrowth(folder, in: fixture, bytes: 1)
        let still = try await longestStillness(folder, seconds: 20)
        #expect(still <= .milliseconds(2250), "at 150 kbit/s the file stood still for \(still)")
        #expect(fixture.events(event: "stream.finalized", path: "attic/\(name)").isEmpty, "the segment being recorded was finalized as idle")
        #expect(try await fixture.manifests(for: "attic/\(name)").isEmpty, "a manifest for a segment still being recorded")
        run.kill9()
        CameraConfig.killAll(containing: "127.0.0.1:\(camera.port)/cam")
        let recorded = try #require(try await FFmpeg.duration(of: "\(folder)/\(name)"))

        let output = Scratch.directory("low-bitrate") + "/attic.mp4"
        let restore = try fixture.restoreFromStoreAlone("attic/\(name)", to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        let restored = try #require(try await FFmpeg.duration(of: output), "the restored recording plays")
        #expect(restored >= recorded - 5 - 3, "all but MAX_LAG + 3 s of \(recorded) s: \(restored) s")
        expectNoSecret([camera.password], in: fixture)
    }
}
