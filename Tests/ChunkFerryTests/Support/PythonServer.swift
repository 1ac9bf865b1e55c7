import Foundation

/// A small real server written in Python (a store that misbehaves on purpose, a proxy), run on
/// a free loopback port given as its first argument.
final class PythonServer: Sendable {
    let port: Int
    private let process: ManagedProcess

    init(name: String, script: String, arguments: [String] = []) async throws {
        port = FreePort.next()
        let directory = Scratch.directory(name)
        let scriptPath = "\(directory)/\(name).py"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        process = ManagedProcess(name: name, executable: "python3", arguments: [scriptPath, String(port)] + arguments,
                                 logPath: "\(directory)/\(name).log")
        try process.start()
        let deadline = ContinuousClock.now + .seconds(30)
        while FreePort.isFree(port) {  // bound once the server listens
            guard ContinuousClock.now < deadline else { throw HarnessError("\(name) did not start:\n\(process.log())") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func stop() { process.stop() }
}
