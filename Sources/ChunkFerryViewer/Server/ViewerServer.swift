import ChunkFerryStorage
import ChunkFerrySupport
import Hummingbird
import Logging
import ServiceLifecycle

/// `chunkferry serve`: the page, MediaMTX's playback API (`/list`, `/get`) and the JSON the page
/// draws from, over the store alone. Read-only: it lists and reads, never writes or deletes.
package struct ViewerServer: Service {
    let settings: ViewerSettings
    let catalog: Catalog
    let source: RecordingSource
    let logger: Logger
    /// The path prefix of ffmpeg's loopback source, with a secret of this run in it.
    let sourcePath: String

    init(settings: ViewerSettings, catalog: Catalog, source: RecordingSource, logger: Logger) {
        self.settings = settings
        self.catalog = catalog
        self.source = source
        self.logger = logger
        let secret = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        sourcePath = "/source/\(secret)/"
    }

    /// Where ffmpeg reads recordings: this server, on loopback when it listens there or everywhere.
    var sourceBase: String {
        // `localhost` may be bound on ::1 alone: ffmpeg resolves the name as the server did.
        let host = ["0.0.0.0", "::", "[::]", ""].contains(settings.bind) ? "127.0.0.1"
            : settings.bind.contains(":") ? "[\(settings.bind)]" : settings.bind
        return "http://\(host):\(settings.port)\(sourcePath)"
    }

    package func run() async throws {
        let router = Router()
        router.add(middleware: ViewerAuth(token: settings.token, exempt: "/source/"))
        router.get("/") { _, _ in Self.text(ViewerPage.html, type: "text/html; charset=utf-8") }
        router.get("/viewer.css") { _, _ in Self.text(ViewerPage.css, type: "text/css; charset=utf-8") }
        router.get("/viewer.js") { _, _ in Self.text(ViewerPage.javascript, type: "text/javascript; charset=utf-8") }
        router.get("/api/recordings") { request, _ in await recordings(request) }
        router.get("/list") { request, _ in await list(request) }
        router.get("/get") { request, _ in await get(request) }
        router.get("/source/{secret}/{id}") { request, context in await serveSource(request, context: context) }
        let (logger, settings) = (logger, settings)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.bind, port: settings.port), serverName: "chunkferry"),
            onServerRunning: { channel in
                logger.info("viewer listening", metadata: [
                    "http.address": "\(settings.bind):\(channel.localAddress?.port ?? settings.port)",
                    "auth": "\(settings.token == nil ? "none (loopback only)" : "VIEW_TOKEN")",
                ])
            },
            logger: logger.withLevel(.warning))
        try await app.run()
    }

    static func text(_ body: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: type, .cacheControl: "no-store",
                                           .init("X-Content-Type-Options")!: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A refusal of one line: what was wrong and what to do.
    static func problem(_ status: HTTPResponse.Status, _ line: String) -> Response {
        text(line + "\n", type: "text/plain; charset=utf-8", status: status)
    }
}
