import ChunkFerrySupport
import Foundation

/// What a finished recording becomes in the bucket, and under which key.
///
/// Keys: `OUTPUT` (`chunks`, the default: chunk objects and a manifest; `whole`: one object per
/// recording, assembled in the store, chunk objects deleted once it is confirmed; `both`),
/// `KEY_TEMPLATE` (default `{path}`; see `KeyTemplate`), `KEY_TIMEZONE` (default `UTC`: the zone
/// of the date placeholders when the file name carries no date), `PATH_LAYOUT` (see `PathLayout`),
/// `PATH_TIMEZONE` (default `UTC`: the zone of times written in paths, for events),
/// `FILE_DIGEST` (`sha256`, the default, or `crc32c`; see `FileDigest`).
package struct OutputSettings: Sendable {
    package enum Mode: String, Sendable, CaseIterable {
        case chunks, whole, both

        var assemblesWhole: Bool { self != .chunks }
        package var keepsChunks: Bool { self != .whole }
    }

    package var mode: Mode
    package var template: KeyTemplate
    package var timeZone: TimeZone
    /// Where the camera and time are in a path (PATH_LAYOUT); nil: first folder, date in the name.
    package var layout: PathLayout?
    /// The zone of times written in paths and names: ChunkFerry's recorder and Frigate write UTC.
    package var pathTimeZone: TimeZone
    /// What the manifest promises of the whole file.
    package var fileDigest: FileDigest

    package init(mode: Mode = .chunks, template: String = "{path}", timeZone: TimeZone = TimeZone(identifier: "UTC")!,
                 layout: PathLayout? = nil, pathTimeZone: TimeZone = TimeZone(identifier: "UTC")!,
                 fileDigest: FileDigest = .standard) throws(SettingsError) {
        self.mode = mode
        self.template = try KeyTemplate(template)
        self.timeZone = timeZone
        self.layout = layout
        self.pathTimeZone = pathTimeZone
        self.fileDigest = fileDigest
    }

    package init(config: SettingsReader) throws(SettingsError) {
        let modeText = config.string(.output) ?? "chunks"
        guard let mode = Mode(rawValue: modeText.lowercased()) else {
            throw SettingsError(.output, value: modeText, expected: "chunks, whole or both")
        }
        let zoneText = config.string(.keyTimezone) ?? "UTC"
        guard let timeZone = TimeZone(identifier: zoneText) else {
            throw SettingsError(.keyTimezone, value: zoneText, expected: "a time zone name such as UTC or Europe/Berlin")
        }
        let pathZoneText = config.string(.pathTimezone) ?? "UTC"
        guard let pathTimeZone = TimeZone(identifier: pathZoneText) else {
            throw SettingsError(.pathTimezone, value: pathZoneText, expected: "a time zone name such as UTC or Europe/Berlin")
        }
        let layout = try config.string(.pathLayout).map { text throws(SettingsError) in try PathLayout(text) }
        let digestText = config.string(.fileDigest) ?? FileDigest.standard.rawValue
        guard let fileDigest = FileDigest(rawValue: digestText.lowercased()) else {
            throw SettingsError(.fileDigest, value: digestText, expected: "sha256 or crc32c")
        }
        try self.init(mode: mode, template: config.string(.keyTemplate) ?? "{path}", timeZone: timeZone, layout: layout,
                      pathTimeZone: pathTimeZone, fileDigest: fileDigest)
    }
}
