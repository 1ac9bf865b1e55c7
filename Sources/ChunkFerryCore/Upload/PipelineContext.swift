import Logging

/// Everything the pipeline's stages share: clients, settings, outage trackers.
struct PipelineContext: Sendable {
    let s3: S3Client
    let store: CheckpointStore
    let reader: ChunkReader
    let layout: ObjectLayout
    let watchRoot: String
    let upload: UploadSettings
    let retry: RetryPolicy
    let storeOutage: OutageTracker
    let redisOutage: OutageTracker
    let logger: Logger

    init(s3: S3Client, store: CheckpointStore, settings: ChunkFerrySettings, logger: Logger, retry: RetryPolicy = RetryPolicy()) {
        self.s3 = s3
        self.store = store
        reader = ChunkReader(threads: settings.upload.concurrency)
        layout = ObjectLayout(prefix: settings.upload.keyPrefix)
        watchRoot = settings.watch.directory
        upload = settings.upload
        self.retry = retry
        storeOutage = OutageTracker(dependency: "object store", logger: logger)
        redisOutage = OutageTracker(dependency: "Redis", logger: logger)
        self.logger = logger
    }

    func absolutePath(_ relativePath: String) -> String {
        DirectoryScanner.join(watchRoot, relativePath)
    }

    /// Runs a store operation until it succeeds; nil only when the daemon is stopping.
    func storeCall<T: Sendable>(_ body: () async throws(S3Error) -> T) async -> T? {
        var attempt = 0
        while !RetryPolicy.isStopping {
            do {
                let value = try await body()
                await storeOutage.succeeded()
                return value
            } catch {
                await storeOutage.failed(cause: error.code, detail: error.description, fatal: !error.isRetryable)
                guard await RetryPolicy.pause(retry.delay(afterAttempt: attempt, fatal: !error.isRetryable)) else { return nil }
                attempt += 1
            }
        }
        return nil
    }

    /// Runs a Redis operation until it succeeds; nil only when the daemon is stopping.
    func redisCall<T: Sendable>(_ body: () async throws(RedisError) -> T) async -> T? {
        var attempt = 0
        while !RetryPolicy.isStopping {
            do {
                let value = try await body()
                await redisOutage.succeeded()
                return value
            } catch {
                let cause = error.isRetryable ? "unavailable" : error.message
                await redisOutage.failed(cause: cause, detail: error.message, fatal: !error.isRetryable)
                guard await RetryPolicy.pause(retry.delay(afterAttempt: attempt, fatal: !error.isRetryable)) else { return nil }
                attempt += 1
            }
        }
        return nil
    }
}
