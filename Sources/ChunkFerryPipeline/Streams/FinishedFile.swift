import ChunkFerryCheckpoint
import ChunkFerrySupport

/// A file whose stream is finalized and that has not changed since: all the manager keeps of it,
/// so that 100,000 finished recordings on disk cost a few MiB instead of a tracked file each.
package struct FinishedFile: Sendable {
    package var device: UInt64
    package var inode: UInt64
    package var size: Int64
    package var modified: Int64
    package var changed: Int64
    var generation: Int32
    /// The full scan that last saw it (it fits in what alignment leaves free).
    var scanMark: UInt8 = 0
    /// When the stream was finalized (unix ms), for retention's oldest-uploaded-first order.
    package var completedAt: Int64

    package init(_ status: FileStatus, generation: Int, completedAt: Int64) {
        device = status.device
        inode = status.inode
        size = status.size
        modified = status.modified
        changed = status.changed
        self.generation = Int32(clamping: generation)
        self.completedAt = completedAt
    }

    /// Its status as it was when finished.
    var status: FileStatus {
        FileStatus(kind: .regular, device: device, inode: inode, size: size, modified: modified, changed: changed)
    }

    /// Whether `status` is still this file, unchanged: a rewrite in place at the same size still
    /// moves its modification or status-change time.
    package func matches(_ status: FileStatus) -> Bool {
        device == status.device && inode == status.inode && size == status.size && modified == status.modified
            && changed == status.changed
    }
}

/// A finalized stream Redis holds, as the manager remembers it until the initial scan found its
/// file: sorted by key, 40 bytes each.
package struct FinishedStream: Sendable {
    package var key: UInt64
    package var size: Int64
    package var completedAt: Int64
    /// The file's times when finalized (0: not recorded).
    package var modified: Int64
    package var changed: Int64

    package init(_ record: StreamRecord) {
        key = Self.key(record.id)
        size = record.fileSize
        completedAt = record.completedAt ?? 0
        modified = record.fileModified ?? 0
        changed = record.fileChanged ?? 0
    }

    /// Whether the file at `status` may have been rewritten since: same size, other times.
    func timesMoved(_ status: FileStatus) -> Bool {
        modified != 0 && (modified != status.modified || changed != status.changed)
    }

    /// Stream ids are 20 hex digits; their first 16 make a key with no collision in practice.
    package static func key(_ id: String) -> UInt64 {
        UInt64(id.prefix(16), radix: 16) ?? UInt64(truncatingIfNeeded: id.hashValue)
    }
}

extension Array where Element == FinishedStream {
    /// The stream with `key`, by binary search (the array is sorted by key).
    package func finished(_ key: UInt64) -> FinishedStream? {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low < count && self[low].key == key ? self[low] : nil
    }
}
