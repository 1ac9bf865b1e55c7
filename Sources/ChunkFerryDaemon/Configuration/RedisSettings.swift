import ChunkFerryCheckpoint
import ChunkFerrySupport

/// Where checkpoints live.
///
/// Keys: `REDIS_URL` (default `redis://localhost:6379/0`), `REDIS_NAMESPACE` (default `chunkferry:`).
package struct RedisSettings: Sendable {
    package var url: RedisURL
    package var namespace: String

    package init(url: RedisURL, namespace: String = "chunkferry:") {
        self.url = url
        self.namespace = namespace
    }

    package init(config: SettingsReader) throws(SettingsError) {
        do throws(RedisError) {
            url = try RedisURL(parsing: config.string(.redisURL) ?? "redis://localhost:6379/0")
        } catch {
            throw SettingsError(key: .redisURL, message: error.message)
        }
        namespace = config.string(.redisNamespace) ?? "chunkferry:"
    }
}
