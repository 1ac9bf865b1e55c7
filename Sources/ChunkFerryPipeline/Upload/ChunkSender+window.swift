import ChunkFerryCheckpoint

extension ChunkSender {
    /// Uploads whole chunks of one stream `1 + extra` at a time. With a SHA-256 to feed they are
    /// hashed one after another (the whole-file digest takes bytes in order, and hashing outpaces
    /// sending), then sent; with nothing to feed (FILE_DIGEST=crc32c: the digest is the chunks'
    /// CRC32Cs, combined at commit) and a store that takes streamed checksums, each is read once,
    /// hashed as it is sent. They are committed strictly in order: Redis's offset only ever covers a contiguous
    /// prefix, so a crash re-sends at most what was in flight. Chunks confirmed but waiting for an
    /// earlier one's commit count as in flight: at most `1 + extra` are ever sent and uncommitted. Borrowed slots go back as soon as
    /// other jobs wait; once none is left the job ends and the manager queues the stream again.
    func uploadWindow(_ record: inout StreamRecord, work: StreamWork, extra borrowed: Int) async -> ChunkResult {
        var extra = borrowed
        defer { slots.giveBack(extra) }
        let chunkSize = Int64(record.chunkSize)
        let fileSize = work.status.size
        let start = record.committedOffset
        let end = start + (fileSize - start) / chunkSize * chunkSize
        let fork = work.digest.fork(at: start)
        let streams = fork?.box == nil && context.storage.streamsChecksums
        let sending = record  // what a send needs (path, key prefix, chunk size) does not change
        var hashes: [ChunkReader.Hash] = []
        var next = start
        var inFlight = 0
        var stopLaunching = false
        var stopCommitting = false
        var result = ChunkResult.done
        var confirmed: [Int: SentChunk] = [:]  // waiting for an earlier chunk's commit

        await withTaskGroup(of: SendResult.self) { group in
            while true {
                while !stopLaunching, next < end, inFlight + confirmed.count < 1 + extra, extra > 0 || next == start {
                    let offset = next
                    if streams {
                        group.addTask { await hashAndSend(sending, offset: offset, length: Int(chunkSize), into: nil) }
                    } else {
                        switch await hashChunk(sending, offset: offset, length: Int(chunkSize), into: fork?.box) {
                        case .success(let hash):
                            group.addTask { await sendChunk(sending, offset: offset, length: Int(chunkSize), hash: hash) }
                        case .failure(let error):
                            stopLaunching = true
                            result = .failed(error)
                            continue
                        }
                    }
                    inFlight += 1
                    next += chunkSize
                }
                guard let sent = await group.next() else { break }
                inFlight -= 1
                switch sent {
                case .sent(let chunk):
                    confirmed[chunk.index] = chunk
                case .stopped:
                    stopLaunching = true
                    if case .done = result { result = .stopped }
                case .failed(let error):
                    stopLaunching = true
                    if case .done = result { result = .failed(error) }
                case .refused(let error):
                    stopLaunching = true
                    if case .done = result { result = .refused(error) }
                }
                while !stopCommitting, let chunk = confirmed.removeValue(forKey: record.chunkCount) {
                    let outcome = await commitSent(&record, chunk, fileSize: fileSize)
                    guard outcome != .committed else {
                        hashes.append(chunk.hash)  // in commit order: the file's order
                        continue
                    }
                    stopLaunching = true
                    stopCommitting = true
                    if outcome == .leaseLost { result = .leaseLost } else if outcome == .stopped { result = .stopped }
                }
                if extra > 0, slots.returnIfNeeded() { extra -= 1 }
            }
        }
        if case .done = result, !stopCommitting, record.committedOffset == next {
            work.digest.advance(fork, to: next, hashes: hashes)
        } else {
            work.digest.invalidate()
        }
        return result
    }
}
