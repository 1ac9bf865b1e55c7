import ChunkFerrySupport
import Logging

/// Keys: `LOG_LEVEL` (default `info`), `LOG_FORMAT` (`text` or `json`, default `text`).
package struct LogSettings: Sendable {
    package enum Format: String, Sendable { case text, json }

    package var level: Logger.Level
    package var format: Format

    package init(level: Logger.Level = .info, format: Format = .text) {
        self.level = level
        self.format = format
    }

    package init(config: SettingsReader) throws(SettingsError) {
        let levelText = config.string(.logLevel) ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw SettingsError(.logLevel, value: levelText, expected: Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let formatText = config.string(.logFormat) ?? "text"
        guard let format = Format(rawValue: formatText.lowercased()) else {
            throw SettingsError(.logFormat, value: formatText, expected: "text or json")
        }
        self.level = level
        self.format = format
    }
}
