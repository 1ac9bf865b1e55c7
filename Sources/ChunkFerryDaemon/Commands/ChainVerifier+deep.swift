import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
import Foundation

/// `--deep`: every byte of a recording read, in pieces, each chunk checked against its checksum
/// and the whole against the manifest's SHA-256. Never a whole recording in memory.
extension ChainVerifier {
    /// How much of a whole object one request reads.
    static let pieceSize: Int64 = 4 << 20

    /// The content findings of one recording; objects already found missing or wrong (`known`)
    /// are not read again, and the recording's hash is then not judged.
    func readThrough(_ stored: StoredManifest, skipping known: Set<String>) async throws(StartupFailure) -> [VerifyReport.Finding] {
        let manifest = stored.manifest
        let outcome: RecordingFeed.Outcome
        var complete = true
        if manifest.keepsChunks {
            let feed = RecordingFeed(chunks: manifest.chunks, digest: manifest.fileDigest)
            for chunk in manifest.chunks {
                guard !known.contains(chunk.key) else {
                    complete = false
                    feed.skip(chunk)
                    continue
                }
                feed.add(try await fetch(chunk.key, range: nil))
            }
            outcome = feed.finish()
        } else if let whole = manifest.object, !known.contains(whole.key) {
            guard let info = try await lookBase(whole.key) else { return [] }  // gone since the HEAD: reported there
            // Sealed (ENCRYPT_TO; EncryptedStore's marker): several age files one after another,
            // opened as they are read.
            if info.metadata["chunkferry-encrypted"] != nil {
                let opened = try await openSealed(whole.key, size: info.size, chunks: manifest.chunks, digest: manifest.fileDigest)
                if let failure = opened.failure { return [.init(.contentMismatch, whole.key, "does not decrypt: \(failure)")] }
                outcome = opened.outcome
            } else {
                let feed = RecordingFeed(chunks: manifest.chunks, digest: manifest.fileDigest)
                var offset: Int64 = 0
                while offset < info.size {
                    let end = min(info.size, offset + Self.pieceSize)
                    feed.add(try await fetch(whole.key, range: offset..<end, from: base))
                    offset = end
                }
                outcome = feed.finish()
            }
        } else {
            return []
        }
        var findings = outcome.mismatched.map { index in
            let chunk = manifest.chunks[index]
            return VerifyReport.Finding(.contentMismatch, chunk.key, "the bytes of chunk \(chunk.index) of \(manifest.path) do not match its \(chunk.checksum.map { "\($0.kind)" } ?? "checksum") in \(stored.key)")
        }
        if complete, findings.isEmpty, let expected = manifest.fileDigest, outcome.fileDigest != expected {
            findings.append(.init(.contentMismatch, stored.key, "\(manifest.path) read from the store hashes to \(outcome.fileDigest), the manifest says \(expected)"))
        }
        return findings
    }

    /// An object's bytes (or a range), decrypted when read through `storage`.
    func fetch(_ key: String, range: Range<Int64>?, from store: (any ObjectStore)? = nil) async throws(StartupFailure) -> [UInt8] {
        let store = store ?? storage
        do throws(StoreError) {
            return try await retrying { () async throws(StoreError) -> [UInt8] in try await store.get(key: key, range: range) }
        } catch where error.code == "NotYourKey" {
            throw StartupFailure(message: "\(key) is encrypted (ENCRYPT_TO): give --identity FILE, the age identity it was encrypted to")
        } catch {
            throw StartupFailure(message: "cannot read \(key) from \(base.location): \(error)")
        }
    }

    func lookBase(_ key: String) async throws(StartupFailure) -> ObjectInfo? {
        do {
            return try await retrying { () async throws(StoreError) -> ObjectInfo? in try await base.head(key: key) }
        } catch {
            throw StartupFailure(message: "cannot look at \(key) in \(base.location): \(error)")
        }
    }

    /// Decrypts the sealed object of `size` bytes, checking it as it goes, on a thread of its
    /// own: age's reader asks for bytes synchronously, and each ask waits there for a ranged GET.
    /// `failure` says why it stopped, if it did.
    private func openSealed(_ key: String, size: Int64, chunks: [Manifest.Chunk], digest: String?) async throws(StartupFailure)
        -> (outcome: RecordingFeed.Outcome, failure: String?) {
        let pool = BlockingWorkerPool<Void>(name: "verify-deep", workers: 1) {}
        defer { pool.shutdown(wait: false) }
        do {
            return try await pool.run { [self] _ -> (outcome: RecordingFeed.Outcome, failure: String?) in
                let feed = RecordingFeed(chunks: chunks, digest: digest)
                var window: (start: Int64, bytes: [UInt8]) = (0, [])
                var readFailure: StoreError?
                let error = AgeFile.open(size: size, identities: identities, concatenated: true, read: { offset, count in
                    let end = offset + Int64(count)
                    if offset < window.start || end > window.start + Int64(window.bytes.count) {
                        // A piece at a time, not one request per 64 KiB of age's STREAM.
                        switch waitFor(key, range: offset..<min(size, max(end, offset + Self.pieceSize))) {
                        case .success(let bytes): window = (offset, bytes)
                        case .failure(let failure):
                            readFailure = failure
                            return []
                        }
                    }
                    let from = Int(offset - window.start)
                    return Array(window.bytes[from..<min(window.bytes.count, from + count)])
                }, emit: { plaintext in
                    feed.add(plaintext)
                    return true
                })
                let failure = readFailure.map { "\($0)" } ?? error.map { "\($0)" }
                return (feed.finish(), failure)
            }
        } catch {
            throw StartupFailure(message: "stopped while reading \(key)")
        }
    }

    /// A ranged GET of the raw object, waited for on a thread that is not the cooperative pool's.
    private func waitFor(_ key: String, range: Range<Int64>) -> Result<[UInt8], StoreError> {
        let handoff = Handoff<Result<[UInt8], StoreError>>()
        let base = base
        Task {
            do throws(StoreError) {
                handoff.deliver(.success(try await retrying { () async throws(StoreError) -> [UInt8] in try await base.get(key: key, range: range) }))
            } catch {
                handoff.deliver(.failure(error))
            }
        }
        return handoff.wait()
    }
}

/// One answer handed from a task to a thread waiting for it.
private final class Handoff<Value: Sendable>: @unchecked Sendable {
    // `@unchecked`: `value` is read and written only under `condition`'s lock.
    private let condition = NSCondition()
    private var value: Value?

    func deliver(_ answer: Value) {
        condition.lock()
        value = answer
        condition.signal()
        condition.unlock()
    }

    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
