/// What the store confirmed for a stored object.
package struct PutResult: Sendable, Equatable {
    package var etag: String
    /// The checksum header's value the store echoed (Base64), when it did.
    package var checksum: String?
}

/// An object as a HEAD or a listing describes it.
package struct ObjectInfo: Sendable, Equatable {
    package var key: String
    package var size: Int64
    package var etag: String
    /// Base64 SHA-256 stored with the object (S3 HeadObject with checksum mode, a folder's extended
    /// attribute, an HTTP server's Repr-Digest), when the store keeps one.
    package var checksumSHA256: String?
    /// Base64 CRC32C stored with the object, likewise.
    package var checksumCRC32C: String? = nil
    package var lastModified: String
    /// User metadata (S3 `x-amz-meta-*`, names lower-cased without the prefix), from a HEAD only.
    package var metadata: [String: String] = [:]
    /// `x-amz-storage-class` as HeadObject reports it (absent for the standard class on AWS).
    package var storageClass: String?
}
