import Logging
import ServiceLifecycle

/// UPLOAD_CONCURRENCY workers taking jobs from the stream manager, and the finisher of their
/// small files. On shutdown the queue closes,
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
        enum Role { case worker, finisher, shutdownWatch }
        await withTaskGroup(of: Role.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    await worker.run()
                    return .worker
                }
            }
            group.addTask {
                await worker.finisher.run(Finalizer(worker: worker))
                return .finisher
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
                return .shutdownWatch
            }
            // Workers first; then the finisher drains what they handed over.
            var workers = concurrency
            while let role = await group.next() {
                if role == .worker {
                    workers -= 1
                    if workers == 0 { worker.finisher.close() }
                }
                if role == .finisher { break }
            }
            group.cancelAll()
        }
    }
}
