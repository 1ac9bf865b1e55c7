import ChunkFerryStorage
import ChunkFerrySupport

extension S3Settings {
    /// Keys: `S3_ENDPOINT`, `S3_BUCKET` (required), `S3_REGION` (falls back to `AWS_REGION`, then
    /// `us-east-1`), `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (required), `AWS_SESSION_TOKEN`,
    /// `S3_FORCE_PATH_STYLE` (default true when S3_ENDPOINT is set), `S3_CA_FILE`, `S3_INTEGRITY`,
    /// `S3_STALL_TIMEOUT` (default `30s`), `S3_STORAGE_CLASS` (default: none sent, the bucket's default),
    /// `OBJECT_LOCK` (`off`, the default; `governance`; `compliance`) with `OBJECT_LOCK_RETAIN`
    /// (default `30d`) and `OBJECT_LOCK_TAIL_RETAIN` (default `1d`).
    ///
    /// Without keys in the environment (or flags, or the config file), the AWS CLI's shared files
    /// give them: `AWS_PROFILE` in `~/.aws/credentials` and `~/.aws/config`, whose `region` and
    /// `endpoint_url` are used too when S3_REGION, AWS_REGION and S3_ENDPOINT are not set.
    package init(config: SettingsReader) throws(SettingsError) {
        let profile = AWSSharedConfig(config: config)
        let endpoint = config.string(.s3Endpoint) ?? profile.endpointURL ?? ""
        do throws(StoreError) {
            _ = try Endpoint(endpoint, region: "us-east-1")
        } catch {
            throw SettingsError(.s3Endpoint, value: endpoint, expected: "http://host:port or https://host (\(error.message))")
        }
        let integrityText = config.string(.integrity) ?? Integrity.standard.rawValue
        guard let integrity = Integrity(rawValue: integrityText.lowercased()) else {
            throw SettingsError(.integrity, value: integrityText, expected: "crc32c, sha256 or md5")
        }
        let caFile = config.string(.caFile)
        let stall = try config.duration(.stallTimeout) ?? .seconds(30)
        guard stall >= .seconds(1) else {
            throw SettingsError(.stallTimeout, value: config.string(.stallTimeout), expected: "at least 1s")
        }
        let storageClass = config.string(.storageClass)?.uppercased()
        if let storageClass, storageClass.isEmpty || !storageClass.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw SettingsError(.storageClass, value: storageClass, expected: "a storage class name such as STANDARD_IA or GLACIER_IR")
        }
        // Objects in these classes cannot be read or copied without a restore first.
        if let storageClass, ["GLACIER", "DEEP_ARCHIVE"].contains(storageClass) {
            throw SettingsError(.storageClass, value: storageClass, expected: "a class whose objects can be read at once, such as GLACIER_IR; move older footage to \(storageClass) with a lifecycle rule on the bucket")
        }
        // Keys from one place, as the AWS CLI takes them: the settings when they name an access
        // key, else the profile's.
        let keys: (accessKeyID: String, secretAccessKey: Secret, sessionToken: Secret?)
        if config.string(.accessKeyID) == nil, let id = profile.accessKeyID, let secret = profile.secretAccessKey {
            keys = (id, Secret(secret), profile.sessionToken.map(Secret.init))
        } else {
            keys = (try config.required(.accessKeyID, "set it to the store's access key (or run aws configure: the AWS CLI's shared files are read too)"),
                    Secret(try config.required(.secretAccessKey, "set it to the store's secret key")),
                    config.string(.sessionToken).map(Secret.init))
        }
        self.init(
            endpoint: endpoint,
            bucket: try config.required(.s3Bucket, "set it to the bucket to upload into"),
            region: config.string(.s3Region) ?? config.string(.awsRegion) ?? profile.region ?? "us-east-1",
            accessKeyID: keys.accessKeyID,
            secretAccessKey: keys.secretAccessKey,
            sessionToken: keys.sessionToken,
            forcePathStyle: try config.bool(.forcePathStyle),
            caFile: caFile,
            integrity: integrity,
            stallTimeoutSeconds: Int(stall.seconds.rounded(.up)),
            storageClass: storageClass,
            objectLock: try ObjectLock(config: config)
        )
    }
}

extension ObjectLock {
    /// nil when `OBJECT_LOCK` is off; keys in `S3Settings.init(config:)`.
    init?(config: SettingsReader) throws(SettingsError) {
        let text = config.string(.objectLock)?.lowercased() ?? "off"
        // The retentions alone lock nothing (docker-compose.yml passes their defaults always).
        guard text != "off" else { return nil }
        guard let mode = Mode(rawValue: text) else {
            throw SettingsError(.objectLock, value: config.string(.objectLock), expected: "off, governance or compliance")
        }
        func days(_ key: SettingKey, default fallback: Duration) throws(SettingsError) -> Duration {
            let value = try config.duration(key) ?? fallback
            // S3 takes a retain-until date in whole seconds; under a day a lock protects little
            // and tempts nobody to check what the store did.
            guard value >= .seconds(86_400) else {
                throw SettingsError(key, value: config.string(key), expected: "at least 1d, such as 30d")
            }
            return .seconds(value.components.seconds)
        }
        self.init(mode: mode, retention: try days(.objectLockRetain, default: .seconds(30 * 86_400)),
                  tailRetention: try days(.objectLockTailRetain, default: .seconds(86_400)))
    }
}
