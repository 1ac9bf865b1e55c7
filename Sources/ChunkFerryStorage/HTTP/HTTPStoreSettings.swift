import ChunkFerrySupport

/// The user's HTTP server, which receives each object as one request to `<HTTP_UPLOAD_URL>/<key>`
/// (see `init(config:)` for its keys).
package struct HTTPStoreSettings: Sendable {
    package enum Method: String, Sendable { case put = "PUT", post = "POST" }

    /// Without a trailing `/`.
    package var url: String
    package var token: Secret?
    package var method: Method
    package var caFile: String?
    package var connectTimeoutMilliseconds = 10_000
    package var stallTimeoutSeconds = 30

    package init(url: String, token: Secret? = nil, method: Method = .put, caFile: String? = nil) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.token = token
        self.method = method
        self.caFile = caFile
    }
}
