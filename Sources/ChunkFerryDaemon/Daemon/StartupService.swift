import ChunkFerryCheckpoint
import ChunkFerryPipeline
import Logging
import ServiceLifecycle

/// Runs the startup checks until they pass, loads what Redis knows, then opens the gate for the
/// pipeline. A fatal check (credentials refused, say) ends the daemon with its message; with the
/// health endpoint on (`staysUp`) the daemon stays up instead, unhealthy, and tries every 30s.
struct StartupService: Service {
    let checks: StartupChecks
    let store: CheckpointStore
    let manager: StreamManager
    let gate: ReadinessGate
    let status: DaemonStatus
    let staysUp: Bool
    let logger: Logger

    struct FatalProblem: Error, CustomStringConvertible {
        let description: String
    }

    func run() async throws {
        var reported: [String: String] = [:]
        var attempt = 0
        while true {
            var pending = false
            var fatal = false
            for result in await checks.runAll() {
                switch result.outcome {
                case .ok:
                    if let deletion = result.deletion {
                        status.found(deletion)
                        logger.info("\(deletion.line)", metadata: ["event": "store.deletion", "thief_can_delete": "\(deletion.answer)"])
                    }
                    if reported.removeValue(forKey: result.name) != nil {
                        logger.notice("startup check passed", metadata: ["check": "\(result.name)"])
                    }
                case .failed(let message, fatal: true):
                    pending = true
                    guard staysUp else {
                        logger.critical("cannot start: \(message)", metadata: ["check": "\(result.name)"])
                        throw FatalProblem(description: message)
                    }
                    fatal = true
                    status.startupFailed(message)
                    if reported[result.name] != message {
                        reported[result.name] = message
                        logger.critical("cannot start: \(message); trying again every 30s, /health says unhealthy", metadata: ["check": "\(result.name)"])
                    }
                case .failed(let message, fatal: false):
                    pending = true
                    status.startupWaiting(message)
                    if reported[result.name] != message {
                        reported[result.name] = message
                        logger.warning("waiting: \(message)", metadata: ["check": "\(result.name)"])
                    }
                }
                if fatal || pending { break }
            }
            if !pending { break }
            let delay = fatal ? Duration.seconds(30) : RetryPolicy().delay(afterAttempt: min(attempt, 4))
            guard await RetryPolicy.pause(delay) else { return }
            attempt += 1
        }
        var records: [StreamRecord] = []
        var finished: [FinishedStream] = []
        while true {
            do {
                // Full records only for unfinished streams; finished ones as id, size and time.
                let compacted = try await store.compactLegacy(store.legacyFinalized())
                if compacted > 0 {
                    logger.info("finished streams from an older version rewritten in the compact form", metadata: [
                        "streams": "\(compacted)", "event": "records.compacted",
                    ])
                }
                records = try await store.streams(in: .active) + store.streams(in: .abandoned)
                finished = []
                try await store.forEachCompact { record in
                    finished.append(FinishedStream(record))
                }
                break
            } catch {
                logger.warning("waiting: cannot read streams from Redis: \(error.message)")
                guard await RetryPolicy.pause(.seconds(1)) else { return }
            }
        }
        await manager.preload(records)
        await manager.preloadFinished(finished)
        logger.info("ready", metadata: [
            "event": "daemon.ready",
            "streams.known": "\(records.count + finished.count)",
            "streams.active": "\(records.filter { $0.state == .active }.count)",
        ])
        status.checksPassed()
        gate.open()
    }
}
