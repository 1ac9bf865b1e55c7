@testable import ChunkFerryPipeline
import Foundation
import Testing

/// Snapshots from a camera's HTTP API behind Digest authentication, by the real binary: JPEGs
/// taken every interval and uploaded at once (no idle wait); a body that is not a JPEG is not stored.
@Suite(.serialized) struct CameraSnapshotTests {
    @Test func snapshotsBehindDigestAuthenticationAreUploadedAtOnce() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let snapshots = try await SnapshotServer()
        defer { snapshots.stop() }
        let withCredentials = { (url: String) in url.replacing("http://", with: "http://\(snapshots.user):\(snapshots.password)@") }
        let config = try CameraConfig.write([
            ["name": "gate", "rtsp_url": camera.url(), "snapshot_interval": "2s", "snapshot_url": withCredentials(snapshots.url)],
            ["name": "lobby", "rtsp_url": camera.url(), "snapshot_interval": "2s", "snapshot_url": withCredentials(snapshots.notJPEGURL)],
        ])
        // An idle timeout far longer than the test: a snapshot that waited for it would not arrive.
        let fixture = try await DaemonFixture(environment: ["CONFIG_FILE": config, "IDLE_TIMEOUT": "10m"])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        var stored: [String] = []
        try await fixture.waitUntil("two snapshots are in the bucket", timeout: .seconds(45)) {
            stored = try await fixture.storage.list(prefix: "gate/snapshots/").map(\.key).filter { $0.hasSuffix("/manifest.json") }
            return stored.count >= 2
        }
        for key in stored.prefix(2) {
            let manifest = try Manifest.decode(try await fixture.storage.get(key: key))
            let local = "\(fixture.watchDir)/\(manifest.path)"
            #expect(manifest.path.wholeMatch(of: /gate\/snapshots\/\d{8}_\d{6}\.jpg/) != nil, "\(manifest.path)")
            try await fixture.expectBucketMatchesFile(manifest, file: local)
            let bytes = try #require(FileManager.default.contents(atPath: local))
            #expect(bytes.starts(with: [0xFF, 0xD8, 0xFF]), "a JPEG")
        }
        #expect(try await snapshots.servedCount() >= 2)
        try await fixture.waitUntil("the failing source is reported", timeout: .seconds(30)) {
            fixture.events(event: "snapshot.failed").contains { $0["camera"] == "lobby" }
        }
        try await Task.sleep(for: .seconds(4))
        #expect(fixture.events(event: "snapshot.failed").filter { $0["camera"] == "lobby" }.count == 1, "once per outage")
        let lobby = (try? FileManager.default.contentsOfDirectory(atPath: "\(fixture.watchDir)/lobby/snapshots")) ?? []
        #expect(lobby.isEmpty, "a login page is not stored as a snapshot: \(lobby)")
        for run in fixture.runs { #expect(!run.log().contains(snapshots.password) && !run.log().contains(camera.password)) }
    }

    @Test func withoutASnapshotURLAFrameOfTheStreamIsTaken() async throws {
        let camera = try await RTSPServer()
        defer { camera.stop() }
        let config = try CameraConfig.write([["name": "drive", "rtsp_url": camera.url(), "snapshot_interval": "3s", "enabled": "true"]])
        let fixture = try await DaemonFixture(environment: ["CONFIG_FILE": config, "IDLE_TIMEOUT": "10m"])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        try await fixture.waitUntil("a frame is in the bucket", timeout: .seconds(45)) {
            try await !fixture.storage.list(prefix: "drive/snapshots/").filter { $0.key.hasSuffix("/manifest.json") }.isEmpty
        }
        let key = try #require(try await fixture.storage.list(prefix: "drive/snapshots/").first { $0.key.hasSuffix("/chunk-00000000") }?.key)
        #expect(try await fixture.storage.get(key: key).starts(with: [0xFF, 0xD8, 0xFF]))
    }
}
