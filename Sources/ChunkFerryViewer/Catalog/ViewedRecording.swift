import ChunkFerryStorage

/// One recording as the viewer shows and plays it: whose it is, when, and where its bytes are.
struct ViewedRecording: Sendable {
    enum State: String, Sendable {
        /// Finished: its manifest lists every chunk and the file's digest.
        case complete
        /// Still being uploaded, or cut off: its chunks and provisional tail as far as they reached the store.
        case incomplete
        /// Sealed to age recipients, and the viewer holds none of their identities.
        case encrypted
    }

    /// Where the manifest chain of `verify` stands for this recording.
    enum Chain: String, Sendable {
        /// Its manifest names the one before it, which is in the store as it was written.
        case linked
        /// The first manifest of its source (or the chain began again: Redis was lost).
        case begins
        /// The manifest before it is missing or altered.
        case broken
        /// No manifest (yet): nothing to link.
        case none
    }

    /// A run of the recording's bytes: a whole object, or a range of one (`OUTPUT=whole`).
    struct Piece: Sendable, Equatable {
        var key: String
        /// Where the piece starts in the object; nil: the object from its start.
        var offset: Int64?
        /// Plaintext bytes; nil when only the sealed size is known (encrypted, no manifest).
        var size: Int64?
    }

    /// The MediaMTX path: the camera, with `/live` for its sub-stream.
    var camera: String
    /// Relative to WATCH_DIR, as the recorder named it.
    var path: String
    var streamID: String
    /// Unix milliseconds.
    var start: Int64
    var end: Int64
    var state: State
    var chain: Chain
    /// One line for a person; empty when there is nothing to say.
    var note: String
    var pieces: [Piece]

    var name: String { path.split(separator: "/").last.map(String.init) ?? path }
    var duration: Double { Double(max(0, end - start)) / 1000 }

    /// Every byte's count, when each piece's is known (ranges can then be served).
    var size: Int64? {
        var total: Int64 = 0
        for piece in pieces {
            guard let size = piece.size else { return nil }
            total += size
        }
        return total
    }

    /// Whether the recording has footage in `[from, to)`; one of no length is an instant.
    func overlaps(_ from: Int64, _ to: Int64) -> Bool { start < to && max(end, start + 1) > from }
}
