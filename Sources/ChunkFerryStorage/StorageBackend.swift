/// The kinds of place objects can go (`STORAGE_BACKEND`).
package enum StorageBackend: String, Sendable, CaseIterable {
    /// An S3-compatible bucket (AWS S3, MinIO, R2, B2, SeaweedFS).
    case s3
    /// A folder: a local disk, a USB disk, or a NAS mounted over NFS or SMB.
    case filesystem
    /// The user's own HTTP server, one PUT (or POST) per object.
    case http
}

extension StorageBackend {
    /// The startup check's name, as `check` prints it.
    package var checkName: String {
        switch self {
        case .s3: "bucket"
        case .filesystem: "folder"
        case .http: "http server"
        }
    }
}
