import Synchronization

/// A queue of jobs that workers wait on, in lanes: `next()` takes from the most urgent lane
/// (0) that has a job; within a lane the lowest rank goes first, then the oldest. Closing it
/// releases every waiter. Pushing is synchronous, so the stream manager can queue work without
/// suspending. A worker may wait only for the first lanes (`next(through:)`): the live reserve.
final class WorkQueue<Job: Sendable>: Sendable {
    /// A job as queued: `putBack` returns it to its place.
    struct Queued: Sendable {
        let job: Job
        let lane: Int
        let rank: Int64
        fileprivate let order: Int64
    }

    /// A binary heap: lowest (rank, order) on top.
    private struct Lane {
        var heap: [Queued] = []

        var count: Int { heap.count }

        private static func before(_ a: Queued, _ b: Queued) -> Bool {
            (a.rank, a.order) < (b.rank, b.order)
        }

        mutating func insert(_ entry: Queued) {
            heap.append(entry)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.before(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        mutating func take() -> Queued? {
            guard !heap.isEmpty else { return nil }
            heap.swapAt(0, heap.count - 1)
            let top = heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var least = parent
                if left < heap.count, Self.before(heap[left], heap[least]) { least = left }
                if right < heap.count, Self.before(heap[right], heap[least]) { least = right }
                guard least != parent else { break }
                heap.swapAt(parent, least)
                parent = least
            }
            if heap.isEmpty, heap.capacity > 1024 { heap = [] }
            return top
        }
    }

    private struct State {
        var lanes: [Lane]
        var waiters: [(through: Int, continuation: CheckedContinuation<Queued?, Never>)] = []
        var isClosed = false
        /// Increasing for pushes, decreasing for jobs put back: ties go to the older, or the returned.
        var pushed: Int64 = 0
        var returned: Int64 = 0

        /// Hands `entry` to the first waiter that takes its lane, or queues it.
        mutating func place(_ entry: Queued) -> CheckedContinuation<Queued?, Never>? {
            guard !isClosed else { return nil }
            if let index = waiters.firstIndex(where: { $0.through >= entry.lane }) {
                return waiters.remove(at: index).continuation
            }
            lanes[entry.lane].insert(entry)
            return nil
        }
    }

    private let state: Mutex<State>

    package init(lanes: Int = 1) {
        state = Mutex(State(lanes: Array(repeating: Lane(), count: max(1, lanes))))
    }

    /// Queues `job` in `lane` (clamped to the lanes there are) at `rank` (lower goes first).
    func push(_ job: Job, lane: Int = 0, rank: Int64 = 0) {
        let (entry, waiter): (Queued, CheckedContinuation<Queued?, Never>?) = state.withLock { state in
            state.pushed += 1
            let entry = Queued(job: job, lane: min(max(0, lane), state.lanes.count - 1), rank: rank, order: state.pushed)
            return (entry, state.place(entry))
        }
        waiter?.resume(returning: entry)
    }

    /// Puts a job taken too early back at the head of its rank in its lane (its worker was
    /// parked by a lowered UPLOAD_CONCURRENCY meanwhile).
    func putBack(_ queued: Queued) {
        let (entry, waiter): (Queued, CheckedContinuation<Queued?, Never>?) = state.withLock { state in
            state.returned -= 1
            let entry = Queued(job: queued.job, lane: queued.lane, rank: queued.rank, order: Int64.min / 2 + state.returned)
            return (entry, state.place(entry))
        }
        waiter?.resume(returning: entry)
    }

    /// Moves the jobs of lane `source` that `matches` into lane `target`, keeping their rank:
    /// an event took in a file whose job waits in the backlog.
    func move(from source: Int, to target: Int, where matches: (Job) -> Bool) {
        state.withLock { state in
            guard state.lanes.indices.contains(source), state.lanes.indices.contains(target), source != target else { return }
            var kept = Lane()
            while let entry = state.lanes[source].take() {
                if matches(entry.job) {
                    state.lanes[target].insert(Queued(job: entry.job, lane: target, rank: entry.rank, order: entry.order))
                } else {
                    kept.insert(entry)
                }
            }
            state.lanes[source] = kept
        }
    }

    /// The next job of the lanes up to `through`, waiting for one; nil once the queue is closed.
    package func next(through: Int = .max) async -> Queued? {
        await withCheckedContinuation { continuation in
            let ready: Queued?? = state.withLock { state in
                for index in state.lanes.indices where index <= through {
                    if let entry = state.lanes[index].take() { return .some(entry) }
                }
                if state.isClosed { return .some(nil) }
                state.waiters.append((through, continuation))
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
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    package var count: Int { state.withLock { $0.lanes.reduce(0) { $0 + $1.count } } }

    /// Jobs waiting in each lane.
    package var counts: [Int] { state.withLock { $0.lanes.map(\.count) } }

    var isClosed: Bool { state.withLock { $0.isClosed } }
}
