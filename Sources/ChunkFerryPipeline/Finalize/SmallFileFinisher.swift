import ChunkFerryCheckpoint
import ChunkFerryStorage
import Synchronization

/// The last steps of small files (see `Finalizer.finalizeSingleChunk`), off the upload workers:
/// once a file's one chunk is confirmed its worker goes on to the next file, while this writes
/// the manifests of every file waiting at once and records them all in one Redis pipeline.
/// A worker waits only while `capacity` files are already waiting, so the backlog stays small
/// and a file counts as finished only once Redis recorded it, as on the usual way.
final class SmallFileFinisher: Sendable {
    struct Item: Sendable {
        package var record: StreamRecord
        package var size: Int64
        package var sha256: String
        package var chunk: ChunkRecord
        package var started: ContinuousClock.Instant
        /// The uplink class of the job that sent the chunk: its manifest goes as that class too.
        var lane: UplinkClass = UplinkClass.current
    }

    private struct State {
        package var items: [Item] = []
        var runner: CheckedContinuation<Void, Never>?
        var submitters: [CheckedContinuation<Void, Never>] = []
        var isClosed = false
    }

    package let capacity: Int
    private let state = Mutex(State())

    package init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Hands over a file whose chunk the store confirmed; waits while the backlog is full.
    func submit(_ item: Item) async {
        while true {
            let (accepted, runner) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard state.items.count < capacity else { return (false, nil) }
                state.items.append(item)
                defer { state.runner = nil }
                return (true, state.runner)
            }
            if accepted {
                runner?.resume()
                return
            }
            await withCheckedContinuation { continuation in
                let roomNow = state.withLock { state in
                    guard state.items.count >= capacity else { return true }
                    state.submitters.append(continuation)
                    return false
                }
                if roomNow { continuation.resume() }
            }
        }
    }

    /// No more files come (the workers stopped): `run` ends once the backlog is done.
    package func close() {
        let runner = state.withLock { state in
            state.isClosed = true
            defer { state.runner = nil }
            return state.runner
        }
        runner?.resume()
    }

    /// Finishes batches until closed and drained.
    package func run(_ finalizer: Finalizer) async {
        while let batch = await nextBatch() {
            await finish(batch, finalizer)
        }
    }

    /// Every file waiting now; nil once closed with none left.
    private func nextBatch() async -> [Item]? {
        while true {
            let taken = state.withLock { state -> (batch: [Item], submitters: [CheckedContinuation<Void, Never>], closed: Bool) in
                defer {
                    state.items.removeAll()
                    state.submitters.removeAll()
                }
                return (state.items, state.submitters, state.isClosed)
            }
            for submitter in taken.submitters { submitter.resume() }
            if !taken.batch.isEmpty { return taken.batch }
            if taken.closed { return nil }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    guard state.items.isEmpty, !state.isClosed else { return true }
                    state.runner = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// The bucket side of every file at once, then one Redis pipeline for all that got there.
    private func finish(_ batch: [Item], _ finalizer: Finalizer) async {
        let results = await withTaskGroup(of: (Int, Result<Finalizer.Stored, Finalizer.Stop>).self) { group in
            for (index, item) in batch.enumerated() {
                group.addTask {
                    await UplinkClass.$current.withValue(item.lane) {
                        (index, await finalizer.storeCompletion(item.record, size: item.size, sha256: item.sha256, chunks: [item.chunk],
                                                                repaired: 0, reread: false, started: item.started, isNew: true))
                    }
                }
            }
            var results = [Result<Finalizer.Stored, Finalizer.Stop>](repeating: .failure(Finalizer.Stop(outcome: .stopped)), count: batch.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        let stored = results.compactMap { try? $0.get() }
        let marks = await finalizer.context.checkpoints.createFinalized(stored.map(\.finalized))
        var next = 0
        for (item, result) in zip(batch, results) {
            let outcome: WorkOutcome
            switch result {
            case .failure(let stop):
                outcome = stop.outcome
            case .success(let done):
                outcome = if let marks { await finalizer.recorded(done, marked: marks[next]) } else { .stopped }
                next += 1
            }
            await finalizer.sender.manager.finish(item.record.path, streamID: item.record.id, outcome: outcome)
        }
    }
}
