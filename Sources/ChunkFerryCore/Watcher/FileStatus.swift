#if canImport(Glibc)
import Glibc
#endif

/// What `stat(2)` says about a path, reduced to what streams need.
struct FileStatus: Sendable, Equatable {
    enum Kind: Sendable { case regular, directory, other }

    var kind: Kind
    var device: UInt64
    var inode: UInt64
    var size: Int64
    /// Modification time, nanoseconds since 1970.
    var modified: Int64
    /// Status-change time (ctime), nanoseconds since 1970.
    var changed: Int64

    /// The status of `path` (NUL-terminated bytes), following symlinks; the errno on failure.
    static func of(_ path: [CChar]) -> Result<FileStatus, Errno> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(Errno(errno)) }
        return .success(FileStatus(info))
    }

    /// Like `of`, but does not follow a final symlink (`kind` is `.other` for the link).
    static func ofLink(_ path: [CChar]) -> Result<FileStatus, Errno> {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .failure(Errno(errno)) }
        return .success(FileStatus(info))
    }

    static func of(_ path: String) -> Result<FileStatus, Errno> {
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
    func isUnchanged(since other: FileStatus) -> Bool {
        device == other.device && inode == other.inode && size == other.size && modified == other.modified
    }
}

/// A C `errno` with its message.
struct Errno: Error, Sendable, Equatable, CustomStringConvertible {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { String(cString: strerror(code)) }
    var isMissing: Bool { code == ENOENT || code == ENOTDIR }
    var isPermission: Bool { code == EACCES || code == EPERM }
}
