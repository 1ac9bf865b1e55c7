import ChunkFerrySupport

/// Keep-alive curl connections, one per worker thread, shared by the stores that speak HTTP
/// (S3 and the user's server): a request runs on a free worker, and a failure without an HTTP
/// answer comes back as a `StoreError` with every secret scrubbed from its message.
package final class CurlPool: Sendable {
    private let workers: BlockingWorkerPool<CurlConnection>

    /// `connections`: how many requests may run at once.
    package init(name: String, connections: Int, options: CurlConnection.Options) {
        workers = BlockingWorkerPool(name: name, workers: max(1, connections)) { CurlConnection(options: options) }
    }

    /// Opens connections until there are `count` (never fewer than now).
    package func grow(to count: Int) {
        workers.grow(to: count)
    }

    /// Waits for the workers to clean up their handles: a command that returned right after
    /// would otherwise exit while a worker frees its curl handle, and OpenSSL's exit handler
    /// freeing the same state crashed `restore` once ("double free or corruption").
    deinit {
        workers.shutdown(wait: true)
    }

    /// Ends the connections now; the deinit then has nothing left to wait for.
    package func close() {
        workers.shutdown(wait: true)
    }

    /// Sends the request `make` builds on the worker, right before it goes (so a signature made
    /// there is fresh however long the request queued). Any HTTP status is an answer.
    package func perform(_ operation: String, resource: String, secrets: [Secret],
                 _ make: @escaping @Sendable () -> HTTPRequest) async throws(StoreError) -> HTTPResponse {
        let result: Result<HTTPResponse, StoreError>
        let lane = UplinkClass.current
        do {
            result = try await workers.run { connection -> Result<HTTPResponse, StoreError> in
                do throws(TransportError) {
                    return .success(try connection.perform(make(), lane: lane))
                } catch {
                    var failure = StoreError.fromTransport(error, operation: operation, resource: resource)
                    failure.message = secrets.reduce(failure.message) { $1.scrub($0) }
                    return .failure(failure)
                }
            }
        } catch {
            throw StoreError(code: "ClientShutDown", message: "the connections to the store were shut down", httpStatus: nil,
                             requestID: nil, operation: operation, resource: resource)
        }
        return try result.get()
    }
}
