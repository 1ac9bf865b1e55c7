import ChunkFerrySupport
import Configuration

/// One camera to record, from the config file's `cameras:` list (a list does not fit
/// environment variables). Keys, shaped like the RTSP recorders' configs:
///
/// - `name` (required): the folder under WATCH_DIR; letters, digits, `-` and `_`.
/// - `rtsp_url` (required): `rtsp://` or `rtsps://`, credentials in it or in the environment
///   as `CAMERA_<NAME>_PASSWORD` (name upper-cased, `-` as `_`).
/// - `enabled` (default true), `segment_duration` (default `1h`, cut on wall-clock boundaries),
///   `snapshot_interval` (optional), `snapshot_url` (optional HTTP JPEG source; else a frame of
///   the stream), `relay_url` (optional: the stream republished over RTSP, not re-encoded),
///   `live_url` (optional: the camera's low-bitrate sub-stream, recorded beside the main stream
///   into `<name>/live/` and sent first on a slow uplink; its password as `rtsp_url`'s),
///   `frigate_name` (optional: the camera's name in Frigate's events, when it differs).
package struct CameraSettings: Sendable, Hashable {
    package var name: String
    var rtspURL: CameraURL
    var enabled: Bool
    var segmentDuration: Duration
    var snapshotInterval: Duration?
    var snapshotURL: CameraURL?
    var relayURL: CameraURL?
    var liveURL: CameraURL?
    /// What Frigate calls this camera, when not `name`.
    package var frigateName: String?
    /// The recorder of another camera's sub-stream (`substream`).
    var isSubstream = false

    package static let keys = ["name", "rtsp_url", "enabled", "segment_duration", "snapshot_interval", "snapshot_url", "relay_url", "live_url", "frigate_name"]

    /// The folder its sub-stream is recorded into, under WATCH_DIR (`<name>/live`).
    package var liveFolder: String? { liveURL == nil ? nil : "\(name)/live" }

    /// What records the sub-stream: the same camera in `<name>/live/`, nothing but the recording.
    var substream: CameraSettings? {
        guard let liveURL, let liveFolder else { return nil }
        var copy = self
        copy.name = liveFolder
        copy.rtspURL = liveURL
        copy.liveURL = nil
        copy.snapshotInterval = nil
        copy.snapshotURL = nil
        copy.relayURL = nil
        copy.isSubstream = true
        return copy
    }

    /// Every camera in the config file, checked: names present, unique and usable as folders.
    package static func list(config: SettingsReader) throws(SettingsError) -> [CameraSettings] {
        var cameras: [CameraSettings] = []
        for (position, entry) in (config.cameras ?? []).enumerated() {
            let camera = try CameraSettings(entry: entry, position: position + 1, config: config)
            if cameras.contains(where: { $0.name.lowercased() == camera.name.lowercased() || $0.passwordVariable == camera.passwordVariable }) {
                throw SettingsError(key: .configFile, message: "camera '\(camera.name)': name is used twice in cameras (or differs only in - and _, which share CAMERA_<NAME>_PASSWORD); each camera needs its own name (it is its folder)")
            }
            cameras.append(camera)
        }
        return cameras
    }

    /// The extensions of what `cameras` write: recordings, and snapshots where they are taken.
    package static func recordedExtensions(_ cameras: [CameraSettings]) -> Set<String> {
        var extensions: Set<String> = []
        if cameras.contains(where: \.enabled) { extensions.insert("mp4") }
        if cameras.contains(where: { $0.enabled && $0.snapshotInterval != nil }) { extensions.insert("jpg") }
        return extensions
    }

    package init(entry: SettingsReader.Entry, position: Int, config: SettingsReader) throws(SettingsError) {
        let fields = Dictionary(entry, uniquingKeysWith: { $1 })
        guard let name = fields["name"]?.trimmed(), !name.isEmpty else {
            throw SettingsError(key: .configFile, message: "camera \(position) in cameras has no name: add name: (letters, digits, - and _), it becomes its folder")
        }
        func refuse(_ key: String, _ problem: String) -> SettingsError {
            SettingsError(key: .configFile, message: "camera '\(name)': \(key) \(problem)")
        }
        guard name.count <= 64, name.utf8.allSatisfy({ Self.isNameByte($0) }), name != "." && name != ".." else {
            throw refuse("name", "must be letters, digits, - and _ (up to 64), such as front-door")
        }
        self.name = name
        if let unknown = entry.first(where: { !Self.keys.contains($0.key) }) {
            throw refuse(unknown.key, "is not a camera setting; known: \(Self.keys.joined(separator: ", "))")
        }
        guard let rtspText = fields["rtsp_url"]?.trimmed(), !rtspText.isEmpty else {
            throw refuse("rtsp_url", "is missing: the camera's stream, such as rtsp://user:pass@192.168.1.20:554/stream1")
        }
        guard var rtsp = CameraURL(rtspText), ["rtsp", "rtsps"].contains(rtsp.scheme) else {
            throw refuse("rtsp_url", "must start with rtsp:// or rtsps:// and name a host (\(CameraURL(rtspText)?.description ?? "not a URL"))")
        }
        let passwordKey = Self.passwordVariable(name)
        if let password = config.config.string(forKey: ConfigKey(passwordKey.lowercased().replacing("_", with: ".")), isSecret: true),
           !password.isEmpty {
            guard rtsp.user != nil else { throw refuse("rtsp_url", "has no user name for \(passwordKey): write it as rtsp://USER@host/...") }
            rtsp = rtsp.with(password: password)
        }
        rtspURL = rtsp
        enabled = try Self.bool(fields["enabled"], key: "enabled", refuse) ?? true
        segmentDuration = try Self.duration(fields["segment_duration"], key: "segment_duration", range: .seconds(10)...(.seconds(86400)), "10s to 24h", refuse) ?? .seconds(3600)
        snapshotInterval = try Self.duration(fields["snapshot_interval"], key: "snapshot_interval", range: .seconds(1)...(.seconds(86400)), "1s to 24h", refuse)
        if let text = fields["snapshot_url"]?.trimmed(), !text.isEmpty {
            guard var url = CameraURL(text), ["http", "https"].contains(url.scheme) else {
                throw refuse("snapshot_url", "must start with http:// or https:// (\(CameraURL(text)?.description ?? "not a URL"))")
            }
            if url.password == nil, url.user != nil, url.user == rtsp.user, rtsp.password != nil, let account = rtsp.decodedCredentials {
                url = url.with(password: account.password)  // same account as the stream
            }
            snapshotURL = url
        }
        if let text = fields["relay_url"]?.trimmed(), !text.isEmpty {
            guard let url = CameraURL(text), ["rtsp", "rtsps"].contains(url.scheme) else {
                throw refuse("relay_url", "must start with rtsp:// or rtsps:// (\(CameraURL(text)?.description ?? "not a URL"))")
            }
            relayURL = url
        }
        if let text = fields["live_url"]?.trimmed(), !text.isEmpty {
            guard var url = CameraURL(text), ["rtsp", "rtsps"].contains(url.scheme) else {
                throw refuse("live_url", "must start with rtsp:// or rtsps:// and name a host (\(CameraURL(text)?.description ?? "not a URL"))")
            }
            if url.password == nil, url.user != nil, url.user == rtsp.user, rtsp.password != nil, let account = rtsp.decodedCredentials {
                url = url.with(password: account.password)  // same account as the main stream
            }
            liveURL = url
        }
        if let text = fields["frigate_name"]?.trimmed(), !text.isEmpty {
            frigateName = text
        }
        if snapshotURL != nil && snapshotInterval == nil {
            throw refuse("snapshot_url", "needs snapshot_interval too (how often), such as 10s")
        }
    }

    /// `CAMERA_FRONT_DOOR_PASSWORD` for `front-door`.
    static func passwordVariable(_ name: String) -> String {
        "CAMERA_\(name.uppercased().replacing("-", with: "_"))_PASSWORD"
    }

    var passwordVariable: String { Self.passwordVariable(name) }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
    }

    private static func bool(_ text: String?, key: String, _ refuse: (String, String) -> SettingsError) throws(SettingsError) -> Bool? {
        guard let text else { return nil }
        guard let value = SettingsReader.parseBool(text) else { throw refuse(key, "must be true or false, not '\(text.lowercased())'") }
        return value
    }

    private static func duration(_ text: String?, key: String, range: ClosedRange<Duration>, _ rangeText: String,
                                 _ refuse: (String, String) -> SettingsError) throws(SettingsError) -> Duration? {
        guard let text, !text.trimmed().isEmpty else { return nil }
        guard let value = SettingsReader.parseDuration(text), range.contains(value) else {
            throw refuse(key, "must be a duration of \(rangeText), such as 10s, 15m, 1h (not '\(text)')")
        }
        return value
    }
}
