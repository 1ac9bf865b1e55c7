import CHiredis

/// One hiredis connection; the only place hiredis is called. Blocking and not thread-safe:
/// a worker thread owns it. A broken connection is re-opened once, transparently, per call.
package final class RedisConnection {
    package struct Options: Sendable {
        package var url: RedisURL
        package var connectTimeoutMilliseconds = 5_000
        package var commandTimeoutMilliseconds = 5_000
    }

    private let options: Options
    private var context: UnsafeMutablePointer<redisContext>?

    package init(options: Options) {
        self.options = options
    }

    deinit { disconnect() }

    func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try pipeline([arguments])[0]
    }

    /// Sends every command, then reads every reply: one round trip for the batch.
    func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        do {
            return try attempt(commands)
        } catch where error.kind == .connection {
            disconnect()
            return try attempt(commands)
        }
    }

    private func attempt(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        let context = try connected()
        for arguments in commands {
            let appended = withArgv(arguments) { count, argv, lengths in
                redisAppendCommandArgv(context, count, argv, lengths)
            }
            guard appended == REDIS_OK else { throw failure(context, doing: "send a command") }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            guard let reply = cf_redis_get_reply(context) else { throw failure(context, doing: "read a reply") }
            replies.append(Self.decode(reply))
            freeReplyObject(reply)
        }
        if let denied = replies.first(where: Self.isAuthenticationFailure) {
            throw RedisError(kind: .authentication, message: Self.authenticationAdvice(denied))
        }
        return replies
    }

    private func connected() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        let url = options.url
        guard let created = cf_redis_connect(url.host, Int32(url.port), options.connectTimeoutMilliseconds) else {
            throw RedisError(kind: .connection, message: "cannot reach Redis at \(url.host):\(url.port): out of memory")
        }
        if created.pointee.err != 0 {
            let reason = Self.errorText(created)
            redisFree(created)
            throw RedisError(kind: .connection, message: "cannot reach Redis at \(url.host):\(url.port): \(reason)")
        }
        _ = cf_redis_set_timeout(created, options.commandTimeoutMilliseconds)
        _ = redisEnableKeepAlive(created)
        context = created
        var handshake: [[String]] = []
        if let password = url.password {
            handshake.append(url.username.map { ["AUTH", $0, password.value] } ?? ["AUTH", password.value])
        }
        if url.database != 0 { handshake.append(["SELECT", String(url.database)]) }
        guard !handshake.isEmpty else { return created }
        do throws(RedisError) {
            for reply in try attempt(handshake) {
                if case .error(let message) = reply {
                    throw RedisError(kind: Self.isAuthenticationFailure(reply) ? .authentication : .reply,
                                     message: Self.isAuthenticationFailure(reply) ? Self.authenticationAdvice(reply)
                                         : "Redis refused the connection setup: \(message)")
                }
            }
        } catch {
            disconnect()
            throw error
        }
        return created
    }

    private func disconnect() {
        if let context { redisFree(context) }
        context = nil
    }

    private func failure(_ context: UnsafeMutablePointer<redisContext>, doing action: String) -> RedisError {
        let reason = Self.errorText(context)
        disconnect()
        let url = options.url
        return RedisError(kind: .connection, message: "lost Redis at \(url.host):\(url.port) trying to \(action): \(reason)")
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        switch text {
        case "Resource temporarily unavailable": return "timed out"
        case "": return "connection closed"
        default: return text
        }
    }

    private static func isAuthenticationFailure(_ reply: RedisReply) -> Bool {
        guard case .error(let message) = reply else { return false }
        return message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") || message.contains("invalid password")
            || message.contains("invalid username-password")
            || message.contains("AUTH <password> called without any password configured")
    }

    private static func authenticationAdvice(_ reply: RedisReply) -> String {
        guard case .error(let message) = reply else { return "Redis refused the credentials" }
        if message.hasPrefix("NOAUTH") { return "Redis requires a password: add it to REDIS_URL as redis://:PASSWORD@host:port/db" }
        if message.contains("without any password configured") {
            return "REDIS_URL has a password but Redis has none configured: remove it from REDIS_URL"
        }
        return "Redis rejected the password in REDIS_URL: check REDIS_URL"
    }

    private static func decode(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        func text() -> String {
            guard let pointer = value.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(value.len)), as: UTF8.self)
        }
        switch value.type {
        case REDIS_REPLY_STRING: return .string(text())
        case REDIS_REPLY_STATUS: return .status(text())
        case REDIS_REPLY_ERROR: return .error(text())
        case REDIS_REPLY_INTEGER: return .integer(value.integer)
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            for index in 0..<Int(value.elements) {
                if let element = value.element[index] { items.append(decode(element)) } else { items.append(.null) }
            }
            return .array(items)
        default: return .null
        }
    }

    /// Lays the arguments out as hiredis wants them: pointers and explicit lengths (binary-safe).
    private func withArgv<R>(_ arguments: [String], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        let encoded = arguments.map { Array($0.utf8) }
        let total = encoded.reduce(0) { $0 + $1.count }
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        let pointers = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: encoded.count)
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: encoded.count)
        defer { storage.deallocate(); pointers.deallocate(); lengths.deallocate() }
        var offset = 0
        for (index, bytes) in encoded.enumerated() {
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(storage + offset).copyMemory(from: raw.baseAddress ?? UnsafeRawPointer(storage), byteCount: bytes.count)
            }
            pointers[index] = UnsafePointer(storage + offset)
            lengths[index] = bytes.count
            offset += bytes.count
        }
        return body(Int32(encoded.count), pointers, lengths)
    }
}
