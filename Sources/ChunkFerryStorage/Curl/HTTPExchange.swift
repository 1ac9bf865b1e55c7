import ChunkFerrySupport

/// One HTTP request as the S3 client or the HTTP store builds it, and the response it gets back.
package struct HTTPRequest: Sendable {
    package enum Method: String, Sendable {
        case get = "GET", put = "PUT", post = "POST", head = "HEAD", delete = "DELETE"
    }

    /// What a request sends: bytes in memory, or a range of a file streamed from disk.
    package enum Body: Sendable {
        case bytes([UInt8])
        case file(FileRange)
        /// Bytes followed by their CRC32C (aws-chunked), hashed as they are sent.
        case trailed(ChecksummedBody)
        /// Bytes pulled from the body as they are sent, bare (a sealed object in the header form).
        case pulled(ChecksummedBody)

        package var length: Int {
            switch self {
            case .bytes(let bytes): bytes.count
            case .file(let range): range.length
            case .trailed(let body): body.encodedLength
            case .pulled(let body): body.length
            }
        }
    }

    package var method: Method
    package var url: String
    package var headers: [(name: String, value: String)]
    package var body: Body?
    /// User and password for HTTP Basic or Digest authentication (cameras' snapshot URLs).
    package var credentials: Credentials? = nil

    package init(method: Method, url: String, headers: [(name: String, value: String)], body: Body?, credentials: Credentials? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.credentials = credentials
    }

    package struct Credentials: Sendable {
        package var user: String
        package var password: String

        package init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }
}

package struct HTTPResponse: Sendable {
    package var status: Int
    /// Header names lower-cased, in arrival order.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last(where: { $0.name == wanted })?.value
    }

    package var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A request that got no HTTP answer: the connection, TLS or a timeout failed.
package struct TransportError: Error, Sendable {
    package enum Kind: Sendable {
        case connect, timeout, tls, resolve, broken, setup, aborted
        /// The file being sent changed or went away mid-request.
        case source(FileReadError)
    }

    package var kind: Kind
    package var curlCode: Int
    package var message: String
}
