import ChunkFerryStorage
import ChunkFerrySupport

extension StorageSettings {
    /// The store these settings describe. `connections`: how many requests may run at once.
    /// `throttle`: BANDWIDTH_LIMIT and the uplink's classes, for the daemon's uploads.
    package func makeStore(connections: Int, abort: TransferAbort? = nil, throttle: UplinkThrottle? = nil) throws(StoreError) -> any ObjectStore {
        switch self {
        case .s3(let settings, _): try S3Client(settings: settings, connections: connections, abort: abort, throttle: throttle)
        case .filesystem(let settings): FolderStore(settings: settings, threads: connections, abort: abort, throttle: throttle)
        case .http(let settings): HTTPStore(settings: settings, connections: connections, abort: abort, throttle: throttle)
        }
    }

    /// Whose checkpoints a Redis namespace holds: the bucket, the folder or the server (an
    /// endpoint may change names; the bucket is what the checkpoints describe).
    var checkpointOwner: String {
        switch self {
        case .s3(let settings, _): "s3 bucket \(settings.bucket)"
        case .filesystem(let settings): "folder \(settings.path)"
        case .http(let settings): "HTTP server \(settings.url)"
        }
    }

    /// `S3_CREATE_BUCKET`: whether startup may create what is missing.
    var createsDestination: Bool {
        if case .s3(_, let create) = self { create } else { false }
    }
}
