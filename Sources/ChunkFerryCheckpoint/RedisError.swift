/// A Redis failure, with whether waiting and retrying can help.
package struct RedisError: Error, Sendable, CustomStringConvertible {
    package enum Kind: Sendable {
        /// Unreachable, refused, timed out or dropped: retry after Redis is back.
        case connection
        /// AUTH or ACL refused the credentials: only the user can fix REDIS_URL.
        case authentication
        /// REDIS_URL itself is malformed.
        case configuration
        /// Redis answered with an error reply (`ERR …`, `NOSCRIPT`, `LOADING`…).
        case reply
        /// The stored data is not what this version of ChunkFerry writes.
        case data
    }

    package var kind: Kind
    package var message: String

    package var isRetryable: Bool {
        switch kind {
        case .connection: true
        case .reply: message.hasPrefix("LOADING") || message.hasPrefix("BUSY") || message.hasPrefix("TRYAGAIN")
            || message.hasPrefix("MASTERDOWN") || message.hasPrefix("READONLY")
        case .authentication, .configuration, .data: false
        }
    }

    package var description: String { message }
}
