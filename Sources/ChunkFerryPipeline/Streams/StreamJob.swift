import ChunkFerryCheckpoint
import ChunkFerrySupport

/// A unit of work for an upload worker.
/// Upload and finalize jobs name the stream they were queued for: a job outlived by its stream
/// (the file was replaced meanwhile) is dropped instead of acting on the new one.
enum StreamJob: Sendable {
    /// Create or load the file's stream and upload its next whole chunk.
    case upload(path: String, streamID: String)
    /// The file went idle: upload the tail, verify, write the manifest.
    case finalize(path: String, streamID: String)
    /// A new file, complete when first seen and no bigger than one chunk: one read, one PUT, the
    /// manifest, one Redis call (see `Finalizer.finalizeSingleChunk`).
    case single(path: String, streamID: String)
    /// Bytes past the last whole chunk waited MAX_LAG: send them as the provisional tail.
    case tail(path: String, streamID: String)
    /// The file is gone or replaced before it was finished: record that.
    case abandon(StreamRecord, reason: String)
}

/// What a worker needs to act on one file's stream, copied out of the manager.
package struct StreamWork: Sendable {
    package var path: String
    package var streamID: String
    package var status: FileStatus
    /// The stream as last known; nil means load it from Redis or create it.
    package var record: StreamRecord?
    /// First job for this stream since start: check the bucket for chunks Redis does not know.
    var verifyBucket: Bool
    /// The whole file's SHA-256 as far as chunks were committed in this process.
    package var digest: RunningDigest
    /// The provisional tail in the store, to delete once its chunk is committed.
    package var provisional: ProvisionalTail? = nil
    /// No tail sent by this run yet: pieces an earlier run left may be in the store.
    var sweepPieces = false
    /// The file's times moved since its stream was finalized, at the same size (see `TrackedFile`).
    var suspectRewrite = false
}

/// How a job ended, reported back to the manager.
package enum WorkOutcome: Sendable {
    case progressed(StreamRecord)
    case finalized(StreamRecord)
    /// The file changed while being finalized: it is active again.
    case changed(StreamRecord)
    case vanished
    case unreadable(StreamRecord?, FileReadError)
    /// The store refuses one of the stream's objects (and takes others): it waits for a retry.
    case refused(StreamRecord, String)
    /// Another generation of the file owns this stream id in the bucket.
    case otherGeneration
    /// Another instance holds the stream's lease and works on it.
    case ownedElsewhere
    /// The single-chunk shortcut does not apply (the file changed, Redis knew the stream): the
    /// stream takes the usual way.
    case declined
    case stopped
}
