import ArgumentParser
import ChunkFerryCore

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Run the startup checks once: settings, WATCH_DIR, Redis, bucket, write access.")

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let settings = try await options.loadSettings()
        _ = bootstrapLogging(settings.log, toStandardError: true)
        print("ok    settings         loaded")
        let s3: S3Client
        do {
            s3 = try S3Client(settings: settings.s3, connections: 1)
        } catch {
            print("FAIL  settings         \(error)")
            throw ExitCode(1)
        }
        let redis = RedisClient(url: settings.redis.url)
        var failed = false
        for result in await StartupChecks(settings: settings, s3: s3, redis: redis).runAll() {
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
