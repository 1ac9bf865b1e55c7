import ChunkFerrySupport

/// A camera's URL (RTSP stream, snapshot, relay) with its credentials held apart: every textual
/// rendering masks the password, and `scrub` removes it from text that came from elsewhere
/// (ffmpeg's stderr, a server's answer).
struct CameraURL: Sendable, Hashable, CustomStringConvertible {
    /// Lower case, without `://`.
    package let scheme: String
    /// As written (percent-encoded), or nil.
    package let user: String?
    package let password: Secret?
    /// `host[:port]/path?query`.
    package let rest: String
    /// Query parameters some cameras take credentials in (Reolink `password=`).
    private static let secretParameters: Set<String> = ["password", "pwd", "passwd", "pass", "token", "key", "auth"]

    package init?(_ text: String) {
        guard let separator = text.range(of: "://") else { return nil }
        scheme = text[..<separator.lowerBound].lowercased()
        let afterScheme = text[separator.upperBound...]
        // User and password end at the last `@` before the query (a raw password may hold `@` or
        // `/`), when what precedes it is a user name or `user:password`, not a path.
        let queryStart = afterScheme.firstIndex(of: "?") ?? afterScheme.endIndex
        if let lastAt = afterScheme[..<queryStart].lastIndex(of: "@"),
           afterScheme[..<lastAt].contains(":") || !afterScheme[..<lastAt].contains("/") {
            let userinfo = afterScheme[..<lastAt]
            let colon = userinfo.firstIndex(of: ":")
            user = String(userinfo[..<(colon ?? userinfo.endIndex)])
            password = colon.map { Secret(String(userinfo[userinfo.index(after: $0)...])) }
            rest = String(afterScheme[afterScheme.index(after: lastAt)...])
        } else {
            user = nil
            password = nil
            rest = String(afterScheme)
        }
        guard !rest.isEmpty, !rest.hasPrefix("/") else { return nil }
    }

    private init(scheme: String, user: String?, password: Secret?, rest: String) {
        (self.scheme, self.user, self.password, self.rest) = (scheme, user, password, rest)
    }

    /// This URL with `password` (raw text, percent-encoded here) as its password.
    package func with(password newPassword: String) -> CameraURL {
        CameraURL(scheme: scheme, user: user, password: Secret(ByteEncoding.percentEncoded(newPassword)), rest: rest)
    }

    /// The whole URL, credentials included: only for ffmpeg's arguments.
    package var full: String {
        guard let user else { return "\(scheme)://\(rest)" }
        return "\(scheme)://\(user)\(password.map { ":" + $0.value } ?? "")@\(rest)"
    }

    /// Without user and password (for curl, which gets them apart).
    var withoutCredentials: String { "\(scheme)://\(rest)" }

    /// `host[:port]`, for messages.
    package var host: String { String(rest.prefix { $0 != "/" && $0 != "?" }) }

    package var description: String {
        let masked = user.map { "\($0)\(password == nil ? "" : ":***")@" } ?? ""
        return "\(scheme)://\(masked)\(Self.maskingQuery(rest))"
    }

    /// `text` with the password (as written and decoded) and secret query values replaced.
    func scrub(_ text: String) -> String {
        Self.scrub(text, hiding: secrets)
    }

    /// The password, as written and decoded, and secret query values (too short ones would mask
    /// ordinary text).
    var secrets: Set<String> {
        Set((password.map { [$0.value, Self.decoded($0.value)] } ?? []) + Self.queryValues(rest)).filter { $0.count >= 3 }
    }

    static func scrub(_ text: String, hiding secrets: Set<String>) -> String {
        var out = text
        for secret in secrets { out = out.replacing(secret, with: "***") }
        return out
    }

    /// The user name and password, decoded, for HTTP authentication.
    var decodedCredentials: (user: String, password: String)? {
        guard let user else { return nil }
        return (Self.decoded(user), password.map { Self.decoded($0.value) } ?? "")
    }

    private static func decoded(_ text: String) -> String {
        String(decoding: ByteEncoding.percentDecoded(text), as: UTF8.self)
    }

    private static func queryValues(_ rest: String) -> [String] {
        guard let query = rest.split(separator: "?", maxSplits: 1).dropFirst().first else { return [] }
        return query.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, secretParameters.contains(parts[0].lowercased()) else { return nil }
            return String(parts[1])
        }
    }

    private static func maskingQuery(_ rest: String) -> String {
        var out = rest
        for value in queryValues(rest) where !value.isEmpty { out = out.replacing("=" + value, with: "=***") }
        return out
    }
}
