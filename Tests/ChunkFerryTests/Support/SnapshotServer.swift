@testable import ChunkFerryStorage
import Foundation

/// A camera's snapshot API (Dahua's `/cgi-bin/snapshot.cgi`, as ONVIF's GetSnapshotUri gives it):
/// Python's http.server demanding HTTP Digest authentication (RFC 7616, MD5, qop="auth", realm
/// "camera", an opaque to echo) and answering a real JPEG, made with ffmpeg at start. `/not-a-jpeg`
/// answers a login page with 200, as cameras do, for "a body that is not a JPEG is not stored".
/// Each authorized answer is logged as a line (its path) before it is sent, so a count read
/// after a client got the image includes it.
final class SnapshotServer: Sendable {
    let user: String
    let password: String
    let jpeg: String
    private let server: PythonServer
    private let servedLog: String

    static let script = #"""
import hashlib, http.server, re, secrets, sys, threading
port, user, password, jpeg, served = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
realm, opaque = "camera", secrets.token_hex(16)
nonces, lock = set(), threading.Lock()
with open(jpeg, "rb") as source: image = source.read()
def md5(text): return hashlib.md5(text.encode()).hexdigest()
class Camera(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self, status, body, content_type, headers=()):
        self.send_response(status)
        for name, value in headers: self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def authorized(self):  # RFC 7616, MD5, qop=auth
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Digest "): return False
        fields = {k.lower(): a or b for k, a, b in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]*))', header[7:])}
        with lock: known = fields.get("nonce") in nonces
        if not known or fields.get("username") != user or fields.get("realm") != realm or fields.get("uri") != self.path \
                or fields.get("qop") != "auth" or fields.get("opaque") != opaque or fields.get("algorithm", "MD5").upper() != "MD5":
            return False
        ha1, ha2 = md5(f"{user}:{realm}:{password}"), md5(f"{self.command}:{fields['uri']}")
        expected = md5(f"{ha1}:{fields['nonce']}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        return secrets.compare_digest(expected, fields.get("response", ""))
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path not in ("/cgi-bin/snapshot.cgi", "/not-a-jpeg"):
            return self.answer(404, b"not found\n", "text/plain")
        if not self.authorized():
            nonce = secrets.token_hex(16)
            with lock: nonces.add(nonce)
            challenge = f'Digest realm="{realm}", qop="auth", algorithm=MD5, nonce="{nonce}", opaque="{opaque}"'
            return self.answer(401, b"unauthorized\n", "text/plain", [("WWW-Authenticate", challenge)])
        with lock, open(served, "a") as out: out.write(path + "\n")  # counted before the client can see it
        if path == "/not-a-jpeg": return self.answer(200, b"<html>login</html>", "text/html")
        self.answer(200, image, "image/jpeg")
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Camera).serve_forever()
"""#

    init(user: String = "snap", password: String = "snap-pass-7c2e") async throws {
        self.user = user
        self.password = password
        let directory = Scratch.directory("snapshot")
        jpeg = "\(directory)/snap.jpg"
        servedLog = "\(directory)/served.log"
        let ffmpeg = ManagedProcess(name: "ffmpeg", executable: "ffmpeg",
                                    arguments: ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240",
                                                "-frames:v", "1", jpeg],
                                    logPath: "\(directory)/ffmpeg.log")
        try ffmpeg.start()
        guard await ffmpeg.waitForExit(timeout: .seconds(30)) == 0, FileManager.default.fileExists(atPath: jpeg) else {
            throw HarnessError("ffmpeg could not make a snapshot JPEG:\n\(ffmpeg.log())")
        }
        server = try await PythonServer(name: "snapshot-server", script: Self.script,
                                        arguments: [user, password, jpeg, servedLog])
    }

    var port: Int { server.port }

    /// The snapshot URL a camera would give, without credentials.
    var url: String { server.endpoint + "/cgi-bin/snapshot.cgi?channel=1" }

    /// Same authentication, but a 200 `text/html` login page instead of a JPEG.
    var notJPEGURL: String { server.endpoint + "/not-a-jpeg" }

    /// How many authorized answers for `path` were sent (JPEG snapshots by default).
    func servedCount(of path: String = "/cgi-bin/snapshot.cgi") async throws -> Int {
        guard FileManager.default.fileExists(atPath: servedLog) else { return 0 }
        return try String(contentsOfFile: servedLog, encoding: .utf8).split(separator: "\n").filter { $0 == path }.count
    }

    func stop() { server.stop() }
}
