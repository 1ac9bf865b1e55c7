@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation

/// A real SeaweedFS (`weed mini`) S3 server on free loopback ports. An identities file makes it
/// check every SigV4 signature against `accessKey`/`secretKey`.
final class SeaweedServer: TestServer {
    static let accessKey = "chunkferry-test-key"
    static let secretKey = "chunkferry-test-secret-Zx81"

    let s3Port: Int
    /// With TLS: the https port, serving a self-signed certificate for 127.0.0.1.
    let httpsPort: Int?
    let directory: String
    let process: ManagedProcess

    /// The self-signed certificate's PEM file (its own CA), when serving TLS.
    var certificateFile: String? { httpsPort == nil ? nil : "\(directory)/cert.pem" }

    init(tls: Bool = false) async throws {
        directory = Scratch.directory("seaweed")
        // Each HTTP port's +10000 is its gRPC port, and must be free too.
        let ports = (0..<5).map { _ in FreePort.next(plus: [10_000]) }
        s3Port = ports[3]
        httpsPort = tls ? FreePort.next() : nil
        var tlsArguments: [String] = []
        if let httpsPort {
            try Self.makeCertificate(in: directory)
            tlsArguments = ["-s3.port.https=\(httpsPort)", "-s3.cert.file=\(directory)/cert.pem", "-s3.key.file=\(directory)/key.pem"]
        }
        let identities = """
            {"identities":[{"name":"admin","credentials":[{"accessKey":"\(Self.accessKey)","secretKey":"\(Self.secretKey)"}],
            "actions":["Admin","Read","Write","List","Tagging"]}]}
            """
        try identities.write(toFile: "\(directory)/identities.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(directory)/data", withIntermediateDirectories: true)
        process = ManagedProcess(
            name: "seaweedfs", executable: "weed",
            arguments: [
                "mini", "-dir=\(directory)/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-master.port=\(ports[0])", "-volume.port=\(ports[1])", "-filer.port=\(ports[2])",
                "-s3.port=\(ports[3])", "-admin.port=\(ports[4])", "-s3.config=\(directory)/identities.json",
                "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false",
                // Every test bucket is a collection that takes volumes of its own; the default cap
                // (free disk / volume size) runs out over a whole suite ("No writable volumes").
                "-volume.max=2000",
            ] + tlsArguments,
            logPath: "\(directory)/weed.log"
        )
        try await start()
    }

    var endpoint: String { httpsPort.map { "https://127.0.0.1:\($0)" } ?? "http://127.0.0.1:\(s3Port)" }

    func settings(bucket: String, secretKey: String = SeaweedServer.secretKey, integrity: S3Settings.Integrity = .standard,
                  stallTimeoutSeconds: Int = 30) -> S3Settings {
        S3Settings(endpoint: endpoint, bucket: bucket, accessKeyID: Self.accessKey, secretAccessKey: Secret(secretKey),
                   caFile: certificateFile, integrity: integrity, connectTimeoutMilliseconds: 2_000,
                   stallTimeoutSeconds: stallTimeoutSeconds)
    }

    /// A client for a new, empty bucket of its own.
    func client(bucket: String = Scratch.uniqueName("test"), integrity: S3Settings.Integrity = .standard) async throws -> S3Client {
        let client = try S3Client(settings: settings(bucket: bucket, integrity: integrity), connections: 2)
        try await client.createBucket()
        return client
    }

    /// Started, and a real request (create + write + delete) succeeds: the S3 port answers
    /// before the filer behind it can store anything.
    func start() async throws {
        try process.start()
        let probe = try S3Client(settings: settings(bucket: "harness-probe", stallTimeoutSeconds: 5), connections: 1)
        let deadline = ContinuousClock.now + .seconds(60)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                try await probe.createBucket()
                _ = try await probe.putObject(key: "probe", body: [1, 2, 3])
                try await probe.deleteObject(key: "probe")
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(150))
            }
        }
        throw HarnessError("SeaweedFS on port \(s3Port) not ready within 60 s (\(String(describing: lastError))):\n\(process.log().suffix(2000))")
    }

    /// A self-signed certificate for 127.0.0.1 and localhost, made with openssl.
    static func makeCertificate(in directory: String) throws {
        let openssl = ManagedProcess(
            name: "openssl", executable: "openssl",
            arguments: ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/key.pem", "-out", "\(directory)/cert.pem",
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            logPath: "\(directory)/openssl.log")
        try openssl.start()
        while openssl.isRunning { usleep(20_000) }
        guard FileManager.default.fileExists(atPath: "\(directory)/cert.pem") else {
            throw HarnessError("openssl could not make a certificate: \(openssl.log())")
        }
    }
}
