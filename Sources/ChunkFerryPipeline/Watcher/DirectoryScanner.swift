import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Walks WATCH_DIR: every directory to watch and every candidate file, as escaped relative
/// paths (see `PathEscaping`).
struct DirectoryScanner: Sendable {
    package let root: String
    package let filter: FileFilter

    package struct Result: Sendable {
        var directories: [String] = []
        package var files: [String] = []
        /// Directories not listed again because `memo` showed them unchanged: their files were not reported.
        var skipped = 0
    }

    /// Walks `relativeDirectory` ("" for the root) and everything below it. With `memo`, a
    /// directory unchanged since its last listing is not listed again (its subdirectories still are).
    /// Symlinks are followed to files inside WATCH_DIR only, never into directories (no loops).
    func scan(_ relativeDirectory: String = "", memo: ScanMemo? = nil) throws(Errno) -> Result {
        var result = Result()
        var pending = [relativeDirectory]
        var first = true
        let now = WallClock.nowMilliseconds() * 1_000_000
        while let directory = pending.popLast() {
            let systemPath = PathEscaping.systemPath(root: root, relative: directory)
            let status = try? FileStatus.of(systemPath).get()
            if let memo, let status, let subdirectories = memo.unchanged(directory, status) {
                first = false
                result.skipped += 1
                pending += subdirectories
                continue
            }
            guard let handle = opendir(systemPath) else {
                if first { throw Errno(errno) }
                continue  // vanished or unreadable while walking: the next scan sees it again
            }
            first = false
            result.directories.append(directory)
            var subdirectories: [String] = []
            var complete = true
            defer {
                closedir(handle)
                if let memo, let status, complete { memo.listed(directory, status, subdirectories: subdirectories, now: now) }
            }
            while true {
                errno = 0
                // NULL with errno set is a read error: that listing is not remembered as complete.
                guard let entry = readdir(handle) else {
                    complete = errno == 0
                    break
                }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    PathEscaping.escape(name: raw.prefix { $0 != 0 })
                }
                if name == "%2E" || name == "%2E%2E" { continue }
                let relative = directory.isEmpty ? name : "\(directory)/\(name)"
                switch Int32(entry.pointee.d_type) {
                case Int32(DT_DIR):
                    if filter.descends(into: Substring(name)) {
                        pending.append(relative)
                        subdirectories.append(relative)
                    }
                case Int32(DT_REG):
                    if filter.accepts(relative) { result.files.append(relative) }
                case Int32(DT_LNK):
                    if filter.accepts(relative), linksInside(relative) { result.files.append(relative) }
                case Int32(DT_UNKNOWN):  // some filesystems do not fill d_type
                    if case .success(let status) = FileStatus.ofLink(PathEscaping.systemPath(root: root, relative: relative)) {
                        if status.kind == .directory, filter.descends(into: Substring(name)) {
                            pending.append(relative)
                            subdirectories.append(relative)
                        }
                        if status.kind == .regular, filter.accepts(relative) { result.files.append(relative) }
                    }
                default:
                    continue
                }
            }
        }
        return result
    }

    /// Whether the symlink at `relative` resolves to a regular file inside WATCH_DIR.
    func linksInside(_ relative: String) -> Bool {
        guard let resolvedRoot = Self.realPath(Array(root.utf8CString)),
              let target = Self.realPath(PathEscaping.systemPath(root: root, relative: relative)) else { return false }
        let rootPrefix = resolvedRoot.last == UInt8(ascii: "/") ? resolvedRoot : resolvedRoot + [UInt8(ascii: "/")]
        guard target.starts(with: rootPrefix) else { return false }
        if case .success(let status) = FileStatus.of(target.map { CChar(bitPattern: $0) } + [0]) { return status.kind == .regular }
        return false
    }

    /// The canonical path's bytes (without the NUL).
    static func realPath(_ path: [CChar]) -> [UInt8]? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return Array(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)))
    }
}
