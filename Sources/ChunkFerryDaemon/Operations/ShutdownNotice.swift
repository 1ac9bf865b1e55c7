import ServiceLifecycle

/// Last in the ServiceGroup, so first to hear of a graceful shutdown: from then on `/ready`
/// answers 503 while the other services drain.
struct ShutdownNotice: Service {
    let status: DaemonStatus

    func run() async throws {
        try? await gracefulShutdown()
        status.shuttingDown()
    }
}
