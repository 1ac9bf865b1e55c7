import ChunkFerryPipeline
import ChunkFerrySupport
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Every `snapshot_interval`, one JPEG from the camera, written atomically (temporary name,
/// then rename) as `<camera>/snapshots/<yyyymmdd_HHMMSS>.jpg` and handed to the pipeline as
/// complete, so it is uploaded at once instead of after IDLE_TIMEOUT.
struct SnapshotTaker: Service {
    package let camera: CameraSettings
    package let interval: Duration
    package let source: SnapshotSource
    package let watchRoot: String
    package let manager: StreamManager
    package let board: CameraBoard
    package let logger: Logger

    package func run() async throws {
        var logger = logger
        logger[metadataKey: "camera"] = "\(camera.name)"
        let folder = "\(camera.name)/snapshots"
        guard await CameraFolder.create("\(watchRoot)/\(folder)", logger: logger) else { return }
        var failingSince: ContinuousClock.Instant?
        var started = ContinuousClock.now
        repeat {
            started = .now
            let source = source
            switch await cancelWhenGracefulShutdown({ await source.take() }) {
            case .success(let jpeg):
                // Named, written, flushed and looked at on a file-call thread, not the manager's
                // (see `FileSighting`) nor a cooperative one.
                let (root, filter) = (watchRoot, manager.filter.value)
                let written = await FileCalls.shared.run { () -> Result<FileSighting, Errno> in
                    let name = Self.freeName(in: "\(root)/\(folder)", at: time(nil))
                    if let error = Self.writeAtomically(jpeg, folder: "\(root)/\(folder)", name: name) { return .failure(error) }
                    return .success(FileSighting.look(root: root, filter: filter, path: "\(folder)/\(name)"))
                }
                guard case .success(let sighting)? = written else {
                    if case .failure(let error)? = written {
                        logger.error("cannot write a snapshot under WATCH_DIR", metadata: ["error": "\(error)"])
                    }
                    break
                }
                await manager.completed(sighting)
                await board.snapshotTaken(camera.name, at: WallClock.nowMilliseconds())
                if let since = failingSince {
                    logger.info("snapshots back", metadata: ["down.seconds": "\((ContinuousClock.now - since).components.seconds)"])
                    failingSince = nil
                }
            case .failure(let failure):
                if failingSince == nil {
                    failingSince = .now
                    logger.warning("snapshot failed; retrying every interval", metadata: ["event": "snapshot.failed", "reason": "\(failure)"])
                }
            }
        } while await RetryPolicy.pause(max(.milliseconds(100), interval - (ContinuousClock.now - started)))
    }

    /// `yyyymmdd_HHMMSS.jpg` in UTC, like the recordings; `…_1.jpg` and on if a snapshot of that
    /// second is already there (a slow grab followed by a fast one).
    static func freeName(in folder: String, at seconds: time_t) -> String {
        let stem = WallClock.compact(seconds: Int64(seconds))
        var name = stem + ".jpg"
        var suffix = 0
        while access("\(folder)/\(name)", F_OK) == 0 {
            suffix += 1
            name = "\(stem)_\(suffix).jpg"
        }
        return name
    }

    /// Writes `bytes` to a hidden temporary name, flushes, and renames it into place: the
    /// watcher never sees a half-written image. Nil on success, else the error.
    static func writeAtomically(_ bytes: [UInt8], folder: String, name: String) -> Errno? {
        let temporary = "\(folder)/.\(name).part"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return Errno(errno) }
        let written = bytes.withUnsafeBytes { FileOutput.writeAll(descriptor, $0) } && fsync(descriptor) == 0
        let failure = written ? nil : Errno(errno)
        close(descriptor)
        guard written, rename(temporary, "\(folder)/\(name)") == 0 else {
            let error = failure ?? Errno(errno)
            unlink(temporary)
            return error
        }
        return nil
    }
}
