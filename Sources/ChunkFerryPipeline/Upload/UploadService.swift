import ChunkFerrySupport
import Logging
import ServiceLifecycle

/// UPLOAD_CONCURRENCY workers taking jobs from the stream manager (and as many for live footage
/// only, see `StreamWorker.runReserve`), and the finisher of their small files. A reload may change the concurrency (`resize(to:)`): more workers start, or
/// those past the new number park once their job is done. On shutdown the queue closes,
/// in-flight chunks get until the deadline to finish, then their transfers are aborted
/// (never committed).
package struct UploadService: Service {
    /// Its slots' capacity is the concurrency asked for: workers are started up to it, never
    /// stopped (they park).
    package let worker: StreamWorker
    package let abort: TransferAbort
    package let drainDeadline: Duration
    package let gate: ReadinessGate
    package let logger: Logger

    package init(worker: StreamWorker, concurrency: Int, abort: TransferAbort, drainDeadline: Duration, gate: ReadinessGate, logger: Logger) {
        self.worker = worker
        worker.slots.resize(concurrency)
        self.abort = abort
        self.drainDeadline = drainDeadline
        self.gate = gate
        self.logger = logger
    }

    /// A new UPLOAD_CONCURRENCY: connections and read threads grow with it first, then the slots.
    package func resize(to count: Int) {
        let context = worker.context
        context.storage.allowConnections(Self.connections(concurrency: count, reserves: context.upload.concurrency))
        context.reader.grow(to: count + context.upload.concurrency)
        worker.slots.resize(count)
    }

    /// Store connections for UPLOAD_CONCURRENCY `concurrency` and `reserves` live workers (the
    /// concurrency at start): one per upload, one per live worker, as many as uploads for small
    /// requests (manifests, small files' last steps, checks) so they never queue behind chunks,
    /// and one more.
    package static func connections(concurrency: Int, reserves: Int) -> Int { 2 * concurrency + reserves + 1 }

    package func run() async throws {
        guard await gate.wait() else { return }
        let queue = worker.manager.queue
        enum Role { case worker, finisher, shutdownWatch, more }
        await withTaskGroup(of: Role.self) { group in
            var started = 0
            func startWorkers() {
                while started < worker.slots.capacity {
                    group.addTask { [worker, started] in
                        await worker.run(index: started)
                        return .worker
                    }
                    started += 1
                }
                group.addTask { [slots = worker.slots, started] in
                    // Back when a reload asks for more workers than run, or when the workers are done.
                    _ = await slots.grown(beyond: started)
                    return .more
                }
            }
            startWorkers()
            // Live footage's own workers, as many as UPLOAD_CONCURRENCY at start: live work never
            // waits for backlog chunks crawling up a slow uplink to end.
            let reserves = worker.context.upload.concurrency
            for _ in 0..<reserves {
                group.addTask {
                    await worker.runReserve()
                    return .worker
                }
            }
            group.addTask {
                await worker.finisher.run(worker.finalizer)
                return .finisher
            }
            group.addTask { [abort, drainDeadline, logger, slots = worker.slots] in
                // Returns on graceful shutdown, throws on cancellation: either way, stop taking work,
                // and at the deadline (or on cancellation) stop what is in flight, uncommitted.
                try? await gracefulShutdown()
                queue.close()
                slots.close()
                if (try? await Task.sleep(for: drainDeadline)) != nil {
                    logger.warning("shutdown deadline reached; abandoning in-flight uploads without committing them")
                }
                abort.trigger()
                return .shutdownWatch
            }
            // Workers first; then the finisher drains what they handed over.
            var finished = 0
            while let role = await group.next() {
                switch role {
                case .more where !queue.isClosed: startWorkers()
                case .worker:
                    finished += 1
                    // Every slot worker and the live reserve.
                    if finished == started + reserves && queue.isClosed { worker.finisher.close() }
                case .finisher: group.cancelAll(); return
                default: break
                }
            }
        }
    }
}
