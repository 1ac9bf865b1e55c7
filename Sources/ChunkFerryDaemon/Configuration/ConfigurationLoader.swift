import ChunkFerryStorage
import ChunkFerrySupport
import Configuration
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Builds the one configuration every command reads: flags > environment > YAML file > defaults
/// (defaults live in each settings type).
package enum ConfigurationLoader {
    /// - Parameters:
    ///   - flags: setting flags from the command line (`--watch-dir /x`, `--chunk-size=16MiB`).
    ///   - configFile: `--config`; otherwise CONFIG_FILE from flags or the environment.
    ///   - environment: for tests; the process environment when nil.
    package static func load(
        flags: [String], configFile: String? = nil, environment: [String: String]? = nil
    ) async throws(SettingsError) -> SettingsReader {
        try validate(flags)
        let secretFlags = Set(SettingKey.all.filter(\.isSecret).map(\.flag))
        let secretNames = Set(SettingKey.all.filter(\.isSecret).map(\.environmentName))
        let cli = CommandLineArgumentsProvider(arguments: ["chunkferry"] + flags, secretsSpecifier: .specific(secretFlags))
        let env = environment.map {
            EnvironmentVariablesProvider(environmentVariables: $0, secretsSpecifier: .specific(secretNames))
        } ?? EnvironmentVariablesProvider(secretsSpecifier: .specific(secretNames))
        var providers: [any ConfigProvider] = [cli, env]

        let path = configFile ?? SettingsReader(config: ConfigReader(providers: providers)).string(.configFile)
        var cameras: [ConfigFile.Entry]?
        if let path {
            let file = try readFile(path: path)
            cameras = file.cameras
            // The lookup key `watch.dir` is the file's `watch_dir`.
            providers.append(KeyMappingProvider(upstream: InMemoryProvider(name: "config file", values: file.values)) { key in
                AbsoluteConfigKey([key.components.joined(separator: "_")], context: key.context)
            })
        }
        return SettingsReader(config: ConfigReader(providers: providers), cameras: cameras)
    }

    private static func readFile(path: String) throws(SettingsError) -> ConfigFile {
        guard access(path, R_OK) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError(.configFile, value: path, expected: "a readable YAML file of settings (\(Errno(errno)))")
        }
        return try ConfigFile(path: path, text: String(decoding: data, as: UTF8.self))
    }

    /// Unknown flags are mistakes (a typo would otherwise be ignored silently).
    private static func validate(_ flags: [String]) throws(SettingsError) {
        let known = Set(SettingKey.all.map(\.flag))
        for flag in flags where flag.hasPrefix("--") {
            let name = String(flag.split(separator: "=", maxSplits: 1)[0])
            guard known.contains(name) else {
                throw SettingsError(.configFile, unknownFlag: name)
            }
        }
    }
}

extension SettingsError {
    init(_ key: SettingKey, unknownFlag: String) {
        self.init(key: key, message: "unknown option \(unknownFlag): see chunkferry --help for the settings")
    }
}
