import ChunkFerryDaemon
import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
import Logging
import ServiceLifecycle

/// `chunkferry serve`, put together from the store settings alone: no Redis, no WATCH_DIR.
/// With `--identity` it opens footage sealed with ENCRYPT_TO; without, it lists it as sealed.
package struct Viewer: Sendable {
    let server: ViewerServer
    let storage: any ObjectStore
    let logger: Logger
    /// Where the footage is read from, as logs show it.
    let location: String

    package init(config: SettingsReader, identityFiles: [String], logger: Logger) throws(StartupFailure) {
        let settings: ViewerSettings
        let storageSettings: StorageSettings
        let prefix: String
        let output: OutputSettings
        do {
            settings = try ViewerSettings(config: config)
            storageSettings = try StorageSettings(config: config)
            prefix = try UploadSettings(config: config).keyPrefix
            output = try OutputSettings(config: config)
        } catch {
            throw StartupFailure(message: "\(error)")
        }
        let identities = try IdentityFile.read(identityFiles)
        let inner: any ObjectStore
        do { inner = try storageSettings.makeStore(connections: 8) } catch { throw StartupFailure(message: "\(error)") }
        storage = EncryptedStore(inner, recipients: [], box: nil, identities: identities)
        location = inner.location + (identities.isEmpty ? "" : ", opening footage sealed to \(identities.count) identit\(identities.count == 1 ? "y" : "ies")")
        let catalog = Catalog(storage: storage, listing: inner, prefix: prefix, layout: output.layout, timeZone: output.pathTimeZone,
                              lifetime: settings.cache, canOpen: !identities.isEmpty)
        server = ViewerServer(settings: settings, catalog: catalog, source: RecordingSource(storage: storage), logger: logger)
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT.
    package func run() async throws {
        Malloc.returnLargeBlocksWhenFreed()
        logger.info("serving the store read-only", metadata: ["store": "\(location)"])
        var configuration = ServiceGroupConfiguration(services: [.init(service: server, serviceName: "viewer")],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger.withLevel(.warning))
        configuration.maximumGracefulShutdownDuration = Duration.seconds(5)
        try await ServiceGroup(configuration: configuration).run()
        storage.shutDown()
    }
}
