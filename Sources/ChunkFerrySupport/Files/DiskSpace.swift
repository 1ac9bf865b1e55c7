#if canImport(Glibc)
import Glibc
#endif

/// Free and total bytes of the filesystem holding a path, as an unprivileged user may use them.
package struct DiskSpace: Sendable, Equatable {
    package var available: Int64
    package var total: Int64

    package static func of(_ path: String) -> DiskSpace? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let unit = Int64(info.f_frsize)
        return DiskSpace(available: Int64(info.f_bavail) * unit, total: Int64(info.f_blocks) * unit)
    }
}
