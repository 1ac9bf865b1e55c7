/// Where checkpoints live.
///
/// Keys: `REDIS_URL` (default `redis://localhost:6379/0`), `REDIS_NAMESPACE` (default `chunkferry:`).
public struct RedisSettings: Sendable {
    public var url: RedisURL
    public var namespace: String

    public init(url: RedisURL, namespace: String = "chunkferry:") {
        self.url = url
        self.namespace = namespace
    }

    public init(config: SettingsReader) throws(SettingsError) {
        do throws(RedisError) {
            url = try RedisURL(parsing: config.string(.redisURL) ?? "redis://localhost:6379/0")
        } catch {
            throw SettingsError(key: .redisURL, message: error.message)
        }
        namespace = config.string(.redisNamespace) ?? "chunkferry:"
    }
}
