@testable import ChunkFerrySupport
import Foundation
import Synchronization
import Testing

/// The threads that run blocking calls (libcurl, hiredis, inotify, hashing) for async callers.
@Suite(.timeLimit(.minutes(1))) struct BlockingWorkerPoolTests {
    final class Gate: Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        func open() { semaphore.signal() }
        func pass() { semaphore.wait() }
    }

    /// Each worker makes its context on its own thread and keeps it: a job always gets the
    /// context of the thread it runs on.
    @Test func everyWorkerOwnsItsContext() async throws {
        let made = Mutex<Set<UInt>>([])
        let pool = BlockingWorkerPool<UInt>(name: "owned", workers: 2) {
            let thread = UInt(pthread_self())
            made.withLock { _ = $0.insert(thread) }
            return thread
        }
        defer { pool.shutdown() }
        for _ in 0..<20 {
            let (context, thread) = try await pool.run { context in
                (context, UInt(pthread_self()))
            }
            #expect(context == thread, "the context of the thread that made it")
        }
        // Both threads start at once; the second may still be making its context.
        while made.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(made.withLock { $0.count } == 2, "one context per worker")
    }

    /// One job blocked on a worker does not hold back a job for another.
    @Test func aBlockedJobHoldsOnlyItsOwnWorker() async throws {
        let pool = BlockingWorkerPool<Void>(name: "blocked", workers: 2) {}
        let gate = Gate()
        async let blocked: Void = pool.run { _ in gate.pass() }
        #expect(try await pool.run { _ in 42 } == 42)
        gate.open()
        try await blocked
        pool.shutdown()
    }

    /// A caller cancelled stops waiting at once; the job finishes on its worker unawaited, and a
    /// shut-down pool refuses new work instead of hanging the caller.
    @Test func aCancelledCallerStopsWaitingAndAShutDownPoolRefusesWork() async throws {
        let pool = BlockingWorkerPool<Void>(name: "cancelled", workers: 1) {}
        let gate = Gate()
        let call = Task { try await pool.run { _ in gate.pass() } }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        gate.open()
        pool.shutdown(wait: false)
        await #expect(throws: CancellationError.self) { try await pool.run { _ in 1 } }
    }
}
