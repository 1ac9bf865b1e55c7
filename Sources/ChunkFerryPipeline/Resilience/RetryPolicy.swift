import ServiceLifecycle

/// Capped exponential backoff with jitter, for every store and Redis operation.
package struct RetryPolicy: Sendable {
    var initialDelay: Duration = .milliseconds(200)
    var maximumDelay: Duration = .seconds(5)
    /// Errors no retry can fix (wrong credentials) are still retried, slowly, so the daemon
    /// picks up a fix without a restart and loses nothing meanwhile.
    var fatalDelay: Duration = .seconds(30)

    package init(initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(5), fatalDelay: Duration = .seconds(30)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.fatalDelay = fatalDelay
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 0), between half and all of the cap.
    package func delay(afterAttempt attempt: Int, fatal: Bool = false) -> Duration {
        if fatal { return fatalDelay }
        let exponent = min(attempt, 20)
        let base = min(initialDelay * (1 << exponent), maximumDelay)
        return base * Double.random(in: 0.5...1.0)
    }

    /// Sleeps for `duration` unless shutdown begins; returns false when the caller should give up.
    /// Woken by the shutdown itself (or the task's cancellation), not by polling for it.
    package static func pause(_ duration: Duration) async -> Bool {
        guard !isStopping else { return false }
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
        return !isStopping
    }

    package static var isStopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
