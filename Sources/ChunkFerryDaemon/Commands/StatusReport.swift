import ChunkFerryCameras
import ChunkFerryCheckpoint
import ChunkFerryEvents
import ChunkFerryPipeline
import ChunkFerrySupport
import Foundation

/// `chunkferry status`: every stream Redis knows, as a table or JSON.
package struct StatusReport: Sendable {
    package struct Row: Codable, Sendable {
        package var path: String
        package var streamID: String
        package var state: String
        package var committedBytes: Int64
        package var fileSize: Int64
        package var chunks: Int
        package var lastActivity: String
        /// Seconds since the last confirmed chunk; nil before the first.
        package var lastChunkAgeSeconds: Int64?
        /// The instance that started the stream (NODE_ID).
        package var host: String
        /// The instance working on it now, for active streams (several instances share a directory).
        package var owner: String?
        package var keyPrefix: String
        /// Why the stream is stuck, if it is (an unreadable file).
        package var problem: String?
        /// The whole recording's key, once assembled (`OUTPUT` `whole` or `both`).
        package var objectKey: String?
        /// Whether the chunk objects are in the bucket (false once deleted after assembly).
        package var chunksInBucket: Bool
        /// When local retention deleted the file (RFC 3339), the store holding it.
        package var localDeletedAt: String?

        /// Where the recording is in the bucket, for the table.
        var location: String {
            switch (objectKey, chunksInBucket) {
            case (let key?, true): "\(key) + chunks"
            case (let key?, false): key
            case (nil, _): "chunks"
            }
        }

        enum CodingKeys: String, CodingKey {
            case path, state, chunks, host, problem
            case objectKey = "object_key"
            case chunksInBucket = "chunks_in_bucket"
            case localDeletedAt = "local_deleted_at"
            case streamID = "stream_id"
            case committedBytes = "committed_bytes"
            case fileSize = "file_size"
            case lastActivity = "last_activity"
            case lastChunkAgeSeconds = "last_chunk_age_seconds"
            case keyPrefix = "key_prefix"
        }
    }

    /// The disk under WATCH_DIR as each running instance last saw it (with local retention on).
    package struct Disk: Codable, Sendable {
        package var node: String
        package var availableBytes: Int64
        package var totalBytes: Int64
        /// Short of MIN_FREE_SPACE with only footage not yet uploaded left to delete.
        package var nearlyFull: Bool

        enum CodingKeys: String, CodingKey {
            case node
            case availableBytes = "available_bytes"
            case totalBytes = "total_bytes"
            case nearlyFull = "nearly_full"
        }
    }

    package let rows: [Row]
    package var disks: [Disk] = []
    /// Cameras the running daemon records (see `StatusReport+cameras`).
    package var cameras: [CameraStatus] = []
    /// Each running instance's loss window and uplink, as it last reported them.
    package var uplinks: [(node: String, report: UplinkReport)] = []
    /// Events not yet done (open, or ended and waiting for their clip), oldest first.
    package var events: [CameraEvent] = []

    package static func load(from store: CheckpointStore, now: Int64? = nil) async throws(RedisError) -> StatusReport {
        let now = now ?? WallClock.nowMilliseconds()
        let records = try await store.allStreams().sorted { ($0.path, $0.startedAt) < ($1.path, $1.startedAt) }
        let active = records.filter { $0.state == .active }.map(\.id)
        let owners = Dictionary(uniqueKeysWithValues: zip(active, try await store.leaseOwners(active)))
        let disks = try await store.disks(now: now).map { Disk(node: $0.node, availableBytes: $0.available, totalBytes: $0.total, nearlyFull: $0.short) }
        let cameras = try await store.cameras().map { shown($0, now: now) }
        let uplinks = try await store.uplinks(now: now).compactMap { node, json in UplinkReport(json: json).map { (node, $0) } }
        var report = StatusReport(rows: records.map { record in
            Row(path: record.path, streamID: record.id, state: record.failed && record.state == .active ? "failed" : record.state.rawValue, committedBytes: record.committedOffset,
                fileSize: max(record.fileSize, record.committedOffset), chunks: record.chunkCount,
                lastActivity: WallClock.rfc3339(milliseconds: record.updatedAt),
                lastChunkAgeSeconds: record.lastChunkAt.map { max(0, now - $0) / 1000 }, host: record.host,
                owner: (owners[record.id] ?? nil).map { String($0.split(separator: "/").first ?? "") },
                keyPrefix: record.keyPrefix, problem: record.lastError, objectKey: record.objectKey,
                chunksInBucket: !record.chunksDeleted, localDeletedAt: record.localDeletedAt.map(WallClock.rfc3339(milliseconds:)))
        }, disks: disks, cameras: cameras)
        report.uplinks = uplinks
        report.events = try await store.savedEvents().compactMap { try? JSONDecoder().decode(CameraEvent.self, from: Data($0.utf8)) }
            .sorted { $0.start < $1.start }
        return report
    }

    package func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(rows)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Totals, the local disk (`watchDirectory` as this command sees it, and as each running
    /// instance last measured it), and a warning when it is nearly full of footage not yet uploaded.
    /// `storage`: where objects go, as the summary names it ("the bucket", "the folder store", "the HTTP server").
    package func summary(watchDirectory: String? = nil, storage: String = "the store") -> String {
        let count = { (state: StreamState) in rows.filter { $0.state == state.rawValue }.count }
        let deleted = rows.filter { $0.localDeletedAt != nil }.count
        var lines = ["\(rows.count) streams: \(count(.active)) active, \(count(.finalized)) finalized, \(count(.abandoned)) abandoned; "
            + "\(Self.bytes(rows.reduce(0) { $0 + $1.committedBytes })) in \(storage); \(deleted) local files deleted after upload"]
        if let watchDirectory, disks.isEmpty, let local = DiskSpace.of(watchDirectory) {
            lines.append("disk under WATCH_DIR (\(watchDirectory)): \(Self.bytes(local.available)) free of \(Self.bytes(local.total))")
        }
        for (node, uplink) in uplinks { lines += uplink.statusLines(node: node) }
        for event in events {
            let state = event.end == nil ? "open" : "ended, clip pending"
            lines.append("event \(state): \(event.camera) \(event.label) since \(WallClock.rfc3339(milliseconds: event.start)) (\(event.source.rawValue) \(event.id))")
        }
        for disk in disks {
            lines.append("disk under WATCH_DIR (\(disk.node)): \(Self.bytes(disk.availableBytes)) free of \(Self.bytes(disk.totalBytes))")
            if disk.nearlyFull {
                lines.append("WARNING: disk nearly full of footage not yet uploaded (\(disk.node)); nothing more may be deleted until the store has it")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    package func table() -> String {
        guard !rows.isEmpty else { return "no streams yet\n" }
        let header = ["PATH", "STREAM", "STATE", "NODE", "COMMITTED / SIZE", "CHUNKS", "IN BUCKET", "LOCAL", "LAST ACTIVITY", "LAST CHUNK",
                      "PROBLEM"]
        let lines = rows.map { row in
            [row.path, row.streamID, row.state, row.owner ?? row.host,
             "\(Self.bytes(row.committedBytes)) / \(Self.bytes(row.fileSize))", String(row.chunks), row.location,
             row.localDeletedAt == nil ? "kept" : "deleted",
             row.lastActivity, row.lastChunkAgeSeconds.map { "\(Self.age($0)) ago" } ?? "-", row.problem ?? ""]
        }
        return Self.columns(header, lines)
    }

    /// Rows of cells as aligned columns, two spaces apart.
    static func columns(_ header: [String], _ lines: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max() ?? 0 }
        return ([header] + lines).map { cells in
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmed(of: " ")
        }.joined(separator: "\n") + "\n"
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func age(_ seconds: Int64) -> String {
        switch seconds {
        case ..<60: "\(seconds)s"
        case ..<3600: "\(seconds / 60)m\(seconds % 60)s"
        case ..<86_400: "\(seconds / 3600)h\(seconds / 60 % 60)m"
        default: "\(seconds / 86_400)d\(seconds / 3600 % 24)h"
        }
    }
}
