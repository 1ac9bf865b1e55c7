@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Testing

/// AWS's published Signature Version 4 examples for S3 (header-based authentication,
/// "examplebucket", 2013-05-24), reproduced exactly.
@Suite struct S3SignerTests {
    let signer = S3Signer(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1"
    )
    let timestamp = S3Signer.Timestamp(secondsSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    let host = "examplebucket.s3.amazonaws.com"

    func authorization(_ request: S3Signer.Request) -> String {
        signer.sign(request, at: timestamp).first { $0.name == "Authorization" }?.value ?? ""
    }

    @Test func timestampFormat() {
        #expect(timestamp.amzDate == "20130524T000000Z")
        #expect(S3Signer.Timestamp(secondsSince1970: 1_700_000_000).amzDate == "20231114T221320Z")
    }

    @Test func getObjectWithRange() {
        let request = S3Signer.Request(
            method: "GET", host: host, encodedPath: "/test.txt",
            headers: [("Range", "bytes=0-9")], payloadHash: S3Signer.emptyPayloadHash)
        #expect(authorization(request) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObject() {
        let payloadHash = ByteEncoding.hex(Digest.sha256("Welcome to Amazon S3."))
        #expect(payloadHash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = S3Signer.Request(
            method: "PUT", host: host, encodedPath: "/" + URIEncoding.encodePath("test$file.text"),
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: payloadHash)
        #expect(request.encodedPath == "/test%24file.text")
        #expect(authorization(request) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycle() {
        let request = S3Signer.Request(
            method: "GET", host: host, encodedPath: "/", query: [("lifecycle", "")], payloadHash: S3Signer.emptyPayloadHash)
        #expect(authorization(request).hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
    }

    @Test func listObjectsSortsTheQuery() {
        // Given out of order on purpose: the canonical query must sort them.
        let request = S3Signer.Request(
            method: "GET", host: host, encodedPath: "/", query: [("prefix", "J"), ("max-keys", "2")],
            payloadHash: S3Signer.emptyPayloadHash)
        #expect(authorization(request).hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func sessionTokenIsSignedAndSent() {
        var withToken = signer
        withToken.sessionToken = Secret("token-value")
        let request = S3Signer.Request(method: "GET", host: host, encodedPath: "/", payloadHash: S3Signer.emptyPayloadHash)
        let headers = withToken.sign(request, at: timestamp)
        #expect(headers.contains { $0.name == "x-amz-security-token" && $0.value == "token-value" })
        let authorization = headers.first { $0.name == "Authorization" }?.value ?? ""
        #expect(authorization.contains("x-amz-security-token"))
        #expect(!authorization.contains("token-value"))
    }

    @Test(arguments: [
        ("plain/key.mp4", "plain/key.mp4"),
        ("with space/file 1.mp4", "with%20space/file%201.mp4"),
        ("café/ü€.mp4", "caf%C3%A9/%C3%BC%E2%82%AC.mp4"),
        ("a+b=c&d%e~f", "a%2Bb%3Dc%26d%25e~f"),
        ("x//y/./z", "x//y/./z"),
        ("semi;colon,(paren)'!*", "semi%3Bcolon%2C%28paren%29%27%21%2A"),
    ])
    func pathEncoding(key: String, encoded: String) {
        #expect(URIEncoding.encodePath(key) == encoded)
        #expect(URIEncoding.decode(encoded) == key)
    }

    @Test func queryEncodingEncodesSlashAndSorts() {
        let query = S3URIEncoding.canonicalQuery([
            ("prefix", "cam 1/2024/"), ("list-type", "2"), ("continuation-token", "a+b/c="), ("uploads", ""),
        ])
        #expect(query == "continuation-token=a%2Bb%2Fc%3D&list-type=2&prefix=cam%201%2F2024%2F&uploads=")
    }

    @Test func canonicalRequestFoldsHeaderSpaces() {
        let request = S3Signer.Request(method: "GET", host: host, encodedPath: "/k",
                                       headers: [("X-Amz-Meta-Note", "  two   spaces  ")], payloadHash: "UNSIGNED-PAYLOAD")
        let (canonical, signed) = signer.canonicalRequest(request, headers: request.headers + [("host", host)])
        #expect(signed == "host;x-amz-meta-note")
        #expect(canonical.contains("x-amz-meta-note:two spaces\n"))
    }
}
