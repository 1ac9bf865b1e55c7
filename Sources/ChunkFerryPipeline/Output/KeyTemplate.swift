import ChunkFerryStorage
import ChunkFerrySupport
import Foundation

/// `KEY_TEMPLATE`: the object key of a whole recording, relative to `S3_PREFIX` (default `{path}`).
/// Placeholders: `{path}` the escaped path under WATCH_DIR, `{dir}` its folder part, `{name}` its
/// last component, `{stem}` and `{ext}` the name split at its last dot, `{camera}` the first folder,
/// `{yyyy}` `{mm}` `{dd}` `{HH}` `{MM}` `{SS}` the start time (written in the name, else the
/// first-seen instant in the configured time zone) and `{stream}` the stream id.
/// Validation guarantees every rendered key is non-empty, relative and free of `.`/`..` segments.
package struct KeyTemplate: Sendable, Equatable {
    static let placeholders = ["path", "dir", "name", "stem", "ext", "camera", "yyyy", "mm", "dd", "HH", "MM", "SS", "stream"]
    /// Placeholders that render empty for a top-level file or a name without extension.
    private static let possiblyEmpty: Set<String> = ["dir", "camera", "ext"]

    private enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(String)
    }

    package let text: String
    private let parts: [Part]

    package init(_ text: String) throws(SettingsError) {
        let known = Self.placeholders.map { "{\($0)}" }.joined(separator: " ")
        // The value is echoed in the message, so control characters would break it over lines.
        let shown = String(String.UnicodeScalarView(text.unicodeScalars.flatMap { scalar in
            scalar.value < 0x20 || scalar.value == 0x7f ? "%\(String(format: "%02X", scalar.value))".unicodeScalars : String(scalar).unicodeScalars
        }))
        func refuse(_ problem: String) -> SettingsError {
            SettingsError(.keyTemplate, value: shown, expected: "placeholders \(known) in a relative key that cannot climb out of S3_PREFIX (\(problem))")
        }
        if text.allSatisfy(\.isWhitespace) { throw refuse("it is empty; the default is {path}") }
        if shown != text { throw refuse("remove the control characters") }

        var parts = [Part]()
        var literal = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            if scalar == "}" { throw refuse("a stray } without {; remove it") }
            guard scalar == "{" else { literal.append(scalar); continue }
            guard let close = scalars.firstIndex(of: "}") else { throw refuse("{\(String(scalars)) is not closed; add }") }
            let name = String(scalars[..<close])
            guard Self.placeholders.contains(name) else { throw refuse("{\(name)} is not a placeholder; use one of the listed ones") }
            if !literal.isEmpty { parts.append(.literal(String(literal))) }
            literal = String.UnicodeScalarView()
            parts.append(.placeholder(name))
            scalars = scalars[scalars.index(after: close)...]
        }
        if !literal.isEmpty { parts.append(.literal(String(literal))) }

        if text.unicodeScalars.first == "/" || text.unicodeScalars.last == "/" {
            throw refuse("remove the leading or trailing /; S3_PREFIX supplies the folder")
        }
        // A segment renders `.` or `..` when its literal text is that and its placeholders can be empty.
        for segment in Self.segments(parts) where segment.literal == "." || segment.literal == ".." {
            if segment.placeholders.allSatisfy(Self.possiblyEmpty.contains) {
                throw refuse("the segment '\(segment.text)' can render as '\(segment.literal)'; remove it")
            }
        }
        // The stream folders' own room beside whole recordings (see ObjectLayout).
        if let first = Self.segments(parts).first, first.placeholders.isEmpty, first.literal == ".chunkferry" {
            throw refuse("\(ObjectLayout.streamsFolder) holds ChunkFerry's stream folders; choose another first folder")
        }
        let hasText = parts.contains { part in
            switch part {
            case .literal(let text): text.unicodeScalars.contains { $0 != "/" }
            case .placeholder(let name): !Self.possiblyEmpty.contains(name)
            }
        }
        if !hasText { throw refuse("{dir} {camera} {ext} can all be empty; add {name}, {path} or literal text") }
        self.text = text
        self.parts = parts
    }

    /// The key for a recording (no prefix): `path` escaped relative path, `streamID`, `firstSeen` unix ms.
    /// With `layout` (PATH_LAYOUT) the camera and time come from where the layout puts them.
    package func render(path: String, streamID: String, firstSeen: Int64, timeZone: TimeZone, layout: PathLayout? = nil) -> String {
        let components = path.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
        let name = components.last ?? ""
        let (stem, ext) = Self.split(name: name[...])
        let laid = layout?.match(path)
        let time = laid?.time ?? RecordingTime.parse(name: String(stem)) ?? RecordingTime(unixMilliseconds: firstSeen, timeZone: timeZone)
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .placeholder(let placeholder):
                switch placeholder {
                case "path": out += path
                case "dir": out += components.dropLast().joined(separator: "/")
                case "name": out += name
                case "stem": out += stem
                case "ext": out += ext
                case "camera": out += laid?.camera ?? (components.count > 1 ? components[0] : "")
                case "yyyy": out += Self.padded(time.year, 4)
                case "mm": out += Self.padded(time.month, 2)
                case "dd": out += Self.padded(time.day, 2)
                case "HH": out += Self.padded(time.hour, 2)
                case "MM": out += Self.padded(time.minute, 2)
                case "SS": out += Self.padded(time.second, 2)
                default: out += streamID
                }
            }
        }
        // Empty placeholders leave `//` or edge slashes behind; keys want neither.
        return out.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
    }

    /// A distinct key for another stream of the same rendered key: `.<streamID>` goes before the last
    /// extension of the last component (`a/x.mp4` → `a/x.<id>.mp4`), or at the end without one.
    static func distinct(_ key: String, streamID: String) -> String {
        let start = key.unicodeScalars.lastIndex(of: "/").map { key.unicodeScalars.index(after: $0) } ?? key.startIndex
        guard let dot = extensionDot(in: key.unicodeScalars[start...]) else { return key + "." + streamID }
        return String(key.unicodeScalars[..<dot]) + "." + streamID + String(key.unicodeScalars[dot...])
    }

    /// The name's last dot, unless only dots precede it (`.hidden`, `..mp4` have no extension).
    private static func extensionDot(in name: Substring.UnicodeScalarView) -> String.Index? {
        guard let dot = name.lastIndex(of: "."), name[..<dot].contains(where: { $0 != "." }) else { return nil }
        return dot
    }

    private static func split(name: Substring) -> (stem: String, ext: String) {
        let scalars = name.unicodeScalars
        guard let dot = extensionDot(in: scalars) else { return (String(name), "") }
        return (String(scalars[..<dot]), String(scalars[scalars.index(after: dot)...]))
    }

    private static func segments(_ parts: [Part]) -> [(text: String, literal: String, placeholders: [String])] {
        var segments = [(text: "", literal: "", placeholders: [String]())]
        for part in parts {
            switch part {
            case .placeholder(let name):
                segments[segments.count - 1].text += "{\(name)}"
                segments[segments.count - 1].placeholders.append(name)
            case .literal(let text):
                for (index, piece) in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).enumerated() {
                    if index > 0 { segments.append((text: "", literal: "", placeholders: [])) }
                    segments[segments.count - 1].text += String(decoding: piece, as: UTF8.self)
                    segments[segments.count - 1].literal += String(decoding: piece, as: UTF8.self)
                }
            }
        }
        return segments
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// The recording's start time as calendar fields, wall-clock as the recorder wrote it.
struct RecordingTime: Sendable, Equatable {
    package var year, month, day, hour, minute, second: Int

