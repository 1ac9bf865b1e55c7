@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// Every S3 operation against a real SeaweedFS that checks signatures, and most against moto,
/// which behaves as AWS does where SeaweedFS is lenient.
@Suite(.serialized) struct S3ClientTests {
    func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count / 8 + 1).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
            .prefix(count).map { $0 }
    }

    func sha(_ bytes: [UInt8]) -> String { ByteEncoding.hex(Digest.sha256(bytes)) }

    @Test func pathStyleAndVirtualHostedAddressing() throws {
        let secret = Secret("s")
        let minio = try S3Client(settings: S3Settings(endpoint: "http://minio:9000/", bucket: "footage", accessKeyID: "k", secretAccessKey: secret))
        #expect(minio.settings.forcePathStyle)
        #expect(minio.address(key: "cam 1/a+b.mp4") == ("minio:9000", "/footage/cam%201/a%2Bb.mp4"))
        #expect(minio.address(key: nil) == ("minio:9000", "/footage"))

        let aws = try S3Client(settings: S3Settings(bucket: "footage", region: "eu-west-2", accessKeyID: "k", secretAccessKey: secret))
        #expect(aws.settings.forcePathStyle == false)
        #expect(aws.endpointDescription == "https://s3.eu-west-2.amazonaws.com")
        #expect(aws.address(key: "cam/a.mp4") == ("footage.s3.eu-west-2.amazonaws.com", "/cam/a.mp4"))
        #expect(aws.address(key: nil) == ("footage.s3.eu-west-2.amazonaws.com", "/"))

        let r2 = try S3Client(settings: S3Settings(endpoint: "https://acct.r2.cloudflarestorage.com:443", bucket: "b", region: "auto",
                                                   accessKeyID: "k", secretAccessKey: secret, forcePathStyle: false))
        #expect(r2.address(key: "k") == ("b.acct.r2.cloudflarestorage.com", "/k"))
        for bad in ["minio:9000", "ftp://host", "http://host/path", "http://user:pw@host"] {
            #expect(throws: StoreError.self) { try S3Client(settings: S3Settings(endpoint: bad, bucket: "b", accessKeyID: "k", secretAccessKey: secret)) }
        }
    }

    @Test(arguments: S3TestServer.allCases) func putHeadGetRangeDelete(server: S3TestServer) async throws {
        let client = try await server.client()
        let body = randomBytes(100_000)
        let put = try await client.putObject(key: "cam/one.mp4", body: body)
        #expect(!put.etag.isEmpty)

        let head = try #require(try await client.headObject(key: "cam/one.mp4"))
        #expect(head.size == 100_000)
        #expect(head.etag == put.etag)
        #expect(try await client.headObject(key: "cam/missing.mp4") == nil)

        #expect(sha(try await client.getObject(key: "cam/one.mp4")) == sha(body))
        #expect(try await client.getObject(key: "cam/one.mp4", range: 10..<20) == Array(body[10..<20]))
        #expect(try await client.getObject(key: "cam/one.mp4", range: 99_990..<100_000) == Array(body[99_990...]))

        try await client.deleteObject(key: "cam/one.mp4")
        #expect(try await client.headObject(key: "cam/one.mp4") == nil)
        try await client.deleteObject(key: "cam/one.mp4")  // deleting again is fine
    }

    @Test func twentyMebibyteRoundTrip() async throws {
        let client = try await S3TestServer.seaweed.client()
        let body = randomBytes(20 * 1024 * 1024)
        _ = try await client.putObject(key: "big/20MiB.bin", body: body)
        let back = try await client.getObject(key: "big/20MiB.bin")
        #expect(back.count == body.count)
        #expect(sha(back) == sha(body))
    }

    @Test(arguments: S3TestServer.allCases) func md5IntegrityModeStoresAndConfirms(server: S3TestServer) async throws {
        let client = try await server.client(integrity: .md5)
        let body = randomBytes(1_000_000)
        let put = try await client.putObject(key: "md5/one.bin", body: body)
        #expect(put.etag == ByteEncoding.hex(Digest.md5(body)))
        #expect(sha(try await client.getObject(key: "md5/one.bin")) == sha(body))
    }

    @Test(arguments: S3TestServer.allCases) func awkwardKeysRoundTrip(server: S3TestServer) async throws {
        let client = try await server.client()
        let keys = [
            "with space/file 1.mp4",
            "unicode/café ü/€ 東京.mp4",
            "plus+equals=amp&pct%25~tilde.mp4",
            "semi;colon,comma(paren)'quote!star*.mp4",
            "deep/a/b/c/d.mp4",
        ]
        for (index, key) in keys.enumerated() {
            _ = try await client.putObject(key: key, body: Array(repeating: UInt8(index), count: 10 + index))
        }
        let listed = try await client.listAllObjects(prefix: "").map(\.key)
        #expect(Set(listed) == Set(keys))
        for (index, key) in keys.enumerated() {
            #expect(try await client.getObject(key: key) == Array(repeating: UInt8(index), count: 10 + index))
            #expect(try await client.headObject(key: key)?.size == Int64(10 + index))
        }
    }

    @Test(arguments: S3TestServer.allCases) func listWithPrefixDelimiterAndContinuation(server: S3TestServer) async throws {
        let client = try await server.client()
        for name in ["cam1/a", "cam1/b", "cam1/c", "cam1/sub/d", "cam2/e"] {
            _ = try await client.putObject(key: name, body: Array(name.utf8))
        }
        let folders = try await client.listObjects(delimiter: "/")
        #expect(Set(folders.commonPrefixes) == ["cam1/", "cam2/"])
        #expect(folders.objects.isEmpty)

        let shallow = try await client.listObjects(prefix: "cam1/", delimiter: "/")
        #expect(shallow.objects.map(\.key) == ["cam1/a", "cam1/b", "cam1/c"])
        #expect(shallow.commonPrefixes == ["cam1/sub/"])

        var keys: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await client.listObjects(prefix: "cam1/", continuationToken: token, maxKeys: 2)
            keys += page.objects.map(\.key)
            #expect(page.objects.allSatisfy { $0.size == Int64($0.key.utf8.count) })
            token = page.continuationToken
            pages += 1
        } while token != nil && pages < 10
        #expect(keys == ["cam1/a", "cam1/b", "cam1/c", "cam1/sub/d"])
        #expect(pages == 2)
    }

    @Test(arguments: S3TestServer.allCases) func bucketOperations(server: S3TestServer) async throws {
        let bucket = Scratch.uniqueName("bucket")
        let client = try S3Client(settings: try await server.settings(bucket: bucket))
        let missing = await #expect(throws: StoreError.self) { try await client.headBucket() }
        #expect(missing?.code == "NoSuchBucket")
        #expect(missing?.isRetryable == false)
        #expect(missing?.description.contains("S3_BUCKET") == true)
        try await client.createBucket()
        try await client.createBucket()  // already ours: still fine
        try await client.headBucket()
    }

    @Test(arguments: S3TestServer.allCases) func serverSideAssemblyFromParts(server: S3TestServer) async throws {
        let client = try await server.client()
        let first = randomBytes(5 * 1024 * 1024)
        let second = randomBytes(3 * 1024 * 1024 + 17)
        _ = try await client.putObject(key: "parts/0", body: first)
        _ = try await client.putObject(key: "parts/1", body: second)

        let upload = try await client.createMultipartUpload(key: "whole.mp4")
        let etag1 = try await client.uploadPartCopy(key: "whole.mp4", uploadID: upload, partNumber: 1, sourceKey: "parts/0")
        let etag2 = try await client.uploadPartCopy(key: "whole.mp4", uploadID: upload, partNumber: 2, sourceKey: "parts/1",
                                                    sourceRange: 0..<Int64(second.count))
        _ = try await client.completeMultipartUpload(key: "whole.mp4", uploadID: upload, parts: [(1, etag1), (2, etag2)])
        #expect(sha(try await client.getObject(key: "whole.mp4")) == sha(first + second))

        let abandoned = try await client.createMultipartUpload(key: "abandoned.mp4")
        try await client.abortMultipartUpload(key: "abandoned.mp4", uploadID: abandoned)
        #expect(try await client.headObject(key: "abandoned.mp4") == nil)
    }

    @Test func wrongSecretKeyIsAFatalCredentialsError() async throws {
        let server = try await SharedServers.shared.seaweed()
        let wrongSecret = "definitely-not-the-secret-9Q"
        let client = try S3Client(settings: server.settings(bucket: "any", secretKey: wrongSecret))
        let error = await #expect(throws: StoreError.self) { _ = try await client.putObject(key: "k", body: [1]) }
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error?.isRetryable == false)
        #expect(error?.description.contains("AWS_SECRET_ACCESS_KEY") == true)
        #expect(error?.description.contains(wrongSecret) == false)
        #expect("\(client.settings)".contains(wrongSecret) == false)

        var unknownKey = server.settings(bucket: "any")
        unknownKey.accessKeyID = "NOSUCHKEY"
        let unknown = await #expect(throws: StoreError.self) { try await S3Client(settings: unknownKey).headObject(key: "k") }
        #expect(unknown?.isRetryable == false)
    }

    @Test func corruptedSHA256ChecksumIsRejectedAndNothingStored() async throws {
        let server = S3TestServer.seaweed  // moto verifies no checksum
        let client = try await server.client()
        let body = randomBytes(4096)
        var wrong = Digest.sha256(body)
        wrong[0] ^= 0xff
        let error = await #expect(throws: StoreError.self) { _ = try await client.putObject(key: "bad", body: body, sha256: wrong) }
        #expect(error?.code == "BadDigest")
        #expect(error?.isRetryable == false)
        #expect(try await client.headObject(key: "bad") == nil)
    }

    /// A chunk streamed from its file with only its CRC32C: the payload is unsigned, so the
    /// store's own CRC check is what stands between a flipped bit and a stored chunk.
    @Test func crc32cFileChunkIsVerifiedByTheStore() async throws {
        let server = S3TestServer.seaweed  // moto verifies no checksum
        let client = try await server.client(integrity: .crc32c)
        let path = "\(Scratch.directory("crc"))/chunk.bin"
        let body = randomBytes(3 * 1024 * 1024 + 17)
        try Data(body).write(to: URL(fileURLWithPath: path))
        let status = try FileStatus.of(Array(path.utf8CString)).get()
        let range = FileRange(path: Array(path.utf8CString), offset: 1024, length: body.count - 2048, device: status.device, inode: status.inode)
        let expected = CRC32C.of(Array(body[1024..<(body.count - 1024)]))
        let put = try await client.putObject(key: "crc/good", body: .file(range), checksum: .crc32c(expected.value), md5: nil, attributes: ObjectAttributes())
        #expect(!put.etag.isEmpty)
        let head = try #require(try await client.headObject(key: "crc/good"))
        #expect(ChunkChecksum.crc32c(expected.value).matches(head))
        #expect(sha(try await client.getObject(key: "crc/good")) == sha(Array(body[1024..<(body.count - 1024)])))

        let error = await #expect(throws: StoreError.self) {
            _ = try await client.putObject(key: "crc/bad", body: .file(range), checksum: .crc32c(expected.value ^ 1), md5: nil, attributes: ObjectAttributes())
        }
        #expect(error?.code == "BadDigest" || error?.code == "InvalidDigest")
        #expect(error?.isRetryable == false)
        #expect(try await client.headObject(key: "crc/bad") == nil)
    }

    @Test func corruptedContentMD5IsRejectedAndNothingStored() async throws {
        let server = S3TestServer.seaweed  // moto verifies no checksum
        let client = try await server.client(integrity: .md5)
        let body = randomBytes(4096)
        var wrong = Digest.md5(body)
        wrong[3] ^= 0x55
        let call = S3Client.Call(
            operation: "PutObject", method: .put, key: "bad-md5",
            headers: [("Content-MD5", ByteEncoding.base64(wrong))], body: .bytes(body),
            payloadHash: ByteEncoding.hex(Digest.sha256(body)))
        let error = await #expect(throws: StoreError.self) { _ = try await client.send(call) }
        #expect(error?.code == "BadDigest")
        #expect(try await client.headObject(key: "bad-md5") == nil)
    }

    @Test func unreachableServerIsRetryable() async throws {
        let settings = S3Settings(endpoint: "http://127.0.0.1:\(FreePort.next())", bucket: "b", accessKeyID: "k",
                                  secretAccessKey: Secret("s"), connectTimeoutMilliseconds: 1_000)
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: StoreError.self) { _ = try await S3Client(settings: settings).putObject(key: "k", body: [1]) }
        #expect(error?.code == "ConnectionRefused")
        #expect(error?.isRetryable == true)
        #expect(clock.now - started < .seconds(5))
    }

    @Test func stoppedOrFrozenServerGivesRetryableErrorsThenRecovers() async throws {
        let server = try await SeaweedServer()
        let bucket = Scratch.uniqueName("outage")
        let client = try S3Client(settings: server.settings(bucket: bucket, stallTimeoutSeconds: 2))
        try await client.createBucket()
        _ = try await client.putObject(key: "before", body: [1, 2, 3])

        server.freeze()
        let clock = ContinuousClock()
        var started = clock.now
        let frozen = await #expect(throws: StoreError.self) { _ = try await client.putObject(key: "during", body: [4]) }
        #expect(frozen?.isRetryable == true)
        #expect(clock.now - started < .seconds(10))
        server.thaw()
        _ = try await client.putObject(key: "after-freeze", body: [5])

        server.stop()
        started = clock.now
        let stopped = await #expect(throws: StoreError.self) { _ = try await client.putObject(key: "during", body: [4]) }
        #expect(stopped?.isRetryable == true)
        #expect(clock.now - started < .seconds(10))

        try await server.start()
        #expect(try await client.getObject(key: "before") == [1, 2, 3])
        _ = try await client.putObject(key: "after-restart", body: [6])
        server.stop()
    }
}
