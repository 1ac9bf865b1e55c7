/// The chains of manifests: per source (a camera, a top folder), the newest manifest written,
/// as the pipeline encodes it. One hash, source → value.
extension CheckpointStore {
    /// KEYS: chains. ARGV: source, the value expected now ("" for none), the new value. Sets it
    /// only if nobody moved it since it was read: two instances never name one predecessor.
    package static let advanceChainScript = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if (current == false and ARGV[2] == '') or current == ARGV[2] then
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            return 1
        end
        return 0
        """

    package func chainHead(_ source: String) async throws(RedisError) -> String? {
        try await redis.command("HGET", "\(namespace)chains", source).string
    }

    /// Moves `source`'s head from `expected` (nil: none) to `value`; false when it moved meanwhile.
    package func advanceChainHead(_ source: String, from expected: String?, to value: String) async throws(RedisError) -> Bool {
        try await redis.command("EVAL", Self.advanceChainScript, "1", "\(namespace)chains", source, expected ?? "", value).integer == 1
    }
}
