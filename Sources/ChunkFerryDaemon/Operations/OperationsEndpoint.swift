import ChunkFerryEvents
import ChunkFerrySupport
import Hummingbird
import Logging
import ServiceLifecycle

/// `/health`, `/ready` and `/metrics` on HTTP_BIND:HTTP_PORT, a Service in the daemon's group;
/// with EVENTS_TOKEN also `POST /events` (see `EventWebhook`).
/// A port that cannot be bound is one error line; uploading goes on without the endpoint.
struct OperationsEndpoint: Service {
    let settings: EndpointSettings
    let sources: HealthSources
    let metrics: MetricsPage
    /// The webhook's token and book; nil: no `/events` route.
    var events: (token: Secret, book: EventBook)? = nil
    let logger: Logger

    func run() async throws {
        guard let port = settings.port else { return }
        let router = Router()
        router.get("/health") { _, _ in await health(head: false) }
        router.head("/health") { _, _ in await health(head: true) }
        router.get("/ready") { _, _ in await ready(head: false) }
        router.head("/ready") { _, _ in await ready(head: true) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: await metrics.render())))
        }
        if let events {
            let webhook = EventWebhook(token: events.token, book: events.book, logger: logger)
            router.post("/events") { request, _ in await webhook.respond(to: request) }
        }
        let logger = logger
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.bind, port: port), serverName: "chunkferry"),
            onServerRunning: { channel in
                logger.info("health endpoint listening", metadata: [
                    "http.address": "\(settings.bind):\(channel.localAddress?.port ?? port)",
                ])
            },
            logger: logger.withLevel(.warning))
        do {
            try await app.run()
        } catch {
            guard !Task.isCancelled else { return }
            logger.error("HTTP_PORT \(port) on HTTP_BIND \(settings.bind) cannot be served; uploads go on without /health and /metrics: choose a free port, or HTTP_PORT=0 to turn it off", metadata: [
                "error": "\(error)",
            ])
            try? await gracefulShutdown()
        }
    }

    private func health(head: Bool) async -> Response {
        let report = await sources.report()
        return response(status: report.httpStatus, type: "application/json", body: head ? [] : report.encoded())
    }

    /// Asked often (by orchestrators): only what readiness needs, not the whole report.
    private func ready(head: Bool) async -> Response {
        let ready = await sources.isReady()
        return response(status: ready ? 200 : 503, type: "text/plain; charset=utf-8", body: head ? [] : Array((ready ? "ready\n" : "not ready\n").utf8))
    }

    private func response(status: Int, type: String, body: [UInt8]) -> Response {
        Response(status: .init(code: status), headers: [.contentType: type, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
