/// One camera as `status`, the health page and the logs describe it. Published to Redis by the
/// running daemon; never holds a URL's credentials.
package struct CameraStatus: Codable, Sendable, Equatable {
    package enum State: String, Codable, Sendable {
        case starting, recording, reconnecting, disabled
        /// Too little free space under WATCH_DIR to record: waiting, not retrying ffmpeg.
        case diskFull = "disk-full"
    }

    package var name: String
    package var state: State
    /// Unix milliseconds the state began.
    package var since: Int64
    /// The file being recorded, relative to WATCH_DIR.
    package var currentFile: String?
    /// Bytes written to the camera's recordings since local midnight.
    package var bytesToday: Int64 = 0
    /// Unix milliseconds of the last snapshot stored.
    package var lastSnapshotAt: Int64?
    /// What went wrong last (ffmpeg's reason, scrubbed), while not recording.
    package var reason: String?
    /// The instance recording it (NODE_ID), and when it last said so (unix ms).
    package var node: String = ""
    package var updatedAt: Int64 = 0

    package enum CodingKeys: String, CodingKey {
        case name, state, since, reason, node
        case currentFile = "current_file"
        case bytesToday = "bytes_today"
        case lastSnapshotAt = "last_snapshot_at"
        case updatedAt = "updated_at"
    }
}
