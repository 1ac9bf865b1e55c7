@testable import ChunkFerryStorage
import Foundation

/// A real HTTP server (Python's http.server) that receives objects as `STORAGE_BACKEND=http`
/// sends them: it checks the bearer token and each body against its `Repr-Digest`, keeps bodies
/// as files under `folder` (so tests read them back with a `FolderStore`), answers HEAD and GET,
/// and logs every request as a JSON line. It can refuse the first PUTs with 503 and then one
/// with 429 and `Retry-After`, as a busy server would (the startup check's object excepted).
final class UploadServer: Sendable {
    let folder: String
    let token: String
    private let server: PythonServer
    private let requestLog: String

    static let script = #"""
import base64, email.utils, hashlib, http.server, json, os, re, sys, threading, time, urllib.parse
port, folder, token, log, busy, head, refuse = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6] == "head", sys.argv[7]
index = sys.argv[8] == "index"
lock = threading.Lock()
state = {"puts": 0}
class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers: self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def record(self, status, **extra):
        entry = {"time": time.time(), "method": self.command, "path": self.path, "status": status,
                 "authorization": self.headers.get("Authorization"), "repr_digest": self.headers.get("Repr-Digest"),
                 "content_type": self.headers.get("Content-Type"), "content_length": self.headers.get("Content-Length"),
                 "stream": self.headers.get("X-ChunkFerry-Stream-Id"), "chunk": self.headers.get("X-ChunkFerry-Chunk-Index")}
        entry.update(extra)
        with lock, open(log, "a") as out: out.write(json.dumps(entry) + "\n")
    def target(self):
        key = urllib.parse.unquote(self.path.split("/", 2)[2])  # /upload/<key>
        return os.path.join(folder, key)
    def handle_one(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != "Bearer " + token:
            self.record(401); return self.answer(401, b"bad token\n")
        if self.command in ("PUT", "POST") and refuse and re.search(refuse, self.path):
            self.record(403); return self.answer(403, b"this key is not allowed here\n")
        if self.command in ("PUT", "POST"):
            with lock:  # the startup check's object is let through: the daemon's retries are what is tested
                state["puts"] += 0 if ".chunkferry-check" in self.path else 1
                count = state["puts"] if ".chunkferry-check" not in self.path else busy + 2
            if count <= busy:
                self.record(503); return self.answer(503, b"busy\n")
            if count == busy + 1 and busy:
                self.record(429); return self.answer(429, b"slow down\n", [("Retry-After", "2")])
            digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
            if self.headers.get("Repr-Digest") != digest:
                self.record(400, digest_ok=False); return self.answer(400, b"Repr-Digest does not match the body\n")
            path = self.target()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + ".part", "wb") as out: out.write(body)
            os.replace(path + ".part", path)
            with open(path + ".digest", "w") as out: out.write(digest)
            self.record(201, digest_ok=True, size=len(body)); return self.answer(201)
        path = self.target()
        if self.command == "HEAD" and not head:
            self.record(405); return self.answer(405)
        if self.command == "DELETE":
            for name in (path, path + ".digest"):
                if os.path.exists(name): os.remove(name)
            self.record(204); return self.answer(204)
        if self.command == "GET" and self.path.endswith("/") and index:  # nginx's autoindex_format json
            if not os.path.isdir(path):
                self.record(404); return self.answer(404)
            entries = []
            for name in sorted(os.listdir(path)):
                if name.endswith((".digest", ".part")): continue
                full = os.path.join(path, name)
                info = os.stat(full)
                entries.append({"name": name, "type": "directory" if os.path.isdir(full) else "file",
                                "mtime": email.utils.formatdate(info.st_mtime, usegmt=True), "size": info.st_size})
            self.record(200); return self.answer(200, json.dumps(entries).encode(), [("Content-Type", "application/json")])
        if not os.path.isfile(path):
            self.record(404); return self.answer(404)
        with open(path, "rb") as source: data = source.read()
        with open(path + ".digest") as source: digest = source.read()
        self.record(200)
        self.answer(200, data, [("Repr-Digest", digest), ("Content-Type", "application/octet-stream")])
    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
"""#

    /// `busy`: how many PUTs are answered 503 before one 429 with `Retry-After: 2`. `refusing`:
    /// PUTs to keys it matches (a regular expression) are answered 403, as a server's policy
    /// refuses one name.
    /// `indexes`: folders answer `GET …/` with a JSON index, as nginx's `autoindex_format json`.
    init(token: String, busy: Int = 0, answersHead: Bool = true, refusing: String = "", indexes: Bool = false) async throws {
        folder = Scratch.directory("upload-server")
        self.token = token
        requestLog = Scratch.directory("upload-server-log") + "/requests.jsonl"
        server = try await PythonServer(name: "upload-server", script: Self.script,
                                        arguments: [folder, token, requestLog, String(busy), answersHead ? "head" : "nohead", refusing,
                                                    indexes ? "index" : "noindex"])
    }

    /// What `HTTP_UPLOAD_URL` is set to.
    var url: String { server.endpoint + "/upload" }

    /// Every request so far, oldest first.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: requestLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func stop() { server.stop() }
}
