/// The ffmpeg command that records one camera: RTSP over TCP with an I/O timeout, stream copy
/// (never re-encoded), cut on wall-clock boundaries into fragmented MP4 files named by their
/// start time. Fragmented MP4 never rewrites a byte once written, and a cut-off copy plays up to
/// its last whole fragment; fragments of about a second bound what a crash can take.
struct RecordingCommand: Sendable {
    package let camera: CameraSettings
    /// `WATCH_DIR/<camera>`.
    package let directory: String
    /// Leave audio out (a codec MP4 cannot hold unconverted, such as G.711).
    var videoOnly = false

    static let fileNamePattern = "%Y%m%d_%H%M%S.mp4"
    /// The sub-stream's names differ from the main stream's, so a KEY_TEMPLATE of
    /// `{camera}/…/{name}` keeps both.
    static let substreamFileNamePattern = "%Y%m%d_%H%M%S_live.mp4"
    /// ffmpeg's socket I/O timeout for the camera, in microseconds.
    static let ioTimeoutMicroseconds = 10_000_000

    /// ffmpeg reading the camera's stream: RTSP over TCP (no lost packets), with an I/O timeout.
    package static func input(_ camera: CameraSettings, logLevel: String) -> [String] {
        ["-nostdin", "-hide_banner", "-loglevel", logLevel, "-rtsp_transport", "tcp", "-timeout", String(ioTimeoutMicroseconds),
         "-i", camera.rtspURL.full]
    }

    package var arguments: [String] {
        let segment = Int((camera.segmentDuration.components.seconds))
        // flush_packets: the inner MP4 muxer hands each fragment to the disk at once. Without it
        // ffmpeg fills a 256 KiB buffer first, which a 140 kbit/s stream takes 15 s to do.
        let movflags = "movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000:flush_packets=1"
        let output = "\(directory)/\(camera.isSubstream ? Self.substreamFileNamePattern : Self.fileNamePattern)"
        var arguments = Self.input(camera, logLevel: "warning") + ["-map", "0:v"]
        if !videoOnly { arguments += ["-map", "0:a?"] }
        arguments += ["-c", "copy"]
        let segmentOptions: [(String, String)] = [
            ("segment_time", String(segment)), ("segment_atclocktime", "1"), ("reset_timestamps", "1"),
            ("strftime", "1"), ("segment_format", "mp4"),
        ]
        guard let relay = camera.relayURL else {
            return arguments + ["-f", "segment"] + segmentOptions.flatMap { ["-" + $0.0, $0.1] }
                + ["-segment_format_options", movflags, output]
        }
        // The tee muxer writes the same packets to both; `onfail=ignore` keeps the recording
        // going when the relay target is down. The nested option list's `:` is escaped twice:
        // once for the tee's option parser, once for the segment muxer's.
        let recording = "[f=segment:" + segmentOptions.map { "\($0.0)=\($0.1)" }.joined(separator: ":")
            + ":segment_format_options=" + movflags.replacing(":", with: "\\\\:") + "]" + output
        let republish = "[f=rtsp:rtsp_transport=tcp:onfail=ignore]" + relay.full
        return arguments + ["-f", "tee", recording + "|" + republish]
    }
}
