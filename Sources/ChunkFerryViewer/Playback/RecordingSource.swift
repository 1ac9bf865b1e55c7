import ChunkFerryStorage

/// A recording's bytes, in order, straight from the store: a piece at a time, so memory holds
/// at most one chunk (or one slice of a whole object) however long the recording is.
struct RecordingSource: Sendable {
    /// Reads objects, opening age files with the identities given.
    let storage: any ObjectStore
    /// The most read from a whole object (`OUTPUT=whole`) at once.
    static let slice: Int64 = 4 << 20
    /// The most handed to `deliver` at once.
    static let handOnSize = 1 << 20

    /// `bytes[range]` to `deliver` in slices: the server's buffers stay small, whatever CHUNK_SIZE is.
    private static func handOn(_ bytes: [UInt8], _ range: Range<Int>, to deliver: ([UInt8]) async throws -> Void) async throws {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(range.upperBound, start + handOnSize)
            try await deliver(Array(bytes[start..<end]))
            start = end
        }
    }

    /// A piece's bytes. A provisional piece the daemon deleted since the listing (its chunk was
    /// committed meanwhile) is read from that chunk instead, at the same place.
    private func fetch(_ piece: ViewedRecording.Piece) async throws(StoreError) -> [UInt8] {
        do {
            return try await storage.get(key: piece.key, range: nil)
        } catch where error.isNotFound {
            let name = piece.key.split(separator: "/").last ?? ""
            guard let place = ObjectLayout.provisionalPiece(name) else { throw error }
            let chunk = ObjectLayout(prefix: "").chunkKey(streamPrefix: String(piece.key.dropLast(name.count)), index: place.index)
            let upper = piece.size.map { place.from + $0 } ?? Int64.max
            let bytes = try await storage.get(key: chunk, range: nil)
            guard place.from < Int64(bytes.count) else { throw error }
            return Array(bytes[Int(place.from)..<Int(min(Int64(bytes.count), upper))])
        }
    }

    /// Hands `deliver` the bytes in `range` (all of them when nil), in order.
    func read(_ recording: ViewedRecording, range: Range<Int64>?,
              deliver: ([UInt8]) async throws -> Void) async throws {
        var position: Int64 = 0
        for piece in recording.pieces {
            if let range, position >= range.upperBound { return }
            if let offset = piece.offset, let size = piece.size {
                // A range of a whole object: read in slices.
                var from = max(0, (range?.lowerBound ?? 0) - position)
                let to = min(size, (range?.upperBound ?? Int64.max) - position)
                while from < to {
                    let upper = min(to, from + Self.slice)
                    let bytes = try await storage.get(key: piece.key, range: (offset + from)..<(offset + upper))
                    try await Self.handOn(bytes, 0..<bytes.count, to: deliver)
                    from = upper
                }
                position += size
                continue
            }
            if let size = piece.size, let range, position + size <= range.lowerBound {
                position += size
                continue
            }
            // A chunk or a provisional piece: one object, opened whole (an age file opens whole).
            let bytes = try await fetch(piece)
            let count = Int64(bytes.count)
            let from = Int(max(0, (range?.lowerBound ?? 0) - position))
            let to = Int(min(count, (range?.upperBound ?? Int64.max) - position))
            if from < to { try await Self.handOn(bytes, from..<to, to: deliver) }
            position += count
        }
    }
}
