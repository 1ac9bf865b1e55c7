@testable import ChunkFerryCheckpoint
@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Synchronization
import Testing

/// A watch directory, a bucket and a Redis namespace of its own, and the real `chunkferry`
/// binary run against them, logging JSON so tests can read what it did.
final class DaemonFixture: @unchecked Sendable {
    let seaweed: SeaweedServer
    let redis: RedisServer
    let watchDir: String
    let bucket: String
    let namespace: String
    let s3: S3Client
    /// Where the daemon's objects are read back from: the bucket, unless a test points the
    /// daemon elsewhere (`STORAGE_BACKEND`) and this at the same place.
    var storage: any ObjectStore
    let store: CheckpointStore
    var extraEnvironment: [String: String]
    private(set) var runs: [ManagedProcess] = []

    init(seaweed: SeaweedServer? = nil, redis: RedisServer? = nil, environment: [String: String] = [:]) async throws {
        if let seaweed { self.seaweed = seaweed } else { self.seaweed = try await SharedServers.shared.seaweed() }
        if let redis { self.redis = redis } else { self.redis = try await SharedServers.shared.redis() }
        watchDir = Scratch.directory("watch")
        bucket = Scratch.uniqueName("daemon")
        namespace = Scratch.uniqueName("cf") + ":"
        s3 = try await self.seaweed.client(bucket: bucket)
        storage = s3
        store = CheckpointStore(redis: RedisClient(url: self.redis.url), namespace: namespace)
        extraEnvironment = environment
    }

