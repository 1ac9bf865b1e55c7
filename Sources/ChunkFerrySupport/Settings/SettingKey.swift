/// One setting: its environment name (what docker-compose users set), and the flag and YAML key
/// derived from it — `WATCH_DIR`, `--watch-dir`, `watch_dir:`.
package struct SettingKey: Sendable, Hashable {
    /// The environment variable name, upper snake case.
    package let environmentName: String
    /// What `--help` and docs/configuration.md show as the default, if any.
    package let defaultDescription: String?
    package let help: String
    package let isSecret: Bool
    /// What the value is: its units and range (`duration, at least 1s`), or its choices.
    package let kind: String

    /// Dotted form swift-configuration uses; each provider encodes it its own way.
    package var configKey: String { environmentName.lowercased().replacing("_", with: ".") }
    package var flag: String { "--" + environmentName.lowercased().replacing("_", with: "-") }
    package var yamlKey: String { environmentName.lowercased() }

    package init(_ environmentName: String, kind: String, default defaultDescription: String? = nil, secret: Bool = false, _ help: String) {
        self.environmentName = environmentName
        self.kind = kind
        self.defaultDescription = defaultDescription
        self.isSecret = secret
        self.help = help
    }
}

extension SettingKey {
    package static let configFile = SettingKey("CONFIG_FILE", kind: "path", "YAML file with any of these settings (same names, lower case)")
    package static let watchDir = SettingKey("WATCH_DIR", kind: "path", default: "./input", "directory to watch, recursively")
    package static let fileExtensions = SettingKey("FILE_EXTENSIONS", kind: "list of extensions", default: "mp4,mov,m4v,mkv,avi,ts", "file extensions to upload, comma-separated, any case")
    package static let scanInterval = SettingKey("SCAN_INTERVAL", kind: "duration, at least 100ms", default: "5s", "full rescan interval, catching what inotify misses")
    package static let chunkSize = SettingKey("CHUNK_SIZE", kind: "size, 5MiB to 5GiB", default: "8MiB", "size of each chunk object (at least 5MiB)")
    package static let idleTimeout = SettingKey("IDLE_TIMEOUT", kind: "duration, at least 1s", default: "30s", "a file unchanged this long is finalized")
    package static let maxLag = SettingKey("MAX_LAG", kind: "duration: 0 (off) or at least 1s", default: "10s", "a growing file's bytes past its last whole chunk that are older than this go up as provisional pieces, each byte once, deleted when their chunk is committed (0 turns it off)")
    package static let bandwidthLimit = SettingKey("BANDWIDTH_LIMIT", kind: "rate or timetable, as rclone's --bwlimit", default: "off", "most bytes per second sent to the store, all uploads together: off, 4Mbit, 512KiB, or a timetable such as \"08:00,4Mbit 18:00,8Mbit 23:00,off\" (weekdays as Mon-08:00,2Mbit; local time); live footage has first claim")
    package static let backlogOrder = SettingKey("BACKLOG_ORDER", kind: "newest or oldest", default: "newest", "which finished files go first once live footage is sent: the newest recordings or the oldest")
    package static let lagAlert = SettingKey("LAG_ALERT", kind: "duration, at least 1s", default: "2m", "/health turns degraded, and a line is logged, when a recording's oldest unsent byte is older than this")
    package static let uploadConcurrency = SettingKey("UPLOAD_CONCURRENCY", kind: "whole number, 1 to 64", default: "4", "chunks uploaded at once, across all files")
    package static let redisURL = SettingKey("REDIS_URL", kind: "URL", default: "redis://localhost:6379/0", secret: true, "Redis for checkpoints: redis://[:password@]host[:port][/db]")
    package static let redisNamespace = SettingKey("REDIS_NAMESPACE", kind: "text", default: "chunkferry:", "prefix of every Redis key")
    package static let storageBackend = SettingKey("STORAGE_BACKEND", kind: "s3, filesystem or http", default: "s3", "where objects go: s3 (a bucket), filesystem (a folder: local disk or NAS) or http (your own server)")
    package static let localStoragePath = SettingKey("LOCAL_STORAGE_PATH", kind: "path", "with STORAGE_BACKEND=filesystem: the folder objects are written into (required)")
    package static let httpUploadURL = SettingKey("HTTP_UPLOAD_URL", kind: "URL", "with STORAGE_BACKEND=http: each object goes to this URL + /<key> (required)")
    package static let httpAuthToken = SettingKey("HTTP_AUTH_TOKEN", kind: "text", secret: true, "with STORAGE_BACKEND=http: sent as Authorization: Bearer <token>")
    package static let httpMethod = SettingKey("HTTP_METHOD", kind: "PUT or POST", default: "PUT", "with STORAGE_BACKEND=http: PUT or POST")
    package static let httpCAFile = SettingKey("HTTP_CA_FILE", kind: "path", "with STORAGE_BACKEND=http: PEM file of CA certificates to trust for https")
    package static let s3Endpoint = SettingKey("S3_ENDPOINT", kind: "URL", default: "AWS S3", "S3-compatible endpoint, e.g. http://minio:9000")
    package static let s3Bucket = SettingKey("S3_BUCKET", kind: "text", "bucket to upload into (required)")
    package static let s3Prefix = SettingKey("S3_PREFIX", kind: "key prefix", default: "", "key prefix for every object, with any backend")
    package static let s3Region = SettingKey("S3_REGION", kind: "text", default: "AWS_REGION, then us-east-1", "region for signing")
    package static let awsRegion = SettingKey("AWS_REGION", kind: "text", "region, when S3_REGION is not set")
    package static let accessKeyID = SettingKey("AWS_ACCESS_KEY_ID", kind: "text", "access key (required)")
    package static let secretAccessKey = SettingKey("AWS_SECRET_ACCESS_KEY", kind: "text", secret: true, "secret key (required)")
    package static let awsProfile = SettingKey("AWS_PROFILE", kind: "text", default: "default", "profile to read from the AWS CLI's shared files when the keys are not set (see AWS_SHARED_CREDENTIALS_FILE)")
    package static let awsSharedCredentialsFile = SettingKey("AWS_SHARED_CREDENTIALS_FILE", kind: "path", default: "~/.aws/credentials", "the AWS CLI's credentials file: aws_access_key_id, aws_secret_access_key and aws_session_token of AWS_PROFILE, used when the environment has none")
    package static let awsConfigFile = SettingKey("AWS_CONFIG_FILE", kind: "path", default: "~/.aws/config", "the AWS CLI's config file: the profile's region and endpoint_url, used when S3_REGION, AWS_REGION and S3_ENDPOINT are not set")
    package static let sessionToken = SettingKey("AWS_SESSION_TOKEN", kind: "text", secret: true, "session token for temporary credentials")
    package static let forcePathStyle = SettingKey("S3_FORCE_PATH_STYLE", kind: "true or false", default: "true when S3_ENDPOINT is set", "bucket in the path instead of the host name")
    package static let caFile = SettingKey("S3_CA_FILE", kind: "path", "PEM file of CA certificates to trust for https")
    package static let stallTimeout = SettingKey("S3_STALL_TIMEOUT", kind: "duration, at least 1s", default: "30s", "give up on a store request that moved no byte for this long, and retry")
    package static let createBucket = SettingKey("S3_CREATE_BUCKET", kind: "true or false", default: "false", "create the bucket if it does not exist")
    package static let integrity = SettingKey("S3_INTEGRITY", kind: "crc32c, sha256 or md5", default: "crc32c", "how the store verifies each chunk: crc32c (x-amz-checksum-crc32c), sha256 (x-amz-checksum-sha256) or md5 (Content-MD5)")
    package static let storageClass = SettingKey("S3_STORAGE_CLASS", kind: "storage class name", default: "the bucket's default", "storage class of every object written, e.g. STANDARD_IA, GLACIER_IR (MinIO: STANDARD or REDUCED_REDUNDANCY)")
    package static let objectLock = SettingKey("OBJECT_LOCK", kind: "off, governance or compliance", default: "off", "S3 Object Lock: every object written carries this retention mode, so nobody (compliance) or only keys allowed to bypass it (governance) can delete or overwrite it before its time; the bucket must have Object Lock")
    package static let objectLockRetain = SettingKey("OBJECT_LOCK_RETAIN", kind: "duration, at least 1d", default: "30d", "how long OBJECT_LOCK keeps footage (chunks, whole objects, manifests, snapshots, clips)")
    package static let objectLockTailRetain = SettingKey("OBJECT_LOCK_TAIL_RETAIN", kind: "duration, at least 1d", default: "1d", "how long OBJECT_LOCK keeps a provisional piece (MAX_LAG), which its chunk replaces within a minute; see docs/tamper-resistance.md")
    package static let output = SettingKey("OUTPUT", kind: "chunks, whole or both", default: "chunks", "what a finished recording becomes: chunks (chunk objects and a manifest), whole (one object, assembled in the store; chunks deleted) or both")
    package static let fileDigest = SettingKey("FILE_DIGEST", kind: "sha256 or crc32c", default: "sha256", "the whole file's digest in its manifest: sha256 (a cryptographic hash, one more pass over the bytes) or crc32c (the chunks' CRC32Cs combined, no pass of its own; catches damage, not forgery; needs chunks checked by CRC32C)")
    package static let keyTemplate = SettingKey("KEY_TEMPLATE", kind: "template", default: "{path}", "key of whole objects under S3_PREFIX: {path} {dir} {name} {stem} {ext} {camera} {yyyy} {mm} {dd} {HH} {MM} {SS} {stream}")
    package static let keyTimezone = SettingKey("KEY_TIMEZONE", kind: "time zone name", default: "UTC", "time zone of {yyyy} {mm} {dd} {HH} when the file name carries no date, e.g. Europe/Berlin")
    package static let pathLayout = SettingKey("PATH_LAYOUT", kind: "frigate or a pattern", default: "camera = first folder, time = first date in the name", "where a recorder puts the camera and start time in a path, for {camera} {yyyy}... and events: frigate (YYYY-MM-DD/HH/<camera>/MM.SS.mp4), or a pattern of {camera} {yyyy} {mm} {dd} {HH} {MM} {SS} {*} matched without the extension, such as Blue Iris's {camera}.{yyyy}{mm}{dd}_{HH}{MM}{SS}")
    package static let pathTimezone = SettingKey("PATH_TIMEZONE", kind: "time zone name", default: "UTC", "time zone of the times written in paths and file names (ChunkFerry's recorder and Frigate write UTC; Blue Iris writes local time), for events")
    package static let eventsToken = SettingKey("EVENTS_TOKEN", kind: "text, at least 16 characters", secret: true, "turns on POST /events on the HTTP_PORT endpoint: callers send Authorization: Bearer <token>")
    package static let eventPreRoll = SettingKey("EVENT_PRE_ROLL", kind: "duration, 0 to 1h", default: "10s", "footage before an event's start that belongs to it")
    package static let eventPostRoll = SettingKey("EVENT_POST_ROLL", kind: "duration, 0 to 1h", default: "10s", "footage after an event's end that belongs to it")
    package static let eventKeyTemplate = SettingKey("EVENT_KEY_TEMPLATE", kind: "template", default: "events/{camera}/{yyyy}/{mm}/{dd}/{HH}{MM}{SS}-{label}.mp4", "key of an event's clip under S3_PREFIX ({camera} {label} {id} {yyyy} {mm} {dd} {HH} {MM} {SS}, the start in KEY_TIMEZONE); its record goes beside it as .json")
    package static let eventSeverity = SettingKey("EVENT_SEVERITY", kind: "alert or detection", default: "alert", "which Frigate reviews are events: alert, or detection (which takes alerts too)")
    package static let uploadScope = SettingKey("UPLOAD_SCOPE", kind: "all or events", default: "all", "what goes to the store: all recordings, or only those an event's window takes in (the rest stays local, and retention may delete it unsent)")
    package static let mqttURL = SettingKey("MQTT_URL", kind: "URL", secret: true, "Frigate's MQTT broker: mqtt://user:pass@host:1883, or mqtts:// (TLS)")
    package static let mqttTopic = SettingKey("MQTT_TOPIC", kind: "topic", default: "frigate/reviews", "topic of Frigate's review messages (frigate/events for Frigate before 0.14)")
    package static let mqttCAFile = SettingKey("MQTT_CA_FILE", kind: "path", "with mqtts://: PEM file of CA certificates to trust (default: the system's)")
    package static let encryptTo = SettingKey("ENCRYPT_TO", kind: "list of age recipients", "encrypt every object to these age X25519 recipients (age1…, comma-separated) before it leaves; the box keeps no key that opens them")
    package static let encryptToFile = SettingKey("ENCRYPT_TO_FILE", kind: "path", "file of age recipients, one per line with # comments (as age -R reads it), added to ENCRYPT_TO")
    package static let stateDir = SettingKey("STATE_DIR", kind: "path", default: "./state", "a folder of the box's own that survives restarts: with ENCRYPT_TO it holds the box key that lets ChunkFerry check its encrypted objects (never open them)")
    package static let deleteAfterUpload = SettingKey("DELETE_AFTER_UPLOAD", kind: "true or false", default: "false", "delete a local file once it is finalized and the store holds it (the watch folder must be writable)")
    package static let localRetention = SettingKey("LOCAL_RETENTION", kind: "duration, or off", default: "off", "instead keep uploaded files this long, then delete them the same way, e.g. 7d")
    package static let minFreeSpace = SettingKey("MIN_FREE_SPACE", kind: "percentage (10%) or size, or off", default: "off", "below this free space under WATCH_DIR (10% or a size), delete uploaded files, oldest-uploaded first")
    package static let cleanupBatchSize = SettingKey("CLEANUP_BATCH_SIZE", kind: "whole number, 1 to 100000", default: "100", "local deletions per pass")
    package static let forgetAfter = SettingKey("FORGET_AFTER", kind: "duration, at least 1s", default: "7d", "a finished stream whose file left the disk this long ago is dropped from Redis (its objects stay in the bucket)")
    package static let leaseTTL = SettingKey("LEASE_TTL", kind: "duration, at least 2s", default: "15s", "how long a stream stays with an instance that stopped renewing it (several instances on one directory)")
    package static let nodeID = SettingKey("NODE_ID", kind: "text", default: "host name", "this instance's name in logs, status and manifests")
    package static let logLevel = SettingKey("LOG_LEVEL", kind: "trace, debug, info, notice, warning, error or critical", default: "info", "trace, debug, info, notice, warning, error or critical")
    package static let logFormat = SettingKey("LOG_FORMAT", kind: "text or json", default: "text", "text or json (one object a line)")
    package static let httpPort = SettingKey("HTTP_PORT", kind: "whole number, 0 to 65535", default: "8080", "port of the /health, /ready and /metrics endpoint (0 turns it off)")
    package static let httpBind = SettingKey("HTTP_BIND", kind: "IP address", default: "127.0.0.1", "address that endpoint listens on (the image sets 0.0.0.0)")
    package static let viewPort = SettingKey("VIEW_PORT", kind: "whole number, 1 to 65535", default: "8090", "port of chunkferry serve, the read-only viewer")
    package static let viewBind = SettingKey("VIEW_BIND", kind: "IP address", default: "127.0.0.1", "address the viewer listens on; beyond loopback it needs VIEW_TOKEN")
    package static let viewToken = SettingKey("VIEW_TOKEN", kind: "text, at least 16 characters", secret: true, "the viewer's password: a bearer token, or the password of basic auth (any user name)")
    package static let viewCache = SettingKey("VIEW_CACHE", kind: "duration, 0 or more", default: "30s", "how long the viewer keeps the store's listing and manifests before it reads them again")

