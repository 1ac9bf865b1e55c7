/// One range of an HTTP `Range: bytes=…` header (RFC 9110 §14.1.2); several ranges, or none
/// that fits, are answered with the whole body.
struct ByteRange: Sendable, Equatable {
    /// Upper bound exclusive.
    var range: Range<Int64>

    /// The range `header` asks of a body of `size` bytes; nil: serve it whole.
    init?(header: String?, size: Int64) {
        guard let header, header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingPrefix(" "), last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // The last n bytes.
            guard let count = Int64(last), count > 0 else { return nil }
            range = max(0, size - count)..<size
            return
        }
        guard let from = Int64(first), from >= 0, from < size else { return nil }
        if last.isEmpty {
            range = from..<size
        } else {
            guard let to = Int64(last), to >= from else { return nil }
            range = from..<(to >= size - 1 ? size : to + 1)
        }
    }

    /// The `Content-Range` header of this range of `size` bytes.
    func contentRange(size: Int64) -> String {
        "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
    }
}
