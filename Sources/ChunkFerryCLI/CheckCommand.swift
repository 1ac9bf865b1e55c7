import ArgumentParser
import ChunkFerryCheckpoint
import ChunkFerryDaemon

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Run the startup checks once: settings, WATCH_DIR, Redis, the storage backend, write access.")

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let settings = try await options.loadSettings()
        _ = bootstrapLogging(settings.log, toStandardError: true)
        print("ok    settings         loaded")
        let checks: StartupChecks
        do {
            checks = try StartupChecks(settings: settings, redis: RedisClient(url: settings.redis.url))
        } catch {
            print("FAIL  settings         \(error)")
            throw ExitCode(1)
        }
        var failed = false
        let results = await checks.runAll()
        checks.shutDown()
        for result in results {
            let name = result.name.padding(toLength: 16, withPad: " ", startingAt: 0)
            switch result.outcome {
            case .ok(let detail): print("ok    \(name) \(detail)")
            case .failed(let message, _):
                print("FAIL  \(name) \(message)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
