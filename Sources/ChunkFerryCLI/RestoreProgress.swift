import Foundation
import Synchronization

/// `restore`'s progress line on a terminal: bytes, rate and time left, rewritten in place at
/// most four times a second; nothing when stderr is a file or a pipe.
final class RestoreProgress: Sendable {
    private struct State {
        var started = ContinuousClock.now
        var lastDrawn: ContinuousClock.Instant?
        var drawn = false
    }

    private let state = Mutex(State())

    static var isTerminal: Bool { isatty(2) == 1 }

    func update(written: Int64, total: Int64?) {
        let line: String? = state.withLock { state in
            let now = ContinuousClock.now
            if let last = state.lastDrawn, now - last < .milliseconds(250), written != total { return nil }
            state.lastDrawn = now
            state.drawn = true
            let seconds = max((now - state.started).seconds, 0.001)
            let rate = Double(written) / seconds
            var text = "\r\u{1B}[K  \(Self.mebibytes(written))"
            if let total, total > 0 {
                text += " of \(Self.mebibytes(total)) (\(written * 100 / total)%)"
            }
            text += ", \(Self.mebibytes(Int64(rate)))/s"
            if let total, rate > 0, written < total {
                text += ", about \(Int((Double(total - written) / rate).rounded(.up)))s left"
            }
            return text
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Clears the line, so the result prints on a clean one.
    func finish() {
        if state.withLock({ $0.drawn }) { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private static func mebibytes(_ bytes: Int64) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}

