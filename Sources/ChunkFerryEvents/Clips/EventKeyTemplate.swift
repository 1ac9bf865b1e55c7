import ChunkFerrySupport
import Foundation

/// `EVENT_KEY_TEMPLATE`: where an event's clip goes, under S3_PREFIX; its record goes beside it
/// with `.json` for the extension. Placeholders: `{camera}` `{label}` `{id}` and the start's
/// `{yyyy}` `{mm}` `{dd}` `{HH}` `{MM}` `{SS}` in KEY_TIMEZONE.
package struct EventKeyTemplate: Sendable, Equatable {
    package static let standard = try! EventKeyTemplate("events/{camera}/{yyyy}/{mm}/{dd}/{HH}{MM}{SS}-{label}.mp4")
    static let placeholders = ["camera", "label", "id", "yyyy", "mm", "dd", "HH", "MM", "SS"]

    package let text: String

    package init(_ text: String) throws(SettingsError) {
        func refuse(_ problem: String) -> SettingsError {
            SettingsError(.eventKeyTemplate, value: text, expected: "a relative key ending in .mp4 with placeholders {camera} {label} {id} {yyyy} {mm} {dd} {HH} {MM} {SS} (\(problem))")
        }
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { throw refuse("{ is not closed") }
            let name = String(rest[rest.index(after: open)..<close])
            guard Self.placeholders.contains(name) else { throw refuse("{\(name)} is not a placeholder") }
            rest = rest[rest.index(after: close)...]
        }
        guard !text.hasPrefix("/"), !text.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw refuse("it must stay under S3_PREFIX")
        }
        guard text.lowercased().hasSuffix(".mp4") else { throw refuse("clips are MP4: end it with .mp4") }
        guard text.contains("{id}") || text.contains("{SS}") else { throw refuse("two events would share a key: add {id} or {SS}") }
        self.text = text
    }

    /// The clip's key for `event`, its start read in `timeZone`.
    package func render(_ event: CameraEvent, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = Date(timeIntervalSince1970: TimeInterval(event.start) / 1000)
        let fields = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        let values: [String: String] = [
            "camera": Self.safe(event.camera), "label": Self.safe(event.label), "id": Self.safe(event.id),
            "yyyy": String(format: "%04d", fields.year ?? 1970), "mm": two(fields.month), "dd": two(fields.day),
            "HH": two(fields.hour), "MM": two(fields.minute), "SS": two(fields.second),
        ]
        var out = text
        for (name, value) in values { out = out.replacing("{\(name)}", with: value) }
        return out
    }

    /// The record's key: the clip's with `.json` for `.mp4`.
    package static func recordKey(clip key: String) -> String {
        String(key.dropLast(4)) + ".json"
    }

    /// Letters, digits, `-`, `_` and `.` stay; anything else (a `/` in a label) becomes `_`.
    static func safe(_ text: String) -> String {
        let mapped = String(text.unicodeScalars.map { scalar -> Character in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar) ? Character(scalar) : "_"
        }.prefix(64))
        return mapped.isEmpty || mapped.allSatisfy({ $0 == "." }) ? "_" : mapped
    }
}
