/// One page of ListObjectsV2.
public struct S3ListPage: Sendable {
    public var objects: [ObjectInfo]
    public var commonPrefixes: [String]
    /// Pass back to get the next page; `nil` on the last one.
    public var continuationToken: String?
}
