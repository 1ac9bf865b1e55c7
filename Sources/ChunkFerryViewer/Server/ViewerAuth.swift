import ChunkFerrySupport
import Foundation
import Hummingbird

/// With `VIEW_TOKEN`, every request shows it: `Authorization: Bearer <token>`, or basic auth
/// with the token as password (any user name), which browsers ask for themselves. The token
/// never travels in a URL, so it stays out of histories, logs and referrers.
struct ViewerAuth: RouterMiddleware {
    typealias Context = BasicRequestContext

    let token: Secret?
    /// Paths that carry their own secret (ffmpeg's loopback source).
    let exempt: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else {
            // Without a token only this machine may look, and a page elsewhere must not reach the
            // viewer through a name it points at 127.0.0.1 (DNS rebinding): only loopback names.
            guard Self.isLoopbackHost(request.head.authority) else {
                return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(string: "this viewer answers only as 127.0.0.1, localhost or [::1]: set VIEW_TOKEN to serve it under other names\n")))
            }
            return try await next(request, context)
        }
        // ffmpeg's loopback source checks its own secret (ViewerServer.serveSource).
        guard !request.uri.path.hasPrefix(exempt) else { return try await next(request, context) }
        if let header = request.headers[.authorization], Self.presents(token, in: header) {
            return try await next(request, context)
        }
        return Response(status: .unauthorized,
                        headers: [.wwwAuthenticate: "Basic realm=\"ChunkFerry\", charset=\"UTF-8\"", .contentType: "text/plain; charset=utf-8",
                                  .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: "this viewer needs VIEW_TOKEN: as a bearer token, or as the password (any user name)\n")))
    }

    /// Whether a `Host` names this machine's loopback (any port); a request without one is a
    /// client of HTTP/1.0 on this machine.
    static func isLoopbackHost(_ authority: String?) -> Bool {
        guard let authority, !authority.isEmpty else { return true }
        var host = Substring(authority.lowercased())
        if host.hasPrefix("[") {
            host = host.dropFirst().prefix { $0 != "]" }
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        let ipv4Loopback = octets.count == 4 && !octets.contains(nil) && octets[0] == 127
        return host == "localhost" || host == "::1" || ipv4Loopback
    }

    /// Whether `header` carries `token`: compared in constant time, so timing tells nothing.
    static func presents(_ token: Secret, in header: String) -> Bool {
        let expected = Array(token.value.utf8)
        if header.hasPrefix("Bearer ") {
            return sameBytes(Array(header.dropFirst(7).utf8), expected)
        }
        if header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))),
           let colon = decoded.firstIndex(of: UInt8(ascii: ":")) {
            return sameBytes(Array(decoded[decoded.index(after: colon)...]), expected)
        }
        return false
    }

    static func sameBytes(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
        return difference == 0
    }
}
