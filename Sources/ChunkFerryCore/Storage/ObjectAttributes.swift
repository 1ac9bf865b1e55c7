/// What goes with an object besides its bytes.
struct ObjectAttributes: Sendable {
    var contentType = "application/octet-stream"
    /// Kept with the object (S3 `x-amz-meta-*`, a folder's extended attributes).
    var metadata: [String: String] = [:]
    /// Deleted within minutes (chunks under OUTPUT=whole): S3 stores it in the bucket's default
    /// class, since infrequent-access classes bill 30 days or more for anything stored.
    var temporary = false
    /// The stream and chunk it belongs to, for stores that pass them on (HTTP headers).
    var streamID: String? = nil
    var chunkIndex: Int? = nil
}
