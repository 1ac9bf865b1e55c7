import ChunkFerryStorage
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// How files become chunks, and when a file counts as finished.
///
/// Keys: `CHUNK_SIZE` (default `8MiB`, at least `5MiB` so chunks can be assembled server-side),
/// `IDLE_TIMEOUT` (default `30s`), `UPLOAD_CONCURRENCY` (default 4), `S3_PREFIX` (default empty),
/// `NODE_ID` (default: the host name), `LEASE_TTL` (default `15s`), `MAX_LAG` (default `10s`, `0` off).
package struct UploadSettings: Sendable {
    static let minimumChunkSize = 5 * 1024 * 1024

    package var chunkSize: Int
    package var idleTimeout: Duration
    package var concurrency: Int
    /// Empty, or ends with `/`.
    package var keyPrefix: String
    package var nodeID: String
    /// How long a stream's lease lasts without renewal: the longest another instance waits to
    /// take over the streams of one that died.
    package var leaseTTL: Duration
    /// How old the bytes past a growing file's last whole chunk may get before they are sent as a
    /// provisional object; nil: only whole chunks until the file is finished.
    package var maxLag: Duration?

    package init(chunkSize: Int = 8 << 20, idleTimeout: Duration = .seconds(30), concurrency: Int = 4, keyPrefix: String = "",
                nodeID: String = UploadSettings.hostName(), leaseTTL: Duration = .seconds(15), maxLag: Duration? = nil) {
        self.maxLag = maxLag
        self.chunkSize = chunkSize
        self.idleTimeout = idleTimeout
        self.concurrency = concurrency
        self.keyPrefix = ObjectLayout.normalizedPrefix(keyPrefix)
        self.nodeID = nodeID
        self.leaseTTL = leaseTTL
    }

    package init(config: SettingsReader) throws(SettingsError) {
        chunkSize = try config.byteSize(.chunkSize) ?? 8 << 20
        guard chunkSize >= Self.minimumChunkSize, chunkSize <= 5 << 30 else {
            throw SettingsError(.chunkSize, value: config.string(.chunkSize), expected: "a size from 5MiB to 5GiB")
        }
        idleTimeout = try config.duration(.idleTimeout) ?? .seconds(30)
        guard idleTimeout >= .seconds(1) else {
            throw SettingsError(.idleTimeout, value: config.string(.idleTimeout), expected: "at least 1s")
        }
        concurrency = try config.integer(.uploadConcurrency, range: 1...64) ?? 4
        // Each upload in flight holds one chunk in memory.
        guard chunkSize * concurrency <= 2 << 30 else {
            throw SettingsError(key: .chunkSize, message: "CHUNK_SIZE × UPLOAD_CONCURRENCY would hold \(chunkSize * concurrency >> 20)MiB of chunks in memory: keep the product at 2GiB or less")
        }
        keyPrefix = ObjectLayout.normalizedPrefix(config.string(.s3Prefix) ?? "")
        // Keys become paths with STORAGE_BACKEND=filesystem: `..` would climb out of the folder.
        if keyPrefix.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) {
            throw SettingsError(.s3Prefix, value: config.string(.s3Prefix), expected: "a prefix without . or .. segments, such as cameras/ or site-a/footage/")
        }
        nodeID = config.string(.nodeID) ?? Self.hostName()
        leaseTTL = try config.duration(.leaseTTL) ?? .seconds(15)
        guard leaseTTL >= .seconds(2) else {
            throw SettingsError(.leaseTTL, value: config.string(.leaseTTL), expected: "at least 2s")
        }
        let lag = try config.duration(.maxLag) ?? .seconds(10)
        guard lag == .zero || lag >= .seconds(1) else {
            throw SettingsError(.maxLag, value: config.string(.maxLag), expected: "0 (off) or at least 1s")
        }
        maxLag = lag == .zero ? nil : lag
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
