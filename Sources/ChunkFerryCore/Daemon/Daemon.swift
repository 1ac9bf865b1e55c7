import Logging
import ServiceLifecycle

/// `chunkferry run`: every component as a Service in one ServiceGroup. SIGTERM or SIGINT stop
/// new work, let in-flight chunks finish (or abandon them uncommitted at the deadline) and exit.
public struct Daemon: Sendable {
    public let settings: ChunkFerrySettings
    public let logger: Logger

    public init(settings: ChunkFerrySettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until a signal stops it; throws when a fatal startup problem ends it.
    public func run() async throws {
        let abort = TransferAbort()
        // Uploads, plus as many for small requests (manifests, small files' last steps, checks) so
        // they never queue behind chunks.
        let s3 = try S3Client(settings: settings.s3, connections: 2 * settings.upload.concurrency + 1, abort: abort)
        let redis = RedisClient(url: settings.redis.url)
        let store = CheckpointStore(redis: redis, namespace: settings.redis.namespace)
        let context = PipelineContext(s3: s3, store: store, settings: settings, abort: abort, logger: logger)
        let manager = StreamManager(watch: settings.watch, upload: settings.upload, logger: logger)
        let gate = ReadinessGate()
        logStart(s3: s3)
        if s3.endpoint.scheme == "http" && !Self.isLoopback(s3.endpoint.authority) {
            logger.warning("S3_ENDPOINT uses plain http to a host that is not this machine: requests are signed, but video travels unencrypted; use https across untrusted networks", metadata: ["s3.endpoint": "\(s3.endpointDescription)"])
        }

        let startup = StartupService(
            checks: StartupChecks(settings: settings, s3: s3, redis: redis), store: store, manager: manager, gate: gate, logger: logger)
        let leaseKeeper = LeaseKeeper(leases: context.leases, gate: gate, logger: logger)
        let uploads = UploadService(
            worker: StreamWorker(context: context, manager: manager), concurrency: settings.upload.concurrency,
            abort: abort, drainDeadline: .seconds(7), gate: gate, logger: logger)
        let monitor = IdleMonitor(manager: manager, interval: min(.seconds(1), settings.upload.idleTimeout / 4), gate: gate)
        let watcher = DirectoryWatcher(
            root: settings.watch.directory, filter: FileFilter(extensions: settings.watch.fileExtensions),
            scanInterval: settings.watch.scanInterval, manager: manager, gate: gate, logger: logger)

        // Started in order, stopped in reverse: the watcher stops first, the uploads drain last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: leaseKeeper, serviceName: "leases"),
            .init(service: uploads, serviceName: "uploads"),
            .init(service: monitor, serviceName: "idle-monitor"),
        ]
        services.append(.init(service: StateJanitor(forgetAfter: settings.retention.forgetAfter, context: context, gate: gate),
                              serviceName: "state-janitor"))
        if settings.retention.isEnabled {
            let retention = LocalRetention(settings: settings.retention, context: context, manager: manager, gate: gate)
            services.append(.init(service: retention, serviceName: "retention"))
        }
        services += [
            .init(service: startup, successTerminationBehavior: .ignore, serviceName: "startup"),
            .init(service: watcher, serviceName: "watcher"),
        ]
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger.withLevel(.warning)
        )
        configuration.maximumGracefulShutdownDuration = .seconds(9)
        configuration.maximumCancellationDuration = .seconds(3)
        try await ServiceGroup(configuration: configuration).run()
        logger.info("stopped")
    }

    private func logStart(s3: S3Client) {
        logger.info("starting", metadata: [
            "watch.dir": "\(settings.watch.directory)", "s3.endpoint": "\(s3.endpointDescription)",
            "s3.bucket": "\(settings.s3.bucket)", "s3.prefix": "\(settings.upload.keyPrefix)",
            "chunk.size": "\(settings.upload.chunkSize)", "upload.concurrency": "\(settings.upload.concurrency)",
            "idle.timeout": "\(settings.upload.idleTimeout)", "redis": "\(settings.redis.url)",
            "node.id": "\(settings.upload.nodeID)", "integrity": "\(settings.s3.integrity.rawValue)",
            "lease.ttl": "\(settings.upload.leaseTTL)", "output": "\(settings.output.mode.rawValue)",
            "local.retention": "\(settings.retention.isEnabled ? settings.retention.enablingKeys.map(\.environmentName).joined(separator: ",") : "off")",
        ])
    }

    static func isLoopback(_ authority: String) -> Bool {
        authority.hasPrefix("127.") || authority.hasPrefix("localhost") || authority.hasPrefix("[::1]")
    }
}

extension Logger {
    func withLevel(_ level: Logger.Level) -> Logger {
        var copy = self
        copy.logLevel = max(level, logLevel)
        return copy
    }
}
