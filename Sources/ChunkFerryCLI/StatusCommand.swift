import ArgumentParser
import ChunkFerryCheckpoint
import ChunkFerryDaemon

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every camera and every stream Redis knows: progress, state, last activity.")

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .long, help: "Only the cameras (with --json: a JSON array of cameras).")
    var cameras = false

    @Flag(name: .long, help: "Refresh in place every 2 seconds until Ctrl-C.")
    var watch = false

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let (config, redis, store) = try await options.checkpoints()
        let watchDirectory = config.string(.watchDir) ?? "./input"
        guard watch else {
            do {
                print(try await render(store, watchDirectory: watchDirectory), terminator: json ? "\n" : "")
            } catch {
                throw fail("\(error.message) (REDIS_URL \(redis.url))", code: 1)
            }
            return
        }
        // Cursor home and clear screen, then the page: it refreshes in place; a Redis outage is one
        // line on the page, not the end of the watch.
        while true {
            let page: String
            do {
                page = try await render(store, watchDirectory: watchDirectory)
            } catch {
                page = "cannot read Redis: \(error.message) (REDIS_URL \(redis.url)); trying again\n"
            }
            print("\u{1B}[H\u{1B}[2J" + "chunkferry status, every 2s (Ctrl-C ends)\n\n" + page, terminator: json ? "\n" : "")
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// The store as the summary names it, from STORAGE_BACKEND.
    private var storage: String {
        get async {
            switch (try? await options.load())?.string(.storageBackend) ?? "s3" {
            case "filesystem": "the folder store"
            case "http": "the HTTP server"
            default: "the bucket"
            }
        }
    }

    private func render(_ store: CheckpointStore, watchDirectory: String) async throws(RedisError) -> String {
        let report = try await StatusReport.load(from: store)
        let storage = await storage
        if cameras { return json ? report.camerasJSON() : report.camerasTable() }
        return json ? report.json() : report.camerasTable() + report.table() + report.summary(watchDirectory: watchDirectory, storage: storage)
    }
}
