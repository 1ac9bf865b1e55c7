/// A credential that must never reach a log line, an error or status output.
///
/// Every textual rendering is redacted; code that needs the value reads `value` explicitly.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }

    /// Replaces every occurrence of the secret in `text`: a guard for text that came from
    /// elsewhere (a server's error body, a library's message).
    public func scrub(_ text: String) -> String {
        guard value.count >= 4 else { return text }
        return text.replacing(value, with: "<redacted>")
    }
}
