/// A folder objects are written into as files, at their keys (see `init(config:)` for its key).
package struct FolderSettings: Sendable {
    package var path: String

    package init(path: String) {
        self.path = path
    }
}
