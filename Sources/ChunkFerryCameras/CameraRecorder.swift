import ChunkFerryPipeline
import ChunkFerrySupport
import Logging
import ServiceLifecycle
import Subprocess
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Records one camera: runs its ffmpeg, restarts it with capped backoff when the camera does not
/// answer, drops or stalls, and on shutdown stops it with SIGINT so its file ends on a whole
/// fragment. One log line when the camera goes down and one when it is back.
struct CameraRecorder: Service {
    package let camera: CameraSettings
    package let watchRoot: String
    package let board: CameraBoard
    /// Told which file ffmpeg writes, so that file is never finalized for being idle meanwhile.
    package let manager: StreamManager
    /// Below this much free space under WATCH_DIR ffmpeg is not started.
    let minimumFreeBytes: Int64
    package let logger: Logger
    package var stallTimeout: Duration = .seconds(20)
    var maximumBackoff: Duration = .seconds(60)

    private var directory: String { "\(watchRoot)/\(camera.name)" }

    package func run() async throws {
        var logger = logger
        logger[metadataKey: "camera"] = "\(camera.name)"
        let (board, camera, directory) = (board, camera, directory)
        guard await CameraFolder.create(directory, logger: logger, onFirstFailure: {
            await board.set(camera.name, .reconnecting, reason: "cannot create \(directory)")
        }) else { return }
        guard var watch = await FileCalls.shared.run({ SegmentWatch(directory: directory, camera: camera.name) }) else { return }
        var command = RecordingCommand(camera: camera, directory: directory)
        var backoff = Duration.seconds(1)
        var downSince: ContinuousClock.Instant?
        var diskShort = false
        while !RetryPolicy.isStopping {
            if let space = await FileCalls.shared.diskSpace(watchRoot), space.available < minimumFreeBytes {
                if !diskShort {
                    logger.error("not recording: the disk under WATCH_DIR is too full; recording resumes once space is freed (see MIN_FREE_SPACE and LOCAL_RETENTION)", metadata: [
                        "event": "camera.disk_full",
                        "disk.free": "\(space.available)", "disk.needed": "\(minimumFreeBytes)",
                    ])
                    await board.set(camera.name, .diskFull, reason: "disk under WATCH_DIR too full to record")
                    diskShort = true
                }
                guard await RetryPolicy.pause(.seconds(10)) else { break }
                continue
            }
            diskShort = false
            let started = ContinuousClock.now
            let session = await record(command, watch: &watch, logger: logger, downSince: downSince)
            if session.grew { downSince = nil }
            if RetryPolicy.isStopping { break }
            if session.log.audioRefused && !command.videoOnly {
                command.videoOnly = true
                logger.warning("the camera's audio cannot go into MP4 as it is; recording video only", metadata: ["reason": "\(session.log.reason ?? "-")"])
                continue
            }
            let reason = session.stalled ? "no new video for \(stallTimeout.components.seconds)s: the stream stalled; restarting ffmpeg"
                : session.failure ?? session.log.reason ?? "the stream ended (ffmpeg \(session.status))"
            if ContinuousClock.now - started > .seconds(60) && session.grew { backoff = .seconds(1) }
            if downSince == nil {
                downSince = .now
                logger.warning("camera down; reconnecting", metadata: ["event": "camera.down", "reason": "\(reason)", "retry.seconds": "\(backoff.components.seconds)"])
            }
            await board.set(camera.name, session.log.diskFull ? .diskFull : .reconnecting, reason: reason)
            guard await RetryPolicy.pause(backoff) else { break }
            backoff = min(backoff * 2, maximumBackoff)
        }
        await board.set(camera.name, .disabled, reason: "stopped")
    }

    struct Session {
        package var grew = false
        var stalled = false
        package var log: FFmpegLog
        package var status = "-"
        package var failure: String?
    }

