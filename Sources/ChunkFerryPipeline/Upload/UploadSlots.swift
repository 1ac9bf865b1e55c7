import Synchronization

/// UPLOAD_CONCURRENCY upload slots shared by the workers. Each worker busy with a job holds one;
/// a job with several whole chunks ready borrows the slots of idle workers, so one big file
/// moves as fast as many, and gives them back as soon as other jobs are waiting. A reload may
/// change the capacity: workers numbered past it park until it grows again.
final class UploadSlots: Sendable {
    private struct State {
        var capacity: Int
        var busy = 0
        var borrowed = 0
        /// Set once the workers are done (shutdown): parked ones stop waiting.
        var closed = false
        /// Tasks waiting for the capacity to change or the slots to close.
        var waiters: [CheckedContinuation<Void, Never>] = []

        mutating func wakeAll() -> [CheckedContinuation<Void, Never>] {
            defer { waiters.removeAll() }
            return waiters
        }
    }

    private let state: Mutex<State>
    private let waiting: @Sendable () -> Int

    /// `waiting`: how many jobs are queued for a worker.
    package init(capacity: Int, waiting: @escaping @Sendable () -> Int) {
        state = Mutex(State(capacity: max(1, capacity)))
        self.waiting = waiting
    }

    package var capacity: Int { state.withLock { $0.capacity } }

    /// A new UPLOAD_CONCURRENCY; jobs in flight finish, borrowed slots go back as they end.
    package func resize(_ capacity: Int) {
        for waiter in state.withLock({ $0.capacity = max(1, capacity); return $0.wakeAll() }) { waiter.resume() }
    }

    /// The workers are done: every wait ends, and no worker is admitted any more.
    package func close() {
        for waiter in state.withLock({ $0.closed = true; return $0.wakeAll() }) { waiter.resume() }
    }

    /// Whether worker `index` (from 0) may take a job now; waits, woken by `resize`, while it is
    /// past the capacity. False once the slots are closed.
    func admit(_ index: Int) async -> Bool {
        await wait { state in state.closed ? false : index < state.capacity ? true : nil }
    }

    /// Waits until the capacity exceeds `count` (true) or the slots close (false).
    func grown(beyond count: Int) async -> Bool {
        await wait { state in state.closed ? false : state.capacity > count ? true : nil }
    }

    /// Waits until `decide` gives an answer; it is asked again after every change. A cancelled
    /// task closes the slots: cancellation here means the workers are being torn down.
    private func wait(_ decide: @escaping @Sendable (State) -> Bool?) async -> Bool {
        while true {
            if let answer = state.withLock({ decide($0) }) { return answer }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        guard decide(state) == nil, !Task.isCancelled else { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                close()
            }
        }
    }

    func enter() { state.withLock { $0.busy += 1 } }

    package func leave() { state.withLock { $0.busy -= 1 } }

    /// Up to `wanted` extra slots, only from idle workers and only while no job waits for one.
    func borrow(upTo wanted: Int) -> Int {
        guard wanted > 0, waiting() == 0 else { return 0 }
        return state.withLock { state in
            let free = max(0, min(wanted, state.capacity - state.busy - state.borrowed))
            state.borrowed += free
            return free
        }
    }

    /// Gives one borrowed slot back if the workers need it (a job arrived); true if it did.
    func returnIfNeeded() -> Bool {
        let queued = waiting()
        return state.withLock { state in
            guard state.borrowed > 0, queued > 0 || state.busy + state.borrowed > state.capacity else { return false }
            state.borrowed -= 1
            return true
        }
    }

    func giveBack(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { $0.borrowed -= count }
    }
}
