import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// AWS Signature Version 4 for S3, computed with libcrypto.
///
/// curl's own `CURLOPT_AWS_SIGV4` in Debian 12 signs `?uploads` and unsorted queries wrongly,
/// so every request is signed here from its canonical form.
package struct S3Signer: Sendable {
    package static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload is not signed (S3 allows it); its checksum header is, and the store checks that.
    package static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// An aws-chunked body, unsigned, ending in a checksum trailer the store checks.
    package static let unsignedPayloadWithTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

    package var accessKeyID: String
    package var secretAccessKey: Secret
    package var sessionToken: Secret?
    package var region: String
    package var service = "s3"

    package struct Timestamp: Sendable, Equatable {
        /// `yyyyMMdd'T'HHmmss'Z'`
        package let amzDate: String
        package var day: Substring { amzDate.prefix(8) }

        package init(amzDate: String) { self.amzDate = amzDate }

        package init(secondsSince1970 seconds: Int) {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            func pad(_ value: Int32, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            amzDate = pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
                + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
        }

        package static func now() -> Timestamp {
            Timestamp(secondsSince1970: Int(time(nil)))
        }
    }

    /// A request as it is sent: the encoded path, the raw query parameters and headers
    /// (names in any case). `sign` adds the date, payload hash, token and Authorization.
    package struct Request: Sendable {
        package var method: String
        package var host: String
        package var encodedPath: String
        package var query: [(name: String, value: String)] = []
        package var headers: [(name: String, value: String)] = []
        package var payloadHash: String
    }

    package func sign(_ request: Request, at timestamp: Timestamp) -> [(name: String, value: String)] {
        var added: [(name: String, value: String)] = [
            ("x-amz-date", timestamp.amzDate),
            ("x-amz-content-sha256", request.payloadHash),
        ]
        if let sessionToken, !sessionToken.isEmpty {
            added.append(("x-amz-security-token", sessionToken.value))
        }
        var all = request.headers + added
        if !all.contains(where: { $0.name.lowercased() == "host" }) {
            all.append(("host", request.host))
        }
        let (canonical, signedHeaders) = canonicalRequest(request, headers: all)
        let scope = "\(timestamp.day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(timestamp.amzDate)\n\(scope)\n"
            + ByteEncoding.hex(Digest.sha256(canonical))
        let signature = ByteEncoding.hex(Digest.hmacSHA256(key: signingKey(day: String(timestamp.day)), message: stringToSign))
        added.append((
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        ))
        return added
    }

    package func canonicalRequest(_ request: Request, headers: [(name: String, value: String)]) -> (String, String) {
        let canonicalHeaders = headers
            .map { (name: $0.name.lowercased(), value: trimmed($0.value)) }
            .sorted { $0.name < $1.name }
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let headerBlock = canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined()
        let canonical = [
            request.method,
            request.encodedPath,
            S3URIEncoding.canonicalQuery(request.query),
            headerBlock,
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    private func signingKey(day: String) -> [UInt8] {
        let dateKey = Digest.hmacSHA256(key: Array("AWS4\(secretAccessKey.value)".utf8), message: day)
        let regionKey = Digest.hmacSHA256(key: dateKey, message: region)
        let serviceKey = Digest.hmacSHA256(key: regionKey, message: service)
        return Digest.hmacSHA256(key: serviceKey, message: "aws4_request")
    }

    /// Trims and folds runs of spaces, as the canonical header form requires.
    private func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