    package init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    /// The instant (unix ms) in a time zone.
    package init(unixMilliseconds: Int64, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let (quotient, remainder) = unixMilliseconds.quotientAndRemainder(dividingBy: 1000)
        let seconds = remainder < 0 ? quotient - 1 : quotient  // floor, so times before 1970 stay in their second
        let fields = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                             from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        self.init(year: fields.year ?? 1970, month: fields.month ?? 1, day: fields.day ?? 1,
                  hour: fields.hour ?? 0, minute: fields.minute ?? 0, second: fields.second ?? 0)
    }

    /// From a file name (stem or full name), nil if it carries no date: the first valid
    /// `yyyy[-_.]mm[-_.]dd` with an optional `[_-T ]HH[-_:.]MM[-_:.]SS`, not inside a longer digit run.
    static func parse(name: String) -> RecordingTime? {
        let bytes = Array(name.utf8)
        for start in bytes.indices where isDigit(bytes[start]) && (start == 0 || !isDigit(bytes[start - 1])) {
            if let time = match(bytes, at: start) { return time }
        }
        return nil
    }

    private static func match(_ bytes: [UInt8], at start: Int) -> RecordingTime? {
        var date = Cursor(bytes: bytes, index: start)
        guard let year = date.number(4), (1970...2099).contains(year) else { return nil }
        let dateSeparator = date.separator(among: "-_.")
        guard let month = date.number(2), date.expect(dateSeparator), let day = date.number(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var time = date
        _ = time.separator(among: "_-T ")
        if let hour = time.number(2), case let timeSeparator = time.separator(among: "-_:."),
           let minute = time.number(2), time.expect(timeSeparator), let second = time.number(2), time.atBoundary {
            // A time-shaped tail with impossible values means this is no timestamp at all.
            guard hour < 24, minute < 60, second < 60 else { return nil }
            return RecordingTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        }
        return date.atBoundary ? RecordingTime(year: year, month: month, day: day, hour: 0, minute: 0, second: 0) : nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private struct Cursor {
        package let bytes: [UInt8]
        package var index: Int

        var atBoundary: Bool { index == bytes.count || !RecordingTime.isDigit(bytes[index]) }

        package mutating func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard RecordingTime.isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += width
            return value
        }

        /// Consumes and returns the next byte if it is one of `allowed`; nil (nothing consumed) otherwise.
        package mutating func separator(among allowed: String) -> UInt8? {
            guard index < bytes.count, allowed.utf8.contains(bytes[index]) else { return nil }
            index += 1
            return bytes[index - 1]
        }

        /// The same separator as before, or none when there was none.
        mutating func expect(_ separator: UInt8?) -> Bool {
            guard let separator else { return true }
            guard index < bytes.count, bytes[index] == separator else { return false }
            index += 1
            return true
        }
    }
}
