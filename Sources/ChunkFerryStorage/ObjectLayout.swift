import ChunkFerrySupport

/// Where a stream's objects live:
/// `<S3_PREFIX><relative path>/<stream id>/chunk-00000000 … /manifest.json`.
///
/// Someone browsing the bucket finds the source file's path; chunk names sort in index order.
/// When whole recordings are assembled (`OUTPUT` `whole` or `both`) the stream folders move under
/// `<S3_PREFIX>.chunkferry/streams/`: a recording's key (`front-door/x.mp4`) and a folder of the
/// same name (`front-door/x.mp4/<id>/`) cannot both exist in MinIO or SeaweedFS, and the
/// recordings' tree stays clean to browse.
package struct ObjectLayout: Sendable {
    /// Under S3_PREFIX: where stream folders go beside whole recordings. `KEY_TEMPLATE` may not use it.
    package static let streamsFolder = ".chunkferry/streams/"

    package let prefix: String
    /// `prefix`, or `prefix` + `streamsFolder` beside whole recordings.
    package let streamsRoot: String

    package init(prefix: String, besideWholeObjects: Bool = false) {
        self.prefix = Self.normalizedPrefix(prefix)
        streamsRoot = self.prefix + (besideWholeObjects ? Self.streamsFolder : "")
    }

    package func streamPrefix(path: String, streamID: String) -> String {
        "\(streamsRoot)\(path)/\(streamID)/"
    }

    package func chunkKey(streamPrefix: String, index: Int) -> String {
        let digits = String(index)
        return streamPrefix + "chunk-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The bytes past whole chunk `index` of a stream still growing, replaced as it grows and
    /// deleted once chunk `index` is committed (see MAX_LAG).
    package func provisionalKey(streamPrefix: String, index: Int) -> String {
        let digits = String(index)
        return streamPrefix + "provisional-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    package func manifestKey(streamPrefix: String) -> String {
        streamPrefix + "manifest.json"
    }

    /// `S3_PREFIX` as keys start with it: no leading `/`, one trailing `/` unless empty.
    package static func normalizedPrefix(_ prefix: String) -> String {
        let trimmedPrefix = prefix.trimmed(of: "/ ")
        return trimmedPrefix.isEmpty ? "" : trimmedPrefix + "/"
    }
}
