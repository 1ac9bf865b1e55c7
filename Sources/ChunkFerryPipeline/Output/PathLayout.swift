import ChunkFerrySupport
import Foundation

/// `PATH_LAYOUT`: where a recorder puts the camera's name and the recording's start time in a
/// path under WATCH_DIR, as a pattern matched against the path without its extension.
/// Placeholders: `{camera}` (one or more characters, no `/` or `.`), `{yyyy}` (four digits),
/// `{mm}` `{dd}` `{HH}` `{MM}` `{SS}` (two digits each), `{*}` (any text without `/`, maybe none).
/// `frigate` stands for Frigate's `recordings/` tree, `YYYY-MM-DD/HH/<camera>/MM.SS.mp4`.
/// Without it, the camera is a path's first folder and the time the first date in its name.
package struct PathLayout: Sendable, Equatable {
    package static let named = ["frigate": "{yyyy}-{mm}-{dd}/{HH}/{camera}/{MM}.{SS}"]
    static let placeholders = ["camera", "yyyy", "mm", "dd", "HH", "MM", "SS", "*"]

    private enum Part: Sendable, Equatable {
        case literal([UInt8])
        case field(String)
    }

    package let text: String
    private let parts: [Part]

    /// What a path says: the camera (nil when the layout has none) and the start time as written.
    package struct Match: Sendable, Equatable {
        package var camera: String?
        var time: RecordingTime?
    }

    package init(_ text: String) throws(SettingsError) {
        let pattern = Self.named[text.lowercased()] ?? text
        func refuse(_ problem: String) -> SettingsError {
            SettingsError(.pathLayout, value: text, expected: "frigate, or a pattern of {camera} {yyyy} {mm} {dd} {HH} {MM} {SS} {*} and literal text, such as {camera}/{*}.{yyyy}{mm}{dd}_{HH}{MM}{SS} (\(problem))")
        }
        var parts: [Part] = []
        var literal: [UInt8] = []
        var rest = Substring(pattern)
        while let character = rest.first {
            rest = rest.dropFirst()
            guard character == "{" else {
                if character == "}" { throw refuse("a stray }") }
                literal += Array(String(character).utf8)
                continue
            }
            guard let close = rest.firstIndex(of: "}") else { throw refuse("{ is not closed") }
            let name = String(rest[..<close])
            guard Self.placeholders.contains(name) else { throw refuse("{\(name)} is not a placeholder") }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = []
            parts.append(.field(name))
            rest = rest[rest.index(after: close)...]
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        guard parts.contains(.field("camera")) || parts.contains(.field("yyyy")) else { throw refuse("it names neither {camera} nor {yyyy}") }
        self.text = text
        self.parts = parts
    }

    /// What `path` (relative to WATCH_DIR) says, or nil when it does not fit the layout.
    package func match(_ path: String) -> Match? {
        var bytes = Array(path.utf8)
        let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        if let dot = bytes[nameStart...].lastIndex(of: UInt8(ascii: ".")), dot > nameStart { bytes.removeSubrange(dot...) }
        var fields: [String: [UInt8]] = [:]
        guard Self.match(parts[...], bytes[...], &fields) else { return nil }
        func number(_ name: String) -> Int? { fields[name].flatMap { Int(String(decoding: $0, as: UTF8.self)) } }
        var time: RecordingTime?
        if let year = number("yyyy"), let month = number("mm"), let day = number("dd"), (1...12).contains(month), (1...31).contains(day) {
            time = RecordingTime(year: year, month: month, day: day, hour: number("HH") ?? 0, minute: number("MM") ?? 0, second: number("SS") ?? 0)
        }
        return Match(camera: fields["camera"].map { String(decoding: $0, as: UTF8.self) }, time: time)
    }

    /// Backtracking over the parts: `{camera}` and `{*}` try every length, shortest first.
    private static func match(_ parts: ArraySlice<Part>, _ bytes: ArraySlice<UInt8>, _ fields: inout [String: [UInt8]]) -> Bool {
        guard let part = parts.first else { return bytes.isEmpty }
        switch part {
        case .literal(let text):
            guard bytes.starts(with: text) else { return false }
            return match(parts.dropFirst(), bytes.dropFirst(text.count), &fields)
        case .field(let name):
            let width = name == "yyyy" ? 4 : 2
            if name != "camera" && name != "*" {
                let digits = bytes.prefix(width)
                guard digits.count == width, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
                fields[name] = Array(digits)
                return match(parts.dropFirst(), bytes.dropFirst(width), &fields)
            }
            let stops: Set<UInt8> = name == "camera" ? [UInt8(ascii: "/"), UInt8(ascii: ".")] : [UInt8(ascii: "/")]
            var length = name == "camera" ? 1 : 0
            while length <= bytes.count {
                let taken = bytes.prefix(length)
                if taken.contains(where: stops.contains) { return false }
                fields[name] = Array(taken)
                if match(parts.dropFirst(), bytes.dropFirst(length), &fields) { return true }
                length += 1
            }
            return false
        }
    }
}

extension PathLayout.Match {
    /// The start as unix ms, reading the written time in `calendar`'s time zone; nil without one.
    func start(in calendar: Calendar) -> Int64? {
        time?.unixMilliseconds(in: calendar)
    }
}

extension RecordingTime {
    /// The instant these calendar fields name in `calendar`'s time zone (unix ms).
    func unixMilliseconds(in calendar: Calendar) -> Int64? {
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return calendar.date(from: components).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}

extension PathLayout {
    /// What `path` says under `layout`; without one (or when the path does not fit it), the
    /// camera is the first folder and the time the first date in the name.
    package static func read(_ path: String, layout: PathLayout?) -> Match {
        if let layout, let match = layout.match(path) { return match }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        return Match(camera: components.count > 1 ? String(components[0]) : nil,
                     time: components.last.flatMap { RecordingTime.parse(name: String($0)) })
    }
}
