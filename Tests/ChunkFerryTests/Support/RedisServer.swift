@testable import ChunkFerryCheckpoint
@testable import ChunkFerrySupport
import Foundation

/// A real `redis-server` on a free loopback port, with its own data folder.
final class RedisServer: TestServer {
    let port: Int
    let directory: String
    let password: String?
    let process: ManagedProcess

    /// `persistent` keeps data across a kill (append-only file, fsync always); without it a
    /// restart comes back empty, as a Redis without persistence does.
    init(password: String? = nil, persistent: Bool = true) async throws {
        port = FreePort.next()
        directory = Scratch.directory("redis")
        self.password = password
        var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--dir", directory, "--save", ""]
        arguments += persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]
        if let password { arguments += ["--requirepass", password] }
        process = ManagedProcess(name: "redis", executable: "redis-server", arguments: arguments,
                                 logPath: "\(directory)/redis.log")
        try await start()
    }

    var url: RedisURL {
        RedisURL(host: "127.0.0.1", port: port, password: password.map(Secret.init))
    }

    var urlString: String {
        "redis://\(password.map { ":\($0)@" } ?? "")127.0.0.1:\(port)/0"
    }

    func start() async throws {
        try process.start()
        let client = RedisClient(url: url, connectTimeoutMilliseconds: 200, commandTimeoutMilliseconds: 500)
        // A readiness wait, not a timing claim: a loaded two-core runner has taken over 10 s.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? await client.command("PING")) != nil { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HarnessError("redis-server on port \(port) did not answer within 30 s:\n\(process.log())")
    }

}

/// A server a test can stop (SIGKILL: data survives as it would a crash), freeze (SIGSTOP: a hung
/// server), thaw and start again on the same ports and data.
protocol TestServer: Sendable {
    var process: ManagedProcess { get }
    /// Starts the process and returns once the server really answers.
    func start() async throws
}

extension TestServer {
    func restart() async throws {
        process.kill9()
        try await start()
    }

    func stop() { process.kill9() }
    func freeze() { process.freeze() }
    func thaw() { process.thaw() }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
