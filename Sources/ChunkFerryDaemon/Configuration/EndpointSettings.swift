import ChunkFerrySupport

/// The operations endpoint (`/health`, `/ready`, `/metrics`).
///
/// Keys: `HTTP_PORT` (default 8080; `0` turns the endpoint off), `HTTP_BIND` (default
/// `127.0.0.1`; the container image sets `0.0.0.0`).
package struct EndpointSettings: Sendable, Equatable {
    /// Nil: off.
    package var port: Int?
    package var bind: String

    package init(port: Int? = nil, bind: String = "127.0.0.1") {
        self.port = port
        self.bind = bind
    }

    package init(config: SettingsReader) throws(SettingsError) {
        let port = try config.integer(.httpPort, range: 0...65535) ?? 8080
        self.port = port == 0 ? nil : port
        bind = config.string(.httpBind) ?? "127.0.0.1"
    }

    /// Where `chunkferry health` asks: the bind address, or loopback when it listens on all.
    package var localURL: String? {
        guard let port else { return nil }
        let host = ["0.0.0.0", "::", "[::]", ""].contains(bind) ? "127.0.0.1" : bind.contains(":") ? "[\(bind)]" : bind
        return "http://\(host):\(port)"
    }
}
