#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The streams this instance holds leases on. Only a lease holder uploads a stream's chunks and
/// finalizes it, and Redis refuses its commits once the lease is gone (see the commit script),
/// so two instances on one directory never both advance the same stream.
package final class StreamLeases: Sendable {
    package let store: CheckpointStore
    /// `NODE_ID/random`: unique per process even when two instances share a NODE_ID.
    package let owner: String
    package let ttl: Duration
    private let held = Mutex<Set<String>>([])

    package init(store: CheckpointStore, nodeID: String, ttl: Duration) {
        self.store = store
        self.ttl = ttl
        owner = "\(nodeID)/\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    package var heldIDs: [String] { held.withLock { Array($0) } }

    /// Whether this instance holds (or just took) the lease on `id`; `isNew` when it was not
    /// held before, so the caller must re-read the stream (another instance may have advanced it).
    package func acquire(_ id: String) async throws(RedisError) -> (held: Bool, isNew: Bool) {
        if held.withLock({ $0.contains(id) }) { return (true, false) }
        guard try await store.acquireLease(id, owner: owner, ttl: ttl) else { return (false, false) }
        held.withLock { _ = $0.insert(id) }
        return (true, true)
    }

    /// Forgets a lease Redis says is gone.
    package func lost(_ id: String) {
        held.withLock { _ = $0.remove(id) }
    }

    package func release(_ id: String) async {
        guard held.withLock({ $0.remove(id) }) != nil else { return }
        try? await store.releaseLeases([id], owner: owner)
    }

    /// Extends every held lease; returns the ids whose lease lapsed meanwhile (now forgotten).
    package func renewAll() async throws(RedisError) -> [String] {
        let ids = heldIDs
        guard !ids.isEmpty else { return [] }
        let lost = try await store.renewLeases(ids, owner: owner, ttl: ttl)
        held.withLock { $0.subtract(lost) }
        return lost
    }

    package func releaseAll() async {
        let ids = held.withLock { held in
            defer { held.removeAll() }
            return Array(held)
        }
        guard !ids.isEmpty else { return }
        try? await store.releaseLeases(ids, owner: owner)
    }
}
