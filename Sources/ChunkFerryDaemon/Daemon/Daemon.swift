import ChunkFerryCameras
import ChunkFerryCheckpoint
import ChunkFerryEvents
import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
import Logging
import Prometheus
import ServiceLifecycle

/// `chunkferry run`: every component as a Service in one ServiceGroup. SIGTERM or SIGINT stop
/// new work, let in-flight chunks finish (or abandon them uncommitted at the deadline) and exit.
package struct Daemon: Sendable {
    package let settings: ChunkFerrySettings
    package let logger: Logger
    /// Where swift-metrics records go; `/metrics` shows it.
    let registry: PrometheusCollectorRegistry
    /// What a configuration reload needs: the level every log handler reads, and how to read
    /// the configuration again (flags and environment as at startup, the file as it is now).
    let reload: ConfigReloader.Source?
    let status = DaemonStatus()

    /// - Parameter reload: how to read the configuration again (SIGHUP, CONFIG_FILE changes); nil: never.
    package init(settings: ChunkFerrySettings, logger: Logger, reload: ConfigReloader.Source? = nil) {
        self.settings = settings
        self.logger = logger
        registry = MetricsPage.registry
        self.reload = reload
    }

    /// Runs until a signal stops it; throws when a fatal startup problem ends it.
    package func run() async throws {
        let abort = TransferAbort()
        let throttle = UplinkThrottle(settings.uplink.bandwidthLimit)
        let gate = ReadinessGate()
        let storage: any ObjectStore
        do {
            storage = try settings.makeStore(connections: UploadService.connections(concurrency: settings.upload.concurrency, reserves: settings.upload.concurrency),
                                             abort: abort, throttle: throttle)
        } catch {
            logger.critical("cannot start: \(error.message)", metadata: ["event": "startup.failed"])
            throw error
        }
        let redis = RedisClient(url: settings.redis.url)
        let store = CheckpointStore(redis: redis, namespace: settings.redis.namespace)
        let context = PipelineContext(storage: storage, store: store, watch: settings.watch, upload: settings.upload, output: settings.output, abort: abort, logger: logger)
        let manager = StreamManager(watch: settings.watch, upload: settings.upload, uplink: settings.uplink,
                                    fileDigest: settings.output.fileDigest, logger: logger)
        await manager.setCameras(Set(settings.cameras.map(\.name)), substreams: Set(settings.cameras.compactMap(\.liveFolder)))
        let lagAlert = Reloadable(settings.uplink.lagAlert)
        let uplink = UplinkMonitor(manager: manager, throttle: throttle, lagAlert: lagAlert, gate: gate, logger: logger) { [node = settings.upload.nodeID] report in
            try? await store.noteUplink(node: node, report.json(), now: WallClock.nowMilliseconds())
        }
        logStart(storage: storage)
        warnIfUnencrypted()

        let startup = StartupService(
            checks: StartupChecks(settings: settings, storage: storage, redis: redis), store: store, manager: manager, gate: gate,
            status: status, staysUp: settings.endpoint.port != nil, logger: logger)
        let leaseKeeper = LeaseKeeper(leases: context.leases, gate: gate, logger: logger)
        let uploads = UploadService(
            worker: StreamWorker(context: context, manager: manager), concurrency: settings.upload.concurrency,
            abort: abort, drainDeadline: .seconds(7), gate: gate, logger: logger)
        let monitor = IdleMonitor(manager: manager, interval: min(.seconds(1), settings.upload.idleTimeout / 4), gate: gate)
        let scanInterval = Reloadable(settings.watch.scanInterval)
        let watcher = DirectoryWatcher(
            root: settings.watch.directory, filter: manager.filter,
            scanInterval: scanInterval, manager: manager, gate: gate, logger: logger)
        let retention = Reloadable(settings.retention)
        // Cameras come only from the file: with one, a reload may add the first camera.
        let board = settings.cameras.isEmpty && reload?.path == nil ? nil : CameraBoard(settings.cameras)
        let cameras = board.map { board in
            CameraService(cameras: settings.cameras, watchRoot: settings.watch.directory, manager: manager, board: board,
                          reporter: CameraReporter(board: board, store: store, node: settings.upload.nodeID), logger: logger)
        }
        let book = await makeEventBook(manager: manager, store: store)
        var sources = HealthSources(
            status: status, manager: manager, context: context, board: board, watchDirectory: settings.watch.directory,
            diskLow: { disk in
                disk.available < (retention.value.minimumFree?.bytes(ofTotal: disk.total) ?? max(disk.total / 20, 256 << 20))
            },
            storage: .init(backend: storage.backend.rawValue, location: storage.location), uplink: uplink)
        sources.events = book
        sources.objectLock = storage.s3Client?.settings.objectLock?.description

        // Started in order, stopped in reverse: the watcher stops first, the uploads drain last,
        // and the endpoint answers (`/ready`: 503) until they did.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: OperationsEndpoint(settings: settings.endpoint, sources: sources,
                                              metrics: MetricsPage(registry: registry, sources: sources),
                                              events: book.flatMap { book in settings.events.token.map { ($0, book) } }, logger: logger),
                  successTerminationBehavior: .ignore, serviceName: "endpoint"),
            .init(service: leaseKeeper, serviceName: "leases"),
            .init(service: uploads, serviceName: "uploads"),
            .init(service: monitor, serviceName: "idle-monitor"),
            .init(service: uplink, serviceName: "uplink-monitor"),
        ]
        services.append(.init(service: StateJanitor(retention: retention, context: context, gate: gate, watchRoot: manager.watchRoot), serviceName: "state-janitor"))
        let retry = RetryRequests(context: context, manager: manager, gate: gate)
        services.append(.init(service: retry, serviceName: "retry-requests"))
        if let book {
            services.append(.init(service: EventClipper(book: book, manager: manager, context: context, gate: gate, logger: logger), serviceName: "event-clips"))
            if let mqtt = settings.events.mqtt {
                services.append(.init(service: FrigateListener(settings: mqtt, severity: settings.events.severity, book: book,
                                                               nodeID: settings.upload.nodeID, gate: gate, logger: logger), serviceName: "frigate"))
            }
        }
        if let folder = storage.folderStore {
            services.append(.init(service: TemporarySweeper(store: folder, gate: gate, logger: logger), serviceName: "temporary-sweeper"))
        }
        if settings.retention.isEnabled || reload?.path != nil {
            let local = LocalRetention(settings: retention, context: context, manager: manager, gate: gate)
            services.append(.init(service: local, serviceName: "retention"))
        }
        services += [
            .init(service: startup, successTerminationBehavior: .ignore, serviceName: "startup"),
            .init(service: watcher, serviceName: "watcher"),
        ]
        if let reload {
            let reloader = ConfigReloader(source: reload, running: settings, targets: .init(
                manager: manager, scanInterval: scanInterval, logLevel: reload.logLevel, uploads: uploads, storage: storage,
                retention: retention, cameras: cameras, filter: manager.filter, watchDirectory: settings.watch.directory,
                retry: retry, throttle: throttle, lagAlert: lagAlert), logger: logger)
            services.append(.init(service: reloader, serviceName: "config-reload"))
        }
        // Last in the list, first to stop: recorders end their files before the pipeline stops.
        if let cameras {
            services.append(.init(service: cameras, successTerminationBehavior: .ignore, serviceName: "cameras"))
        }
        services.append(.init(service: ShutdownNotice(status: status), successTerminationBehavior: .ignore, serviceName: "shutdown-notice"))
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger.withLevel(.warning)
        )
        configuration.maximumGracefulShutdownDuration = .seconds(9)
        configuration.maximumCancellationDuration = .seconds(3)
        try await ServiceGroup(configuration: configuration).run()
        logger.info("stopped", metadata: ["event": "daemon.stopped"])
    }

    /// The event book, when an event source is set: the manager learns the windows it keeps.
    private func makeEventBook(manager: StreamManager, store: CheckpointStore) async -> EventBook? {
        guard settings.events.hasSources else { return nil }
        let windows = EventWindows()
        await manager.setEvents(windows, eventsOnly: settings.events.eventsOnly, layout: settings.output.layout, timeZone: settings.output.pathTimeZone)
        var frigateNames: [String: String] = [:]
        for camera in settings.cameras { if let name = camera.frigateName { frigateNames[name] = camera.name } }
        let book = EventBook(settings: settings.events, windows: windows, manager: manager, store: store,
                             cameras: Set(settings.cameras.map(\.name)), frigateNames: frigateNames, logger: logger)
        // Before any service starts: retention must know the windows of events a crash left open.
        await book.restore()
        return book
    }

    private func logStart(storage: any ObjectStore) {
        logger.info("starting", metadata: [
            "watch.dir": "\(settings.watch.directory)", "storage.backend": "\(storage.backend.rawValue)",
            "storage": "\(storage.location)", "key.prefix": "\(settings.upload.keyPrefix)",
            "chunk.size": "\(settings.upload.chunkSize)", "upload.concurrency": "\(settings.upload.concurrency)",
            "idle.timeout": "\(settings.upload.idleTimeout)", "redis": "\(settings.redis.url)",
            "node.id": "\(settings.upload.nodeID)", "integrity": "\(settings.storage.s3?.integrity.rawValue ?? "\(storage.checksumKind)")",
            "lease.ttl": "\(settings.upload.leaseTTL)", "output": "\(settings.output.mode.rawValue)",
            "local.retention": "\(settings.retention.isEnabled ? settings.retention.enablingKeys.map(\.environmentName).joined(separator: ",") : "off")",
        ])
    }

    /// Plain http to another machine: S3 requests are signed, a bearer token is not even that.
    private func warnIfUnencrypted() {
        let url: (setting: SettingKey, value: String)? = switch settings.storage {
        case .s3(let s3, _): (.s3Endpoint, s3.endpoint)
        case .http(let http): (.httpUploadURL, http.url)
        case .filesystem: nil
        }
        guard let url, url.value.lowercased().hasPrefix("http://") else { return }
        let authority = url.value.dropFirst(7).prefix { $0 != "/" }
        guard !Self.isLoopback(String(authority)) else { return }
        logger.warning("\(url.setting.environmentName) uses plain http to a host that is not this machine: video (and any token) travels unencrypted; use https across untrusted networks", metadata: [
            "url": "\(url.value)",
        ])
    }

    static func isLoopback(_ authority: String) -> Bool {
        authority.hasPrefix("127.") || authority.hasPrefix("localhost") || authority.hasPrefix("[::1]")
    }
}

extension Logger {
    package func withLevel(_ level: Logger.Level) -> Logger {
        var copy = self
        copy.logLevel = max(level, logLevel)
        return copy
    }
}
