/// The manager's view of one file: what it looked like last, and the stream it feeds.
struct TrackedFile: Sendable {
    var path: String
    var streamID: String
    var generation: Int
    var status: FileStatus
    /// When size or modification time last changed (monotonic), for the idle timeout.
    var changedAt: ContinuousClock.Instant
    /// The stream as Redis last confirmed it; nil until a worker created or loaded it.
    var record: StreamRecord?
    var jobPending = false
    /// Whether this process compared the stream's checkpoint with the bucket yet.
    var bucketChecked = false
    /// After a read failure, no new job before this instant.
    var retryAfter: ContinuousClock.Instant?
    /// The stream's whole-file digest, fed as its chunks are committed.
    let digest = RunningDigest()

    var isFinalizedAsIs: Bool {
        guard let record, record.state == .finalized else { return false }
        return record.fileSize == status.size
    }
}
