import Foundation

/// A real HTTP proxy (Python) in front of SeaweedFS that answers a PUT with a trailing checksum
/// (`x-amz-trailer`) as stores without aws-chunked support do, 501 NotImplemented, and passes
/// every other request through untouched (the Host header too, so signatures still verify).
final class TrailerRefusingProxy: Sendable {
    private let server: PythonServer

    static let script = #"""
import http.client, http.server, sys
upstream = int(sys.argv[2])
class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def relay(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "PUT" and self.headers.get("x-amz-trailer"):
            error = b"<Error><Code>NotImplemented</Code><Message>Transfer encoding aws-chunked is not implemented</Message></Error>"
            self.send_response(501)
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)
            return
        connection = http.client.HTTPConnection("127.0.0.1", upstream)
        connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items(): connection.putheader(name, value)
        connection.endheaders(body)
        answer = connection.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"): self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(data)
        connection.close()
    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = relay
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Proxy).serve_forever()
"""#

    init(upstreamPort: Int) async throws {
        server = try await PythonServer(name: "trailer-proxy", script: Self.script, arguments: [String(upstreamPort)])
    }

    var endpoint: String { server.endpoint }

    func stop() { server.stop() }
}
