import ServiceLifecycle

/// Looks for streams idle for IDLE_TIMEOUT and hands them to the finalizer, and for growing
/// files whose unsent bytes waited MAX_LAG.
struct IdleMonitor: Service {
    let manager: StreamManager
    let interval: Duration
    let gate: ReadinessGate

    func run() async throws {
        guard await gate.wait() else { return }
        repeat {
            await manager.finalizeIdleStreams()
            await manager.flushLaggingTails()
        } while await RetryPolicy.pause(interval)
    }
}
