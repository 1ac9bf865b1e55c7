import ChunkFerrySupport
import Synchronization

/// Whether WATCH_DIR is there as the folder the files live in. A share that goes away leaves
/// either nothing (the folder missing) or the bare mount point: a folder on the disk above, no
/// longer a mount point. Its files then vanish all at once, which is not their deletion.
/// Device numbers are not compared: a remounted NFS or SMB share may come back with another.
package final class WatchRoot: Sendable {
    package let path: [CChar]
    private let parent: [CChar]
    /// Whether WATCH_DIR was ever seen as a mount point (a share mounted on it), and the last answer.
    private let state = Mutex<(wasMountPoint: Bool, away: Bool)>((false, false))

    package init(_ directory: String) {
        let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        path = Array(trimmed.utf8CString)
        parent = Array((trimmed + "/..").utf8CString)
    }

    /// Looks at the folder now (on a thread that may block: the watcher's): whether the share
    /// is away, and whether that changed since the last look.
    func refresh() -> (away: Bool, changed: Bool) {
        let root = try? FileStatus.of(path).get()
        let above = try? FileStatus.of(parent).get()
        let mountPoint = root != nil && above != nil && root?.device != above?.device
        return state.withLock { state in
            if mountPoint { state.wasMountPoint = true }
            let away = root?.kind != .directory || (state.wasMountPoint && !mountPoint)
            let changed = away != state.away
            state.away = away
            return (away, changed)
        }
    }

    /// The last look's answer, without touching the filesystem (for the manager, an actor).
    var isAway: Bool { state.withLock { $0.away } }
}
