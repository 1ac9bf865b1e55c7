import ChunkFerrySupport

/// What one look at a path under WATCH_DIR found. Looks are made on threads that may block (the
/// watcher's, a snapshot taker's), never by the `StreamManager` actor: a hung NFS or SMB share,
/// where many recorders keep footage, then stalls a look and not the pipeline's state.
package struct FileSighting: Sendable {
    package enum Found: Sendable {
        /// A regular file (a symlink to one inside WATCH_DIR counts as one).
        case file(FileStatus)
        /// Nothing there: deleted or moved away.
        case missing
        /// Not for upload: a folder, a device, a link leading outside, or unreadable for now.
        case other
    }

    package var path: String
    package var found: Found

    /// Looks at `path` (relative to `root`); a name `filter` refuses is not looked at.
    package static func look(root: String, filter: FileFilter, path: String) -> FileSighting {
        guard filter.accepts(path) else { return FileSighting(path: path, found: .other) }
        let absolute = PathEscaping.systemPath(root: root, relative: path)
        // One lstat per path; only a symlink costs a second look (where it leads, and what is there).
        var result = FileStatus.ofLink(absolute)
        if case .success(let link) = result, link.kind == .other {
            guard DirectoryScanner(root: root, filter: filter).linksInside(path) else { return FileSighting(path: path, found: .other) }
            result = FileStatus.of(absolute)
        }
        switch result {
        case .failure(let error): return FileSighting(path: path, found: error.isMissing ? .missing : .other)
        case .success(let status): return FileSighting(path: path, found: status.kind == .regular ? .file(status) : .other)
        }
    }

    package static func look(root: String, filter: FileFilter, paths: [String]) -> [FileSighting] {
        paths.map { look(root: root, filter: filter, path: $0) }
    }
}
