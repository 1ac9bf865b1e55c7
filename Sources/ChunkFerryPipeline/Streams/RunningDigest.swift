import ChunkFerryStorage
import ChunkFerrySupport
import Synchronization

/// The whole file's digest (`FILE_DIGEST`), fed with each chunk as it is committed, in order,
/// plus what proves at finalization that no byte changed after it was hashed. With that proof
/// the finalizer skips re-reading the file: a file that was already finished when ChunkFerry
/// saw it is read once. A SHA-256 is fed the chunks' bytes (a fork of it rides along with each
/// chunk's read); a CRC32C is the chunks' own CRC32Cs combined, no byte read for it.
///
/// The proof: the filesystem keeps fine local timestamps, every hash pass saw the same
/// status-change time (ctime), it is still the file's, and the first pass began at least two
/// seconds after it. A write, a truncation or a `touch` after the first pass would have moved the
/// ctime, which nothing can set back (the margin covers the kernel's coarse clock). Elsewhere
/// (network filesystems, FAT) the finalizer re-reads the file.
package final class RunningDigest: Sendable {
    /// Where chunks from `start` on are fed: a copy of the SHA-256 (`box`), or nothing to feed
    /// for a CRC32C.
    struct Fork: Sendable {
        let start: Int64
        let box: DigestBox?
    }

    private struct State {
        var digest: DigestBox?
        var crc = CRC32C()
        var offset: Int64 = 0
        var changed: Int64?
        var firstHashAt: Int64?
        var consistent = true
    }

    let kind: FileDigest
    private let state: Mutex<State>

    package init(kind: FileDigest = .standard) {
        self.kind = kind
        state = Mutex(State(digest: kind == .sha256 ? DigestBox(Digest(.sha256)) : nil))
    }

    /// Where to feed the chunk at `offset`; nil when the digest does not end exactly there.
    func fork(at offset: Int64) -> Fork? {
        state.withLock { state in
            guard state.consistent, state.offset == offset else { return nil }
            guard let digest = state.digest else { return Fork(start: offset, box: nil) }
            return Fork(start: offset, box: DigestBox(digest.copy()))
        }
    }

    /// The chunk hashed into `fork` was committed: the digest now covers `[0, offset)`.
    func advance(_ fork: Fork?, to offset: Int64, hash: ChunkReader.Hash) {
        advance(fork, to: offset, hashes: [hash])
    }

    /// The chunks hashed into `fork` one after another (`hashes`, in order) were all committed.
    func advance(_ fork: Fork?, to offset: Int64, hashes: [ChunkReader.Hash]) {
        state.withLock { state in
            guard let fork, state.consistent, state.offset == fork.start else {
                state.consistent = false
                return
            }
            if let box = fork.box {
                state.digest = box
            } else {
                for hash in hashes {
                    // Every chunk is a CRC32C when FILE_DIGEST=crc32c (the settings see to it).
                    guard case .crc32c(let value) = hash.checksum, hash.length > 0 else {
                        state.consistent = false
                        return
                    }
                    state.crc = state.crc.appending(CRC32C(value: value), length: Int64(hash.length))
                }
            }
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

    /// The whole file's digest (as `FileDigest` writes it) if it covers `size` bytes and the
    /// proof holds for a file whose status-change time is now `changed` (ns).
    func provenDigest(size: Int64, changed: Int64) -> String? {
        state.withLock { state in
            guard state.consistent, state.offset == size, state.changed == changed, let firstHashAt = state.firstHashAt,
                  firstHashAt - changed / 1_000_000 >= 2000 else { return nil }
            if let digest = state.digest { return ByteEncoding.hex(digest.copy().finalize()) }
            return FileDigest.text(state.crc)
        }
    }
}
