import Synchronization

/// The footage events ask for, per camera: the seam between the event sources (webhook, Frigate)
/// and the pipeline, which sends a file that overlaps a window in the event class (after live
/// footage, before the backlog) and, with UPLOAD_SCOPE=events, sends only such files.
package final class EventWindows: Sendable {
    /// A window in unix ms; an event still open reaches `Int64.max`.
    package typealias Window = ClosedRange<Int64>

    private let windows = Mutex<[String: [Window]]>([:])

    package init() {}

    /// The windows of every camera from now on (the event book's whole view).
    package func replace(_ all: [String: [Window]]) {
        windows.withLock { $0 = all }
    }

    /// Whether footage of `camera` between `start` and `end` (unix ms) belongs to an event.
    package func overlaps(camera: String, from start: Int64, to end: Int64) -> Bool {
        windows.withLock { all in
            all[camera]?.contains { $0.lowerBound <= end && start <= $0.upperBound } ?? false
        }
    }

    package var isEmpty: Bool { windows.withLock { $0.values.allSatisfy(\.isEmpty) } }
}
