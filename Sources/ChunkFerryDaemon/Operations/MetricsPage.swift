import ChunkFerryCameras
import ChunkFerrySupport
import Metrics
import Prometheus

/// The `/metrics` page: what the code records through swift-metrics, in Prometheus' text format,
/// plus gauges read at the moment of the scrape (backlog, streams, disk, cameras).
struct MetricsPage: Sendable {
    let registry: PrometheusCollectorRegistry
    let sources: HealthSources

    /// The process's registry: the metrics backend is bootstrapped (once) on first use, before
    /// the daemon makes its metrics.
    static let registry: PrometheusCollectorRegistry = bootstrap()

    private static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["chunkferry_commit_lag_seconds"] =
            [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300].map { Duration.milliseconds(Int64($0 * 1000)) }
        factory.durationHistogramBuckets["chunkferry_chunk_upload_seconds"] =
            [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60].map { Duration.milliseconds(Int64($0 * 1000)) }
        MetricsSystem.bootstrap(factory)
        return registry
    }

    func render() async -> [UInt8] {
        let overview = await sources.manager.overview()
        Gauge(label: "chunkferry_oldest_unsent_age_seconds").record(overview.oldestUnsent?.seconds ?? 0)
        Gauge(label: "chunkferry_streams", dimensions: [("state", "active")]).record(overview.active)
        Gauge(label: "chunkferry_streams", dimensions: [("state", "finalized")]).record(overview.finalized)
        Gauge(label: "chunkferry_streams", dimensions: [("state", "with_problems")]).record(overview.withProblems)
        Gauge(label: "chunkferry_streams", dimensions: [("state", "failed")]).record(overview.failed.count)
        if let disk = await FileCalls.shared.diskSpace(sources.watchDirectory) {
            Gauge(label: "chunkferry_watch_dir_free_bytes").record(disk.available)
        }
        if let board = sources.board {
            var counts: [CameraStatus.State: Int] = [.starting: 0, .recording: 0, .reconnecting: 0, .disabled: 0, .diskFull: 0]
            for camera in await board.all() { counts[camera.state, default: 0] += 1 }
            for (state, count) in counts { Gauge(label: "chunkferry_cameras", dimensions: [("state", state.rawValue)]).record(count) }
        }
        Gauge(label: "chunkferry_uptime_seconds").record((ContinuousClock.now - sources.status.started).seconds.rounded())
        return registry.emitToBuffer()
    }
}
