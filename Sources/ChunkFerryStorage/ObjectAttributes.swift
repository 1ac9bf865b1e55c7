/// What goes with an object besides its bytes.
package struct ObjectAttributes: Sendable {
    package var contentType: String
    /// Kept with the object (S3 `x-amz-meta-*`, a folder's extended attributes).
    package var metadata: [String: String]
    /// Deleted within minutes (chunks under OUTPUT=whole): S3 stores it in the bucket's default
    /// class, since infrequent-access classes bill 30 days or more for anything stored.
    package var temporary: Bool
    /// The stream and chunk it belongs to, for stores that pass them on (HTTP headers).
    package var streamID: String?
    package var chunkIndex: Int?
    /// With `ENCRYPT_TO`: the box itself may read it back (a manifest, a write check; never
    /// footage). See `BoxKey`.
    package var readableByBox = false
    /// The plaintext size of an object assembled from others (`ENCRYPT_TO` makes it larger).
    package var length: Int64?
    /// How long `OBJECT_LOCK` keeps it (stores without a lock ignore it).
    package var lock = LockTerm.footage
    /// The CRC32C (Base64) an object assembled from others must have (FILE_DIGEST=crc32c): S3
    /// checks it as the full-object checksum and shows it on HEAD.
    package var wholeCRC32C: String?

    /// A check's test object: plain text, locked for a day only.
    package static var check: ObjectAttributes {
        var attributes = ObjectAttributes(contentType: "text/plain")
        attributes.lock = .probe
        return attributes
    }

    /// What an object is, for the retention `OBJECT_LOCK` gives it.
    package enum LockTerm: Sendable {
        /// Footage and what describes it (chunks, whole objects, manifests, snapshots, clips):
        /// `OBJECT_LOCK_RETAIN`.
        case footage
        /// A provisional piece, replaced by its chunk within a minute: `OBJECT_LOCK_TAIL_RETAIN`.
        case tail
        /// A check's own object: one day.
        case probe
    }

    package init(contentType: String = "application/octet-stream", metadata: [String: String] = [:], temporary: Bool = false,
                 streamID: String? = nil, chunkIndex: Int? = nil) {
        self.contentType = contentType
        self.metadata = metadata
        self.temporary = temporary
        self.streamID = streamID
        self.chunkIndex = chunkIndex
    }
}
