/// Events not yet done (open, or waiting for their clip), so a restart or a crash keeps them:
/// one hash, event key → JSON.
extension CheckpointStore {
    package func saveEvent(_ key: String, json: String) async throws(RedisError) {
        try await redis.command("HSET", "\(namespace)events", key, json)
    }

    package func dropEvent(_ key: String) async throws(RedisError) {
        try await redis.command("HDEL", "\(namespace)events", key)
    }

    /// Every saved event's JSON.
    package func savedEvents() async throws(RedisError) -> [String] {
        try await redis.command("HGETALL", "\(namespace)events").fields.map(\.1)
    }
}
