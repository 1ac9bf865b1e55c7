import ChunkFerryPipeline
import ChunkFerryStorage
import Logging
import ServiceLifecycle
import Synchronization

/// Every camera's recorder and snapshot taker, and the reporter, side by side in one Service:
/// at shutdown they stop together (every ffmpeg gets its SIGINT at once, not one camera after
/// another within the shutdown deadline), and a camera that cannot record ends neither the others
/// nor the daemon (each keeps trying until shutdown). A reload hands it a new camera list
/// (`apply`): a camera added, removed, changed, enabled or disabled starts or stops its own
/// recorder, and the others record on untouched.
package struct CameraService: Service {
    package let watchRoot: String
    package let manager: StreamManager
    package let board: CameraBoard
    package let reporter: CameraReporter
    package let logger: Logger
    private let lists: AsyncStream<[CameraSettings]>
    private let feed: AsyncStream<[CameraSettings]>.Continuation
    private let snapshotHTTP = SnapshotConnections()

    package init(cameras: [CameraSettings], watchRoot: String, manager: StreamManager, board: CameraBoard, reporter: CameraReporter, logger: Logger) {
        self.watchRoot = watchRoot
        self.manager = manager
        self.board = board
        self.reporter = reporter
        self.logger = logger
        // Only the newest list matters: one not yet applied is replaced by a later one.
        (lists, feed) = AsyncStream.makeStream(of: [CameraSettings].self, bufferingPolicy: .bufferingNewest(1))
        feed.yield(cameras)
    }

    /// The camera list of a reloaded configuration.
    package func apply(_ cameras: [CameraSettings]) {
        feed.yield(cameras)
    }

    package func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { try? await reporter.run() }
            // One supervisor per camera name, fed that camera's settings each time they change.
            var supervisors: [String: AsyncStream<CameraSettings>.Continuation] = [:]
            var running: [String: CameraSettings] = [:]
            // When each name's latest supervisor has ended: a camera removed and added back
            // records again only once its old ffmpeg is gone (two never write one folder).
            var ended: [String: AsyncStream<Void>] = [:]
            for await cameras in lists.cancelOnGracefulShutdown() {
                await board.configure(cameras)
                let wanted = Set(cameras.map(\.name))
                for (name, supervisor) in supervisors where !wanted.contains(name) {
                    logger.info("camera removed from the configuration; its recording stops", metadata: ["event": "camera.removed", "camera": "\(name)"])
                    supervisor.finish()
                    supervisors[name] = nil
                    running[name] = nil
                }
                for camera in cameras where running[camera.name] != camera {
                    if running[camera.name] != nil {
                        logger.info(camera.enabled ? "camera changed in the configuration; its recording restarts" : "camera disabled in the configuration; its recording stops",
                                    metadata: ["camera": "\(camera.name)", "event": "\(camera.enabled ? "camera.changed" : "camera.disabled")"])
                    }
                    running[camera.name] = camera
                    if let supervisor = supervisors[camera.name] {
                        supervisor.yield(camera)
                        continue
                    }
                    let (settings, supervisor) = AsyncStream.makeStream(of: CameraSettings.self, bufferingPolicy: .bufferingNewest(1))
                    supervisor.yield(camera)
                    supervisors[camera.name] = supervisor
                    let previous = ended[camera.name]
                    let (end, finished) = AsyncStream.makeStream(of: Void.self)
                    ended[camera.name] = end
                    group.addTask {
                        if let previous { for await _ in previous {} }
                        await supervise(settings)
                        finished.finish()
                    }
                }
                if !cameras.isEmpty {
                    logger.info("cameras configured", metadata: [
                        "cameras": "\(cameras.map { $0.enabled ? $0.name : "\($0.name) (disabled)" }.joined(separator: ", "))",
                    ])
                }
            }
            for supervisor in supervisors.values { supervisor.finish() }
        }
    }

    /// Runs one camera with its latest settings until they change (the old recording ends
    /// before the new one starts: two ffmpegs never write one camera's folder) or it is removed.
    private func supervise(_ updates: AsyncStream<CameraSettings>) async {
        var iterator = updates.makeAsyncIterator()
        var next = await iterator.next()
        while let camera = next {
            next = await withTaskGroup(of: Void.self) { parts -> CameraSettings? in
                if camera.enabled {
                    await board.set(camera.name, .starting)
                    parts.addTask { await record(camera) }
                } else {
                    await board.set(camera.name, .disabled, reason: "disabled in the configuration")
                }
                let update = await iterator.next()
                parts.cancelAll()
                return update
            }
        }
    }

    /// The camera's recorder, its sub-stream's when it has `live_url`, and its snapshot taker
    /// when it has `snapshot_interval`.
    private func record(_ camera: CameraSettings) async {
        let recorders = [camera, camera.substream].compactMap { $0 }.map { stream in
            CameraRecorder(camera: stream, watchRoot: watchRoot, board: board, manager: manager, minimumFreeBytes: 64 << 20, logger: logger)
        }
        await withDiscardingTaskGroup { parts in
            for recorder in recorders { parts.addTask { try? await recorder.run() } }
            if let interval = camera.snapshotInterval {
                let source = SnapshotSource(camera: camera, http: camera.snapshotURL == nil ? nil : snapshotHTTP.pool())
                let taker = SnapshotTaker(camera: camera, interval: interval, source: source, watchRoot: watchRoot,
                                          manager: manager, board: board, logger: logger)
                parts.addTask { try? await taker.run() }
            }
        }
    }
}

/// Connections for snapshot URLs, opened when the first camera that has one starts.
private final class SnapshotConnections: Sendable {
    private let shared = Mutex<CurlPool?>(nil)

    package func pool() -> CurlPool {
        shared.withLock { pool in
            if let pool { return pool }
            let made = CurlPool(name: "snapshots", connections: 4,
                                options: .init(connectTimeoutMilliseconds: 5_000, stallTimeoutSeconds: 10, requestTimeoutMilliseconds: 20_000))
            pool = made
            return made
        }
    }
}
