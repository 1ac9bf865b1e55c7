import Foundation
import Synchronization

/// A fixed set of threads, each owning one `Context` (a curl handle, a Redis connection),
/// that run blocking calls for async callers.
///
/// libcurl's easy interface and hiredis block; running them on Swift's cooperative pool
/// (two threads on a two-core box) would stall every other task. Each worker creates its own
/// context on its own thread, so a context is never shared and keeps its connection alive.
/// A caller whose task is cancelled stops waiting at once; its call finishes on the worker and
/// its result is dropped.
///
/// `@unchecked`: every mutable field is read and written only under `condition`'s lock.
package final class BlockingWorkerPool<Context>: @unchecked Sendable {
    package typealias Job = (Context) -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var jobsHead = 0
    private var isShutDown = false
    private var threadsRunning = 0
    /// Threads inside a job right now.
    private var threadsBusy = 0
    private var workerThreads: [pthread_t] = []

    private let name: String
    private let makeContext: @Sendable () -> Context
    private var threadsStarted = 0

    package init(name: String, workers: Int, makeContext: @escaping @Sendable () -> Context) {
        precondition(workers > 0, "a worker pool needs at least one thread")
        self.name = name
        self.makeContext = makeContext
        grow(to: workers)
    }

    /// Starts threads until there are `workers` (a reload raised UPLOAD_CONCURRENCY); a pool
    /// never shrinks: idle threads cost a parked stack, and their connections stay warm.
    package func grow(to workers: Int) {
        condition.lock()
        let first = threadsStarted
        let added = isShutDown ? 0 : max(0, workers - threadsStarted)
        threadsStarted += added
        threadsRunning += added
        condition.unlock()
        for index in first..<(first + added) {
            let thread = Thread { [self] in
                condition.lock()
                workerThreads.append(pthread_self())
                condition.unlock()
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
    package func run<T: Sendable>(_ body: @escaping @Sendable (Context) throws -> T) async throws -> T {
        let reply = Reply<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                guard reply.wait(with: continuation) else { return }
                if !enqueue({ context in reply.deliver(Result { try body(context) }) }) {
                    reply.deliver(.failure(CancellationError()))
                }
            }
        } onCancel: {
            reply.deliver(.failure(CancellationError()))
        }
    }

    /// Stops the workers once the queued jobs ran. `wait` blocks while idle threads free their
    /// contexts (milliseconds), so a command does not exit in the middle of it; it never waits
    /// for a job still running or queued, which nobody awaits any more and which may take a
    /// request's whole timeout, since the caller may be one of Swift's few cooperative threads.
    package func shutdown(wait: Bool = true) {
        condition.lock()
        isShutDown = true
        condition.broadcast()
        let onWorker = workerThreads.contains { pthread_equal($0, pthread_self()) != 0 }
        let deadline = Date(timeIntervalSinceNow: 2)
        while wait && threadsRunning > (onWorker ? 1 : 0) && threadsBusy == 0 && jobsHead == jobs.count {
            guard condition.wait(until: deadline) else { break }
        }
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
            condition.lock()
            threadsBusy -= 1
            condition.unlock()
        }
    }

    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while jobsHead == jobs.count && !isShutDown { condition.wait() }
        guard jobsHead < jobs.count else { return nil }
        let job = jobs[jobsHead]
        jobsHead += 1
        threadsBusy += 1
        if jobsHead > 64 && jobsHead * 2 > jobs.count {
            jobs.removeFirst(jobsHead)
            jobsHead = 0
        }
        return job
    }
}

/// Resumes a continuation exactly once, with the job's result or a cancellation, whichever
/// comes first (cancellation may even come before the continuation exists).
private final class Reply<T: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<T, any Error>)
        case delivered(Result<T, any Error>)
        case done
    }

    private let state = Mutex<State>(.pending)

    /// Registers the continuation; false if it was resumed right away (already cancelled).
    package func wait(with continuation: CheckedContinuation<T, any Error>) -> Bool {
        let early: Result<T, any Error>? = state.withLock { state in
            if case .delivered(let result) = state {
                state = .done
                return result
            }
            state = .waiting(continuation)
            return nil
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    package func deliver(_ result: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .pending:
                state = .delivered(result)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .delivered, .done:
                return nil
            }
        }
        waiting?.resume(with: result)
    }
}
