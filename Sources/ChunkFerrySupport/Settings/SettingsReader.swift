import Configuration

/// Reads settings from a `ConfigReader` as text and parses them here, so a malformed value is
/// an error naming the key instead of a silent fall-back to the default.
package struct SettingsReader: Sendable {
    package let config: ConfigReader
    /// One entry of a list in the config file (a camera), its keys as written.
    package typealias Entry = [(key: String, value: String)]

    /// The config file's `cameras:` list, as written; nil without one.
    package let cameras: [Entry]?

    package init(config: ConfigReader) {
        self.config = config
        cameras = nil
    }

    package init(config: ConfigReader, cameras: [Entry]?) {
        self.config = config
        self.cameras = cameras
    }

    package func string(_ key: SettingKey) -> String? {
        let value = config.string(forKey: ConfigKey(key.configKey), isSecret: key.isSecret)
            ?? config.stringArray(forKey: ConfigKey(key.configKey), isSecret: key.isSecret)?.joined(separator: ",")
        guard let value, !value.trimmed().isEmpty else { return nil }
        return value.trimmed()
    }

    package func string(_ key: SettingKey, default fallback: String) -> String {
        string(key) ?? fallback
    }

    package func required(_ key: SettingKey, _ hint: String) throws(SettingsError) -> String {
        guard let value = string(key) else { throw SettingsError(key, value: nil, expected: hint) }
        return value
    }

    package func list(_ key: SettingKey) -> [String]? {
        string(key).map { $0.split(separator: ",").map { $0.trimmed() }.filter { !$0.isEmpty } }
    }

    package func bool(_ key: SettingKey) throws(SettingsError) -> Bool? {
        guard let text = string(key) else { return nil }
        guard let value = Self.parseBool(text) else { throw SettingsError(key, value: text, expected: "true or false") }
        return value
    }

    /// `true`/`yes`/`on`/`1` or `false`/`no`/`off`/`0`, any case; nil for anything else.
    package static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1", "on": true
        case "false", "no", "0", "off": false
        default: nil
        }
    }

    package func integer(_ key: SettingKey, range: ClosedRange<Int>) throws(SettingsError) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw SettingsError(key, value: text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `8MiB`, `5MB`, `512KiB`, `1GiB`, or plain bytes. `K`, `M`, `G` alone are binary units.
    package func byteSize(_ key: SettingKey) throws(SettingsError) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Self.parseByteSize(text) else {
            throw SettingsError(key, value: text, expected: "a size such as 8MiB, 16MB, 5242880")
        }
        return value
    }

    /// `30s`, `2m`, `500ms`, `1h`, `7d`, or plain seconds.
    package func duration(_ key: SettingKey) throws(SettingsError) -> Duration? {
        guard let text = string(key) else { return nil }
        guard let value = Self.parseDuration(text) else {
            throw SettingsError(key, value: text, expected: "a duration such as 30s, 2m, 500ms, 1h, 7d")
        }
        return value
    }

    package static func parseByteSize(_ text: String) -> Int? {
        let (number, unit) = splitUnit(text)
        let multipliers: [String: Double] = [
            "": 1, "b": 1, "k": 1024, "kib": 1024, "kb": 1000, "m": 1_048_576, "mib": 1_048_576, "mb": 1_000_000,
            "g": 1_073_741_824, "gib": 1_073_741_824, "gb": 1_000_000_000,
        ]
        guard let number, let multiplier = multipliers[unit.lowercased()], number >= 0 else { return nil }
        let bytes = number * multiplier
        guard bytes < Double(Int64.max / 2), bytes == bytes.rounded() else { return nil }
        return Int(bytes)
    }

    package static func parseDuration(_ text: String) -> Duration? {
        let (number, unit) = splitUnit(text)
        let seconds: [String: Double] = ["": 1, "s": 1, "ms": 0.001, "m": 60, "min": 60, "h": 3600, "d": 86400]
        guard let number, let multiplier = seconds[unit.lowercased()], number >= 0 else { return nil }
        return .milliseconds(Int64((number * multiplier * 1000).rounded()))
    }

    private static func splitUnit(_ text: String) -> (Double?, String) {
        let trimmedText = text.trimmed()
        let digits = trimmedText.prefix { $0.isNumber || $0 == "." }
        let unit = trimmedText.dropFirst(digits.count).trimmed()
        return (Double(digits), unit)
    }
}