    static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["CHUNKFERRY_BINARY"] { return explicit }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("chunkferry").path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("chunkferry").path
    }

    /// A copy of the binary any user can run (the build folder may sit under root's home).
    static func binaryForNobody() throws -> String {
        try nobodyCopy.withLock { ready in
            let copy = Scratch.root + "/chunkferry"
            if ready { return copy }
            // Written through a close-on-exec descriptor: a server spawned meanwhile by another
            // test would otherwise inherit it, and exec of the copy fails with ETXTBSY for as
            // long as that server lives.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: binary))
            let descriptor = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
            guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            defer { close(descriptor) }
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == bytes.count else { throw POSIXError(.EIO) }
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: Scratch.root)
            ready = true
            return copy
        }
    }

    /// Whether the copy for nobody is written; one test writes it, the others wait.
    private static let nobodyCopy = Mutex(false)

    var environment: [String: String] {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "WATCH_DIR": watchDir, "REDIS_URL": redis.urlString, "REDIS_NAMESPACE": namespace,
            "S3_ENDPOINT": seaweed.endpoint, "S3_BUCKET": bucket,
            "AWS_ACCESS_KEY_ID": SeaweedServer.accessKey, "AWS_SECRET_ACCESS_KEY": SeaweedServer.secretKey,
            "CHUNK_SIZE": "5MiB", "IDLE_TIMEOUT": "2s", "SCAN_INTERVAL": "1s", "UPLOAD_CONCURRENCY": "4",
            "LOG_FORMAT": "json", "LOG_LEVEL": "info", "NODE_ID": "test-node",
            "HTTP_PORT": "0",  // the endpoint only where a test asks for it: parallel daemons would share 8080
        ]
        if let backend = extraEnvironment["STORAGE_BACKEND"], backend != "s3" {
            // Settings of another backend are refused: only a test's own go.
            environment["S3_ENDPOINT"] = nil
            environment["S3_BUCKET"] = nil
        }
        environment.merge(extraEnvironment) { $1 }
        return environment
    }

    /// Starts `chunkferry <command>`; `asUser` drops root (so permission tests mean something).
    @discardableResult
    func start(_ command: [String] = ["run"], asNobody: Bool = false, environment extra: [String: String] = [:]) throws -> ManagedProcess {
        precondition(FileManager.default.fileExists(atPath: Self.binary), "build chunkferry first: \(Self.binary) is missing")
        let wrapper = asNobody && getuid() == 0
        let process = ManagedProcess(
            name: "chunkferry",
            executable: wrapper ? "/usr/bin/setpriv" : Self.binary,
            arguments: wrapper ? ["--reuid=65534", "--regid=65534", "--clear-groups", try Self.binaryForNobody()] + command : command,
            environment: environment.merging(extra) { $1 }.filter { !$0.value.isEmpty },  // "": unset it
            logPath: "\(Scratch.root)/\(URL(fileURLWithPath: watchDir).lastPathComponent)-run\(runs.count).log")
        try process.start()
        runs.append(process)
        return process
    }

    /// Every JSON log line of every run so far.
    func events() -> [[String: String]] {
        runs.flatMap { Self.parse($0.log()) }
    }

    /// The log lines of one kind, by their stable `event` metadata (`stream.finalized`), not
    /// by their wording, which is free to improve.
    func events(event: String, path: String? = nil, run: Int? = nil) -> [[String: String]] {
        let source = run.map { index in Self.parse(runs[index].log()) } ?? events()
        return source.filter { $0["event"] == event && (path == nil || $0["file.path"] == path) }
    }

    /// The log lines with exactly this message: for tests of what a line says to its reader.
    func events(_ message: String, path: String? = nil, run: Int? = nil) -> [[String: String]] {
        let source = run.map { index in Self.parse(runs[index].log()) } ?? events()
        return source.filter { $0["message"] == message && (path == nil || $0["file.path"] == path) }
    }

    static func parse(_ log: String) -> [[String: String]] {
        log.split(separator: "\n").compactMap { line -> [String: String]? in
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return object.compactMapValues { $0 as? String }
        }
    }

    /// `chunkferry restore path --output output` as after a burglary: Redis (a port nobody
    /// answers on) and WATCH_DIR gone, the store alone.
    func restoreFromStoreAlone(_ path: String, to output: String) throws -> ManagedProcess {
        try start(["restore", path, "--output", output],
                  environment: ["REDIS_URL": "redis://127.0.0.1:\(FreePort.next())/0", "WATCH_DIR": "/nonexistent"])
    }

    /// Waits until `condition` holds, checking every 100 ms.
    func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("timed out waiting for \(what); daemon log:\n\(runs.map { $0.log() }.joined(separator: "\n---\n").suffix(6000))")
    }

    /// The manifests in the bucket for `path` (one per stream of that file).
    func manifests(for path: String) async throws -> [Manifest] {
        var manifests: [Manifest] = []
        for folder in ["", ObjectLayout.streamsFolder] {
            for object in try await storage.list(prefix: folder + path + "/") where object.key.hasSuffix("/manifest.json") {
                manifests.append(try Manifest.decode(try await storage.get(key: object.key)))
            }
        }
        return manifests
    }

    /// Waits for a manifest of `path` whose SHA-256 is that of the file on disk now.
    @discardableResult
    /// `source`: where to read the file's bytes when the watch folder's view of them may lag
    /// (a FUSE mount caches what it shows for a moment).
    func waitForManifestMatchingFile(_ path: String, source: String? = nil, timeout: Duration = .seconds(60)) async throws -> Manifest {
        var found: Manifest?
        try await waitUntil("a manifest matching \(path)", timeout: timeout) {
            let expected = try source.map { try Self.sha256(ofFile: $0) }
                ?? Self.sha256(ofFile: PathEscaping.systemPath(root: watchDir, relative: path))
            found = try await manifests(for: path).first { $0.sha256 == expected }
            return found != nil
        }
        return found!
    }

    /// Downloads the manifest's chunks and checks their concatenation against the file on disk.
    func expectBucketMatchesFile(_ manifest: Manifest, file: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var whole = Digest(.sha256)
        for chunk in manifest.chunks {
            let bytes = try await storage.get(key: chunk.key)
            // Not the bytes themselves in the expectation: a failure would print megabytes.
            let holds = chunk.holds(bytes)
            #expect(holds, "chunk \(chunk.index) (\(bytes.count) bytes) differs from its checksum", sourceLocation: sourceLocation)
            bytes.withUnsafeBytes { whole.update($0) }
        }
        #expect(manifest.isContiguous, sourceLocation: sourceLocation)
        let fileHash = try file.map { try Self.sha256(ofFile: $0) }
            ?? Self.sha256(ofFile: PathEscaping.systemPath(root: watchDir, relative: manifest.chunks.first.map {
                String($0.key.dropLast("/\(manifest.streamID)/chunk-00000000".count)).replacing(ObjectLayout.streamsFolder, with: "")
            } ?? manifest.path))
        #expect(ByteEncoding.hex(whole.finalize()) == fileHash, "bucket bytes differ from \(manifest.path)", sourceLocation: sourceLocation)
        #expect(manifest.sha256 == fileHash, sourceLocation: sourceLocation)
    }

    static func sha256(ofFile path: String) throws -> String {
        ByteEncoding.hex(Digest.sha256(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
    }

    /// SHA-256 of a file named by raw bytes (names need not be UTF-8).
    static func sha256(ofFile path: [CChar]) throws -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw HarnessError("cannot open \(String(decoding: path.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)): errno \(errno)") }
        defer { close(descriptor) }
        var digest = Digest(.sha256)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return ByteEncoding.hex(digest.finalize())
    }

    func stopAll() {
        for run in runs { run.stop() }
    }

    /// At the end of a test: every run told to stop, without waiting here (see `stopInBackground`).
    func stopAllInBackground() {
        for run in runs { run.stopInBackground() }
    }

    deinit { for run in runs { run.kill9() } }
}

extension Manifest.Chunk {
    /// Whether `bytes` have the checksum the manifest lists for this chunk (SHA-256 or CRC32C).
    func holds(_ bytes: [UInt8]) -> Bool {
        checksum.map { $0.kind.checksum(of: bytes) == $0 } ?? false
    }
}
