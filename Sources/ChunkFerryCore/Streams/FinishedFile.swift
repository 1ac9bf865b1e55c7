/// A file whose stream is finalized and that has not changed since: all the manager keeps of it,
/// so that 100,000 finished recordings on disk cost a few MiB instead of a tracked file each.
struct FinishedFile: Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int64
    var generation: Int32
    /// When the stream was finalized (unix ms), for retention's oldest-uploaded-first order.
    var completedAt: Int64

    init(_ status: FileStatus, generation: Int, completedAt: Int64) {
        device = status.device
        inode = status.inode
        size = status.size
        modified = status.modified
        self.generation = Int32(clamping: generation)
        self.completedAt = completedAt
    }

    /// Whether `status` is still this file, unchanged.
    func matches(_ status: FileStatus) -> Bool {
        device == status.device && inode == status.inode && size == status.size && modified == status.modified
    }
}

/// A finalized stream Redis holds, as the manager remembers it until its file shows up.
struct FinishedStream: Sendable {
    var size: Int64
    var completedAt: Int64

    /// Stream ids are 20 hex digits; their first 16 make a key with no collision in practice.
    static func key(_ id: String) -> UInt64 {
        UInt64(id.prefix(16), radix: 16) ?? UInt64(truncatingIfNeeded: id.hashValue)
    }
}
