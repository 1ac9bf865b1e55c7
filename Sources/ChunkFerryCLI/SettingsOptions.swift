import ArgumentParser
import ChunkFerryCheckpoint
import ChunkFerryDaemon
import ChunkFerrySupport
import Foundation
import Logging

/// The configuration every command reads: `--config FILE` plus any setting as a flag.
struct SettingsOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "YAML file of settings (names as below, lower case); also CONFIG_FILE.")
    var configFile: String?

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var settingFlags: [String] = []

    func load() async throws -> SettingsReader {
        do {
            return try await ConfigurationLoader.load(flags: settingFlags, configFile: configFile)
        } catch {
            throw fail(error)
        }
    }

    /// Every setting, for the commands that need the store and Redis; a bad one ends the command.
    func loadSettings() async throws -> ChunkFerrySettings {
        let config = try await load()
        do {
            return try ChunkFerrySettings(config: config)
        } catch {
            throw fail(error)
        }
    }

    /// What the commands that only read Redis need: the settings, Redis's, and the checkpoints,
    /// with logging to stderr; a bad setting ends the command.
    func checkpoints() async throws -> (SettingsReader, RedisSettings, CheckpointStore) {
        let config = try await load()
        let redis: RedisSettings
        do {
            redis = try RedisSettings(config: config)
            _ = bootstrapLogging(try LogSettings(config: config), toStandardError: true)
        } catch {
            throw fail(error)
        }
        return (config, redis, CheckpointStore(redis: RedisClient(url: redis.url), namespace: redis.namespace))
    }

    static let settingsHelp: String = {
        var text = "SETTINGS (flag > environment > --config file > default):\n"
        for key in SettingKey.all where key != .configFile {
            let fallback = key.defaultDescription.map { $0.isEmpty ? " (default: empty)" : " (default: \($0))" } ?? ""
            text += "  \(key.environmentName), \(key.flag)\n      \(key.help)\(fallback)\n"
        }
        return text + "\nSecrets are best given by environment or file: flags show in the process list."
    }()
}

/// Prints `error` as one line on stderr and returns the exit code to throw.
func fail(_ error: any Error, code: Int32 = 2) -> ExitCode {
    fail("\(error)", code: code)
}

func fail(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("chunkferry: \(message)\n".utf8))
    return ExitCode(code)
}

/// Sends logs to stdout (`run`) or stderr (the other commands), once per process; `level` is
/// what a configuration reload changes.
func bootstrapLogging(_ settings: LogSettings, toStandardError: Bool, level: Reloadable<Logger.Level>? = nil) -> Logger {
    let level = level ?? Reloadable(settings.level)
    LoggingSystem.bootstrap { _ in LineLogHandler(level: level, format: settings.format, toStandardError: toStandardError) }
    return Logger(label: "chunkferry")
}
