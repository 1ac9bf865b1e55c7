import ChunkFerrySupport
import Synchronization

/// The user's own HTTP server as the object store (`STORAGE_BACKEND=http`): each object is one
/// `PUT` (or `POST`) to `HTTP_UPLOAD_URL/<key>` with its SHA-256 in `Repr-Digest` (RFC 9530) and
/// the token as `Authorization: Bearer`. Any 2xx confirms. `HEAD` and `GET` of the same URL are
/// used when the server answers them (recovery without Redis, local retention); the server is
/// never asked to list, and never to assemble.
package final class HTTPStore: Sendable {
    package static let streamHeader = "X-ChunkFerry-Stream-Id"
    package static let chunkHeader = "X-ChunkFerry-Chunk-Index"

    package let settings: HTTPStoreSettings
    package let connections: CurlPool
    /// Cleared once the server answers a HEAD with 405 or 501: it keeps nothing it can show.
    package let answersHead = Atomic<Bool>(true)
    /// HTTP_AUTH_TOKEN, which a reload may change.
    private let token: Mutex<Secret?>

    package init(settings: HTTPStoreSettings, connections: Int = 4, abort: TransferAbort? = nil, throttle: UplinkThrottle? = nil) {
        self.settings = settings
        token = Mutex(settings.token)
        let options = CurlConnection.Options(
            connectTimeoutMilliseconds: settings.connectTimeoutMilliseconds, stallTimeoutSeconds: settings.stallTimeoutSeconds,
            caFile: settings.caFile, abort: abort, throttle: throttle)
        self.connections = CurlPool(name: "http", connections: connections, options: options)
    }

    /// The object's URL: the key's segments percent-encoded, `/` kept.
    package func url(_ key: String) -> String { settings.url + "/" + URIEncoding.encodePath(key) }

    /// Sends one request; statuses other than 2xx and `accepted` become `StoreError`s.
    package func send(_ operation: String, _ method: HTTPRequest.Method, key: String, headers: [(name: String, value: String)] = [],
              body: HTTPRequest.Body? = nil, accepted: Set<Int> = []) async throws(StoreError) -> HTTPResponse {
        let url = url(key)
        let token = token.withLock { $0 }
        let request = HTTPRequest(method: method, url: url,
                                  headers: headers + (token.map { [("Authorization", "Bearer \($0.value)")] } ?? []), body: body)
        let response = try await connections.perform(operation, resource: url, secrets: token.map { [$0] } ?? []) { request }
        if (200..<300).contains(response.status) || accepted.contains(response.status) { return response }
        throw Self.refusal(response, operation: operation, url: url, token: token)
    }

    /// A non-2xx answer as an error: 401/403 name HTTP_AUTH_TOKEN, 429 and 5xx are retried
    /// (after `Retry-After`), any other 4xx is this object's problem, with the server's words.
    package static func refusal(_ response: HTTPResponse, operation: String, url: String, token: Secret?) -> StoreError {
        let code = switch response.status {
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 429: "TooManyRequests"
        // The server's way to say the body did not match Repr-Digest (see docs/storage.md).
        case 400 where response.bodyText.lowercased().contains("digest"): "BadDigest"
        default: "HTTP\(response.status)"
        }
        let said = response.bodyText.split(whereSeparator: \.isNewline).first.map { String($0.prefix(200)) } ?? ""
        var error = StoreError(code: code, message: token?.scrub(said) ?? said, httpStatus: response.status,
                               requestID: response.header("x-request-id"), operation: operation, resource: url)
        if response.status == 429 || response.status >= 500 {
            error.retryAfter = response.header("retry-after").flatMap { Int($0.trimmed()) }.map { .seconds(max(0, $0)) }
        }
        return error
    }

    /// Sends `token` from the next request on (HTTP_AUTH_TOKEN reloaded).
    package func changeToken(_ token: Secret?) {
        self.token.withLock { $0 = token }
    }

    /// `Repr-Digest: sha-256=:<Base64>:` (RFC 9530).
    package static func reprDigest(_ sha256: [UInt8]) -> String { "sha-256=:\(ByteEncoding.base64(sha256)):" }

    /// The SHA-256 in a `Repr-Digest` header, Base64 as S3 shows checksums; nil without one.
    package static func sha256(inReprDigest header: String?) -> String? {
        guard let header else { return nil }
        for member in header.split(separator: ",") {
            let parts = String(member).trimmed().split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "sha-256" else { continue }
            let value = String(parts[1]).trimmed(of: ": ")
            return ByteEncoding.bytes(fromBase64: value)?.count == 32 ? value : nil
        }
        return nil
    }
}
