import ChunkFerryStorage
import ChunkFerrySupport

/// Where objects go, and how to reach it.
///
/// Keys: `STORAGE_BACKEND` (`s3`, the default; `filesystem`; `http`), then the chosen backend's
/// own keys (`S3Settings`, `FolderSettings`, `HTTPStoreSettings`). A key that belongs to another
/// backend is refused, so footage never goes somewhere other than the settings seem to say.
/// `S3_PREFIX` applies to every backend: objects sit at the same keys wherever they go.
package enum StorageSettings: Sendable {
    /// `createBucket`: `S3_CREATE_BUCKET` (default false), create the bucket at startup when missing.
    case s3(S3Settings, createBucket: Bool)
    case filesystem(FolderSettings)
    case http(HTTPStoreSettings)

    package var backend: StorageBackend {
        switch self {
        case .s3: .s3
        case .filesystem: .filesystem
        case .http: .http
        }
    }

    package var s3: S3Settings? {
        if case .s3(let settings, _) = self { settings } else { nil }
    }

    package init(config: SettingsReader) throws(SettingsError) {
        let text = config.string(.storageBackend) ?? StorageBackend.s3.rawValue
        guard let backend = StorageBackend(rawValue: text.lowercased()) else {
            throw SettingsError(.storageBackend, value: text, expected: "s3, filesystem or http")
        }
        let foreign = StorageBackend.allCases.filter { $0 != backend }.flatMap(\.keys).filter { config.string($0) != nil }
        if !foreign.isEmpty {
            let names = foreign.map(\.environmentName).joined(separator: ", ")
            throw SettingsError(key: foreign[0], message: "\(names) \(foreign.count == 1 ? "belongs" : "belong") to another storage backend, but STORAGE_BACKEND=\(backend.rawValue): unset \(foreign.count == 1 ? "it" : "them"), or set STORAGE_BACKEND to the backend you mean")
        }
        switch backend {
        case .s3: self = .s3(try S3Settings(config: config), createBucket: try config.bool(.createBucket) ?? false)
        case .filesystem: self = .filesystem(try FolderSettings(config: config))
        case .http: self = .http(try HTTPStoreSettings(config: config))
        }
    }
}
