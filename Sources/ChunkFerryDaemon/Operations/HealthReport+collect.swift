import ChunkFerryCameras
import ChunkFerryEvents
import ChunkFerryPipeline
import ChunkFerrySupport

/// Gathers `/health` from the components that know: the daemon's own status, the stream manager,
/// the outage trackers, the cameras' board, the disk under WATCH_DIR.
struct HealthSources: Sendable {
    let status: DaemonStatus
    let manager: StreamManager
    let context: PipelineContext
    let board: CameraBoard?
    let watchDirectory: String
    /// Below this much free space under WATCH_DIR the disk counts as nearly full.
    let diskLow: @Sendable (DiskSpace) -> Bool
    let storage: HealthReport.Storage
    /// `OBJECT_LOCK` as set; nil when off.
    var objectLock: String? = nil
    let uplink: UplinkMonitor
    /// Where events are kept; nil without an event source.
    var events: EventBook? = nil

    /// `/ready`: the startup checks passed, the first scan completed, not shutting down.
    func isReady() async -> Bool {
        Self.isReady(status.current, initialScanDone: await manager.initialScanDone)
    }

    private static func isReady(_ state: DaemonStatus.State, initialScanDone: Bool) -> Bool {
        state.checksPassed && initialScanDone && !state.shuttingDown
    }

    func report() async -> HealthReport {
        let state = status.current
        let overview = await manager.overview()
        let outages = [await context.storeOutage.current, await context.redisOutage.current].compactMap { $0 }
        let cameras = await board?.all() ?? []
        let disk = await FileCalls.shared.diskSpace(watchDirectory)
        let totals = context.metrics.totals.current

        var unhealthy: [String] = []
        var degraded: [String] = []
        if let problem = state.startupProblem { unhealthy.append("startup check failed: \(problem)") }
        if let waiting = state.waitingFor { degraded.append("starting: \(waiting)") }
        for outage in outages {
            if outage.refused {
                unhealthy.append("\(outage.dependency) refuses requests for \(outage.seconds)s: \(outage.detail)")
            } else {
                degraded.append("\(outage.dependency) unavailable for \(outage.seconds)s: \(outage.detail)")
            }
        }
        for camera in cameras where camera.state == .reconnecting || camera.state == .diskFull {
            degraded.append("camera \(camera.name) is \(camera.state.rawValue)\(camera.reason.map { ": \($0)" } ?? "")")
        }
        if let disk, diskLow(disk) {
            degraded.append("disk under WATCH_DIR nearly full: \(disk.available >> 20) MiB free of \(disk.total >> 20) MiB")
        }
        let uplinkReport = uplink.report
        if let behind = uplinkReport.degradedReason { degraded.append(behind) }
        if let objectLock, state.deletion?.thiefCanDelete == true, let line = state.deletion?.line {
            degraded.append("OBJECT_LOCK (\(objectLock)) was asked for, but \(line)")
        }
        if overview.withProblems > 0 { degraded.append("\(overview.withProblems) file(s) cannot be read; retrying") }
        for failed in overview.failed.sorted(by: { $0.path < $1.path }).prefix(20) {
            degraded.append("\(failed.path) failed: \(failed.reason); fix it, then run chunkferry retry \(failed.path)")
        }

        return HealthReport(
            status: !unhealthy.isEmpty ? .unhealthy : !degraded.isEmpty ? .degraded : .healthy,
            reasons: unhealthy + degraded,
            version: DaemonStatus.version,
            startedAt: WallClock.rfc3339(milliseconds: status.startedAtMilliseconds),
            uptimeSeconds: Int((ContinuousClock.now - status.started).seconds),
            lastUploadAt: totals.lastUploadAt.map(WallClock.rfc3339(milliseconds:)),
            ready: Self.isReady(state, initialScanDone: overview.initialScanDone),
            totals: .init(chunksUploaded: totals.chunks, bytesUploaded: totals.bytes, streamsFinalized: totals.streamsFinalized,
                          streamsAbandoned: totals.streamsAbandoned, uploadsFailedAndRetried: await context.storeOutage.totalFailures,
                          chunksRepaired: totals.chunksRepaired),
            streams: .init(active: overview.active, finalized: overview.finalized, withProblems: overview.withProblems,
                           failed: overview.failed.count),
            backlogBytes: overview.backlogBytes,
            oldestUnsentSeconds: overview.oldestUnsent.map { ($0.seconds * 10).rounded() / 10 },
            uplink: uplinkReport,
            storage: storage,
            tamper: state.deletion.map { .init(thiefCanDelete: $0.answer, reason: $0.reason, objectLock: objectLock) },
            dependencies: Dictionary(uniqueKeysWithValues: [context.storeOutage.label, context.redisOutage.label].map { label in
                (label, outages.contains { $0.label == label } ? "down" : "up")
            }),
            disk: disk.map { .init(freeBytes: $0.available, totalBytes: $0.total) },
            cameras: cameras.map { .init(name: $0.name, state: $0.state.rawValue, since: WallClock.rfc3339(milliseconds: $0.since), reason: $0.reason) },
            events: await events?.open().map { .init(id: $0.id, camera: $0.camera, label: $0.label, source: $0.source.rawValue,
                                                     since: WallClock.rfc3339(milliseconds: $0.start)) })
    }
}
