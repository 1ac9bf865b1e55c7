/// Why an age file cannot be opened, in the spec's categories.
package enum AgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another version of the format (`age-encryption.org/v2`…).
    case unsupportedVersion
    /// The header is malformed.
    case header(String)
    /// No stanza opens with the identities given.
    case noMatch
    /// A file key was unwrapped, but the header's MAC does not match: the header was altered.
    case mac
    /// The payload does not decrypt to its end: cut short, altered, or with bytes after it.
    case payload(String)

    package var description: String {
        switch self {
        case .unsupportedVersion: "it is an age file of a version ChunkFerry does not read"
        case .header(let problem): "its age header is malformed: \(problem)"
        case .noMatch: "none of the identities given can open it (encrypted to other recipients)"
        case .mac: "its age header was altered (the MAC does not match)"
        case .payload(let problem): "its encrypted payload is damaged: \(problem)"
        }
    }
}
