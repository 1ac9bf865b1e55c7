extension StorageSettings {
    /// The store these settings describe. `connections`: how many requests may run at once.
    func makeStore(connections: Int, abort: TransferAbort? = nil) throws(StoreError) -> any ObjectStore {
        switch self {
        case .s3(let settings, _): try S3Client(settings: settings, connections: connections, abort: abort)
        case .filesystem(let settings): FolderStore(settings: settings, threads: connections, abort: abort)
        case .http(let settings): HTTPStore(settings: settings, connections: connections, abort: abort)
        }
    }

    /// `S3_CREATE_BUCKET`: whether startup may create what is missing.
    var createsDestination: Bool {
        if case .s3(_, let create) = self { create } else { false }
    }
}
