/// Leases: which instance works on a stream when several share one directory and one Redis.
/// A lease is a key holding its owner, with an expiry; it is renewed while the owner works and
/// lapses when the owner dies, so another instance can take the stream over.
extension CheckpointStore {
    /// Takes the lease on stream `id` if it is free (or extends it if already `owner`'s).
    package func acquireLease(_ id: String, owner: String, ttl: Duration) async throws(RedisError) -> Bool {
        try await redis.command("EVAL", Self.acquireLeaseScript, "1", leaseKey(id), owner, String(ttl.milliseconds)).integer == 1
    }

    /// Extends every lease in `ids` still held by `owner`, in one round trip; returns those lost.
    package func renewLeases(_ ids: [String], owner: String, ttl: Duration) async throws(RedisError) -> [String] {
        let replies = try await redis.pipeline(ids.map {
            ["EVAL", Self.renewLeaseScript, "1", leaseKey($0), owner, String(ttl.milliseconds)]
        })
        return zip(ids, replies).filter { $0.1.integer != 1 }.map(\.0)
    }

    package func releaseLeases(_ ids: [String], owner: String) async throws(RedisError) {
        _ = try await redis.pipeline(ids.map { ["EVAL", Self.releaseLeaseScript, "1", leaseKey($0), owner] })
    }

    /// Who holds each stream's lease now (nil: nobody).
    package func leaseOwners(_ ids: [String]) async throws(RedisError) -> [String?] {
        try await redis.pipeline(ids.map { ["GET", leaseKey($0)] }).map(\.string)
    }
}
