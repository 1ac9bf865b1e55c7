import ChunkFerryStorage
import ChunkFerrySupport

/// Where a stream stands in its life.
package enum StreamState: String, Sendable, CaseIterable, Codable {
    /// Growing or not yet finished: chunks are still being uploaded.
    case active
    /// Idle, fully uploaded, verified, manifest written.
    case finalized
    /// The file vanished before it was finished; what was uploaded stays.
    case abandoned
}

/// One generation of one file, as the checkpoint store keeps it.
package struct StreamRecord: Sendable, Equatable {
    /// Whether `status` still has the times the file had when this stream was finalized;
    /// nil when they were not recorded.
    package func hasTimes(of status: FileStatus) -> Bool? {
        guard let fileModified, let fileChanged else { return nil }
        return fileModified == status.modified && fileChanged == status.changed
    }

    /// Records `status`'s times, the ones a finalized record keeps.
    package mutating func takeTimes(of status: FileStatus) {
        fileModified = status.modified
        fileChanged = status.changed
    }

    package var id: String
    /// Relative to WATCH_DIR, `/`-separated.
    package var path: String
    package var device: UInt64
    package var inode: UInt64
    package var chunkSize: Int
    /// The folder under which this stream's chunks and manifest live.
    package var keyPrefix: String
    package var state: StreamState = .active
    /// Bytes `[0, committedOffset)` are confirmed by the store.
    package var committedOffset: Int64 = 0
    package var chunkCount: Int = 0
    /// The file's size when last seen.
    package var fileSize: Int64 = 0
    /// Unix milliseconds.
    package var startedAt: Int64
    package var updatedAt: Int64
    package var lastChunkAt: Int64?
    package var completedAt: Int64?
    /// Whole-file SHA-256 (hex), once finalized.
    package var sha256: String?
    package var host: String
    package var repairedChunks: Int = 0
    /// Why the stream cannot progress (an unreadable file), until it does again.
    package var lastError: String?
    /// The store refused one of its objects: it waits for `chunkferry retry` (or a reload).
    package var failed = false
    /// The whole recording's key, once assembled (`OUTPUT` `whole` or `both`).
    package var objectKey: String?
    /// The chunk objects were deleted after the whole object was confirmed (`OUTPUT=whole`).
    package var chunksDeleted = false
    /// When local retention deleted the file (unix ms), the store holding it.
    package var localDeletedAt: Int64?
    /// Read from the compact record a finalized stream keeps: no chunk records in Redis.
    package var isCompact = false
    /// The file's modification and status-change times (ns) when it was finalized: a file
    /// rewritten in place at the same size moves them (nil: finalized before they were kept).
    package var fileModified: Int64?
    package var fileChanged: Int64?

    package init(id: String, path: String, device: UInt64, inode: UInt64, chunkSize: Int, keyPrefix: String,
                startedAt: Int64, host: String) {
        self.id = id
        self.path = path
        self.device = device
        self.inode = inode
        self.chunkSize = chunkSize
        self.keyPrefix = keyPrefix
        self.startedAt = startedAt
        self.updatedAt = startedAt
        self.host = host
    }
}

/// A chunk the store confirmed: `[index·chunkSize, index·chunkSize + size)` of the file.
package struct ChunkRecord: Sendable, Equatable {
    package var index: Int
    package var size: Int
    /// What the store verified the bytes against.
    package var checksum: ChunkChecksum
    package var etag: String

    package init(index: Int, size: Int, checksum: ChunkChecksum, etag: String) {
        self.index = index
        self.size = size
        self.checksum = checksum
        self.etag = etag
    }
}
