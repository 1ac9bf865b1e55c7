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

    /// A piece of the bytes past whole chunk `index` of a stream still growing, starting `from`
    /// bytes into that chunk: each MAX_LAG flush sends what the earlier ones did not, and all go
    /// once chunk `index` is committed. The first piece (`from` 0) has the key a whole tail had.
    package func provisionalKey(streamPrefix: String, index: Int, from: Int64 = 0) -> String {
        let digits = String(index)
        let key = streamPrefix + "provisional-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
        guard from > 0 else { return key }
        let offset = String(from)
        return key + "-" + String(repeating: "0", count: max(0, 10 - offset.count)) + offset
    }

    /// The chunk index and offset into it of a provisional piece's object name
    /// (`provisional-00000003` or `provisional-00000003-0001048576`); nil for other names.
    package static func provisionalPiece(_ name: Substring) -> (index: Int, from: Int64)? {
        guard name.hasPrefix("provisional-") else { return nil }
        let parts = name.dropFirst("provisional-".count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts[0].count == 8, let index = Int(parts[0]) else { return nil }
        guard parts.count == 2 else { return (index, 0) }
        guard parts[1].count == 10, let from = Int64(parts[1]) else { return nil }
        return (index, from)
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
