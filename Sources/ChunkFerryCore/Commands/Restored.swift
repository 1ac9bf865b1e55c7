/// What `restore` wrote.
public struct Restored: Sendable {
    /// The recording's path under WATCH_DIR.
    public var path: String
    public var size: Int64
    public var chunkCount: Int
    /// The whole file's SHA-256, verified, when the recording was finished.
    public var sha256: String?
    /// False for a recording cut off or still growing: what reached the store.
    public var complete: Bool
    /// Bytes taken from the provisional tail (MAX_LAG) past the last whole chunk.
    public var provisionalBytes: Int
    /// The whole object the chunks were read from (OUTPUT=whole).
    public var wholeObject: String?
}
