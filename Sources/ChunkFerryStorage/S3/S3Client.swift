import ChunkFerrySupport
import Synchronization

/// An S3 client over libcurl: path-style or virtual-hosted addressing, SigV4 signing with
/// libcrypto, one keep-alive curl handle per worker thread.
package final class S3Client: Sendable {
    package let settings: S3Settings
    package let endpoint: S3Settings.Endpoint
    package let signer: S3Signer
    package let connections: CurlPool
    /// Cleared for good once the store refuses a trailing checksum (see `putObject(key:trailing:)`).
    package let trailersAccepted = Atomic<Bool>(true)
    /// `S3_STORAGE_CLASS` for objects written from now on (a reload may change it).
    package let currentStorageClass: Mutex<String?>
    /// Cleared for good once the store refuses a full-object checksum on a multipart upload.
    package let fullObjectChecksums = Atomic<Bool>(true)
    /// The full-object CRC32C each open assembly is to be completed with, by upload id.
    package let assemblyChecksums = Mutex<[String: String]>([:])

    /// `connections` is how many requests may run at once, each on its own thread and handle.
    package init(settings: S3Settings, connections: Int = 4, abort: TransferAbort? = nil, throttle: UplinkThrottle? = nil) throws(StoreError) {
        self.settings = settings
        currentStorageClass = Mutex(settings.storageClass)
        endpoint = try S3Settings.Endpoint(settings.endpoint, region: settings.region)
        signer = S3Signer(
            accessKeyID: settings.accessKeyID,
            secretAccessKey: settings.secretAccessKey,
            sessionToken: settings.sessionToken,
            region: settings.region
        )
        let options = CurlConnection.Options(
            connectTimeoutMilliseconds: settings.connectTimeoutMilliseconds,
            stallTimeoutSeconds: settings.stallTimeoutSeconds,
            caFile: settings.caFile,
            abort: abort,
            throttle: throttle
        )
        self.connections = CurlPool(name: "s3", connections: connections, options: options)
    }

    /// The bucket/key as humans read it, for errors and logs.
    package func resource(_ key: String?) -> String {
        key.map { "\(settings.bucket)/\($0)" } ?? settings.bucket
    }

    /// The host and path for a bucket-level (`key == nil`) or object request.
    package func address(key: String?) -> (host: String, path: String) {
        let objectPath = key.map { "/" + URIEncoding.encodePath($0) } ?? ""
        if settings.forcePathStyle {
            return (endpoint.authority, "/" + URIEncoding.encodePath(settings.bucket) + objectPath)
        }
        return ("\(settings.bucket).\(endpoint.authority)", objectPath.isEmpty ? "/" : objectPath)
    }

    package struct Call: Sendable {
        package var operation: String
        package var method: HTTPRequest.Method
        package var key: String?
        package var query: [(name: String, value: String)] = []
        package var headers: [(name: String, value: String)] = []
        package var body: HTTPRequest.Body? = nil
        package var payloadHash = S3Signer.emptyPayloadHash
        /// Statuses returned to the caller instead of thrown (404 for a HEAD that may miss).
        package var acceptedStatuses: Set<Int> = []
    }

    /// Signs and sends one request on a worker; non-2xx answers become `StoreError`.
    package func send(_ call: Call) async throws(StoreError) -> HTTPResponse {
        let (host, path) = address(key: call.key)
        let query = S3URIEncoding.canonicalQuery(call.query)
        let url = "\(endpoint.scheme)://\(host)\(path)\(query.isEmpty ? "" : "?" + query)"
        let request = S3Signer.Request(
            method: call.method.rawValue, host: host, encodedPath: path,
            query: call.query, headers: call.headers + [("Host", host)], payloadHash: call.payloadHash
        )
        let signer = signer
        let secrets = [settings.secretAccessKey] + (settings.sessionToken.map { [$0] } ?? [])
        let resource = resource(call.key)
        let response = try await connections.perform(call.operation, resource: resource, secrets: secrets) {
            // Signed on the worker, right before sending: a request queued behind others still
            // carries a fresh date.
            HTTPRequest(method: call.method, url: url, headers: request.headers + signer.sign(request, at: .now()), body: call.body)
        }
        if (200..<300).contains(response.status) || call.acceptedStatuses.contains(response.status) {
            return response
        }
        var failure = StoreError.fromS3Response(response, operation: call.operation, resource: resource)
        failure.message = secrets.reduce(failure.message) { $1.scrub($0) }
        throw failure
    }
}
