import ChunkFerrySupport

/// What to watch and how often to look again.
///
/// Keys: `WATCH_DIR` (default `./input`), `FILE_EXTENSIONS` (default `mp4,mov,m4v,mkv,avi,ts`),
/// `SCAN_INTERVAL` (default `5s`).
package struct WatchSettings: Sendable {
    package var directory: String
    /// Lower-case, without dots.
    package var fileExtensions: Set<String>
    package var scanInterval: Duration

    static let defaultExtensions: Set<String> = ["mp4", "mov", "m4v", "mkv", "avi", "ts"]

    package init(directory: String, fileExtensions: Set<String> = defaultExtensions, scanInterval: Duration = .seconds(5)) {
        self.directory = directory
        self.fileExtensions = fileExtensions
        self.scanInterval = scanInterval
    }

    package init(config: SettingsReader) throws(SettingsError) {
        directory = config.string(.watchDir, default: "./input")
        let extensions = config.list(.fileExtensions)?.map { $0.lowercased().trimmed(of: ". ") } ?? Array(Self.defaultExtensions)
        guard !extensions.isEmpty else {
            throw SettingsError(.fileExtensions, value: "", expected: "a comma-separated list such as mp4,mov")
        }
        fileExtensions = Set(extensions)
        scanInterval = try config.duration(.scanInterval) ?? .seconds(5)
        guard scanInterval >= .milliseconds(100) else {
            throw SettingsError(.scanInterval, value: config.string(.scanInterval), expected: "at least 100ms")
        }
    }
}
