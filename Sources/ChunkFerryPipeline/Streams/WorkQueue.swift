import Synchronization

/// A queue of jobs that workers wait on, in priority classes: `next()` takes the oldest job of
/// the most urgent class that has one, first in, first out within a class. Closing it releases
/// every waiter. Pushing is synchronous, so the stream manager can queue work without suspending.
/// The class of a job comes from `classify` (0 the most urgent); by default all share one.
final class WorkQueue<Job: Sendable>: Sendable {
    private struct Lane {
        package var jobs: [Job] = []
        package var head = 0

        package var count: Int { jobs.count - head }

        package mutating func take() -> Job? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head > 256 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }

        mutating func putFirst(_ job: Job) {
            if head > 0 {
                head -= 1
                jobs[head] = job
            } else {
                jobs.insert(job, at: 0)
            }
        }
    }

    private struct State {
        var lanes: [Lane]
        var waiters: [CheckedContinuation<Job?, Never>] = []
        var isClosed = false
    }

    private let state: Mutex<State>
    private let classify: @Sendable (Job) -> Int

    package init(classes: Int = 1, classify: @escaping @Sendable (Job) -> Int = { _ in 0 }) {
        state = Mutex(State(lanes: Array(repeating: Lane(), count: max(1, classes))))
        self.classify = classify
    }

    func push(_ job: Job) {
        let lane = classify(job)
        let waiter: CheckedContinuation<Job?, Never>? = state.withLock { state in
            guard !state.isClosed else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.lanes[min(max(0, lane), state.lanes.count - 1)].jobs.append(job)
            return nil
        }
        waiter?.resume(returning: job)
    }

    /// Puts a job taken too early back at the head of its class (its worker was parked by a
    /// lowered UPLOAD_CONCURRENCY meanwhile).
    func putBack(_ job: Job) {
        let lane = classify(job)
        let waiter: CheckedContinuation<Job?, Never>? = state.withLock { state in
            guard !state.isClosed else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.lanes[min(max(0, lane), state.lanes.count - 1)].putFirst(job)
            return nil
        }
        waiter?.resume(returning: job)
    }

    /// The next job, waiting for one; nil once the queue is closed.
    package func next() async -> Job? {
        await withCheckedContinuation { continuation in
            let ready: Job?? = state.withLock { state in
                for index in state.lanes.indices {
                    if let job = state.lanes[index].take() { return .some(job) }
                }
                if state.isClosed { return .some(nil) }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    package func close() {
        let waiters = state.withLock { state in
            state.isClosed = true
            state.lanes = Array(repeating: Lane(), count: state.lanes.count)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    package var count: Int { state.withLock { $0.lanes.reduce(0) { $0 + $1.count } } }

    var isClosed: Bool { state.withLock { $0.isClosed } }
}
