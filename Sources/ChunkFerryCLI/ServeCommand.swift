import ArgumentParser
import ChunkFerryDaemon
import ChunkFerryViewer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Browse and play the footage in the store from a browser: a read-only viewer with MediaMTX's playback API (/list, /get).",
        discussion: "Needs only the store settings (and S3_PREFIX, PATH_LAYOUT, PATH_TIMEZONE as the recorder had them): no Redis, no WATCH_DIR. Listens on VIEW_BIND:VIEW_PORT (default 127.0.0.1:8090); beyond loopback it needs VIEW_TOKEN. It never writes or deletes in the store, so read-only keys suffice.")

    @Option(name: .long, help: "An age identity file (as age-keygen writes it) to play footage encrypted with ENCRYPT_TO; may be given more than once.")
    var identity: [String] = []

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let config = try await options.load()
        let viewer: Viewer
        do {
            let logger = bootstrapLogging(try LogSettings(config: config), toStandardError: false)
            viewer = try Viewer(config: config, identityFiles: identity, logger: logger)
        } catch {
            throw fail(error)
        }
        do { try await viewer.run() } catch { throw fail(error) }
    }
}
