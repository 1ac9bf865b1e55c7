import ChunkFerryCameras
import ChunkFerryEvents
import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Everything the daemon and its commands are configured with.
package struct ChunkFerrySettings: Sendable {
    package var watch: WatchSettings
    package var upload: UploadSettings
    package var uplink = UplinkSettings()
    package var output: OutputSettings
    package var retention: RetentionSettings
    package var storage: StorageSettings
    package var redis: RedisSettings
    package var log: LogSettings
    package var endpoint = EndpointSettings()
    /// Cameras to record into WATCH_DIR/<name>/ (config file only).
    package var cameras: [CameraSettings] = []
    /// Event sources (webhook, Frigate) and what events do.
    package var events = EventSettings()
    /// ENCRYPT_TO: whom objects are encrypted to.
    package var encryption = EncryptionSettings()

    package init(watch: WatchSettings, upload: UploadSettings, output: OutputSettings, retention: RetentionSettings = RetentionSettings(),
                storage: StorageSettings, redis: RedisSettings, log: LogSettings = LogSettings()) {
        self.retention = retention
        self.watch = watch
        self.upload = upload
        self.output = output
        self.storage = storage
        self.redis = redis
        self.log = log
    }

    package init(config: SettingsReader) throws(SettingsError) {
        watch = try WatchSettings(config: config)
        upload = try UploadSettings(config: config)
        uplink = try UplinkSettings(config: config)
        output = try OutputSettings(config: config)
        retention = try RetentionSettings(config: config)
        storage = try StorageSettings(config: config)
        // The whole file's CRC32C is its chunks' combined: they must be CRC32Cs.
        if output.fileDigest == .crc32c, storage.backend == .http || storage.s3.map({ $0.integrity != .crc32c }) == true {
            let why = storage.backend == .http ? "an HTTP server's chunks are checked by SHA-256" : "S3_INTEGRITY=\(storage.s3?.integrity.rawValue ?? "") checks chunks by SHA-256"
            throw SettingsError(key: .fileDigest, message: "FILE_DIGEST=crc32c combines the chunks' CRC32Cs, but \(why): set S3_INTEGRITY=crc32c (S3), or keep FILE_DIGEST=sha256")
        }
        if storage.backend == .http && output.mode != .chunks {
            throw SettingsError(key: .output, message: "OUTPUT=\(output.mode.rawValue) cannot work with STORAGE_BACKEND=http: an HTTP server cannot join chunks into one object; use OUTPUT=chunks (the server receives every chunk and a manifest listing them in order)")
        }
        if case .filesystem(let folder) = storage,
           Self.contains(watch.directory, folder.path) || Self.contains(folder.path, watch.directory) {
            throw SettingsError(key: .localStoragePath, message: "LOCAL_STORAGE_PATH '\(folder.path)' and WATCH_DIR '\(watch.directory)' overlap: ChunkFerry would upload its own copies; keep them apart")
        }
        redis = try RedisSettings(config: config)
        log = try LogSettings(config: config)
        endpoint = try EndpointSettings(config: config)
        cameras = try CameraSettings.list(config: config)
        events = try EventSettings(config: config)
        encryption = try EncryptionSettings(config: config)
        if events.token != nil && endpoint.port == nil {
            throw SettingsError(key: .eventsToken, message: "EVENTS_TOKEN is set but HTTP_PORT=0 turns the endpoint off, so POST /events cannot be reached: set HTTP_PORT")
        }
        // What the recorders write is uploaded whatever FILE_EXTENSIONS says.
        watch.fileExtensions.formUnion(CameraSettings.recordedExtensions(cameras))
    }

    /// Whether `path` is `folder` or lies under it (symlinks resolved where the paths exist).
    static func contains(_ folder: String, _ path: String) -> Bool {
        func resolved(_ text: String) -> String {
            guard let real = realpath(text, nil) else { return text }
            defer { free(real) }
            return String(cString: real)
        }
        let (outer, inner) = (resolved(folder), resolved(path))
        return inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
    }
}
