import CBuildInfo
import ChunkFerryStorage
import ChunkFerrySupport
import Synchronization

/// What the daemon knows of itself that no single component owns: when it started, whether the
/// startup checks passed or failed for good, whether it is shutting down.
package final class DaemonStatus: Sendable {
    /// This build's version, as `--version`, `/health` and manifests give it.
    package static let version = "0.1.0"
    /// The commit this build was made from (release builds; "unknown" otherwise).
    package static let commit = String(cString: cf_build_commit())
    /// What `chunkferry --version` prints.
    package static var versionLine: String { "\(version) (commit \(commit))" }

    struct State: Sendable {
        /// A startup check that cannot pass without a change (credentials refused, say).
        var startupProblem: String?
        /// Startup checks still waiting (Redis or the store not reachable yet).
        var waitingFor: String?
        var checksPassed = false
        var shuttingDown = false
        /// The startup check's finding: could the store's keys destroy footage?
        var deletion: DeletionFinding?
    }

    let startedAtMilliseconds = WallClock.nowMilliseconds()
    let started = ContinuousClock.now
    private let state = Mutex(State())

    package init() {}

    var current: State { state.withLock { $0 } }

    func startupFailed(_ problem: String) { state.withLock { $0.startupProblem = problem } }
    func startupWaiting(_ message: String?) { state.withLock { $0.waitingFor = message } }

    func checksPassed() {
        state.withLock {
            $0.checksPassed = true
            $0.startupProblem = nil
            $0.waitingFor = nil
        }
    }

    func found(_ deletion: DeletionFinding) { state.withLock { $0.deletion = deletion } }

    func shuttingDown() { state.withLock { $0.shuttingDown = true } }
}
