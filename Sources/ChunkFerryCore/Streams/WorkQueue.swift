import Synchronization

/// A first-in, first-out queue of jobs that workers wait on; closing it releases every waiter.
/// Pushing is synchronous, so the stream manager can queue work without suspending.
final class WorkQueue<Job: Sendable>: Sendable {
    private struct State {
        var jobs: [Job] = []
        var head = 0
        var waiters: [CheckedContinuation<Job?, Never>] = []
        var isClosed = false
    }

    private let state = Mutex(State())

    func push(_ job: Job) {
        let waiter: CheckedContinuation<Job?, Never>? = state.withLock { state in
            guard !state.isClosed else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.jobs.append(job)
            return nil
        }
        waiter?.resume(returning: job)
    }

    /// Puts a job taken too early back at the head of the queue (its worker was parked by a
    /// lowered UPLOAD_CONCURRENCY meanwhile).
    func putBack(_ job: Job) {
        let waiter: CheckedContinuation<Job?, Never>? = state.withLock { state in
            guard !state.isClosed else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            if state.head > 0 {
                state.head -= 1
                state.jobs[state.head] = job
            } else {
                state.jobs.insert(job, at: 0)
            }
            return nil
        }
        waiter?.resume(returning: job)
    }

    /// The next job, waiting for one; nil once the queue is closed.
    func next() async -> Job? {
        await withCheckedContinuation { continuation in
            let ready: Job?? = state.withLock { state in
                if state.head < state.jobs.count {
                    let job = state.jobs[state.head]
                    state.head += 1
                    if state.head > 256 && state.head * 2 > state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(job)
                }
                if state.isClosed { return .some(nil) }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func close() {
        let waiters = state.withLock { state in
            state.isClosed = true
            state.jobs.removeAll()
            state.head = 0
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    var count: Int { state.withLock { $0.jobs.count - $0.head } }

    var isClosed: Bool { state.withLock { $0.isClosed } }
}
