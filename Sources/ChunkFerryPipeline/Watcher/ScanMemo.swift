import ChunkFerrySupport

/// What the last listing of each directory found, so a rescan lists only directories whose
/// modification or status-change time moved: 100,000 finished files in unchanged folders cost a
/// `stat` per folder, not per file. `@unchecked`: only the watcher uses it, one step at a time
/// (a scan on its pool's one thread, or `forgetAll` from its task while no scan runs), so its
/// tables are never touched from two threads at once.
final class ScanMemo: @unchecked Sendable {
    package struct Entry {
        package var modified: Int64
        package var changed: Int64
        var subdirectories: [String]
    }

    /// A listing this recent may have raced a change within the clock's granularity: never trusted.
    static let settle: Int64 = 2_000_000_000

    private var entries: [String: Entry] = [:]

    /// The subdirectories of `directory` if it is unchanged since it was listed.
    package func unchanged(_ directory: String, _ status: FileStatus) -> [String]? {
        guard let entry = entries[directory], entry.modified == status.modified, entry.changed == status.changed else { return nil }
        return entry.subdirectories
    }

    /// Remembers a listing made at `now` (unix ns), unless the directory changed too recently.
    func listed(_ directory: String, _ status: FileStatus, subdirectories: [String], now: Int64) {
        if now - max(status.modified, status.changed) < Self.settle {
            entries[directory] = nil
        } else {
            entries[directory] = Entry(modified: status.modified, changed: status.changed, subdirectories: subdirectories)
        }
    }

    /// The next scan lists everything.
    func forgetAll() {
        entries.removeAll()
    }
}
