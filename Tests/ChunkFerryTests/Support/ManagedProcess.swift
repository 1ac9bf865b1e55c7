import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A server or daemon a test started: it can be stopped, frozen, killed and started again
/// with the same arguments. Every live one is killed when the test process exits.
final class ManagedProcess: @unchecked Sendable {
    let name: String
    let executable: String
    let arguments: [String]
    let environment: [String: String]?
    let logPath: String
    private let lock = NSLock()
    private var process: Process?

    init(name: String, executable: String, arguments: [String], environment: [String: String]? = nil, logPath: String) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logPath = logPath
    }

    var pid: Int32? { lock.withLock { process?.isRunning == true ? process?.processIdentifier : nil } }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        if let environment { process.environment = environment }
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        ProcessReaper.shared.track(process.processIdentifier)
        lock.withLock { self.process = process }
    }

    /// Sends `signal` and, for terminating ones, waits until the process is gone.
    func signal(_ signal: Int32, wait: Bool = true) {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        kill(process.processIdentifier, signal)
        if wait && signal != SIGSTOP && signal != SIGCONT {
            if signal == SIGTERM {
                let deadline = Date().addingTimeInterval(15)
                while process.isRunning && Date() < deadline { usleep(20_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            process.waitUntilExit()
            ProcessReaper.shared.forget(process.processIdentifier)
        }
    }

    func stop() { signal(SIGTERM) }

    /// SIGTERM, and the wait for the exit (SIGKILL after 15 s) on a thread of its own: for the
    /// end of a test, whose caller is one of Swift's few cooperative threads; blocking it while
    /// a daemon drains stalled every other test running beside it.
    func stopInBackground() {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(15)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            ProcessReaper.shared.forget(process.processIdentifier)
        }
    }
    func kill9() { signal(SIGKILL) }
    /// SIGSTOP, and back only once the process is stopped: `kill` only queues the signal, and a
    /// request sent meanwhile could still be answered (a loaded CI machine once let one through).
    func freeze() {
        signal(SIGSTOP)
        guard let pid = lock.withLock({ self.process?.processIdentifier }) else { return }
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let state = stat.split(separator: ")").last?.split(separator: " ").first else { return }
            if state == "T" || state == "t" { return }
            usleep(5_000)
        }
    }
    func thaw() { signal(SIGCONT) }

    /// Waits for the process to exit on its own; nil if it is still running after `timeout`.
    func waitForExit(timeout: Duration) async -> Int32? {
        guard let process = lock.withLock({ self.process }) else { return nil }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        ProcessReaper.shared.forget(process.processIdentifier)
        return process.terminationStatus
    }

    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
        }
    }
}

/// Kills every tracked child when the test process exits, so no server outlives the run.
final class ProcessReaper: @unchecked Sendable {
    static let shared = ProcessReaper()
    private let lock = NSLock()
    private var pids: Set<Int32> = []

    private init() {
        atexit {
            for pid in ProcessReaper.shared.lock.withLock({ ProcessReaper.shared.pids }) {
                kill(pid, SIGCONT)
                kill(pid, SIGKILL)
            }
        }
    }

    func track(_ pid: Int32) { _ = lock.withLock { pids.insert(pid) } }
    func forget(_ pid: Int32) { _ = lock.withLock { pids.remove(pid) } }
}
