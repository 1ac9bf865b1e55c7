/// One setting: its environment name (what docker-compose users set), and the flag and YAML key
/// derived from it — `WATCH_DIR`, `--watch-dir`, `watch_dir:`.
public struct SettingKey: Sendable, Hashable {
    /// The environment variable name, upper snake case.
    public let environmentName: String
    /// What `--help` and the README show as the default, if any.
    public let defaultDescription: String?
    public let help: String
    public let isSecret: Bool

    /// Dotted form swift-configuration uses; each provider encodes it its own way.
    var configKey: String { environmentName.lowercased().replacing("_", with: ".") }
    public var flag: String { "--" + environmentName.lowercased().replacing("_", with: "-") }
    public var yamlKey: String { environmentName.lowercased() }

    init(_ environmentName: String, default defaultDescription: String? = nil, secret: Bool = false, _ help: String) {
        self.environmentName = environmentName
        self.defaultDescription = defaultDescription
        self.isSecret = secret
        self.help = help
    }
}

extension SettingKey {
    public static let configFile = SettingKey("CONFIG_FILE", "YAML file with any of these settings (same names, lower case)")
    public static let watchDir = SettingKey("WATCH_DIR", default: "./input", "directory to watch, recursively")
    public static let fileExtensions = SettingKey("FILE_EXTENSIONS", default: "mp4,mov,m4v,mkv,avi,ts", "file extensions to upload, comma-separated, any case")
    public static let scanInterval = SettingKey("SCAN_INTERVAL", default: "5s", "full rescan interval, catching what inotify misses")
    public static let chunkSize = SettingKey("CHUNK_SIZE", default: "8MiB", "size of each chunk object (at least 5MiB)")
    public static let idleTimeout = SettingKey("IDLE_TIMEOUT", default: "30s", "a file unchanged this long is finalized")
    public static let maxLag = SettingKey("MAX_LAG", default: "10s", "a growing file's bytes past its last whole chunk that are older than this go up as a provisional object, replaced as it grows (0 turns it off)")
    public static let uploadConcurrency = SettingKey("UPLOAD_CONCURRENCY", default: "4", "chunks uploaded at once, across all files")
    public static let redisURL = SettingKey("REDIS_URL", default: "redis://localhost:6379/0", secret: true, "Redis for checkpoints: redis://[:password@]host[:port][/db]")
    public static let redisNamespace = SettingKey("REDIS_NAMESPACE", default: "chunkferry:", "prefix of every Redis key")
    public static let storageBackend = SettingKey("STORAGE_BACKEND", default: "s3", "where objects go: s3 (a bucket), filesystem (a folder: local disk or NAS) or http (your own server)")
    public static let localStoragePath = SettingKey("LOCAL_STORAGE_PATH", "with STORAGE_BACKEND=filesystem: the folder objects are written into (required)")
    public static let httpUploadURL = SettingKey("HTTP_UPLOAD_URL", "with STORAGE_BACKEND=http: each object goes to this URL + /<key> (required)")
    public static let httpAuthToken = SettingKey("HTTP_AUTH_TOKEN", secret: true, "with STORAGE_BACKEND=http: sent as Authorization: Bearer <token>")
    public static let httpMethod = SettingKey("HTTP_METHOD", default: "PUT", "with STORAGE_BACKEND=http: PUT or POST")
    public static let httpCAFile = SettingKey("HTTP_CA_FILE", "with STORAGE_BACKEND=http: PEM file of CA certificates to trust for https")
    public static let s3Endpoint = SettingKey("S3_ENDPOINT", default: "AWS S3", "S3-compatible endpoint, e.g. http://minio:9000")
    public static let s3Bucket = SettingKey("S3_BUCKET", "bucket to upload into (required)")
    public static let s3Prefix = SettingKey("S3_PREFIX", default: "", "key prefix for every object, with any backend")
    public static let s3Region = SettingKey("S3_REGION", default: "AWS_REGION, then us-east-1", "region for signing")
    public static let awsRegion = SettingKey("AWS_REGION", "region, when S3_REGION is not set")
    public static let accessKeyID = SettingKey("AWS_ACCESS_KEY_ID", "access key (required)")
    public static let secretAccessKey = SettingKey("AWS_SECRET_ACCESS_KEY", secret: true, "secret key (required)")
    public static let sessionToken = SettingKey("AWS_SESSION_TOKEN", secret: true, "session token for temporary credentials")
    public static let forcePathStyle = SettingKey("S3_FORCE_PATH_STYLE", default: "true when S3_ENDPOINT is set", "bucket in the path instead of the host name")
    public static let caFile = SettingKey("S3_CA_FILE", "PEM file of CA certificates to trust for https")
    public static let stallTimeout = SettingKey("S3_STALL_TIMEOUT", default: "30s", "give up on a store request that moved no byte for this long, and retry")
    public static let createBucket = SettingKey("S3_CREATE_BUCKET", default: "false", "create the bucket if it does not exist")
    public static let integrity = SettingKey("S3_INTEGRITY", default: S3Settings.Integrity.standard.rawValue, "how the store verifies each chunk: crc32c (x-amz-checksum-crc32c), sha256 (x-amz-checksum-sha256) or md5 (Content-MD5)")
    public static let storageClass = SettingKey("S3_STORAGE_CLASS", default: "the bucket's default", "storage class of every object written, e.g. STANDARD_IA, GLACIER_IR (MinIO: STANDARD or REDUCED_REDUNDANCY)")
    public static let output = SettingKey("OUTPUT", default: "chunks", "what a finished recording becomes: chunks (chunk objects and a manifest), whole (one object, assembled in the store; chunks deleted) or both")
    public static let keyTemplate = SettingKey("KEY_TEMPLATE", default: "{path}", "key of whole objects under S3_PREFIX: {path} {dir} {name} {stem} {ext} {camera} {yyyy} {mm} {dd} {HH} {MM} {SS} {stream}")
    public static let keyTimezone = SettingKey("KEY_TIMEZONE", default: "UTC", "time zone of {yyyy} {mm} {dd} {HH} when the file name carries no date, e.g. Europe/Berlin")
    public static let deleteAfterUpload = SettingKey("DELETE_AFTER_UPLOAD", default: "false", "delete a local file once it is finalized and the store holds it (the watch folder must be writable)")
    public static let localRetention = SettingKey("LOCAL_RETENTION", default: "off", "instead keep uploaded files this long, then delete them the same way, e.g. 7d")
    public static let minFreeSpace = SettingKey("MIN_FREE_SPACE", default: "off", "below this free space under WATCH_DIR (10% or a size), delete uploaded files, oldest-uploaded first")
    public static let cleanupBatchSize = SettingKey("CLEANUP_BATCH_SIZE", default: "100", "local deletions per pass")
    public static let forgetAfter = SettingKey("FORGET_AFTER", default: "7d", "a finished stream whose file left the disk this long ago is dropped from Redis (its objects stay in the bucket)")
    public static let leaseTTL = SettingKey("LEASE_TTL", default: "15s", "how long a stream stays with an instance that stopped renewing it (several instances on one directory)")
    public static let nodeID = SettingKey("NODE_ID", default: "host name", "this instance's name in logs, status and manifests")
    public static let logLevel = SettingKey("LOG_LEVEL", default: "info", "trace, debug, info, notice, warning, error or critical")
    public static let logFormat = SettingKey("LOG_FORMAT", default: "text", "text or json (one object a line)")
    public static let httpPort = SettingKey("HTTP_PORT", default: "8080", "port of the /health, /ready and /metrics endpoint (0 turns it off)")
    public static let httpBind = SettingKey("HTTP_BIND", default: "127.0.0.1", "address that endpoint listens on (the image sets 0.0.0.0)")

    /// Every setting, in the order `--help` and the README list them.
    public static let all: [SettingKey] = [
        .configFile, .watchDir, .fileExtensions, .scanInterval, .chunkSize, .idleTimeout, .maxLag, .uploadConcurrency,
        .redisURL, .redisNamespace, .storageBackend, .localStoragePath, .httpUploadURL, .httpAuthToken, .httpMethod, .httpCAFile,
        .s3Endpoint, .s3Bucket, .s3Prefix, .s3Region, .awsRegion, .accessKeyID,
        .secretAccessKey, .sessionToken, .forcePathStyle, .caFile, .stallTimeout, .createBucket, .integrity, .storageClass,
        .output, .keyTemplate, .keyTimezone, .deleteAfterUpload, .localRetention, .minFreeSpace, .cleanupBatchSize,
        .forgetAfter, .nodeID, .leaseTTL,
        .logLevel, .logFormat, .httpPort, .httpBind,
    ]
}
