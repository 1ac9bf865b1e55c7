#if canImport(Glibc)
import Glibc
#endif

/// What `stat(2)` says about a path, reduced to what streams need.
package struct FileStatus: Sendable, Equatable {
    package enum Kind: Sendable { case regular, directory, other }

    package var kind: Kind
    package var device: UInt64
    package var inode: UInt64
    package var size: Int64
    /// Modification time, nanoseconds since 1970.
    package var modified: Int64
    /// Status-change time (ctime), nanoseconds since 1970.
    package var changed: Int64

    package init(kind: Kind, device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.kind = kind
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    /// The status of `path` (NUL-terminated bytes), following symlinks; the errno on failure.
    package static func of(_ path: [CChar]) -> Result<FileStatus, Errno> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(Errno(errno)) }
        return .success(FileStatus(info))
    }

    /// Like `of`, but does not follow a final symlink (`kind` is `.other` for the link).
    package static func ofLink(_ path: [CChar]) -> Result<FileStatus, Errno> {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .failure(Errno(errno)) }
        return .success(FileStatus(info))
    }

    package static func of(_ path: String) -> Result<FileStatus, Errno> {
        of(Array(path.utf8CString))
    }

    private init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    /// Same file, same length, same modification time: nothing was written since.
    package func isUnchanged(since other: FileStatus) -> Bool {
        device == other.device && inode == other.inode && size == other.size && modified == other.modified
    }
}

/// A C `errno` with its message.
package struct Errno: Error, Sendable, Equatable, CustomStringConvertible {
    package let code: Int32
    package init(_ code: Int32) { self.code = code }
    package var description: String { String(cString: strerror(code)) }
    package var isMissing: Bool { code == ENOENT || code == ENOTDIR }
    package var isPermission: Bool { code == EACCES || code == EPERM }
}
