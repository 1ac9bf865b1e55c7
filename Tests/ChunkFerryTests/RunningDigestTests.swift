@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Testing

/// The whole-file digest kept during upload, and when it may stand in for re-reading the file.
@Suite struct RunningDigestTests {
    let changed: Int64 = 1_700_000_000_000_000_000  // ns
    var longAfter: Int64 { changed / 1_000_000 + 5_000 }  // ms, well past the 2 s margin

    func hash(at hashedAt: Int64, changed: Int64? = nil, fine: Bool = true, of bytes: [UInt8] = [0]) -> ChunkReader.Hash {
        ChunkReader.Hash(checksum: .crc32c(CRC32C.of(bytes).value), md5: nil, changed: changed ?? self.changed, hasFineTimestamps: fine,
                         hashedAt: hashedAt, length: bytes.count)
    }

    /// Feeds `parts` through fork/advance as committed chunks would.
    func feed(_ digest: RunningDigest, _ parts: [[UInt8]], hashes: [ChunkReader.Hash]) {
        var offset: Int64 = 0
        for (part, hash) in zip(parts, hashes) {
            let fork = digest.fork(at: offset)
            part.withUnsafeBytes { fork?.box?.update($0) }
            offset += Int64(part.count)
            digest.advance(fork, to: offset, hash: hash)
        }
    }

    @Test func equalsTheWholeFilesSHA256WhenNothingChangedAfterHashing() {
        let parts: [[UInt8]] = [Array(repeating: 1, count: 1000), Array(repeating: 2, count: 1000), [3, 4, 5]]
        let digest = RunningDigest()
        feed(digest, parts, hashes: parts.map { _ in hash(at: longAfter) })
        #expect(digest.provenDigest(size: 2003, changed: changed) == ByteEncoding.hex(Digest.sha256(parts.flatMap { $0 })))
    }

    /// FILE_DIGEST=crc32c: the chunks' own CRC32Cs combined, no byte fed.
    @Test func equalsTheWholeFilesCRC32CFromTheChunksAlone() {
        let parts: [[UInt8]] = [Array(repeating: 1, count: 1000), Array(repeating: 2, count: 1000), [3, 4, 5]]
        let digest = RunningDigest(kind: .crc32c)
        #expect(digest.fork(at: 0)?.box == nil)
        feed(digest, parts, hashes: parts.map { hash(at: longAfter, of: $0) })
        #expect(digest.provenDigest(size: 2003, changed: changed) == FileDigest.text(CRC32C.of(parts.flatMap { $0 })))
        // A chunk committed out of order (or another way) breaks it, as for SHA-256.
        let broken = RunningDigest(kind: .crc32c)
        broken.advance(broken.fork(at: 0), to: 1000, hash: hash(at: longAfter, of: parts[0]))
        broken.advance(broken.fork(at: 2000), to: 2003, hash: hash(at: longAfter, of: parts[2]))
        #expect(broken.provenDigest(size: 2003, changed: changed) == nil)
    }

    @Test func provesNothingWhenTheFileCouldHaveChanged() {
        let parts: [[UInt8]] = [[1, 2], [3]]
        let cases: [(String, [ChunkReader.Hash], Int64, Int64)] = [
            ("a write after hashing moved the ctime", [hash(at: longAfter), hash(at: longAfter)], 3, changed + 1),
            ("hash passes saw different ctimes", [hash(at: longAfter), hash(at: longAfter, changed: changed + 7)], 3, changed + 7),
            ("hashing began within 2 s of the last change", [hash(at: changed / 1_000_000 + 1_500), hash(at: longAfter)], 3, changed),
            ("coarse or remote timestamps", [hash(at: longAfter, fine: false), hash(at: longAfter)], 3, changed),
            ("the digest does not cover the whole file", [hash(at: longAfter), hash(at: longAfter)], 4, changed),
        ]
        for (reason, hashes, size, now) in cases {
            let digest = RunningDigest()
            feed(digest, parts, hashes: hashes)
            #expect(digest.provenDigest(size: size, changed: now) == nil, "\(reason)")
        }
        let invalidated = RunningDigest()
        feed(invalidated, parts, hashes: [hash(at: longAfter), hash(at: longAfter)])
        invalidated.invalidate()
        #expect(invalidated.provenDigest(size: 3, changed: changed) == nil)
    }

    @Test func aChunkCommittedWithoutTheDigestBreaksIt() {
        let digest = RunningDigest()
        #expect(digest.fork(at: 5) == nil)  // it ends at 0
        digest.advance(nil, to: 5, hash: hash(at: longAfter))
        #expect(digest.fork(at: 5) == nil)
        #expect(digest.provenDigest(size: 5, changed: changed) == nil)
    }
}
