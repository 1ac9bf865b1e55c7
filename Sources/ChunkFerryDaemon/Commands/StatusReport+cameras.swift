import ChunkFerryCameras
import ChunkFerrySupport
import Foundation

/// The cameras part of `status`: what each recorder last told Redis.
extension StatusReport {
    /// A camera's state as shown: a report older than `staleAfter` means its daemon stopped.
    static func shown(_ camera: CameraStatus, now: Int64, staleAfter: Int64 = 30_000) -> CameraStatus {
        var camera = camera
        if camera.state != .disabled && now - camera.updatedAt > staleAfter {
            camera.state = .disabled
            camera.reason = "no report from \(camera.node) for \(age((now - camera.updatedAt) / 1000)): is ChunkFerry running?"
        }
        return camera
    }

    package func camerasJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(cameras)) ?? Data("[]".utf8), as: UTF8.self)
    }

    package func camerasTable() -> String {
        guard !cameras.isEmpty else { return "" }
        let now = WallClock.nowMilliseconds()
        let header = ["CAMERA", "STATE", "SINCE", "CURRENT FILE", "TODAY", "LAST SNAPSHOT", "REASON"]
        let lines = cameras.map { camera in
            [camera.name, camera.state.rawValue, "\(Self.age(max(0, now - camera.since) / 1000)) ago", camera.currentFile ?? "-",
             Self.bytes(camera.bytesToday), camera.lastSnapshotAt.map { "\(Self.age(max(0, now - $0) / 1000)) ago" } ?? "-",
             camera.reason ?? ""]
        }
        return Self.columns(header, lines) + "\n"
    }
}
