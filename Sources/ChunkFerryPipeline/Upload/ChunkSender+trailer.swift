import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport

extension ChunkSender {
    /// Reads the chunk at `offset`, feeding `fork` (the whole-file digest) with its bytes, and
    /// sends it until the store confirmed it. With trailing checksums one read does both: the
    /// bytes are hashed as curl sends them. Otherwise (sha256 and md5 modes, or a store that
    /// refuses trailers) a hash pass comes first, because a header checksum must be known before
    /// the first byte goes out.
    func hashAndSend(_ record: StreamRecord, offset: Int64, length: Int, into fork: DigestBox?) async -> SendResult {
        if context.storage.streamsChecksums, let sent = await streamChunk(record, offset: offset, length: length, into: fork) {
            return sent
        }
        switch await hashChunk(record, offset: offset, length: length, into: fork) {
        case .success(let hash): return await sendChunk(record, offset: offset, length: length, hash: hash)
        case .failure(let error): return .failed(error)
        }
    }

    private enum Streamed: Sendable {
        case sent(PutResult, ChecksummedBody)
        case sourceFailed(FileReadError)
        case refused
        case objectRefused(StoreError)
    }

    /// One chunk in one read with its CRC32C as a trailer; nil when the store refuses trailers.
    /// Each attempt starts a fresh copy of `fork` (a failed one may have fed it part of the
    /// bytes); the one that succeeds becomes `fork`'s state. After an attempt that sent every
    /// byte but lost the answer, the store is asked first whether it holds them.
    private func streamChunk(_ record: StreamRecord, offset: Int64, length: Int, into fork: DigestBox?) async -> SendResult? {
        let storage = context.storage
        let range = context.fileRange(record, offset: offset, length: length)
        let index = Int(offset / Int64(record.chunkSize))
        let key = context.layout.chunkKey(streamPrefix: record.keyPrefix, index: index)
        let attributes = context.chunkAttributes(streamID: record.id, index: index)
        let started = ContinuousClock.now
        var previous: ChecksummedBody?
        let result = await context.storeCall { () async throws(StoreError) -> Streamed in
            if let previous, let checksum = previous.checksum,
               let stored = try await storage.holds(key: key, length: length, checksum: checksum, md5: nil) {
                return .sent(stored, previous)
            }
            let body = ChecksummedBody(.file(range), feeding: fork.map { DigestBox($0.copy()) })
            previous = body
            do throws(StoreError) {
                return .sent(try await storage.put(key: key, streaming: body, attributes: attributes), body)
            } catch where error.sourceFailure != nil {
                return .sourceFailed(error.sourceFailure!)
            } catch where error.code == "TrailerNotAccepted" {
                return .refused
            } catch {
                if await context.refusesOnlyThis(error) { return .objectRefused(error) }
                throw error
            }
        }
        switch result {
        case .sent(let put, let body)?:
            if let fork, let fed = body.feeding { fork.take(fed) }
            let hash = ChunkReader.Hash(checksum: body.checksum!, md5: nil, changed: body.changed,
                                        hasFineTimestamps: FilesystemTypes.hasFineTimestamps(device: range.device),
                                        hashedAt: body.openedAt, length: length)
            return .sent(SentChunk(index: index, length: length, hash: hash, put: put, elapsed: .now - started))
        case .sourceFailed(let error)?:
            return .failed(error)
        case .objectRefused(let error)?:
            return .refused(error)
        case .refused?:
            if storage.stopStreamingChecksums() {
                context.logger.warning("the store does not take trailing checksums; sending each chunk's CRC32C in a header instead (one more read of each byte)", metadata: [
                    "storage": "\(storage.location)",
                ])
            }
            return nil
        case nil:
            return .stopped
        }
    }
}
