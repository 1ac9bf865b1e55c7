@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// moto's S3 server on a free loopback port: the second S3 server, for what SeaweedFS is
/// lenient about. It refuses unknown storage classes, enforces Object Lock (a bucket created
/// with it is versioned; a locked version cannot be deleted) and does UploadPartCopy. It
/// accepts any signature, so SigV4 stays SeaweedFS's to check, and verifies no checksum.
/// It runs with AWS's rule that a compliance retention cannot be shortened, which moto 5
/// lacks (Fixtures/moto/moto_aws.py).
final class MotoServer: TestServer {
    static let accessKey = "moto-test-key"
    static let secretKey = "moto-test-secret-Qp27"

    let port: Int
    let directory: String
    let process: ManagedProcess

    /// `authorizeAfter`: moto checks every request's signature and IAM policy once this many
    /// have been answered (its `INITIAL_NO_AUTH_ACTION_COUNT`), the start's own two included.
    init(authorizeAfter: Int? = nil) async throws {
        directory = Scratch.directory("moto")
        port = FreePort.next()
        var environment: [String: String]?
        if let authorizeAfter {
            environment = ProcessInfo.processInfo.environment.merging(["INITIAL_NO_AUTH_ACTION_COUNT": String(authorizeAfter)]) { $1 }
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/moto/moto_aws.py").path
        process = ManagedProcess(name: "moto", executable: "python3", arguments: [script, "-H", "127.0.0.1", "-p", String(port)],
                                 environment: environment, logPath: "\(directory)/moto.log")
        try await start()
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func settings(bucket: String, integrity: S3Settings.Integrity = .standard, objectLock: ObjectLock? = nil) -> S3Settings {
        S3Settings(endpoint: endpoint, bucket: bucket, accessKeyID: Self.accessKey, secretAccessKey: Secret(Self.secretKey),
                   integrity: integrity, connectTimeoutMilliseconds: 2_000, stallTimeoutSeconds: 30, objectLock: objectLock)
    }

    /// A client for a new, empty bucket of its own (with Object Lock when `objectLock` is set).
    func client(bucket: String = Scratch.uniqueName("test"), integrity: S3Settings.Integrity = .standard,
                objectLock: ObjectLock? = nil) async throws -> S3Client {
        let client = try S3Client(settings: settings(bucket: bucket, integrity: integrity, objectLock: objectLock), connections: 2)
        try await client.createBucket()
        return client
    }

    /// Started, and a bucket can be made and written.
    func start() async throws {
        try process.start()
        let probe = try S3Client(settings: settings(bucket: "harness-probe"), connections: 1)
        let deadline = ContinuousClock.now + .seconds(30)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                try await probe.createBucket()
                _ = try await probe.putObject(key: "probe", body: [1, 2, 3])
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(150))
            }
        }
        throw HarnessError("moto on port \(port) not ready within 30 s (\(String(describing: lastError))):\n\(process.log().suffix(2000))")
    }
}

/// The S3 servers the client's tests run against.
enum S3TestServer: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case seaweed, moto

    var testDescription: String { rawValue }

    func client(bucket: String = Scratch.uniqueName("test"), integrity: S3Settings.Integrity = .standard) async throws -> S3Client {
        switch self {
        case .seaweed: try await SharedServers.shared.seaweed().client(bucket: bucket, integrity: integrity)
        case .moto: try await SharedServers.shared.moto().client(bucket: bucket, integrity: integrity)
        }
    }

    func settings(bucket: String) async throws -> S3Settings {
        switch self {
        case .seaweed: try await SharedServers.shared.seaweed().settings(bucket: bucket)
        case .moto: try await SharedServers.shared.moto().settings(bucket: bucket)
        }
    }
}

extension DaemonFixture {
    /// A fixture whose store is a new moto bucket (with Object Lock when `lock` is set); the
    /// client reads that bucket back.
    static func onMoto(lock: ObjectLock? = nil, environment: [String: String] = [:]) async throws -> (DaemonFixture, S3Client) {
        let moto = try await SharedServers.shared.moto()
        let bucket = Scratch.uniqueName("moto")
        let client = try await moto.client(bucket: bucket, objectLock: lock)
        let fixture = try await DaemonFixture(environment: [
            "S3_ENDPOINT": moto.endpoint, "S3_BUCKET": bucket,
            "AWS_ACCESS_KEY_ID": MotoServer.accessKey, "AWS_SECRET_ACCESS_KEY": MotoServer.secretKey,
        ].merging(environment) { $1 })
        fixture.storage = client
        return (fixture, client)
    }
}
