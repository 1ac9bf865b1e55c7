import ChunkFerryStorage
import Logging
import ServiceLifecycle

/// Sweeps the temporary files killed writes left in a folder store: at startup, then once a day.
package struct TemporarySweeper: Service {
    package let store: FolderStore
    package let gate: ReadinessGate
    package let logger: Logger
    /// Older than this, no write can still be filling a temporary file.
    package var age: Duration = .seconds(3600)
    package var interval: Duration = .seconds(86_400)

    package init(store: FolderStore, gate: ReadinessGate, logger: Logger, age: Duration = .seconds(3600), interval: Duration = .seconds(86_400)) {
        self.store = store
        self.gate = gate
        self.logger = logger
        self.age = age
        self.interval = interval
    }

    package func run() async throws {
        guard await gate.wait() else { return }
        repeat {
            do {
                let removed = try await store.sweepTemporaries(olderThan: age)
                if removed > 0 {
                    logger.info("removed temporary files that interrupted writes left in the folder store", metadata: [
                        "files": "\(removed)", "storage": "\(store.root)", "event": "store.swept",
                    ])
                }
            } catch {
                // An outage (the share away): the next sweep tries again.
                logger.debug("could not sweep the folder store's temporary files", metadata: ["error": "\(error)"])
            }
        } while await RetryPolicy.pause(interval)
    }
}
