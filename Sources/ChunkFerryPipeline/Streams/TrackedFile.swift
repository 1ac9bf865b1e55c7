import ChunkFerryCheckpoint
import ChunkFerrySupport

/// The manager's view of one file: what it looked like last, and the stream it feeds.
package struct TrackedFile: Sendable {
    package var path: String
    package var streamID: String
    var generation: Int
    package var status: FileStatus
    /// When size or modification time last changed (monotonic), for the idle timeout.
    var changedAt: ContinuousClock.Instant
    /// The stream as Redis last confirmed it; nil until a worker created or loaded it.
    package var record: StreamRecord?
    var jobPending = false
    /// Whether this process compared the stream's checkpoint with the bucket yet.
    var bucketChecked = false
    /// After a read failure, no new job before this instant.
    package var retryAfter: ContinuousClock.Instant?
    /// Sizes the file was seen at and when, past what the store holds (committed chunks and
    /// provisional tail): when the byte at an offset was first seen, so that the age of what waits
    /// restarts at the right moment once the store holds more.
    var sightings: [(size: Int64, at: ContinuousClock.Instant)] = []
    /// The provisional tail object the store holds, if any.
    package var provisional: ProvisionalTail?
    /// A finished file whose times moved at the same size: its next job compares its bytes with
    /// the recording before trusting it (a loop recorder rewrites files in place).
    var suspectRewrite = false
    /// Whether this run looked for provisional pieces an earlier run left in the store.
    var piecesSwept = false
    /// Whether this run saw it grow: when it goes idle its tail is fresh footage, not backlog.
    var grewHere = false
    /// Why the store refuses one of this stream's objects: no job until it is retried.
    package var failure: String?
    /// The camera and start time its path says (with an event source; see `StreamManager.said`).
    var said: Said?
    /// The stream's whole-file digest, fed as its chunks are committed.
    package let digest: RunningDigest

    var isFinalizedAsIs: Bool {
        guard let record, record.state == .finalized else { return false }
        return record.fileSize == status.size
    }
}

extension TrackedFile {
    /// How far the store holds the file: committed chunks, or the provisional tail past them.
    var storeHolds: Int64 {
        let committed = record?.committedOffset ?? 0
        let tail = provisional.flatMap { $0.index == record?.chunkCount ? $0.end : nil } ?? 0
        return max(committed, tail)
    }

    /// Since when the oldest byte the store does not hold waits.
    var unsentSince: ContinuousClock.Instant? { sightings.first?.at }

    mutating func sighted(_ size: Int64, at instant: ContinuousClock.Instant) {
        if let last = sightings.last, last.size >= size { return }
        sightings.append((size, instant))
        if sightings.count > 256 { sightings.remove(at: 1) }  // bounded; the oldest stays the oldest
    }

    /// The store now holds the file up to `offset`: the oldest byte not held was first seen with
    /// the first sighting past it.
    package mutating func held(upTo offset: Int64) {
        sightings.removeAll { $0.size <= offset }
    }
}

/// What a path says of its footage: the camera, and the start (unix ms) when the path holds one.
struct Said: Sendable {
    var camera: String?
    var start: Int64?
}

/// The provisional pieces in the store holding bytes `[index × chunk size, end)` of a growing
/// file: one per MAX_LAG flush, each starting where the one before ended.
package struct ProvisionalTail: Sendable, Equatable {
    package var index: Int
    package var end: Int64
    /// Where each piece starts, as an offset into chunk `index`, in the order they were sent.
    package var pieces: [Int64] = [0]
}
