import Metrics

/// The pipeline's metrics, Prometheus-style names; no-ops until a metrics backend is bootstrapped.
struct PipelineMetrics: Sendable {
    let bytesUploaded = Counter(label: "chunkferry_bytes_uploaded_total")
    let chunksUploaded = Counter(label: "chunkferry_chunks_uploaded_total")
    let chunkUploadSeconds = Metrics.Timer(label: "chunkferry_chunk_upload_seconds", preferredDisplayUnit: .seconds)
    let chunksRepaired = Counter(label: "chunkferry_chunks_repaired_total")
    let streamsStarted = Counter(label: "chunkferry_streams_started_total")
    let streamsFinalized = Counter(label: "chunkferry_streams_finalized_total")
    let streamsAbandoned = Counter(label: "chunkferry_streams_abandoned_total")

    /// A chunk the store confirmed was committed.
    func chunkConfirmed(_ sent: StreamWorker.SentChunk) {
        bytesUploaded.increment(by: sent.length)
        chunksUploaded.increment()
        chunkUploadSeconds.record(duration: sent.elapsed)
    }
}
