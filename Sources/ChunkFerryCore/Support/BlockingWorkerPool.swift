import Foundation

/// A fixed set of threads, each owning one `Context` (a curl handle, a Redis connection),
/// that run blocking calls for async callers.
///
/// libcurl's easy interface and hiredis block; running them on Swift's cooperative pool
/// (two threads on a two-core box) would stall every other task. Each worker creates its own
/// context on its own thread, so a context is never shared and keeps its connection alive.
final class BlockingWorkerPool<Context>: @unchecked Sendable {
    typealias Job = (Context) -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var jobsHead = 0
    private var isShutDown = false
    private var threadsRunning = 0

    init(name: String, workers: Int, makeContext: @escaping @Sendable () -> Context) {
        precondition(workers > 0, "a worker pool needs at least one thread")
        threadsRunning = workers
        for index in 0..<workers {
            let thread = Thread { [self] in
                var context: Context? = makeContext()
                runLoop(&context)
                context = nil
                condition.lock()
                threadsRunning -= 1
                condition.broadcast()
                condition.unlock()
            }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    deinit {
        shutdown(wait: false)
    }

    /// Runs `body` on a worker with its context and returns the result to the caller.
    func run<T: Sendable>(_ body: @escaping @Sendable (Context) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job: Job = { context in continuation.resume(with: Result { try body(context) }) }
            guard enqueue(job) else {
                continuation.resume(throwing: CancellationError())
                return
            }
        }
    }

    /// Stops the workers once the queued jobs ran; `wait` blocks until every thread ended.
    func shutdown(wait: Bool = true) {
        condition.lock()
        isShutDown = true
        condition.broadcast()
        while wait && threadsRunning > 0 { condition.wait() }
        condition.unlock()
    }

    private func enqueue(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isShutDown else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func runLoop(_ context: inout Context?) {
        while let job = nextJob() {
            if let context { job(context) }
        }
    }

    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while jobsHead == jobs.count && !isShutDown { condition.wait() }
        guard jobsHead < jobs.count else { return nil }
        let job = jobs[jobsHead]
        jobsHead += 1
        if jobsHead > 64 && jobsHead * 2 > jobs.count {
            jobs.removeFirst(jobsHead)
            jobsHead = 0
        }
        return job
    }
}
