/// One page of ListObjectsV2.
package struct S3ListPage: Sendable {
    package var objects: [ObjectInfo]
    package var commonPrefixes: [String]
    /// Pass back to get the next page; `nil` on the last one.
    package var continuationToken: String?
}
