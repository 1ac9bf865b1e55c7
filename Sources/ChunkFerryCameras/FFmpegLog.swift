/// ffmpeg's stderr for one camera: every line scrubbed of the camera's credentials before it goes
/// anywhere, the last few kept so a failure can name ffmpeg's reason.
struct FFmpegLog: Sendable {
    package let camera: CameraSettings
    package private(set) var recent: [String] = []
    /// Worked out once, not per line: every secret of the camera's URLs, and each URL with a
    /// user as ffmpeg prints it (scrubbed) with the masked form to show instead.
    private let secrets: Set<String>
    private let printed: [(scrubbed: String, masked: String)]

    package init(camera: CameraSettings) {
        self.camera = camera
        let urls = [camera.rtspURL, camera.snapshotURL, camera.relayURL].compactMap { $0 }
        let hidden = urls.reduce(into: Set<String>()) { $0.formUnion($1.secrets) }
        secrets = hidden
        printed = [camera.rtspURL, camera.relayURL].compactMap { $0 }.filter { $0.user != nil }
            .map { (CameraURL.scrub($0.full, hiding: hidden), $0.description) }
    }

    /// Scrubs and keeps `line`; returns it for the debug log.
    mutating func note(_ line: String) -> String {
        var clean = CameraURL.scrub(line, hiding: secrets)
        // ffmpeg prints the URL it was given: the masked form instead.
        for url in printed { clean = clean.replacing(url.scrubbed, with: url.masked) }
        clean = clean.trimmed()
        // Timestamp notes on a live stream's first packets are noise, not a reason.
        let noise = clean.contains("Non-monotonous DTS") || clean.contains("changing to") || clean.contains("Timestamps are unset")
        if !clean.isEmpty && !noise {
            recent.append(clean)
            if recent.count > 8 { recent.removeFirst() }
        }
        return clean
    }

    /// The line that best says why ffmpeg stopped.
    package var reason: String? {
        let telling = ["401", "403", "404", "Unauthorized", "refused", "timed out", "Connection", "No route", "Invalid data",
                       "not found", "No space", "error", "Error", "failed"]
        let line = recent.last { line in telling.contains { line.contains($0) } }
        return line.map { String($0.prefix(300)) }
    }

    /// MP4 cannot hold this audio codec copied as it is.
    var audioRefused: Bool {
        recent.contains { $0.contains("codec not currently supported in container") || $0.contains("Could not find tag for codec") }
    }

    package var diskFull: Bool { recent.contains { $0.contains("No space left on device") } }
}
