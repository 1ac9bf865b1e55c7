import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Logging

/// Everything the pipeline's stages share: clients, settings, outage trackers.
package struct PipelineContext: Sendable {
    package let storage: any ObjectStore
    package let store: CheckpointStore
    let reader: ChunkReader
    let layout: ObjectLayout
    package let watchRoot: String
    package let upload: UploadSettings
    package let output: OutputSettings
    package let retry: RetryPolicy
    package let storeOutage: OutageTracker
    package let redisOutage: OutageTracker
    package let metrics = PipelineMetrics()
    package let leases: StreamLeases
    /// Manifests of one source are written one at a time, each naming the one before.
    package let chain = ManifestChain()
    /// Triggered at the shutdown deadline: transfers and verification stop where they are.
    package let abort: TransferAbort
    package let logger: Logger

    package init(storage: any ObjectStore, store: CheckpointStore, watch: WatchSettings, upload: UploadSettings, output: OutputSettings,
                 abort: TransferAbort, logger: Logger, retry: RetryPolicy = RetryPolicy()) {
        self.abort = abort
        self.storage = storage
        self.store = store
        reader = ChunkReader(threads: 2 * upload.concurrency)  // and the live reserve
        layout = ObjectLayout(prefix: upload.keyPrefix, besideWholeObjects: output.mode.assemblesWhole)
        watchRoot = watch.directory
        self.upload = upload
        self.output = output
        self.retry = retry
        storeOutage = OutageTracker(dependency: "object store", label: "store", logger: logger)
        redisOutage = OutageTracker(dependency: "Redis", label: "redis", logger: logger)
        leases = StreamLeases(store: store, nodeID: upload.nodeID, ttl: upload.leaseTTL)
        self.logger = logger
    }

    /// The file's path for system calls (relative paths are kept escaped, see `PathEscaping`).
    func absolutePath(_ relativePath: String) -> [CChar] {
        PathEscaping.systemPath(root: watchRoot, relative: relativePath)
    }

    /// Bytes `[offset, offset + length)` of the stream's file.
    func fileRange(_ record: StreamRecord, offset: Int64, length: Int) -> FileRange {
        FileRange(path: absolutePath(record.path), offset: offset, length: length, device: record.device, inode: record.inode)
    }

    /// What a chunk object is stored with.
    func chunkAttributes(streamID: String, index: Int) -> ObjectAttributes {
        ObjectAttributes(temporary: !output.mode.keepsChunks, streamID: streamID, chunkIndex: index)
    }

    /// Runs a store operation until it succeeds; nil only when the daemon is stopping.
    func storeCall<T: Sendable>(_ body: () async throws(StoreError) -> T) async -> T? {
        await retrying(storeOutage, body) { error in
            // A refusal of one object (an HTTP 413, say) is its own outage line, naming it.
            let cause = error.httpStatus.map { (400..<500).contains($0) && !error.isRetryable } == true ? "\(error.code) \(error.resource)" : error.code
            return (cause, error.description, error.isRetryable, error.retryAfter, error.code)
        }
    }

    /// Whether the store, having refused `error` for one object, takes a small probe object now:
    /// then the refusal is about that object alone (its key, body or name), and only its stream
    /// fails; otherwise it is the whole store's (credentials, permissions) and is waited out.
    func refusesOnlyThis(_ error: StoreError) async -> Bool {
        guard error.mayRefuseOneObject else { return false }
        let key = "\(upload.keyPrefix).chunkferry-check/\(upload.nodeID)-probe"
        do {
            _ = try await storage.put(key: key, bytes: Array("chunkferry probe\n".utf8), attributes: .check)
            try? await storage.delete(key: key)
            return true
        } catch {
            return false
        }
    }

    /// Runs a Redis operation until it succeeds; nil only when the daemon is stopping.
    func redisCall<T: Sendable>(_ body: () async throws(RedisError) -> T) async -> T? {
        await retrying(redisOutage, body) { error in
            (error.isRetryable ? "unavailable" : error.message, error.message, error.isRetryable, nil, nil)
        }
    }

    /// Retries `body` with backoff, reporting failures and recovery to `tracker` (one log line
    /// per outage). `describe` gives a failure's cause (to group it), its message, and whether
    /// it may pass by itself, the least wait the dependency asked for, and the kind of error for
    /// `chunkferry_upload_errors_total`.
    private func retrying<T: Sendable, Failure: Error>(
        _ tracker: OutageTracker, _ body: () async throws(Failure) -> T,
        describe: (Failure) -> (cause: String, detail: String, retryable: Bool, after: Duration?, kind: String?)
    ) async -> T? {
        // The first attempt runs even while shutting down, so a drain commits what it finished;
        // retries stop once shutdown began.
        var attempt = 0
        while !Task.isCancelled && !abort.isTriggered {
            do throws(Failure) {
                let value = try await body()
                await tracker.succeeded()
                return value
            } catch {
                let (cause, detail, retryable, after, kind) = describe(error)
                await tracker.failed(cause: cause, detail: detail, fatal: !retryable, kind: kind)
                let delay = retry.delay(afterAttempt: attempt, fatal: !retryable)
                guard await RetryPolicy.pause(max(delay, min(after ?? .zero, .seconds(300)))) else { return nil }
                attempt += 1
            }
        }
        return nil
    }
}
