/// Where a stream's objects live:
/// `<S3_PREFIX><relative path>/<stream id>/chunk-00000000 … /manifest.json`.
///
/// Someone browsing the bucket finds the source file's path; chunk names sort in index order.
public struct ObjectLayout: Sendable {
    public let prefix: String

    public init(prefix: String) {
        self.prefix = UploadSettings.normalizedPrefix(prefix)
    }

    public func streamPrefix(path: String, streamID: String) -> String {
        "\(prefix)\(path)/\(streamID)/"
    }

    public func chunkKey(streamPrefix: String, index: Int) -> String {
        let digits = String(index)
        return streamPrefix + "chunk-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    public func manifestKey(streamPrefix: String) -> String {
        streamPrefix + "manifest.json"
    }
}
