import Logging
import ServiceLifecycle

/// UPLOAD_CONCURRENCY workers taking jobs from the stream manager. On shutdown the queue closes,
/// in-flight chunks get until the deadline to finish, then their transfers are aborted
/// (never committed).
struct UploadService: Service {
    let worker: StreamWorker
    let concurrency: Int
    let abort: TransferAbort
    let drainDeadline: Duration
    let gate: ReadinessGate
    let logger: Logger

    func run() async throws {
        guard await gate.wait() else { return }
        let queue = worker.manager.queue
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    await worker.run()
                    return true
                }
            }
            group.addTask { [abort, drainDeadline, logger] in
                // Returns on graceful shutdown, throws on cancellation: either way, stop taking work,
                // and at the deadline (or on cancellation) stop what is in flight, uncommitted.
                try? await gracefulShutdown()
                queue.close()
                if (try? await Task.sleep(for: drainDeadline)) != nil {
                    logger.warning("shutdown deadline reached; abandoning in-flight uploads without committing them")
                }
                abort.trigger()
                return false
            }
            var running = concurrency
            while running > 0, let isWorker = await group.next() {
                if isWorker { running -= 1 }
            }
            group.cancelAll()
        }
    }
}
