import ChunkFerrySupport

/// An entity tag as HTTP servers and S3 send it (RFC 9110 8.8.3), in headers and XML alike.
enum ETag {
    /// The tag without its quotes or weak mark: `W/"abc"` and `"abc"` are `abc`; none is "".
    static func unquote(_ etag: String?) -> String {
        guard var etag else { return "" }
        if etag.hasPrefix("W/") { etag.removeFirst(2) }
        return etag.trimmed(of: "\"")
    }
}
