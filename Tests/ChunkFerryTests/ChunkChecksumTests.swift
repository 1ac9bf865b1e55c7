@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Testing

/// CRC32C through ISA-L, and how chunk checksums are written down in records and manifests.
@Suite struct ChunkChecksumTests {
    @Test func crc32cMatchesTheStandardCheckValues() {
        // RFC 3720 appendix B.4 and the usual "123456789" check value.
        #expect(CRC32C.of(Array("123456789".utf8)).value == 0xe306_9283)
        #expect(CRC32C.of([UInt8](repeating: 0, count: 32)).value == 0x8a91_36aa)
        #expect(CRC32C.of([UInt8](repeating: 0xff, count: 32)).value == 0x62a8_ab43)
        #expect(CRC32C.of([]).value == 0)
        // S3 shows it as Base64 of the big-endian bytes.
        #expect(ChunkChecksum.crc32c(0xe306_9283).header.value == "4waSgw==")
    }

    /// The combine (FILE_DIGEST=crc32c) against a direct CRC32C of random files cut at random
    /// points, empty and one-byte pieces included.
    @Test func crc32cOfJoinedPiecesComesFromThePiecesAlone() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<40 {
            let size = round == 0 ? 0 : Int.random(in: 1...300_000, using: &generator)
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var cuts = (0..<Int.random(in: 0...6, using: &generator)).map { _ in Int.random(in: 0...size, using: &generator) }
            cuts += round % 3 == 0 ? [0, 0, min(1, size), size] : [min(1, size)]  // empty and one-byte pieces
            cuts.sort()
            var runs: [(crc: CRC32C, length: Int64)] = []
            var start = 0
            for end in cuts + [size] {
                runs.append((CRC32C.of(Array(bytes[start..<end])), Int64(end - start)))
                start = end
            }
            #expect(CRC32C.combined(runs) == CRC32C.of(bytes), "size \(size), cuts \(cuts)")
        }
        // Lengths past 4 GiB (a long recording): combining is associative, so three runs
        // joined either way agree.
        let (a, b, c) = (CRC32C(value: 0x1234_5678), CRC32C(value: 0x9abc_def0), CRC32C(value: 0x0bad_f00d))
        let long: Int64 = 5 << 30
        #expect(a.appending(b, length: long).appending(c, length: 3) == a.appending(b.appending(c, length: 3), length: long + 3))
    }

    @Test func crc32cFedInPiecesEqualsOnePass() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var pieces = CRC32C()
        var start = 0
        for size in [1, 7, 4096, 65_537, 30_000] {
            let end = min(start + size, bytes.count)
            bytes[start..<end].withUnsafeBytes { pieces.update($0) }
            start = end
        }
        bytes[start...].withUnsafeBytes { pieces.update($0) }
        #expect(pieces == CRC32C.of(bytes))
    }

    @Test func encodedFormsRoundTripAndRejectGarbage() {
        let sha = ChunkChecksum.sha256(Digest.sha256(Array("x".utf8)))
        #expect(sha.encoded.count == 64)  // what older records hold: plain hex
        #expect(ChunkChecksum(encoded: sha.encoded) == sha)
        let crc = ChunkChecksum.crc32c(0x0102_0304)
        #expect(crc.encoded == "crc32c:01020304")
        #expect(ChunkChecksum(encoded: crc.encoded) == crc)
        for garbage in ["", "crc32c:", "crc32c:123", "crc32c:zzzzzzzz", String(repeating: "a", count: 63), "md5:00"] {
            #expect(ChunkChecksum(encoded: garbage) == nil, "\(garbage)")
        }
    }

    @Test func manifestChunksCarryTheirKindOfChecksum() throws {
        let crc = Manifest.Chunk(index: 0, key: "k", offset: 0, size: 9, checksum: .crc32c(0xe306_9283))
        #expect(crc.crc32c == "4waSgw==" && crc.sha256 == nil)
        #expect(crc.checksum == .crc32c(0xe306_9283))
        let digest = Digest.sha256(Array("123456789".utf8))
        let sha = Manifest.Chunk(index: 1, key: "k", offset: 9, size: 9, checksum: .sha256(digest))
        #expect(sha.sha256 == ByteEncoding.hex(digest) && sha.crc32c == nil)
        #expect(sha.checksum == .sha256(digest))
    }
}
