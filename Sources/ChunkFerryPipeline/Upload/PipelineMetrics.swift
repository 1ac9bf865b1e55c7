import ChunkFerrySupport
import Metrics
import Synchronization

/// The pipeline's metrics, Prometheus-style names (no-ops until a metrics backend is
/// bootstrapped), and the same totals kept here for `/health`, which cannot read them back.
package struct PipelineMetrics: Sendable {
    package let bytesUploaded = Counter(label: "chunkferry_bytes_uploaded_total")
    package let chunksUploaded = Counter(label: "chunkferry_chunks_uploaded_total")
    let chunkUploadSeconds = Metrics.Timer(label: "chunkferry_chunk_upload_seconds", preferredDisplayUnit: .seconds)
    /// Bytes sent as provisional tails (MAX_LAG): sent again in their chunk later.
    package let provisionalBytes = Counter(label: "chunkferry_provisional_bytes_uploaded_total")
    package let chunksRepaired = Counter(label: "chunkferry_chunks_repaired_total")
    let streamsStarted = Counter(label: "chunkferry_streams_started_total")
    package let streamsFinalized = Counter(label: "chunkferry_streams_finalized_total")
    package let streamsAbandoned = Counter(label: "chunkferry_streams_abandoned_total")
    package let totals = PipelineTotals()

    /// A chunk the store confirmed was committed.
    func chunkConfirmed(_ sent: ChunkSender.SentChunk) {
        bytesUploaded.increment(by: sent.length)
        chunksUploaded.increment()
        chunkUploadSeconds.record(duration: sent.elapsed)
        totals.update {
            $0.chunks += 1
            $0.bytes += Int64(sent.length)
            $0.lastUploadAt = WallClock.nowMilliseconds()
        }
    }

    func streamFinalized() {
        streamsFinalized.increment()
        totals.update { $0.streamsFinalized += 1 }
    }

    func streamAbandoned() {
        streamsAbandoned.increment()
        totals.update { $0.streamsAbandoned += 1 }
    }

    func chunkRepaired() {
        chunksRepaired.increment()
        totals.update { $0.chunksRepaired += 1 }
    }
}

/// What the pipeline did since the daemon started, for `/health`.
package final class PipelineTotals: Sendable {
    package struct Values: Sendable, Codable, Equatable {
        package var chunks: Int64 = 0
        package var bytes: Int64 = 0
        package var streamsFinalized: Int64 = 0
        package var streamsAbandoned: Int64 = 0
        package var chunksRepaired: Int64 = 0
        /// Milliseconds since 1970 of the last chunk the store confirmed.
        package var lastUploadAt: Int64?
    }

    private let values = Mutex(Values())

    package func update(_ change: (inout Values) -> Void) {
        values.withLock { change(&$0) }
    }

    package var current: Values { values.withLock { $0 } }
}
