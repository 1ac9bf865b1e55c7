/// What the store confirmed for a stored object.
public struct S3PutResult: Sendable, Equatable {
    public var etag: String
    /// The checksum header's value the store echoed (Base64), when it did.
    public var checksum: String?
}

/// An object as HeadObject or a listing describes it.
public struct S3ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String
    /// Base64 SHA-256 stored with the object (HeadObject with checksum mode), when the store keeps one.
    public var checksumSHA256: String?
    /// Base64 CRC32C stored with the object, likewise.
    public var checksumCRC32C: String? = nil
    public var lastModified: String
    /// User metadata (`x-amz-meta-*`, names lower-cased without the prefix), from HeadObject only.
    public var metadata: [String: String] = [:]
    /// `x-amz-storage-class` as HeadObject reports it (absent for the standard class on AWS).
    public var storageClass: String?
}

/// One page of ListObjectsV2.
public struct S3ListPage: Sendable {
    public var objects: [S3ObjectInfo]
    public var commonPrefixes: [String]
    /// Pass back to get the next page; `nil` on the last one.
    public var continuationToken: String?
}
