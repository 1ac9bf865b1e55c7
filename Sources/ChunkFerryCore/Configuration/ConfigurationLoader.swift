import Configuration
#if canImport(Glibc)
import Glibc
#endif

/// Builds the one configuration every command reads: flags > environment > YAML file > defaults
/// (defaults live in each settings type).
public enum ConfigurationLoader {
    /// - Parameters:
    ///   - flags: setting flags from the command line (`--watch-dir /x`, `--chunk-size=16MiB`).
    ///   - configFile: `--config`; otherwise CONFIG_FILE from flags or the environment.
    ///   - environment: for tests; the process environment when nil.
    public static func load(
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
        if let path {
            providers.append(try await yamlProvider(path: path))
        }
        return SettingsReader(config: ConfigReader(providers: providers))
    }

    /// The YAML file uses the environment names in lower case (`watch_dir: /input`).
    private static func yamlProvider(path: String) async throws(SettingsError) -> any ConfigProvider {
        let location = ConfigReader(provider: InMemoryProvider(values: [
            AbsoluteConfigKey(["filePath"]): ConfigValue(.string(path), isSecret: false),
        ]))
        guard access(path, R_OK) == 0 else {
            throw SettingsError(.configFile, value: path, expected: "a readable YAML file of settings (\(Errno(errno)))")
        }
        do {
            let file = try await FileProvider<YAMLSnapshot>(config: location)
            return KeyMappingProvider(upstream: file) { key in
                AbsoluteConfigKey([key.components.joined(separator: "_")], context: key.context)
            }
        } catch {
            // The parser's message quotes the offending line, which may hold a secret: not shown.
            throw SettingsError(.configFile, value: path, expected: "a YAML mapping of settings (it does not parse as one)")
        }
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

    init(key: SettingKey, message: String) {
        self.key = key
        self.message = message
    }
}
