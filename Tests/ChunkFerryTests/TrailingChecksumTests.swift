@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// Chunks sent with their CRC32C as a trailer (aws-chunked): one read of each byte, checked by a
/// real SeaweedFS; and the header form for a store that refuses trailers.
@Suite struct TrailingChecksumTests {
    func sha(_ bytes: [UInt8]) -> String { ByteEncoding.hex(Digest.sha256(bytes)) }

    /// Decodes an aws-chunked body: the payload and the trailer lines.
    func decode(_ encoded: [UInt8]) throws -> (payload: [UInt8], trailer: String) {
        var payload: [UInt8] = []
        var position = 0
        func line() throws -> String {
            let start = position
            while position + 1 < encoded.count, !(encoded[position] == 13 && encoded[position + 1] == 10) { position += 1 }
            guard position + 1 < encoded.count else { throw HarnessError("unterminated line") }
            defer { position += 2 }
            return String(decoding: encoded[start..<position], as: UTF8.self)
        }
        while true {
            let size = try #require(Int(try line(), radix: 16))
            if size == 0 { break }
            payload += encoded[position..<(position + size)]
            position += size
            #expect(try line() == "")
        }
        let trailer = try line()
        #expect(try line() == "" && position == encoded.count)
        return (payload, trailer)
    }

    /// Curl may ask for any amount; small buffers split frames across calls.
    @Test(arguments: [1, 65_536, 200_003], [7, 1000, ChecksummedBody.uploadBufferSize])
    func encodingFramesEveryByteAndEndsWithTheCRC(length: Int, bufferSize: Int) throws {
        let bytes = FileWriter.randomBytes(length)
        let digest = DigestBox(Digest(.sha256))
        let body = ChecksummedBody(.bytes(bytes), feeding: digest)
        try body.open()
        var encoded: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        while let got = body.fill(buffer), got > 0 { encoded += buffer[0..<got] }
        #expect(encoded.count == body.encodedLength)
        let (payload, trailer) = try decode(encoded)
        #expect(payload == bytes)
        let crc = CRC32C.of(bytes)
        #expect(trailer == "x-amz-checksum-crc32c:" + ByteEncoding.base64(crc.bytes))
        #expect(body.checksum == .crc32c(crc.value))
        #expect(ByteEncoding.hex(digest.copy().finalize()) == sha(bytes))
    }

    @Test func aFileRangeGoesUpInOneReadAndTheStoreChecksItsCRC() async throws {
        let client = try await SharedServers.shared.seaweed().client(integrity: .crc32c)
        #expect(client.sendsTrailingChecksums)
        let path = "\(Scratch.directory("trailer"))/chunk.bin"
        let bytes = FileWriter.randomBytes(3 * 1024 * 1024 + 17)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let status = try FileStatus.of(Array(path.utf8CString)).get()
        let range = FileRange(path: Array(path.utf8CString), offset: 1024, length: bytes.count - 2048, device: status.device, inode: status.inode)
        let expected = Array(bytes[1024..<(bytes.count - 1024)])
        let digest = DigestBox(Digest(.sha256))
        let body = ChecksummedBody(.file(range), feeding: digest)
        let put = try await client.putObject(key: "trailer/chunk", trailing: body)

        let crc = ChunkChecksum.crc32c(CRC32C.of(expected).value)
        #expect(body.checksum == crc && put.checksum == crc.header.value)
        #expect(ByteEncoding.hex(digest.copy().finalize()) == sha(expected))
        let head = try #require(try await client.headObject(key: "trailer/chunk"))
        #expect(head.size == Int64(expected.count) && crc.matches(head))
        #expect(sha(try await client.getObject(key: "trailer/chunk")) == sha(expected))
    }

    @Test func aFileThatShrinksMidSendIsReportedNotStored() async throws {
        let client = try await SharedServers.shared.seaweed().client(integrity: .crc32c)
        let path = "\(Scratch.directory("trailer"))/short.bin"
        try Data(FileWriter.randomBytes(100_000)).write(to: URL(fileURLWithPath: path))
        let status = try FileStatus.of(Array(path.utf8CString)).get()
        let range = FileRange(path: Array(path.utf8CString), offset: 0, length: 300_000, device: status.device, inode: status.inode)
        let error = await #expect(throws: StoreError.self) {
            _ = try await client.putObject(key: "trailer/short", trailing: ChecksummedBody(.file(range)))
        }
        #expect(error?.sourceFailure == .truncated(available: 100_000))
        #expect(try await client.headObject(key: "trailer/short") == nil)
    }

    @Test func aStoreRefusingTrailersGetsEveryFileWithHeaderChecksums() async throws {
        let seaweed = try await SharedServers.shared.seaweed()
        let proxy = try await TrailerRefusingProxy(upstreamPort: seaweed.s3Port)
        defer { proxy.stop() }
        let fixture = try await DaemonFixture(environment: ["S3_ENDPOINT": proxy.endpoint, "S3_INTEGRITY": "crc32c"])
        let check = try fixture.start(["check"])
        #expect(await check.waitForExit(timeout: .seconds(20)) == 0)
        #expect(check.log().contains("refuses trailing checksums"), "\(check.log())")

        try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/cam.mp4", FileWriter.randomBytes(12 * 1024 * 1024 + 99))
        let manifest = try await fixture.waitForManifestMatchingFile("cam.mp4")
        try await fixture.expectBucketMatchesFile(manifest)
        #expect(manifest.chunks.allSatisfy { $0.crc32c != nil })
    }
}
