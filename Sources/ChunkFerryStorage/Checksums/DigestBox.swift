/// A digest handed to one reader pass at a time (`@unchecked`: never two passes at once, so its
/// state is never touched from two threads together).
package final class DigestBox: @unchecked Sendable {
    package var digest: Digest

    package init(_ digest: consuming Digest) { self.digest = digest }
}
