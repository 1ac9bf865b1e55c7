/// Everything the daemon and its commands are configured with.
public struct ChunkFerrySettings: Sendable {
    public var watch: WatchSettings
    public var upload: UploadSettings
    public var output: OutputSettings
    public var retention: RetentionSettings
    public var s3: S3Settings
    /// `S3_CREATE_BUCKET` (default false): create the bucket at startup when it is missing.
    public var createBucket: Bool
    public var redis: RedisSettings
    public var log: LogSettings

    public init(watch: WatchSettings, upload: UploadSettings, output: OutputSettings, retention: RetentionSettings = RetentionSettings(),
                s3: S3Settings, createBucket: Bool = false, redis: RedisSettings, log: LogSettings = LogSettings()) {
        self.retention = retention
        self.watch = watch
        self.upload = upload
        self.output = output
        self.s3 = s3
        self.createBucket = createBucket
        self.redis = redis
        self.log = log
    }

    public init(config: SettingsReader) throws(SettingsError) {
        watch = try WatchSettings(config: config)
        upload = try UploadSettings(config: config)
        output = try OutputSettings(config: config)
        retention = try RetentionSettings(config: config)
        s3 = try S3Settings(config: config)
        createBucket = try config.bool(.createBucket) ?? false
        redis = try RedisSettings(config: config)
        log = try LogSettings(config: config)
    }
}
