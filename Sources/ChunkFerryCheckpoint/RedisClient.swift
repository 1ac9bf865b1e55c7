import ChunkFerrySupport

/// Async access to Redis: commands run on a dedicated thread that owns the hiredis connection.
package final class RedisClient: Sendable {
    package let url: RedisURL
    private let workers: BlockingWorkerPool<RedisConnection>

    package init(url: RedisURL, connectTimeoutMilliseconds: Int = 5_000, commandTimeoutMilliseconds: Int = 5_000) {
        self.url = url
        let options = RedisConnection.Options(
            url: url, connectTimeoutMilliseconds: connectTimeoutMilliseconds, commandTimeoutMilliseconds: commandTimeoutMilliseconds
        )
        workers = BlockingWorkerPool(name: "redis", workers: 1) { RedisConnection(options: options) }
    }

    deinit { workers.shutdown(wait: false) }

    /// Runs one command; an error reply is thrown as `RedisError` of kind `.reply`.
    @discardableResult
    func command(_ arguments: String...) async throws(RedisError) -> RedisReply {
        try await command(arguments)
    }

    @discardableResult
    func command(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        let reply = try await pipeline([arguments])[0]
        if case .error(let message) = reply { throw RedisError(kind: .reply, message: message) }
        return reply
    }

    /// Runs the commands in one round trip; error replies are returned, not thrown.
    func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let result: Result<[RedisReply], RedisError>
        do {
            result = try await workers.run { connection in
                do throws(RedisError) { return .success(try connection.pipeline(commands)) } catch { return .failure(error) }
            }
        } catch {
            throw RedisError(kind: .connection, message: "the Redis client was shut down")
        }
        return try result.get()
    }
}
