import ChunkFerryStorage
import ChunkFerrySupport
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Watches the loss window once a second: the gauges of `/metrics`, the report `/health` and
/// `status` show, one line when a camera's live footage starts falling behind (LAG_ALERT) and
/// one when it has caught up. Never a line per chunk.
package final class UplinkMonitor: Service, Sendable {
    let manager: StreamManager
    let throttle: UplinkThrottle
    /// LAG_ALERT (reloadable).
    package let lagAlert: Reloadable<Duration>
    let gate: ReadinessGate
    let logger: Logger
    /// Where `status` reads the report from (Redis), every few seconds.
    let publish: @Sendable (UplinkReport) async -> Void
    private let latest = Mutex(UplinkReport())

    package init(manager: StreamManager, throttle: UplinkThrottle, lagAlert: Reloadable<Duration>, gate: ReadinessGate, logger: Logger,
                 publish: @escaping @Sendable (UplinkReport) async -> Void = { _ in }) {
        self.manager = manager
        self.throttle = throttle
        self.lagAlert = lagAlert
        self.gate = gate
        self.logger = logger
        self.publish = publish
    }

    /// The last report (empty before the first look).
    package var report: UplinkReport { latest.withLock { $0 } }

    package func run() async throws {
        guard await gate.wait() else { return }
        var behind: Set<String> = []
        var labelled: Set<String> = []
        var tick = 0
        repeat {
            let report = await look()
            latest.withLock { $0 = report }
            record(report, labelled: &labelled)
            behind = announce(report, behind: behind)
            if tick % 5 == 0 { await publish(report) }
            tick += 1
        } while await RetryPolicy.pause(.seconds(1))
    }

    /// The report as things stand now.
    package func look() async -> UplinkReport {
        await manager.noteBandwidthLimit(throttle.limit)
        return UplinkReport(await manager.uplinkOverview(), measured: throttle.measuredRate, limit: throttle.limit, lagAlert: lagAlert.value)
    }

    private func record(_ report: UplinkReport, labelled: inout Set<String>) {
        let ages = Dictionary(uniqueKeysWithValues: report.cameras.map { ($0.name, $0.oldestUnsentSeconds) })
        // A camera that caught up reads 0, not its last age.
        labelled.formUnion(ages.keys)
        labelled.insert("other")
        for name in labelled {
            Gauge(label: "chunkferry_unsent_oldest_seconds", dimensions: [("camera", name)]).record(ages[name] ?? 0)
        }
        for label in UplinkClass.labels {
            Gauge(label: "chunkferry_backlog_bytes", dimensions: [("class", label)]).record(report.unsentBytes[label] ?? 0)
        }
        Gauge(label: "chunkferry_uplink_bytes_per_second").record(report.measuredBytesPerSecond)
        Gauge(label: "chunkferry_bandwidth_limit_bytes_per_second").record(report.limitBytesPerSecond ?? 0)
    }

    /// Logs the cameras that started falling behind and those that caught up; the new set.
    private func announce(_ report: UplinkReport, behind: Set<String>) -> Set<String> {
        let now = Set(report.behind)
        let ages = Dictionary(uniqueKeysWithValues: report.cameras.map { ($0.name, $0.oldestUnsentSeconds) })
        for camera in now.subtracting(behind).sorted() {
            logger.warning("falling behind: live footage waits longer than LAG_ALERT to be sent; \(report.drainText)", metadata: [
                "event": "uplink.behind", "camera": "\(camera)", "oldest_unsent_seconds": "\(ages[camera] ?? 0)",
                "unsent_bytes": "\(report.unsentBytes.values.reduce(0, +))",
                "uplink_bytes_per_second": "\(Int(report.measuredBytesPerSecond))",
            ])
        }
        // Caught up once its oldest unsent byte is back under half of LAG_ALERT: no flapping.
        var still = now
        for camera in behind.subtracting(now).sorted() {
            if let age = ages[camera], age > report.lagAlertSeconds / 2 {
                still.insert(camera)
                continue
            }
            logger.info("caught up: live footage is in the store again within LAG_ALERT", metadata: [
                "event": "uplink.caught_up", "camera": "\(camera)",
            ])
        }
        return still
    }
}
