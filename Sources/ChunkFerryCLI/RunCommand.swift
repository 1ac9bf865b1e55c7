import ArgumentParser
import ChunkFerryCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Watch WATCH_DIR and upload every growing file (the daemon).")

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let settings = try await options.loadSettings()
        let logger = bootstrapLogging(settings.log, toStandardError: false)
        do {
            try await Daemon(settings: settings, logger: logger).run()
        } catch {
            throw ExitCode(1)  // the daemon logged the reason
        }
    }
}
