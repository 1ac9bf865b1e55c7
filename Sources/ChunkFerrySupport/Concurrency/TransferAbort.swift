import Synchronization

/// Tells every in-flight transfer to give up now: the last step of a shutdown that ran out of
/// time. Transfers aborted this way are never committed.
package final class TransferAbort: Sendable {
    private let flag = Atomic<Bool>(false)

    package init() {}

    package func trigger() { flag.store(true, ordering: .relaxed) }
    package var isTriggered: Bool { flag.load(ordering: .relaxed) }
}
