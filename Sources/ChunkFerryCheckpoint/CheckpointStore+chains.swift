/// The chains of manifests: per source (a camera, a top folder), the newest manifest written,
/// as the pipeline encodes it. One hash, source → value.
extension CheckpointStore {
    package func chainHead(_ source: String) async throws(RedisError) -> String? {
        try await redis.command("HGET", "\(namespace)chains", source).string
    }

    package func setChainHead(_ source: String, _ value: String) async throws(RedisError) {
        try await redis.command("HSET", "\(namespace)chains", source, value)
    }
}
