import ChunkFerrySupport
import Foundation

/// The JSON record written beside a clip: what happened, which footage it covers, and the
/// clip's digest (`sha256sum` of the downloaded clip must match).
struct EventRecord: Sendable, Encodable {
    struct Recording: Sendable, Encodable {
        var path: String
        var stream: String
        var manifest: String
        var start: String
        var end: String
        /// The bytes of the recording the window covers, estimated from its span in time.
        var bytes: [Int64]
    }

    struct Clip: Sendable, Encodable {
        var key: String
        var size: Int64
        var sha256: String
    }

    struct Snapshot: Sendable, Encodable {
        var path: String
        var manifest: String
        var at: String
    }

    var id: String
    var camera: String
    var label: String
    var source: String
    var severity: String?
    var start: String
    var end: String
    var window: [String]
    var recordings: [Recording]
    var snapshots: [Snapshot]
    var clip: Clip?
    /// Why there is no clip, when there is none.
    var problem: String?

    static func time(_ milliseconds: Int64) -> String {
        WallClock.rfc3339(milliseconds: milliseconds)
    }

    var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8)) + [0x0A]
    }
}
