import Logging
import ServiceLifecycle

/// Takes `chunkferry retry` requests from Redis (where the command leaves them, since it may
/// run in another container) and hands them to the manager: failed streams are tried again.
struct RetryRequests: Service {
    let context: PipelineContext
    let manager: StreamManager
    let gate: ReadinessGate
    var interval: Duration = .seconds(2)

    func run() async throws {
        guard await gate.wait() else { return }
        let store = context.store
        repeat {
            guard let requested = try? await store.takeRetryRequests(), !requested.isEmpty else { continue }
            await retry(Set(requested), origin: "chunkferry retry")
        } while await RetryPolicy.pause(interval)
    }

    /// Tries failed streams at `paths` (or all, "*") again, clearing their mark in Redis.
    func retry(_ paths: Set<String>, origin: String) async {
        let retried = await manager.retryFailed(paths)
        let store = context.store
        for path in retried {
            if let id = await manager.streamID(of: path) { try? await store.clearFailed(id) }
        }
        guard !retried.isEmpty || origin != "reload" else { return }
        context.logger.notice(retried.isEmpty ? "retry asked for, but no such stream is failed" : "failed streams tried again", metadata: [
            "files": "\(retried.isEmpty ? paths.sorted().joined(separator: ", ") : retried.joined(separator: ", "))",
            "origin": "\(origin)", "event": "streams.retried",
        ])
    }
}
