import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// A failed store operation: what the store (the bucket, the folder, the HTTP server, or the
/// network) said, and whether trying again can help.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The S3 error code (`AccessDenied`, `SlowDown`…), a folder's (`FolderFull`, `FolderReadOnly`…),
    /// an HTTP server's (`Unauthorized`, `HTTP413`…) or, without an HTTP answer, a transport code
    /// (`ConnectionRefused`, `Timeout`, `TLSVerificationFailed`…).
    package var code: String
    package var message: String
    /// `nil` when no HTTP answer arrived.
    package var httpStatus: Int?
    package var requestID: String?
    /// `PutObject`, `HeadBucket`…
    package var operation: String
    /// `bucket/key`, `bucket`, a path under the folder, or a URL.
    package var resource: String
    /// For a body streamed from a file: why the file could not be sent.
    package var sourceFailure: FileReadError?
    /// How long the store asked to be left alone (HTTP `Retry-After`).
    package var retryAfter: Duration? = nil

    /// The object (or the bucket's object) is not there: an answer, not a failure to retry.
    package var isNotFound: Bool { code == "NoSuchKey" || code == "NotFound" }

    /// A refusal that may be about this one object (a key a policy forbids, a body or name the
    /// server rejects), not about credentials, the bucket, throttling or the whole server: only
    /// a probe of the store can tell (see `PipelineContext.refusesOnlyThis`).
    package var mayRefuseOneObject: Bool {
        guard let httpStatus, (400..<500).contains(httpStatus), httpStatus != 404, httpStatus != 408, httpStatus != 429 else { return false }
        return !Self.retryableCodes.contains(code) && !Self.storeWideCodes.contains(code)
    }

    package var isRetryable: Bool {
        if Self.fatalCodes.contains(code) { return false }
        if let httpStatus {
            if httpStatus >= 500 { return true }
            return Self.retryableCodes.contains(code)
        }
        return !Self.fatalTransportCodes.contains(code)
    }

    /// What the user should do, for the errors that no retry can fix.
    package var advice: String? {
        switch code {
        case "InvalidAccessKeyId":
            "the access key is not known to the store: check AWS_ACCESS_KEY_ID"
        case "SignatureDoesNotMatch":
            "the access key or secret key is wrong: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
        case "AccessDenied":
            "the credentials lack permission: allow s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on S3_BUCKET"
        case "NoSuchBucket":
            "the bucket does not exist: create it, fix S3_BUCKET, or set S3_CREATE_BUCKET=true"
        case "BadDigest", "XAmzContentSHA256Mismatch", "InvalidDigest":
            "the store received different bytes than were sent: check proxies between ChunkFerry and the store"
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
            "the bucket lives in another region: set S3_REGION to the bucket's region"
        case "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
            "the session token is expired or invalid: renew AWS_SESSION_TOKEN"
        case "TLSVerificationFailed":
            "the server's TLS certificate is not trusted: set S3_CA_FILE (or HTTP_CA_FILE) to its CA certificate"
        case "InvalidEndpoint":
            "the endpoint URL is not usable: check S3_ENDPOINT"
        case "InvalidStorageClass":
            "the store does not offer this storage class: fix S3_STORAGE_CLASS (MinIO takes only STANDARD or REDUCED_REDUNDANCY), or unset it"
        case "ChecksumNotAccepted":
            "the store does not accept x-amz-checksum-crc32c with an unsigned payload: set S3_INTEGRITY=sha256 (or md5 for stores that check nothing newer)"
        case "Unauthorized", "Forbidden":
            "the HTTP server refused the request's credentials: check HTTP_AUTH_TOKEN"
        case "StoreNotMounted":
            "mount the share at LOCAL_STORAGE_PATH; uploads resume by themselves (a new, empty store on purpose: touch LOCAL_STORAGE_PATH/.chunkferry-store)"
        case "FolderMissing":
            "the folder is not there: create it, mount the share, or fix LOCAL_STORAGE_PATH"
        case "FolderReadOnly":
            "the folder cannot be written by this user (uid \(Self.userID)): mount it writable, fix its permissions, or fix LOCAL_STORAGE_PATH"
        case "FolderFull":
            "the disk under LOCAL_STORAGE_PATH is full: free space there; uploads resume by themselves"
        case "InvalidKey":
            "the key would leave LOCAL_STORAGE_PATH: fix S3_PREFIX or KEY_TEMPLATE"
        case "InvalidBucketName":
            "the bucket name is not valid: check S3_BUCKET"
        default:
            nil
        }
    }

    package var description: String {
        var text = "\(operation) \(resource) failed: \(code)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if !message.isEmpty && message != code { text += ": \(message)" }
        if let advice { text += " — \(advice)" }
        if let requestID, !requestID.isEmpty { text += " [request id \(requestID)]" }
        return text
    }

    private static var userID: UInt32 { getuid() }

    private static let retryableCodes: Set<String> = [
        "FolderMissing", "FolderFull", "IOError", "HTTP408", "StoreNotMounted",
        "SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable",
        "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequests", "OperationAborted",
    ]
    /// Answers about the credentials, the bucket, the region or the settings: never one object's.
    private static let storeWideCodes: Set<String> = [
        "InvalidAccessKeyId", "SignatureDoesNotMatch", "NoSuchBucket", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
        "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException", "InvalidBucketName",
        "InvalidStorageClass", "ChecksumNotAccepted", "TrailerNotAccepted", "BadDigest", "XAmzContentSHA256Mismatch",
        "InvalidDigest", "NoSuchKey", "NotFound",
    ]
    private static let fatalTransportCodes: Set<String> = ["TLSVerificationFailed", "InvalidEndpoint", "SourceChanged"]
    /// Settings problems, whatever status carried them.
    private static let fatalCodes: Set<String> = ["ChecksumNotAccepted", "FolderReadOnly", "InvalidKey", "Unauthorized", "Forbidden"]

    package static func fromTransport(_ error: TransportError, operation: String, resource: String) -> StoreError {
        if case .source(let failure) = error.kind {
            return StoreError(code: "SourceChanged", message: error.message, httpStatus: nil, requestID: nil,
                           operation: operation, resource: resource, sourceFailure: failure)
        }
        let code = switch error.kind {
        case .connect: "ConnectionRefused"
        case .timeout: "Timeout"
        case .tls: "TLSVerificationFailed"
        case .resolve: "HostNotFound"
        case .broken: "ConnectionBroken"
        case .setup: "InvalidEndpoint"
        case .aborted: "Aborted"
        case .source: "SourceChanged"
        }
        return StoreError(code: code, message: error.message, httpStatus: nil, requestID: nil,
                       operation: operation, resource: resource)
    }

    /// HEAD answers carry no body; the status alone must name the problem.
    /// The code an answer without a body of its own stands for, named as S3 names it (the
    /// retry and refusal rules read codes).
    package static func defaultCode(status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 400: "BadRequest"
        case 403: "AccessDenied"
        case 404: "NotFound"
        case 409: "Conflict"
        case 412: "PreconditionFailed"
        case 429: "SlowDown"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }
}
