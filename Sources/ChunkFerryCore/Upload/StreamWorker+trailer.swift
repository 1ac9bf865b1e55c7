extension StreamWorker {
    /// Reads the chunk at `offset`, feeding `fork` (the whole-file digest) with its bytes, and
    /// sends it until the store confirmed it. With trailing checksums one read does both: the
    /// bytes are hashed as curl sends them. Otherwise (sha256 and md5 modes, or a store that
    /// refuses trailers) a hash pass comes first, because a header checksum must be known before
    /// the first byte goes out.
    func hashAndSend(_ record: StreamRecord, offset: Int64, length: Int, into fork: DigestBox?) async -> SendResult {
        if context.s3.sendsTrailingChecksums, let sent = await streamChunk(record, offset: offset, length: length, into: fork) {
            return sent
        }
        switch await hashChunk(record, offset: offset, length: length, into: fork) {
        case .success(let hash): return await sendChunk(record, offset: offset, length: length, hash: hash)
        case .failure(let error): return .failed(error)
        }
    }

    private enum Streamed: Sendable {
        case sent(S3PutResult, TrailingChecksumBody)
        case sourceFailed(FileReadError)
        case refused
    }

    /// One chunk in one read with its CRC32C as a trailer; nil when the store refuses trailers.
    /// Each attempt starts a fresh copy of `fork` (a failed one may have fed it part of the
    /// bytes); the one that succeeds becomes `fork`'s state. After an attempt that sent every
    /// byte but lost the answer, the store is asked first whether it holds them.
    private func streamChunk(_ record: StreamRecord, offset: Int64, length: Int, into fork: DigestBox?) async -> SendResult? {
        let s3 = context.s3
        let range = context.fileRange(record, offset: offset, length: length)
        let index = Int(offset / Int64(record.chunkSize))
        let key = context.layout.chunkKey(streamPrefix: record.keyPrefix, index: index)
        let temporary = !context.output.mode.keepsChunks
        let started = ContinuousClock.now
        var previous: TrailingChecksumBody?
        let result = await context.storeCall { () async throws(S3Error) -> Streamed in
            if let previous, let checksum = previous.checksum,
               let stored = try await s3.holds(key: key, length: length, checksum: checksum, md5: nil) {
                return .sent(stored, previous)
            }
            let body = TrailingChecksumBody(.file(range), feeding: fork.map { DigestBox($0.digest.copy()) })
            previous = body
            do throws(S3Error) {
                return .sent(try await s3.putObject(key: key, trailing: body, temporary: temporary), body)
            } catch where error.sourceFailure != nil {
                return .sourceFailed(error.sourceFailure!)
            } catch where error.code == "TrailerNotAccepted" {
                return .refused
            }
        }
        switch result {
        case .sent(let put, let body)?:
            if let fork, let fed = body.feeding { fork.digest = fed.digest.copy() }
            let hash = ChunkReader.Hash(checksum: body.checksum!, md5: nil, changed: body.changed,
                                        hasFineTimestamps: FilesystemTypes.hasFineTimestamps(device: range.device),
                                        hashedAt: body.openedAt)
            return .sent(SentChunk(index: index, length: length, hash: hash, put: put, elapsed: .now - started))
        case .sourceFailed(let error)?:
            return .failed(error)
        case .refused?:
            if s3.stopTrailingChecksums() {
                context.logger.warning("the store does not take trailing checksums; sending each chunk's CRC32C in a header instead (one more read of each byte)", metadata: [
                    "s3.endpoint": "\(s3.endpointDescription)",
                ])
            }
            return nil
        case nil:
            return .stopped
        }
    }
}
