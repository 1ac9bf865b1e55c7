/// Where a stream stands in its life.
public enum StreamState: String, Sendable, CaseIterable, Codable {
    /// Growing or not yet finished: chunks are still being uploaded.
    case active
    /// Idle, fully uploaded, verified, manifest written.
    case finalized
    /// The file vanished before it was finished; what was uploaded stays.
    case abandoned
}

/// One generation of one file, as the checkpoint store keeps it.
public struct StreamRecord: Sendable, Equatable {
    /// Whether `status` still has the times the file had when this stream was finalized;
    /// nil when they were not recorded.
    func hasTimes(of status: FileStatus) -> Bool? {
        guard let fileModified, let fileChanged else { return nil }
        return fileModified == status.modified && fileChanged == status.changed
    }

    /// Records `status`'s times, the ones a finalized record keeps.
    mutating func takeTimes(of status: FileStatus) {
        fileModified = status.modified
        fileChanged = status.changed
    }

    public var id: String
    /// Relative to WATCH_DIR, `/`-separated.
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    public var chunkSize: Int
    /// The folder under which this stream's chunks and manifest live.
    public var keyPrefix: String
    public var state: StreamState = .active
    /// Bytes `[0, committedOffset)` are confirmed by the store.
    public var committedOffset: Int64 = 0
    public var chunkCount: Int = 0
    /// The file's size when last seen.
    public var fileSize: Int64 = 0
    /// Unix milliseconds.
    public var startedAt: Int64
    public var updatedAt: Int64
    public var lastChunkAt: Int64?
    public var completedAt: Int64?
    /// Whole-file SHA-256 (hex), once finalized.
    public var sha256: String?
    public var host: String
    public var repairedChunks: Int = 0
    /// Why the stream cannot progress (an unreadable file), until it does again.
    public var lastError: String?
    /// The store refused one of its objects: it waits for `chunkferry retry` (or a reload).
    public var failed = false
    /// The whole recording's key, once assembled (`OUTPUT` `whole` or `both`).
    public var objectKey: String?
    /// The chunk objects were deleted after the whole object was confirmed (`OUTPUT=whole`).
    public var chunksDeleted = false
    /// When local retention deleted the file (unix ms), the store holding it.
    public var localDeletedAt: Int64?
    /// Read from the compact record a finalized stream keeps: no chunk records in Redis.
    public var isCompact = false
    /// The file's modification and status-change times (ns) when it was finalized: a file
    /// rewritten in place at the same size moves them (nil: finalized before they were kept).
    public var fileModified: Int64?
    public var fileChanged: Int64?

    public init(id: String, path: String, device: UInt64, inode: UInt64, chunkSize: Int, keyPrefix: String,
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
public struct ChunkRecord: Sendable, Equatable {
    public var index: Int
    public var size: Int
    /// What the store verified the bytes against.
    public var checksum: ChunkChecksum
    public var etag: String

    /// A chunk as its manifest lists it (the store's ETag is not kept there); nil when it names
    /// no checksum this version knows.
    init?(listed chunk: Manifest.Chunk) {
        guard let checksum = chunk.checksum else { return nil }
        self.init(index: chunk.index, size: chunk.size, checksum: checksum, etag: "")
    }

    public init(index: Int, size: Int, checksum: ChunkChecksum, etag: String) {
        self.index = index
        self.size = size
        self.checksum = checksum
        self.etag = etag
    }
}
