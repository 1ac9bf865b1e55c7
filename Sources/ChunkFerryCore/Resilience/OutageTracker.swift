import Logging

/// Turns a stream of failures and successes against one dependency into one log line when an
/// outage begins (and when its cause changes) and one when it ends, not a line per attempt.
actor OutageTracker {
    let dependency: String
    private let logger: Logger
    private var since: ContinuousClock.Instant?
    private var lastCause: String?
    private var failures = 0

    init(dependency: String, logger: Logger) {
        self.dependency = dependency
        self.logger = logger
    }

    /// `cause` groups failures (an error code); `detail` is the full, user-facing message.
    func failed(cause: String, detail: String, fatal: Bool) {
        failures += 1
        if since == nil { since = .now }
        guard cause != lastCause else { return }
        lastCause = cause
        let metadata: Logger.Metadata = ["dependency": "\(dependency)", "error": "\(detail)"]
        if fatal {
            logger.error("\(dependency) refuses requests; retrying every 30s until the setting is fixed", metadata: metadata)
        } else {
            logger.warning("\(dependency) unavailable; pausing and retrying until it is back", metadata: metadata)
        }
    }

    func succeeded() {
        guard let since else { return }
        logger.notice("\(dependency) available again; resuming", metadata: [
            "dependency": "\(dependency)", "outage.seconds": "\(Int((ContinuousClock.now - since).seconds.rounded()))",
            "failed.attempts": "\(failures)",
        ])
        self.since = nil
        lastCause = nil
        failures = 0
    }
}
