import ChunkFerryCheckpoint
import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// `chunkferry restore`: a manifest back into the original file, every byte verified, written
/// under a temporary name and renamed into place only when everything matched.
package struct Restorer: Sendable {
    package struct Failure: Error, CustomStringConvertible, Sendable {
        package let description: String
        /// The object asked for is not in the store.
        var isNotFound = false
    }

    let storage: any ObjectStore
    let store: CheckpointStore?
    /// `S3_PREFIX`, normalized: where recordings named by their path are looked for.
    let prefix: String
    /// Told the bytes written so far and the total when known, after each piece.
    package var progress: (@Sendable (_ written: Int64, _ total: Int64?) -> Void)?

    init(storage: any ObjectStore, store: CheckpointStore?, prefix: String = "") {
        self.storage = storage
        self.store = store
        self.prefix = ObjectLayout(prefix: prefix).prefix
    }

    /// `identities` open objects encrypted to them (ENCRYPT_TO); an encrypted object no identity
    /// opens fails with a line asking for one.
    package init(storage settings: StorageSettings, store: CheckpointStore?, prefix: String = "",
                 identityFiles: [String] = []) throws(StartupFailure) {
        let identities = try IdentityFile.read(identityFiles)
        do {
            let storage = EncryptedStore(try settings.makeStore(connections: 1), recipients: [], box: nil, identities: identities)
            self.init(storage: storage, store: store, prefix: prefix)
        } catch {
            throw StartupFailure(message: "\(error)")
        }
    }

    /// Ends the store's connections (see `ObjectStore.shutDown`).
    package func shutDown() { storage.shutDown() }

    /// `reference` is a stream id, a manifest key, or the recording's path (relative to WATCH_DIR,
    /// or its whole object's key). A stream still growing (or cut off) is restored from its
    /// chunks and its provisional tail.
    package func restore(_ reference: String, to output: String) async throws(Failure) -> Restored {
        switch try await locate(reference) {
        case .manifest(let key): return try await restore(manifestKey: key, to: output)
        case .unfinished(let streamPrefix): return try await restoreUnfinished(streamPrefix: streamPrefix, to: output)
        }
    }

    private func restore(manifestKey key: String, to output: String) async throws(Failure) -> Restored {
        let manifest: Manifest
        do {
            manifest = try Manifest.decode(try await fetch(key: key, range: nil))
        } catch let error as Failure where error.isNotFound && key.hasSuffix("/manifest.json") {
            // Closed without a manifest (abandoned before its first chunk, or cut short): what the
            // folder holds. Only a missing manifest: a chunk missing from a manifest is an error.
            return try await restoreUnfinished(streamPrefix: String(key.dropLast("manifest.json".count)), to: output)
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: "\(key) is not a ChunkFerry manifest: \(error)")
        }
        guard manifest.version == 1 else { throw Failure(description: "\(key) has manifest version \(manifest.version); this ChunkFerry reads version 1") }
        guard manifest.isContiguous else { throw Failure(description: "\(key) lists chunks that do not cover the file exactly") }

        let target = try RestoreTarget(output: output)
        // The whole file is checked by the digest its manifest names (FILE_DIGEST).
        var digest = FileDigest.Accumulator(matching: manifest.fileDigest ?? "")
        // Without chunk objects (OUTPUT=whole) each chunk is read as its range of the whole object,
        // and checked against its own checksum all the same.
        let whole = manifest.keepsChunks ? nil : manifest.object
        if !manifest.keepsChunks && whole == nil { throw Failure(description: "\(key) says its chunks were deleted but names no whole object") }
        for chunk in manifest.chunks {
            let source = whole.map { "\($0.key) bytes \(chunk.offset)–\(chunk.offset + Int64(chunk.size))" } ?? chunk.key
            let bytes = try await fetch(key: whole?.key ?? chunk.key,
                                        range: whole.map { _ in chunk.offset..<(chunk.offset + Int64(chunk.size)) })
            guard bytes.count == chunk.size else {
                throw Failure(description: "chunk \(chunk.index) (\(source)) has \(bytes.count) bytes, the manifest says \(chunk.size)")
            }
            guard let expected = chunk.checksum else {
                throw Failure(description: "chunk \(chunk.index) of \(key) names no sha256 or crc32c this ChunkFerry can check")
            }
            guard expected.kind.checksum(of: bytes) == expected else {
                throw Failure(description: "chunk \(chunk.index) (\(source)) does not match its \(expected.kind) in the manifest")
            }
            bytes.withUnsafeBytes { digest.update($0) }
            try target.write(bytes)
            progress?(chunk.offset + Int64(chunk.size), manifest.size)
        }
        // An abandoned stream's bytes past its last chunk may wait in its provisional tail.
        var tail: [UInt8] = []
        if !manifest.complete, manifest.keepsChunks, let prefix = manifest.chunks.first.map({ String($0.key.dropLast(14)) }) {
            tail = try await provisionalTail(streamPrefix: prefix, index: manifest.chunks.count)
            try target.write(tail)
        }
        if let expected = manifest.fileDigest, digest.text != expected {
            let name = FileDigest.kind(of: expected) == .crc32c ? "CRC32C" : "SHA-256"
            throw Failure(description: "the restored bytes do not match the file's \(name) in the manifest")
        }
        if manifest.fileDigest == nil && manifest.complete {
            throw Failure(description: "\(key) has no whole-file digest although it says it is complete")
        }
        try target.commit()
        return Restored(path: manifest.path, size: manifest.size + Int64(tail.count), chunkCount: manifest.chunks.count,
                        sha256: manifest.complete ? manifest.fileDigest : nil, complete: manifest.complete,
                        provisionalBytes: tail.count, wholeObject: manifest.keepsChunks ? nil : manifest.object?.key)
    }

    func fetch(key: String, range: Range<Int64>?) async throws(Failure) -> [UInt8] {
        var attempt = 0
        while true {
            do {
                return try await storage.get(key: key, range: range)
            } catch where error.isRetryable && attempt < 4 {
                attempt += 1
                try? await Task.sleep(for: RetryPolicy().delay(afterAttempt: attempt))
            } catch {
                throw Failure(description: error.isNotFound ? "\(key) is not in \(storage.location)" : error.description,
                              isNotFound: error.isNotFound)
            }
        }
    }
}
