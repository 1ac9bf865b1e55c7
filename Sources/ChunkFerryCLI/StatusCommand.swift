import ArgumentParser
import ChunkFerryCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every stream Redis knows: progress, state, last activity.")

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let config = try await options.load()
        let redis: RedisSettings
        do {
            redis = try RedisSettings(config: config)
            _ = bootstrapLogging(try LogSettings(config: config), toStandardError: true)
        } catch {
            throw fail(error)
        }
        let store = CheckpointStore(redis: RedisClient(url: redis.url), namespace: redis.namespace)
        do {
            let report = try await StatusReport.load(from: store)
            let watchDirectory = config.string(.watchDir) ?? "./input"
            print(json ? report.json() : report.table() + report.summary(watchDirectory: watchDirectory), terminator: json ? "\n" : "")
        } catch {
            throw fail("\(error.message) (REDIS_URL \(redis.url))", code: 1)
        }
    }
}
