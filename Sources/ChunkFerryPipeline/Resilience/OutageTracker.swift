import Logging
import Metrics

/// Turns a stream of failures and successes against one dependency into one log line when an
/// outage begins (and when its cause changes) and one when it ends, not a line per attempt; and
/// keeps what `/health` and `/metrics` say about the dependency.
package actor OutageTracker {
    nonisolated package let dependency: String
    /// The dependency's name in metric labels: `store`, `redis`.
    nonisolated package let label: String
    private let logger: Logger
    private var since: ContinuousClock.Instant?
    private var lastCause: String?
    private var lastDetail: String?
    private var refused = false
    private var failures = 0
    package private(set) var totalFailures: Int64 = 0
    private let up: Gauge
    private let outages: Counter

    /// An outage being ridden out, as `/health` reports it.
    package struct Outage: Sendable {
        package var dependency: String
        /// `store` or `redis`, as in metric labels and `/health`'s `dependencies`.
        package var label: String
        package var seconds: Int
        package var detail: String
        /// The dependency refuses our requests (credentials, permissions): a setting must change.
        package var refused: Bool
    }

    package init(dependency: String, label: String, logger: Logger) {
        self.dependency = dependency
        self.label = label
        self.logger = logger
        up = Gauge(label: "chunkferry_dependency_up", dimensions: [("dependency", label)])
        outages = Counter(label: "chunkferry_outages_total", dimensions: [("dependency", label)])
        up.record(1)
    }

    /// `cause` groups failures (an error code); `detail` is the full, user-facing message; `kind`
    /// labels the failure in `chunkferry_upload_errors_total` (store only).
    package func failed(cause: String, detail: String, fatal: Bool, kind: String? = nil) {
        failures += 1
        totalFailures += 1
        if let kind { Counter(label: "chunkferry_upload_errors_total", dimensions: [("kind", kind)]).increment() }
        if since == nil {
            since = .now
            outages.increment()
            up.record(0)
        }
        refused = fatal
        lastDetail = detail
        guard cause != lastCause else { return }
        lastCause = cause
        let metadata: Logger.Metadata = ["dependency": "\(dependency)", "error": "\(detail)"]
        if fatal {
            logger.error("\(dependency) refuses requests; retrying every 30s until the setting is fixed", metadata: metadata.merging(["event": "\(label).refusing"]) { $1 })
        } else {
            logger.warning("\(dependency) unavailable; pausing and retrying until it is back", metadata: metadata.merging(["event": "\(label).down"]) { $1 })
        }
    }

    func succeeded() {
        guard let since else { return }
        logger.notice("\(dependency) available again; resuming", metadata: [
            "event": "\(label).up",
            "dependency": "\(dependency)", "outage.seconds": "\(Int((ContinuousClock.now - since).seconds.rounded()))",
            "failed.attempts": "\(failures)",
        ])
        up.record(1)
        self.since = nil
        lastCause = nil
        lastDetail = nil
        refused = false
        failures = 0
    }

    package var current: Outage? {
        guard let since else { return nil }
        return Outage(dependency: dependency, label: label, seconds: Int((ContinuousClock.now - since).seconds), detail: lastDetail ?? "", refused: refused)
    }
}
