/// What `restore` wrote.
package struct Restored: Sendable {
    /// The recording's path under WATCH_DIR.
    package var path: String
    package var size: Int64
    package var chunkCount: Int
    /// The whole file's SHA-256, verified, when the recording was finished.
    package var sha256: String?
    /// False for a recording cut off or still growing: what reached the store.
    package var complete: Bool
    /// Bytes taken from the provisional tail (MAX_LAG) past the last whole chunk.
    package var provisionalBytes: Int
    /// The whole object the chunks were read from (OUTPUT=whole).
    package var wholeObject: String?
}
