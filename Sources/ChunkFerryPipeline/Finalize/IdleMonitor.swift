import ServiceLifecycle

/// Looks for streams idle for IDLE_TIMEOUT and hands them to the finalizer, and for growing
/// files whose unsent bytes waited MAX_LAG.
package struct IdleMonitor: Service {
    package let manager: StreamManager
    package let interval: Duration
    package let gate: ReadinessGate

    package init(manager: StreamManager, interval: Duration, gate: ReadinessGate) {
        self.manager = manager
        self.interval = interval
        self.gate = gate
    }

    package func run() async throws {
        guard await gate.wait() else { return }
        repeat {
            await manager.finalizeIdleStreams()
            await manager.flushLaggingTails()
        } while await RetryPolicy.pause(interval)
    }
}
