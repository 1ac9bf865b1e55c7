/// How urgent the bytes a transfer sends are: the uplink serves the most urgent class first.
/// The pipeline sets it around each job (`UplinkClass.$current`); a store reads it when a
/// transfer starts, so the storage protocol needs no parameter for it.
package enum UplinkClass: Int, Sendable, CaseIterable, Comparable {
    /// Unsent bytes of files still being written: their next chunks and MAX_LAG tails.
    case live = 0
    /// Footage an event asked for.
    case event = 1
    /// Finished files waiting their turn.
    case backlog = 2

    /// Unset outside a job (manifests written by a command, startup checks): never held back.
    @TaskLocal package static var current: UplinkClass = .live

    package var label: String {
        switch self {
        case .live: "live"
        case .event: "event"
        case .backlog: "backlog"
        }
    }

    package static func < (lhs: UplinkClass, rhs: UplinkClass) -> Bool { lhs.rawValue < rhs.rawValue }
}
