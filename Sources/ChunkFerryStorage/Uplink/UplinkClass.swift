/// How urgent the bytes a transfer sends are: the uplink serves the most urgent class first.
/// The pipeline sets it around each job (`UplinkClass.$current`); a store reads it when a
/// transfer starts, so the storage protocol needs no parameter for it.
package enum UplinkClass: Int, Sendable, CaseIterable, Comparable {
    /// Live footage of a camera's low-bitrate sub-stream (`live_url`): off-site first, so a
    /// burglary is there within seconds in low resolution.
    case substream = 0
    /// Unsent bytes of files still being written: their next chunks and MAX_LAG tails.
    case live = 1
    /// Footage an event asked for.
    case event = 2
    /// Finished files waiting their turn.
    case backlog = 3

    /// Unset outside a job (manifests written by a command, startup checks): never held back.
    @TaskLocal package static var current: UplinkClass = .live

    /// The class as metrics, `/health` and `status` name it: a sub-stream's footage is live.
    package var label: String {
        switch self {
        case .substream, .live: "live"
        case .event: "event"
        case .backlog: "backlog"
        }
    }

    /// The labels, most urgent first, each once.
    package static let labels = ["live", "event", "backlog"]

    package static func < (lhs: UplinkClass, rhs: UplinkClass) -> Bool { lhs.rawValue < rhs.rawValue }
}
