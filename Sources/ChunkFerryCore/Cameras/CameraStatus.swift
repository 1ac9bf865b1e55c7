/// One camera as `status`, the health page and the logs describe it. Published to Redis by the
/// running daemon; never holds a URL's credentials.
public struct CameraStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case starting, recording, reconnecting, disabled
        /// Too little free space under WATCH_DIR to record: waiting, not retrying ffmpeg.
        case diskFull = "disk-full"
    }

    public var name: String
    public var state: State
    /// Unix milliseconds the state began.
    public var since: Int64
    /// The file being recorded, relative to WATCH_DIR.
    public var currentFile: String?
    /// Bytes written to the camera's recordings since local midnight.
    public var bytesToday: Int64 = 0
    /// Unix milliseconds of the last snapshot stored.
    public var lastSnapshotAt: Int64?
    /// What went wrong last (ffmpeg's reason, scrubbed), while not recording.
    public var reason: String?
    /// The instance recording it (NODE_ID), and when it last said so (unix ms).
    public var node: String = ""
    public var updatedAt: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case name, state, since, reason, node
        case currentFile = "current_file"
        case bytesToday = "bytes_today"
        case lastSnapshotAt = "last_snapshot_at"
        case updatedAt = "updated_at"
    }
}
