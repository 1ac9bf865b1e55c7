import ChunkFerryDaemon

/// The parameters of `/list` and `/get`, as MediaMTX's playback server takes them, checked:
/// a bad one is a 400 that names it, and a path never leaves the cameras' names.
struct PlaybackQuery: Sendable {
    enum Format: String, Sendable { case fmp4, mp4 }

    /// A parameter that is missing or malformed: the 400's one line.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// The longest window `/get` joins: a day.
    static let longest: Double = 86_400

    var path: String
    /// Unix milliseconds.
    var start: Int64
    var duration: Double
    var format: Format

    var end: Int64 { start + Int64((duration * 1000).rounded()) }

    /// `/get`'s parameters: `path`, `start` and `duration` required, `format` fmp4 or mp4.
    init(get parameters: [String: String]) throws(Invalid) {
        path = try Self.camera(parameters["path"])
        guard let start = try Self.time(parameters["start"], name: "start") else {
            throw Invalid(description: "start is missing: give the time to play from, RFC 3339 (2026-01-18T12:00:00Z)")
        }
        self.start = start
        guard let text = parameters["duration"] else {
            throw Invalid(description: "duration is missing: give the seconds to play, such as 60 or 32.5")
        }
        guard let duration = Double(text), duration.isFinite, duration > 0, duration <= Self.longest else {
            throw Invalid(description: "duration '\(Self.shown(text))' is not a number of seconds from 0 to \(Int(Self.longest))")
        }
        self.duration = duration
        let formatText = parameters["format"] ?? Format.fmp4.rawValue
        guard let format = Format(rawValue: formatText) else {
            throw Invalid(description: "format '\(Self.shown(formatText))' is not fmp4 or mp4")
        }
        self.format = format
    }

    /// A camera's name as `/list` and `/get` take it: text without `..`, backslashes or control
    /// characters, no longer than 200 characters.
    static func camera(_ text: String?) throws(Invalid) -> String {
        guard let text, !text.isEmpty else { throw Invalid(description: "path is missing: give a camera's name, as /list or the page shows it") }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard text.count <= 200, !text.contains("\\"), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }),
              text == "/" || !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) else {
            throw Invalid(description: "path '\(shown(text))' is not a camera's name")
        }
        return text
    }

    /// An RFC 3339 time (or a date, its midnight UTC) in unix ms; nil when absent.
    static func time(_ text: String?, name: String) throws(Invalid) -> Int64? {
        guard var text else { return nil }
        // An offset's `+` left unencoded in a query arrives as a space.
        text = text.replacing(" ", with: "+")
        guard text.count <= 40, let value = ChainAudit.milliseconds(text) else {
            throw Invalid(description: "\(name) '\(shown(text))' is not a time: give RFC 3339, such as 2026-01-18T12:00:00Z")
        }
        return value
    }

    /// A parameter as a message may quote it: short, printable.
    static func shown(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(60).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
    }
}
