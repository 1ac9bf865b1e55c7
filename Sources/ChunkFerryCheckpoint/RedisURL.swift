import ChunkFerrySupport

/// `redis://[[user]:password@]host[:port][/db]`, as REDIS_URL gives it.
package struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package var username: String?
    package var password: Secret?
    package var database: Int

    package init(host: String = "localhost", port: Int = 6379, username: String? = nil, password: Secret? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    package init(parsing text: String) throws(RedisError) {
        func invalid(_ reason: String) -> RedisError {
            // The text may hold a password: name the setting, never echo the value.
            RedisError(kind: .configuration, message: "REDIS_URL is not valid: \(reason); expected redis://[:password@]host[:port][/db]")
        }
        guard let schemeEnd = text.firstRange(of: "://") else { throw invalid("it has no redis:// scheme") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        if scheme == "rediss" { throw invalid("TLS (rediss://) is not supported; reach Redis over a trusted network or a TLS tunnel") }
        guard scheme == "redis" else { throw invalid("the scheme must be redis://") }
        var rest = text[schemeEnd.upperBound...]
        username = nil
        password = nil
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = URIEncoding.decode(String(credentials[..<colon]))
                username = user.isEmpty ? nil : user
                password = Secret(URIEncoding.decode(String(credentials[credentials.index(after: colon)...])))
            } else if !credentials.isEmpty {
                password = Secret(URIEncoding.decode(String(credentials)))
            }
        }
        database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else { throw invalid("the database after / must be a number") }
                database = number
            }
        }
        port = 6379
        if rest.hasPrefix("[") {  // [IPv6]:port
            guard let close = rest.firstIndex(of: "]") else { throw invalid("an IPv6 host needs a closing ]") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) ?? -1 }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = Int(rest[rest.index(after: colon)...]) ?? -1
        } else {
            host = String(rest)
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        guard (1...65535).contains(port) else { throw invalid("the port must be a number from 1 to 65535") }
    }

    /// The URL with the password masked, for logs and status.
    package var description: String {
        var credentials = ""
        if password != nil { credentials = "\(username ?? ""):***@" } else if let username { credentials = "\(username)@" }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "redis://\(credentials)\(hostPart):\(port)/\(database)"
    }
}
