import ChunkFerrySupport

/// Where and how to reach the object store.
package struct S3Settings: Sendable {
    /// How the store proves it received the chunk intact.
    package enum Integrity: String, Sendable, CaseIterable {
        /// `x-amz-checksum-crc32c` with an unsigned payload: the store recomputes the CRC32C and
        /// rejects a mismatch (AWS S3, MinIO, SeaweedFS, R2). The CRC costs a fraction of a
        /// SHA-256 pass; the whole file's SHA-256 is still computed for the manifest.
        case crc32c
        /// `x-amz-checksum-sha256`: the store recomputes SHA-256 and rejects a mismatch; the
        /// payload is signed with the same digest. A second SHA-256 pass beside the whole file's.
        case sha256
        /// `Content-MD5`: for stores that verify nothing newer; costs an extra MD5 pass.
        case md5

        /// S3_INTEGRITY's default.
        package static let standard = Integrity.crc32c

        /// The chunk checksum this mode records.
        package var checksumKind: ChunkChecksum.Kind { self == .crc32c ? .crc32c : .sha256 }
    }

    /// `http(s)://host[:port]`; empty means AWS (`https://s3.<region>.amazonaws.com`).
    package var endpoint: String
    package var bucket: String
    package var region: String
    package var accessKeyID: String
    package var secretAccessKey: Secret
    package var sessionToken: Secret?
    /// `bucket` in the path (MinIO's default) instead of in the host name.
    package var forcePathStyle: Bool
    package var caFile: String?
    package var integrity: Integrity
    package var connectTimeoutMilliseconds: Int
    package var stallTimeoutSeconds: Int
    /// Sent as `x-amz-storage-class` with every object written; nil leaves it to the bucket.
    package var storageClass: String?
    /// `OBJECT_LOCK`: the retention every object written carries; nil when off.
    package var objectLock: ObjectLock?

    package init(
        endpoint: String = "",
        bucket: String,
        region: String = "us-east-1",
        accessKeyID: String,
        secretAccessKey: Secret,
        sessionToken: Secret? = nil,
        forcePathStyle: Bool? = nil,
        caFile: String? = nil,
        integrity: Integrity = .standard,
        connectTimeoutMilliseconds: Int = 10_000,
        stallTimeoutSeconds: Int = 30,
        storageClass: String? = nil,
        objectLock: ObjectLock? = nil
    ) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.forcePathStyle = forcePathStyle ?? !endpoint.isEmpty
        self.caFile = caFile
        self.integrity = integrity
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.stallTimeoutSeconds = stallTimeoutSeconds
        self.storageClass = storageClass
        self.objectLock = objectLock
    }

    /// The endpoint split into what requests need.
    package struct Endpoint: Sendable, Equatable {
        package var scheme: String
        /// `host` or `host:port`, without a port that is the scheme's default.
        package var authority: String

        package init(_ text: String, region: String) throws(StoreError) {
            let trimmedText = text.trimmed(of: " /")
            guard !trimmedText.isEmpty else {
                scheme = "https"
                authority = "s3.\(region).amazonaws.com"
                return
            }
            guard let separator = trimmedText.firstRange(of: "://") else {
                throw Self.invalid(text, "it has no scheme; write http://host:port or https://host")
            }
            scheme = trimmedText[..<separator.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else {
                throw Self.invalid(text, "only http and https are supported")
            }
            let rest = trimmedText[separator.upperBound...]
            guard !rest.contains("/"), !rest.contains("@"), !rest.isEmpty else {
                throw Self.invalid(text, "give only scheme, host and port, without a path or user")
            }
            var hostPort = String(rest)
            if (scheme == "http" && hostPort.hasSuffix(":80")) || (scheme == "https" && hostPort.hasSuffix(":443")) {
                hostPort = String(hostPort[..<hostPort.lastIndex(of: ":")!])
            }
            authority = hostPort
        }

        private static func invalid(_ text: String, _ reason: String) -> StoreError {
            StoreError(code: "InvalidEndpoint", message: "S3_ENDPOINT '\(text)': \(reason)", httpStatus: nil,
                    requestID: nil, operation: "Configure", resource: "S3_ENDPOINT")
        }
    }
}
