import ChunkFerrySupport

/// What every camera is doing now: written by its recorder and snapshot taker, read by the
/// reporter (Redis, for `status`) and the health page.
package actor CameraBoard {
    private var cameras: [String: CameraStatus] = [:]

    package init(_ settings: [CameraSettings]) {
        cameras = Self.configured(settings, from: [:])
    }

    /// The cameras a reloaded configuration lists.
    package func configure(_ settings: [CameraSettings]) {
        cameras = Self.configured(settings, from: cameras)
    }

    /// New cameras appear, removed ones go, one enabled or disabled changes state; the others
    /// keep what they had.
    private static func configured(_ settings: [CameraSettings], from known: [String: CameraStatus]) -> [String: CameraStatus] {
        let now = WallClock.nowMilliseconds()
        var cameras: [String: CameraStatus] = [:]
        for camera in settings {
            if let status = known[camera.name], (status.state == .disabled) == !camera.enabled {
                cameras[camera.name] = status
            } else {
                cameras[camera.name] = CameraStatus(name: camera.name, state: camera.enabled ? .starting : .disabled, since: now)
            }
        }
        return cameras
    }

    /// Moves `name` to `state` (the time it began is kept when the state does not change).
    package func set(_ name: String, _ state: CameraStatus.State, reason: String? = nil) {
        guard var camera = cameras[name] else { return }
        if camera.state != state { camera.since = WallClock.nowMilliseconds() }
        camera.state = state
        camera.reason = reason
        cameras[name] = camera
    }

    package func recorded(_ name: String, file: String?, bytesToday: Int64) {
        cameras[name]?.currentFile = file
        cameras[name]?.bytesToday = bytesToday
    }

    func snapshotTaken(_ name: String, at milliseconds: Int64) {
        cameras[name]?.lastSnapshotAt = milliseconds
    }

    package func all() -> [CameraStatus] {
        cameras.values.sorted { $0.name < $1.name }
    }
}