    /// One ffmpeg run, until it exits, stalls or shutdown ends it.
    private func record(_ command: RecordingCommand, watch: inout SegmentWatch, logger: Logger,
                        downSince: ContinuousClock.Instant?) async -> Session {
        let shared = Shared(log: FFmpegLog(camera: camera), watch: watch)
        shared.progress.withLock { $0.watch.restart() }
        let arguments = command.arguments
        let options = Self.platformOptions
        var session = Session(log: FFmpegLog(camera: camera))
        do {
            // Shutdown cancels the run, and Subprocess's teardown sends SIGINT, which lets ffmpeg
            // finish its fragment, then SIGKILL after 4 s.
            let result = try await cancelWhenGracefulShutdown {
                // File names in UTC: local time repeats an hour when clocks go back, and ffmpeg
                // would truncate the earlier file of that name.
                try await Subprocess.run(.name("ffmpeg"), arguments: Arguments(arguments), environment: .inherit.updating(["TZ": "UTC"]),
                                         platformOptions: options,
                                         input: .none, output: .discarded, error: .sequence) { execution in
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask {
                            do {
                                for try await line in execution.standardError.strings() {
                                    let clean = shared.log.withLock { $0.note(line) }
                                    if !clean.isEmpty { logger.debug("ffmpeg", metadata: ["ffmpeg": "\(clean)"]) }
                                }
                            } catch {}
                        }
                        group.addTask {
                            await watchdog(shared, downSince: downSince, logger: logger) { _ = try? execution.send(signal: .kill) }
                        }
                        _ = await group.next()  // stderr ends when ffmpeg exits; the watchdog after a kill
                        group.cancelAll()
                    }
                }
            }
            session.status = "\(result.terminationStatus)"
        } catch {
            session.failure = "cannot run ffmpeg: \(error) (is ffmpeg installed and on PATH?)"
        }
        // ffmpeg is gone: its last file may now be finalized once idle.
        await manager.recording(camera: camera.name, file: nil)
        let state = shared.progress.withLock { $0 }
        watch = state.watch
        session.grew = state.watch.grew
        session.stalled = state.stalled
        session.log = shared.log.withLock { $0 }
        return session
    }
}

extension CameraRecorder {
    /// Looks at the recording every second: announces its first growth (the camera is back),
    /// reports progress, and kills ffmpeg once nothing was written for `stallTimeout`.
    private func watchdog(_ shared: Shared, downSince: ContinuousClock.Instant?, logger: Logger, kill: @Sendable () -> Void) async {
        var announced = false
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            // Only this task changes the watch during a run: it looks on a file-call thread and puts it back.
            let before = shared.progress.withLock { $0.watch }
            guard let (grew, watch) = await FileCalls.shared.run({ var watch = before; return (watch.look(), watch) }) else { return }
            shared.progress.withLock { $0.watch = watch }
            if grew && !announced {
                announced = true
                var metadata: Logger.Metadata = ["file.path": "\(watch.currentPath ?? "-")"]
                if let downSince { metadata["down.seconds"] = "\((ContinuousClock.now - downSince).components.seconds)" }
                metadata["event"] = downSince == nil ? "camera.recording" : "camera.back"
                logger.info(downSince == nil ? "camera recording" : "camera back; recording", metadata: metadata)
                await board.set(camera.name, .recording)
            }
            await board.recorded(camera.name, file: watch.currentPath, bytesToday: watch.bytesToday)
            // Only a file this run wrote to: one an earlier run left is finished.
            await manager.recording(camera: camera.name, file: watch.grew ? watch.currentPath : nil)
            if ContinuousClock.now - watch.lastGrowth >= stallTimeout {
                shared.progress.withLock { $0.stalled = true }
                kill()
                return
            }
        }
    }

    /// What the stderr reader and the watchdog of one run share.
    final class Shared: Sendable {
        package let log: Mutex<FFmpegLog>
        package let progress: Mutex<(watch: SegmentWatch, stalled: Bool)>

        package init(log: FFmpegLog, watch: SegmentWatch) {
            self.log = Mutex(log)
            progress = Mutex((watch, false))
        }
    }

    static var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        // Its own process group: a terminal's Ctrl-C reaches the daemon, which stops ffmpeg in order.
        options.processGroupID = 0
        options.teardownSequence = [.send(signal: .interrupt, allowedDurationToNextStep: .seconds(4))]
        return options
    }
}
