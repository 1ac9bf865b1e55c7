import ServiceLifecycle
import Synchronization

/// Holds the pipeline's services back until the startup checks passed.
package final class ReadinessGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    package init() {}

    package func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until open; false if shutdown or cancellation came first.
    package func wait() async -> Bool {
        await withTaskCancellationOrGracefulShutdownHandler {
            await withCheckedContinuation { continuation in
                let isOpen = state.withLock { state in
                    if !state.open { state.waiters.append(continuation) }
                    return state.open
                }
                if isOpen { continuation.resume() }
            }
        } onCancelOrGracefulShutdown: { [self] in
            open()
        }
        return !Task.isShuttingDownGracefully && !Task.isCancelled
    }
}
