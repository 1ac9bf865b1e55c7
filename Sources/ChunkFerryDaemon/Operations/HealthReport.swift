import Foundation
import ChunkFerryPipeline

/// The `/health` page: one JSON object saying whether the daemon does its job, and why not.
/// Never holds a secret, a credential-bearing URL or a file's contents.
struct HealthReport: Codable, Sendable {
    enum Status: String, Codable, Sendable {
        /// Working.
        case healthy
        /// Working around something that should pass: an outage, a camera down, a disk nearly full.
        case degraded
        /// Not doing its job until somebody acts: startup checks failed, credentials refused.
        case unhealthy
    }

    struct Totals: Codable, Sendable {
        var chunksUploaded: Int64
        var bytesUploaded: Int64
        var streamsFinalized: Int64
        var streamsAbandoned: Int64
        var uploadsFailedAndRetried: Int64
        var chunksRepaired: Int64
    }

    struct Streams: Codable, Sendable {
        var active: Int
        var finalized: Int
        var withProblems: Int
        /// Streams the store refuses an object of, waiting for `chunkferry retry`.
        var failed: Int
    }

    struct Storage: Codable, Sendable {
        var backend: String
        /// Endpoint and bucket, folder or URL: no credentials.
        var location: String
    }

    /// What a thief holding the box's store keys could do to stored footage (the startup
    /// check's probe), and the lock asked for.
    struct Tamper: Codable, Sendable {
        /// `yes`, `no` or `unknown`.
        var thiefCanDelete: String
        var reason: String
        /// `OBJECT_LOCK` as set (`compliance, 30d`); nil when off.
        var objectLock: String?
    }

    struct Disk: Codable, Sendable {
        var freeBytes: Int64
        var totalBytes: Int64
    }

    struct Camera: Codable, Sendable {
        var name: String
        var state: String
        var since: String
        var reason: String?
    }

    var status: Status
    var reasons: [String]
    var version: String
    var startedAt: String
    var uptimeSeconds: Int
    var lastUploadAt: String?
    var ready: Bool
    var totals: Totals
    var streams: Streams
    var backlogBytes: Int64
    var oldestUnsentSeconds: Double?
    /// The loss window: live footage not in the store per camera, unsent bytes per class, the
    /// measured uplink and BANDWIDTH_LIMIT.
    var uplink: UplinkReport
    var storage: Storage
    /// nil until the startup checks ran.
    var tamper: Tamper?
    /// `up` or `down`, by dependency (`store`, `redis`).
    var dependencies: [String: String]
    var disk: Disk?
    var cameras: [Camera]
    /// Events still open (nil without an event source).
    var events: [OpenEvent]?

    struct OpenEvent: Codable, Sendable {
        var id: String
        var camera: String
        var label: String
        var source: String
        var since: String
    }

    var httpStatus: Int { status == .unhealthy ? 503 : 200 }
}

extension HealthReport {
    /// JSON with snake_case keys, one object.
    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data("{\"status\":\"unhealthy\"}".utf8)) + [10]
    }
}
