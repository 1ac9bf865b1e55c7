@testable import ChunkFerryCameras
@testable import ChunkFerryDaemon
@testable import ChunkFerryEvents
import Foundation
import Testing

/// The `cameras:` list of the config file: what is accepted, what is refused with a line naming
/// the camera and the key, and passwords that never show.
@Suite struct CameraSettingsTests {
    let required = ["S3_BUCKET": "b", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"]

    func settings(_ file: String, environment: [String: String] = [:]) async throws -> ChunkFerrySettings {
        let path = Scratch.directory("camera-settings") + "/chunkferry.yaml"
        try file.write(toFile: path, atomically: true, encoding: .utf8)
        return try ChunkFerrySettings(config: try await ConfigurationLoader.load(flags: [], configFile: path,
                                                                                 environment: required.merging(environment) { $1 }))
    }

    func refusal(_ file: String, environment: [String: String] = [:]) async -> String? {
        do {
            _ = try await settings(file, environment: environment)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theRTSPRecordersConfigIsAccepted() async throws {
        let settings = try await settings("""
            watch_dir: /recordings
            cameras:
              - name: "front-door"
                rtsp_url: "rtsp://admin:s3cret@192.168.1.20:554/stream1"
                enabled: true
              - name: back_yard
                rtsp_url: rtsps://192.168.1.21/live
                enabled: false
                segment_duration: 15m
                snapshot_interval: 10s
                snapshot_url: http://admin@192.168.1.21/cgi-bin/api.cgi?cmd=Snap&channel=0&password=p4ss
                relay_url: rtsp://central:8554/back_yard
            """)
        #expect(settings.watch.directory == "/recordings", "flat settings still read beside the list")
        #expect(settings.cameras.map(\.name) == ["front-door", "back_yard"])
        let front = settings.cameras[0]
        #expect(front.segmentDuration == .seconds(3600) && front.enabled && front.snapshotInterval == nil)
        #expect(front.rtspURL.full == "rtsp://admin:s3cret@192.168.1.20:554/stream1")
        #expect("\(front.rtspURL)" == "rtsp://admin:***@192.168.1.20:554/stream1")
        let back = settings.cameras[1]
        #expect(!back.enabled && back.segmentDuration == .seconds(900) && back.snapshotInterval == .seconds(10))
        #expect("\(back.snapshotURL!)".contains("password=***") && !"\(back.snapshotURL!)".contains("p4ss"))
        #expect(settings.watch.fileExtensions.contains("mp4"))
    }

    @Test func aPasswordFromTheEnvironmentGoesIntoTheURLEncoded() async throws {
        let settings = try await settings("""
            cameras:
              - name: front-door
                rtsp_url: rtsp://admin@192.168.1.20/stream1
            """, environment: ["CAMERA_FRONT_DOOR_PASSWORD": "p@ss:w/rd"])
        let url = settings.cameras[0].rtspURL
        #expect(url.full == "rtsp://admin:p%40ss%3Aw%2Frd@192.168.1.20/stream1")
        #expect(url.scrub("DESCRIBE rtsp://admin:p%40ss%3Aw%2Frd@x failed, password p@ss:w/rd").contains("p@ss") == false)
        #expect(!"\(url)".contains("p%40ss"))
    }

    /// `live_url`: the sub-stream, recorded into `<name>/live/` under names of its own, with the
    /// main stream's password when the user is the same; a wrong scheme is refused by name.
    /// Frigate's events name cameras its own way: `frigate_name` maps one to ours, and the
    /// event settings come from the same file.
    @Test func aFrigateNameMapsFrigatesCameraToOurs() async throws {
        let settings = try await settings("""
            mqtt_url: mqtt://chunkferry:mqtt-secret@192.168.1.10:1883
            event_severity: detection
            cameras:
              - name: front-door
                rtsp_url: rtsp://admin@192.168.1.20/stream1
                frigate_name: front_door_cam
            """)
        #expect(settings.cameras[0].frigateName == "front_door_cam")
        let mqtt = try #require(settings.events.mqtt)
        #expect(mqtt.location == "mqtt://chunkferry@192.168.1.10:1883", "the broker as logs show it, without the password")
        #expect(mqtt.password?.value == "mqtt-secret" && mqtt.topic == "frigate/reviews")
        #expect(settings.events.severity == .detection)
    }

    @Test func aSubStreamIsRecordedBesideTheMainStream() async throws {
        let settings = try await settings("""
            cameras:
              - name: porch
                rtsp_url: rtsp://admin@192.168.1.20:554/h264Preview_01_main
                live_url: rtsp://admin@192.168.1.20:554/h264Preview_01_sub
                snapshot_interval: 10s
            """, environment: ["CAMERA_PORCH_PASSWORD": "p4ss-sub"])
        let porch = settings.cameras[0]
        #expect(porch.liveFolder == "porch/live")
        let sub = try #require(porch.substream)
        #expect(sub.name == "porch/live" && sub.isSubstream && sub.snapshotInterval == nil && sub.liveURL == nil)
        #expect(sub.rtspURL.full == "rtsp://admin:p4ss-sub@192.168.1.20:554/h264Preview_01_sub")
        #expect(!"\(sub.rtspURL)".contains("p4ss-sub"))
        #expect(RecordingCommand(camera: sub, directory: "/w/porch/live").arguments.last == "/w/porch/live/%Y%m%d_%H%M%S_live.mp4")
        #expect(RecordingCommand(camera: porch, directory: "/w/porch").arguments.last == "/w/porch/%Y%m%d_%H%M%S.mp4")
        let wrong = await refusal("cameras:\n  - name: a\n    rtsp_url: rtsp://cam/1\n    live_url: http://user:hunter22@cam/sub\n")
        #expect(wrong?.contains("camera 'a': live_url") == true && wrong?.contains("hunter22") == false, "\(wrong ?? "accepted")")
    }

    @Test func mistakesAreRefusedNamingTheCameraAndTheKey() async throws {
        let noName = await refusal("cameras:\n  - rtsp_url: rtsp://cam/1\n")
        #expect(noName?.contains("camera 1") == true && noName?.contains("name") == true, "\(noName ?? "accepted")")
        let twice = await refusal("cameras:\n  - name: a\n    rtsp_url: rtsp://cam/1\n  - name: a\n    rtsp_url: rtsp://cam/2\n")
        #expect(twice?.contains("camera 'a'") == true && twice?.contains("twice") == true, "\(twice ?? "accepted")")
        let scheme = await refusal("cameras:\n  - name: a\n    rtsp_url: http://user:hunter22@cam/1\n")
        #expect(scheme?.contains("camera 'a': rtsp_url") == true, "\(scheme ?? "accepted")")
        #expect(scheme?.contains("hunter22") == false, "the password is not quoted")
        let badName = await refusal("cameras:\n  - name: ../etc\n    rtsp_url: rtsp://cam/1\n")
        #expect(badName?.contains("name") == true, "\(badName ?? "accepted")")
        let unknown = await refusal("cameras:\n  - name: a\n    rtsp_url: rtsp://cam/1\n    segment_lenght: 1h\n")
        #expect(unknown?.contains("segment_lenght") == true, "\(unknown ?? "accepted")")
        let duration = await refusal("cameras:\n  - name: a\n    rtsp_url: rtsp://cam/1\n    segment_duration: soon\n")
        #expect(duration?.contains("camera 'a': segment_duration") == true, "\(duration ?? "accepted")")
    }

    @Test func theRecordingCommandCopiesIntoFragmentedMP4AndHidesNothingFromFFmpeg() async throws {
        let settings = try await settings("""
            cameras:
              - name: cam
                rtsp_url: rtsp://u:pw@cam/1
                segment_duration: 1h
            """)
        let arguments = RecordingCommand(camera: settings.cameras[0], directory: "/w/cam").arguments
        #expect(arguments.contains("rtsp://u:pw@cam/1"))
        #expect(arguments.contains("copy") && !arguments.contains("libx264"), "never re-encoded")
        #expect(arguments.joined(separator: " ").contains("frag_keyframe+empty_moov+default_base_moof"))
        #expect(arguments.contains("3600") && arguments.last == "/w/cam/%Y%m%d_%H%M%S.mp4")
    }

    @Test func theExampleCameraListLoads() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let text = try String(contentsOfFile: "\(root)/contrib/cameras.example.yaml", encoding: .utf8)
        let cameras = try await settings(text).cameras
        #expect(cameras.map(\.name) == ["front-door", "back-yard", "garage"])
        #expect(cameras[0].snapshotURL?.decodedCredentials?.password == "change-me" && cameras[1].relayURL != nil && !cameras[2].enabled)
    }

    @Test func aPasswordWithSlashesOrAtSignsStaysHidden() throws {
        let url = try #require(CameraURL("rtsp://admin:pa/ss@w0rd@192.168.1.20:554/stream1?channel=1"))
        #expect(url.user == "admin" && url.password?.value == "pa/ss@w0rd" && url.host == "192.168.1.20:554")
        #expect("\(url)" == "rtsp://admin:***@192.168.1.20:554/stream1?channel=1")
        let plain = try #require(CameraURL("rtsp://192.168.1.20/live/stream@1"))
        #expect(plain.user == nil && plain.host == "192.168.1.20", "an @ in a path is not a user")
    }

    @Test func namesThatShareAPasswordVariableAreRefused() async throws {
        let clash = await refusal("cameras:\n  - name: front-door\n    rtsp_url: rtsp://cam/1\n  - name: front_door\n    rtsp_url: rtsp://cam/2\n")
        #expect(clash?.contains("front_door") == true, "\(clash ?? "accepted")")
    }
}
