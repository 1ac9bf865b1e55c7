@testable import ChunkFerryStorage
import Foundation

/// A real HTTP server (Python's http.server) answering as older S3-compatible stores do when a
/// PUT carries `x-amz-checksum-crc32c` (or a trailing one): 501 NotImplemented. Everything else succeeds, so the
/// daemon gets as far as its first upload. None of the stores here refuse CRC32C.
final class ChecksumRefusingStore: Sendable {
    private let server: PythonServer

    static let script = #"""
import http.server, sys
class Store(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers: self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def drain(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
    def do_HEAD(self): self.answer(200)
    def do_DELETE(self): self.answer(204)
    def do_GET(self): self.answer(200, b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
    def do_PUT(self):
        self.drain()
        if self.headers.get("x-amz-checksum-crc32c") or self.headers.get("x-amz-trailer"):
            self.answer(501, b"<Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message></Error>")
        else:
            self.answer(200, headers=[("ETag", '"0123456789abcdef0123456789abcdef"')])
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Store).serve_forever()
"""#

    init() async throws {
        server = try await PythonServer(name: "refusing-store", script: Self.script)
    }

    var endpoint: String { server.endpoint }

    func stop() { server.stop() }
}
