/// What the store confirmed for a stored object.
public struct PutResult: Sendable, Equatable {
    public var etag: String
    /// The checksum header's value the store echoed (Base64), when it did.
    public var checksum: String?
}

/// An object as a HEAD or a listing describes it.
public struct ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String
    /// Base64 SHA-256 stored with the object (S3 HeadObject with checksum mode, a folder's extended
    /// attribute, an HTTP server's Repr-Digest), when the store keeps one.
    public var checksumSHA256: String?
    /// Base64 CRC32C stored with the object, likewise.
    public var checksumCRC32C: String? = nil
    public var lastModified: String
    /// User metadata (S3 `x-amz-meta-*`, names lower-cased without the prefix), from a HEAD only.
    public var metadata: [String: String] = [:]
    /// `x-amz-storage-class` as HeadObject reports it (absent for the standard class on AWS).
    public var storageClass: String?
}
