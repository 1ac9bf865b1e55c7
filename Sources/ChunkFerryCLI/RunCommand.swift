import ArgumentParser
import ChunkFerryDaemon
import ChunkFerrySupport
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Watch WATCH_DIR and upload every growing file (the daemon).")

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        // Before any of the upload, reader and curl threads exist: four arenas kept the bulk
        // run's peak RSS at 47 MiB (50 with glibc's sixteen on two cores), CPU unchanged
        // (docs/benchmarks.md).
        Malloc.limitArenas(4)
        let config = try await options.load()
        let settings: ChunkFerrySettings
        do {
            settings = try ChunkFerrySettings(config: config)
        } catch {
            throw fail(error)
        }
        let level = Reloadable(settings.log.level)
        let logger = bootstrapLogging(settings.log, toStandardError: false, level: level)
        // A reload reads flags and environment as they were, and the file as it is then.
        let (flags, file) = (options.settingFlags, options.configFile)
        let reload = ConfigReloader.Source(
            load: { () async throws(SettingsError) -> SettingsReader in try await ConfigurationLoader.load(flags: flags, configFile: file) },
            initial: config, path: file ?? config.string(.configFile), logLevel: level)
        do {
            try await Daemon(settings: settings, logger: logger, reload: reload).run()
        } catch {
            throw ExitCode(1)  // the daemon logged the reason
        }
    }
}
