import ChunkFerrySupport

/// `chunkferry serve`: where the viewer listens, who may look, and how long a listing lasts.
///
/// Keys: `VIEW_PORT` (default 8090), `VIEW_BIND` (default `127.0.0.1`), `VIEW_TOKEN` (required
/// when bound beyond loopback, at least 16 characters), `VIEW_CACHE` (default `30s`).
package struct ViewerSettings: Sendable {
    package var port: Int
    package var bind: String
    package var token: Secret?
    /// How long the catalog of recordings is kept before the store is listed again.
    package var cache: Duration

    package init(port: Int = 8090, bind: String = "127.0.0.1", token: Secret? = nil, cache: Duration = .seconds(30)) {
        self.port = port
        self.bind = bind
        self.token = token
        self.cache = cache
    }

    package init(config: SettingsReader) throws(SettingsError) {
        port = try config.integer(.viewPort, range: 1...65535) ?? 8090
        bind = config.string(.viewBind) ?? "127.0.0.1"
        token = config.string(.viewToken).flatMap { $0.isEmpty ? nil : Secret($0) }
        cache = try config.duration(.viewCache) ?? .seconds(30)
        if let token, token.value.count < 16 {
            throw SettingsError(key: .viewToken, message: "VIEW_TOKEN is too short (\(token.value.count) characters): use at least 16, such as the output of: openssl rand -hex 16")
        }
        if token == nil && !isLoopback {
            throw SettingsError(key: .viewBind, message: "VIEW_BIND=\(bind) serves the footage beyond this machine: set VIEW_TOKEN (at least 16 characters) so only those who know it may look, or VIEW_BIND=127.0.0.1")
        }
    }

    /// Whether only this machine can reach the viewer.
    var isLoopback: Bool {
        bind == "localhost" || bind == "::1" || bind.hasPrefix("127.")
    }
}
