import ChunkFerryPipeline
import Logging
import ServiceLifecycle

/// Tries failed streams again once `chunkferry retry` cleared their mark in Redis (it may run in
/// another container, and another instance may hold the stream: each daemon looks at its own
/// failed streams), and at every configuration reload.
struct RetryRequests: Service {
    let context: PipelineContext
    let manager: StreamManager
    let gate: ReadinessGate
    var interval: Duration = .seconds(2)

    func run() async throws {
        guard await gate.wait() else { return }
        let store = context.store
        repeat {
            var cleared: Set<String> = []
            for failed in await manager.failedStreams() {
                if let marked = try? await store.isFailed(failed.streamID), !marked { cleared.insert(failed.path) }
            }
            if !cleared.isEmpty { await retry(cleared, origin: "chunkferry retry") }
        } while await RetryPolicy.pause(interval)
    }

    /// Tries the failed streams at `paths` (or all, "*") again; their marks in Redis are cleared
    /// first, so a refusal that comes at once marks them again.
    func retry(_ paths: Set<String>, origin: String) async {
        let store = context.store
        for failed in await manager.failedStreams() where paths.contains("*") || paths.contains(failed.path) {
            try? await store.clearFailed(failed.streamID)
        }
        let retried = await manager.retryFailed(paths)
        guard !retried.isEmpty else { return }
        context.logger.notice("failed streams tried again", metadata: [
            "files": "\(retried.joined(separator: ", "))", "origin": "\(origin)", "event": "streams.retried",
        ])
    }
}
