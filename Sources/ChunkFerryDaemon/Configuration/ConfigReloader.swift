import ChunkFerryCameras
import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
import Logging
import Metrics
import ServiceLifecycle
import UnixSignals

/// Reads the configuration again when CONFIG_FILE changes (looked at every second: editors
/// replace files, and bind mounts hide inotify events) and on SIGHUP, and applies what can
/// change while running. A change to any other key is one warning and waits for a restart; a
/// file that does not parse or validate is one error line, and the running values stay.
package struct ConfigReloader: Service {
    /// How to read the configuration again, and what it was at startup.
    package struct Source: Sendable {
        /// Flags and environment as at startup, the file as it is now.
        let load: @Sendable () async throws(SettingsError) -> SettingsReader
        let initial: SettingsReader
        /// CONFIG_FILE, watched for changes; nil: only SIGHUP, and nothing new to read.
        let path: String?
        let logLevel: Reloadable<Logger.Level>

        package init(load: @escaping @Sendable () async throws(SettingsError) -> SettingsReader, initial: SettingsReader,
                    path: String?, logLevel: Reloadable<Logger.Level>) {
            self.load = load
            self.initial = initial
            self.path = path
            self.logLevel = logLevel
        }
    }

    /// The running components a reload reaches.
    struct Targets: Sendable {
        let manager: StreamManager
        let scanInterval: Reloadable<Duration>
        let logLevel: Reloadable<Logger.Level>
        let uploads: UploadService
        let storage: any ObjectStore
        let retention: Reloadable<RetentionSettings>
        /// Nil when no camera can be configured (no CONFIG_FILE).
        let cameras: CameraService?
        /// Which files are uploaded: FILE_EXTENSIONS waits for a restart, but a camera added
        /// widens it to what the camera writes (and it never narrows: a removed camera's last
        /// recording still goes up).
        let filter: Reloadable<FileFilter>
        let watchDirectory: String
        /// Failed streams are tried again at every reload.
        let retry: RetryRequests
        /// BANDWIDTH_LIMIT.
        let throttle: UplinkThrottle
        let lagAlert: Reloadable<Duration>
    }

    /// Keys applied without a restart (and the `cameras:` list of the file).
    static let reloadable: [SettingKey] = [
        .idleTimeout, .scanInterval, .maxLag, .logLevel, .uploadConcurrency, .storageClass,
        .deleteAfterUpload, .localRetention, .minFreeSpace, .cleanupBatchSize, .forgetAfter, .httpAuthToken,
        .bandwidthLimit, .lagAlert,
    ]

    let source: Source
    let running: ChunkFerrySettings
    let targets: Targets
    let logger: Logger

    init(source: Source, running: ChunkFerrySettings, targets: Targets, logger: Logger) {
        self.source = source
        self.running = running
        self.targets = targets
        self.logger = logger
    }

    package func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        var state = State(applied: source.initial, settings: running)
        for result in ["success", "failure"] { Counter(label: "chunkferry_config_reloads_total", dimensions: [("result", result)]).increment(by: 0) }
        await withTaskGroup(of: Void.self) { group in
            let (triggers, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
            group.addTask {
                for await _ in signals { continuation.yield("SIGHUP") }
            }
            if let path = source.path {
                group.addTask {
                    var read = try? await FileCalls.shared.status(path).get()
                    var previous = read
                    while await RetryPolicy.pause(.seconds(1)) {
                        let now = try? await FileCalls.shared.status(path).get()
                        // A change counts once it held for a whole second: a file caught while
                        // it is being written (`cat new.yaml > chunkferry.yaml`) is not read.
                        if now != read && now == previous {
                            read = now
                            continuation.yield("file changed")
                        }
                        previous = now
                    }
                    continuation.finish()
                }
            }
            group.addTask {
                try? await gracefulShutdown()
                continuation.finish()
            }
            for await trigger in triggers.cancelOnGracefulShutdown() {
                await reload(trigger: trigger, state: &state)
            }
            group.cancelAll()
        }
    }
}
