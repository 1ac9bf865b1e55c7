import ChunkFerryStorage
import ChunkFerrySupport

extension StorageBackend {
    /// The settings only this backend reads; set with another backend, they are refused.
    /// (`AWS_*` names are not among them: other AWS tools share the environment.)
    var keys: [SettingKey] {
        switch self {
        case .s3: [.s3Endpoint, .s3Bucket, .s3Region, .forcePathStyle, .caFile, .stallTimeout, .createBucket, .integrity, .storageClass, .objectLock, .objectLockRetain, .objectLockTailRetain]
        case .filesystem: [.localStoragePath]
        case .http: [.httpUploadURL, .httpAuthToken, .httpMethod, .httpCAFile]
        }
    }
}
