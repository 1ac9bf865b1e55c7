/// Which names are uploaded: the configured extensions, never hidden or temporary files.
package struct FileFilter: Sendable {
    package let extensions: Set<String>

    package init(extensions: Set<String>) {
        self.extensions = Set(extensions.map { $0.lowercased() })
    }

    /// Whether a file at `relativePath` (`/`-separated, relative to WATCH_DIR) is a candidate
    /// by its name alone; the caller still checks that it is a regular file.
    func accepts(_ relativePath: String) -> Bool {
        let components = relativePath.split(separator: "/")
        guard let name = components.last else { return false }
        if components.contains(where: { $0.hasPrefix(".") || $0 == ".." }) { return false }
        if isTemporary(name) { return false }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Whether a directory should be descended into (hidden ones are not).
    func descends(into name: Substring) -> Bool {
        !name.hasPrefix(".")
    }

    private func isTemporary(_ name: Substring) -> Bool {
        let lower = name.lowercased()
        return name.hasPrefix("~") || lower.hasSuffix(".tmp") || lower.hasSuffix(".part") || lower.hasSuffix(".partial")
    }
}
