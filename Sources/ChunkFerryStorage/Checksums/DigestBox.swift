import Synchronization

/// A digest several passes feed in turn: the running SHA-256 of a whole file, fed by one
/// chunk's read after another. Its state sits behind a lock, so a pass on a reader's thread and
/// a copy taken elsewhere never touch it together (a checked `Sendable`, no promise to keep).
package final class DigestBox: Sendable {
    private let state: Mutex<Digest>

    package init(_ digest: consuming Digest) { state = Mutex(digest) }

    package func update(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { $0.update(bytes) }
    }

    package func update(_ bytes: [UInt8]) {
        state.withLock { $0.update(bytes) }
    }

    /// A copy of the state, to finalize or fork without disturbing this one.
    package func copy() -> Digest {
        state.withLock { $0.copy() }
    }

    /// Takes `other`'s state (a copy of it): the pass that fed `other` succeeded.
    package func take(_ other: DigestBox) {
        precondition(other !== self, "a digest cannot take its own state")
        state.withLock { $0 = other.copy() }  // two locks, never the same one twice
    }
}
