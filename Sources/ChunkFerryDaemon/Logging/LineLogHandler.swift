#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import ChunkFerrySupport

/// One line per event on stdout (or stderr): `LOG_FORMAT=text` for people, `json` for machines.
/// Values travel in metadata, so lines stay greppable and JSON stays structured.
package struct LineLogHandler: LogHandler {
    /// The level LOG_LEVEL gives, shared by every copy so a reload reaches them all; a logger
    /// given a level of its own (`withLevel`) keeps that.
    package var logLevel: Logger.Level {
        get { ownLevel ?? level.value }
        set { ownLevel = newValue }
    }
    private let level: Reloadable<Logger.Level>
    private var ownLevel: Logger.Level?
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    let format: LogSettings.Format
    let descriptor: Int32

    private static let writeLock = Mutex(())

    package init(level: Logger.Level, format: LogSettings.Format, toStandardError: Bool = false) {
        self.init(level: Reloadable(level), format: format, toStandardError: toStandardError)
    }

    package init(level: Reloadable<Logger.Level>, format: LogSettings.Format, toStandardError: Bool = false) {
        self.level = level
        self.format = format
        descriptor = toStandardError ? 2 : 1
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let given = event.metadata { all.merge(given) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        let timestamp = WallClock.rfc3339(milliseconds: WallClock.nowMilliseconds())
        let line = switch format {
        case .text: textLine(timestamp, event, all)
        case .json: jsonLine(timestamp, event, all)
        }
        let bytes = Array(line.utf8)
        Self.writeLock.withLock { _ in
            _ = bytes.withUnsafeBytes { FileOutput.writeAll(descriptor, $0) }
        }
    }

    private func textLine(_ timestamp: String, _ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var line = "\(timestamp) \(event.level.rawValue.uppercased()) \(event.message)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let text = "\(value)"
            let needsQuotes = text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline })
            line += " \(key)=" + (needsQuotes ? Self.quoted(text) : text)
        }
        return line + "\n"
    }

    private func jsonLine(_ timestamp: String, _ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var fields = ["\"time\":\(Self.quoted(timestamp))", "\"level\":\(Self.quoted(event.level.rawValue))",
                      "\"message\":\(Self.quoted(event.message.description))"]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            fields.append("\(Self.quoted(key)):\(Self.json(value))")
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    private static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let convertible): quoted(convertible.description)
        case .array(let items): "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(json($0.value))" }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (also used for quoted text values).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
