/// The kinds of place objects can go (`STORAGE_BACKEND`).
public enum StorageBackend: String, Sendable, CaseIterable {
    /// An S3-compatible bucket (AWS S3, MinIO, R2, B2, SeaweedFS).
    case s3
    /// A folder: a local disk, a USB disk, or a NAS mounted over NFS or SMB.
    case filesystem
    /// The user's own HTTP server, one PUT (or POST) per object.
    case http

    /// The settings only this backend reads; set with another backend, they are refused.
    /// (`AWS_*` names are not among them: other AWS tools share the environment.)
    var keys: [SettingKey] {
        switch self {
        case .s3: [.s3Endpoint, .s3Bucket, .s3Region, .forcePathStyle, .caFile, .stallTimeout, .createBucket, .integrity, .storageClass]
        case .filesystem: [.localStoragePath]
        case .http: [.httpUploadURL, .httpAuthToken, .httpMethod, .httpCAFile]
        }
    }
}

extension StorageBackend {
    /// The startup check's name, as `check` prints it.
    var checkName: String {
        switch self {
        case .s3: "bucket"
        case .filesystem: "folder"
        case .http: "http server"
        }
    }
}
