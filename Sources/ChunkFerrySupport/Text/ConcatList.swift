import Foundation

/// ffmpeg's concat demuxer list: each input quoted (`'` written as `'\''`), entered `from`
/// seconds in and left at `to`. Event clips and the viewer's `/get` both join recordings with it.
package struct ConcatList: Sendable {
    package struct Entry: Sendable, Equatable {
        /// A path, or a URL ffmpeg may open.
        package var input: String
        /// Seconds into the input to start at, and to stop at (nil: its end).
        package var from: Double
        package var to: Double?

        package init(input: String, from: Double, to: Double?) {
            self.input = input
            self.from = from
            self.to = to
        }
    }

    package var entries: [Entry]

    package init(_ entries: [Entry]) { self.entries = entries }

    package var text: String {
        entries.map { entry in
            var lines = ["file '\(entry.input.replacing("'", with: "'\\''"))'"]
            if entry.from > 0 { lines.append("inpoint \(String(format: "%.3f", entry.from))") }
            if let to = entry.to { lines.append("outpoint \(String(format: "%.3f", to))") }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }
}
