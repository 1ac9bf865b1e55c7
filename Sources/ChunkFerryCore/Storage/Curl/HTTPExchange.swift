/// One HTTP request as the S3 client or the HTTP store builds it, and the response it gets back.
struct HTTPRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET", put = "PUT", post = "POST", head = "HEAD", delete = "DELETE"
    }

    /// What a request sends: bytes in memory, or a range of a file streamed from disk.
    enum Body: Sendable {
        case bytes([UInt8])
        case file(FileRange)
        /// Bytes followed by their CRC32C (aws-chunked), hashed as they are sent.
        case trailed(ChecksummedBody)

        var length: Int {
            switch self {
            case .bytes(let bytes): bytes.count
            case .file(let range): range.length
            case .trailed(let body): body.encodedLength
            }
        }
    }

    var method: Method
    var url: String
    var headers: [(name: String, value: String)]
    var body: Body?
    /// User and password for HTTP Basic or Digest authentication (cameras' snapshot URLs).
    var credentials: Credentials? = nil

    struct Credentials: Sendable {
        var user: String
        var password: String
    }
}

struct HTTPResponse: Sendable {
    var status: Int
    /// Header names lower-cased, in arrival order.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last(where: { $0.name == wanted })?.value
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A request that got no HTTP answer: the connection, TLS or a timeout failed.
struct TransportError: Error, Sendable {
    enum Kind: Sendable {
        case connect, timeout, tls, resolve, broken, setup, aborted
        /// The file being sent changed or went away mid-request.
        case source(FileReadError)
    }

    var kind: Kind
    var curlCode: Int
    var message: String
}