    /// Every setting, in the order `--help` and docs/configuration.md list them.
    package static let all: [SettingKey] = [
        .configFile, .watchDir, .fileExtensions, .scanInterval, .chunkSize, .idleTimeout, .maxLag, .uploadConcurrency,
        .bandwidthLimit, .backlogOrder, .lagAlert,
        .redisURL, .redisNamespace, .storageBackend, .localStoragePath, .httpUploadURL, .httpAuthToken, .httpMethod, .httpCAFile,
        .s3Endpoint, .s3Bucket, .s3Prefix, .s3Region, .awsRegion, .accessKeyID,
        .secretAccessKey, .sessionToken, .awsProfile, .awsSharedCredentialsFile, .awsConfigFile, .forcePathStyle, .caFile, .stallTimeout, .createBucket, .integrity, .storageClass,
        .objectLock, .objectLockRetain, .objectLockTailRetain,
        .output, .fileDigest, .keyTemplate, .keyTimezone, .pathLayout, .pathTimezone,
        .eventsToken, .eventPreRoll, .eventPostRoll, .eventKeyTemplate, .eventSeverity, .uploadScope, .mqttURL, .mqttTopic, .mqttCAFile,
        .encryptTo, .encryptToFile, .stateDir,
        .deleteAfterUpload, .localRetention, .minFreeSpace, .cleanupBatchSize,
        .forgetAfter, .nodeID, .leaseTTL,
        .logLevel, .logFormat, .httpPort, .httpBind,
        .viewPort, .viewBind, .viewToken, .viewCache,
    ]
}
