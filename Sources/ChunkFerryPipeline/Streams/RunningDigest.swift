import ChunkFerryStorage
import ChunkFerrySupport
import Synchronization

/// The whole file's SHA-256, fed with each chunk as it is committed, in order, plus what proves at
/// finalization that no byte changed after it was hashed. With that proof the finalizer skips
/// re-reading the file: a file that was already finished when ChunkFerry saw it is read once.
///
/// The proof: the filesystem keeps fine local timestamps, every hash pass saw the same
/// status-change time (ctime), it is still the file's, and the first pass began at least two
/// seconds after it. A write, a truncation or a `touch` after the first pass would have moved the
/// ctime, which nothing can set back (the margin covers the kernel's coarse clock). Elsewhere
/// (network filesystems, FAT) the finalizer re-reads the file.
package final class RunningDigest: Sendable {
    private struct State {
        package var digest: DigestBox? = DigestBox(Digest(.sha256))
        package var offset: Int64 = 0
        package var changed: Int64?
        var firstHashAt: Int64?
        var consistent = true
    }

    private let state = Mutex(State())

    /// A copy to feed the chunk at `offset` into; nil when the digest does not end exactly there.
    func fork(at offset: Int64) -> DigestBox? {
        state.withLock { state in
            guard state.consistent, state.offset == offset, let digest = state.digest else { return nil }
            return DigestBox(digest.copy())
        }
    }

    /// The chunk hashed into `fork` was committed: the digest now covers `[0, offset)`.
    func advance(_ fork: DigestBox?, to offset: Int64, hash: ChunkReader.Hash) {
        advance(fork, to: offset, hashes: [hash])
    }

    /// The chunks hashed into `fork` one after another (`hashes`, in order) were all committed.
    func advance(_ fork: DigestBox?, to offset: Int64, hashes: [ChunkReader.Hash]) {
        state.withLock { state in
            guard let fork, state.consistent else {
                state.consistent = false
                return
            }
            state.digest = fork
            state.offset = offset
            for hash in hashes {
                if state.changed == nil { state.changed = hash.changed }
                if state.firstHashAt == nil { state.firstHashAt = hash.hashedAt }
                if state.changed != hash.changed || !hash.hasFineTimestamps { state.consistent = false }
            }
        }
    }

    /// Chunks were committed another way (recovered, reopened, repaired): no whole-file digest.
    func invalidate() {
        state.withLock { $0.consistent = false }
    }

    /// The whole-file SHA-256 (hex) if it covers `size` bytes and the proof holds for a file whose
    /// status-change time is now `changed` (ns).
    func provenSHA256(size: Int64, changed: Int64) -> String? {
        state.withLock { state in
            guard state.consistent, state.offset == size, state.changed == changed, let firstHashAt = state.firstHashAt,
                  let digest = state.digest, firstHashAt - changed / 1_000_000 >= 2000 else { return nil }
            return ByteEncoding.hex(digest.copy().finalize())
        }
    }
}
