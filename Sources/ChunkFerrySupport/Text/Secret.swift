/// A credential that must never reach a log line, an error or status output.
///
/// Every textual rendering is redacted; code that needs the value reads `value` explicitly.
package struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    package let value: String

    package init(_ value: String) { self.value = value }

    package var isEmpty: Bool { value.isEmpty }
    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }

    /// Replaces every occurrence of the secret in `text`: a guard for text that came from
    /// elsewhere (a server's error body, a library's message).
    package func scrub(_ text: String) -> String {
        guard value.count >= 4 else { return text }
        return text.replacing(value, with: "<redacted>")
    }
}
