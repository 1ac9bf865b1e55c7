import ArgumentParser
import ChunkFerryCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Watch WATCH_DIR and upload every growing file (the daemon).")

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let config = try await options.load()
        let settings: ChunkFerrySettings
        do {
            settings = try ChunkFerrySettings(config: config)
        } catch {
            throw fail(error)
        }
        let logger = bootstrapLogging(settings.log, toStandardError: false)
        do {
            try await Daemon(settings: settings, logger: logger).run()
        } catch {
            throw ExitCode(1)  // the daemon logged the reason
        }
    }
}
