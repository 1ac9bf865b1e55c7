import ChunkFerryCheckpoint
import Logging
import ServiceLifecycle

/// Renews this instance's leases a few times per lease period, and releases them all at
/// shutdown, after the uploads drained (it stops after them), so another instance can go on
/// at once instead of waiting for the leases to lapse.
package struct LeaseKeeper: Service {
    package let leases: StreamLeases
    package let gate: ReadinessGate
    package let logger: Logger

    package init(leases: StreamLeases, gate: ReadinessGate, logger: Logger) {
        self.leases = leases
        self.gate = gate
        self.logger = logger
    }

    package func run() async throws {
        guard await gate.wait() else { return }
        repeat {
            do {
                for id in try await leases.renewAll() {
                    logger.warning("lease lapsed; another instance may take this stream over", metadata: ["stream.id": "\(id)"])
                }
            } catch {
                logger.debug("cannot renew leases now", metadata: ["error": "\(error.message)"])
            }
        } while await RetryPolicy.pause(leases.ttl / 3)
        await leases.releaseAll()
    }
}
