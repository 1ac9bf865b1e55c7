/// What to watch and how often to look again.
///
/// Keys: `WATCH_DIR` (default `./input`), `FILE_EXTENSIONS` (default `mp4,mov,m4v,mkv,avi,ts`),
/// `SCAN_INTERVAL` (default `5s`).
public struct WatchSettings: Sendable {
    public var directory: String
    /// Lower-case, without dots.
    public var fileExtensions: Set<String>
    public var scanInterval: Duration

    public static let defaultExtensions: Set<String> = ["mp4", "mov", "m4v", "mkv", "avi", "ts"]

    public init(directory: String, fileExtensions: Set<String> = defaultExtensions, scanInterval: Duration = .seconds(5)) {
        self.directory = directory
        self.fileExtensions = fileExtensions
        self.scanInterval = scanInterval
    }

    public init(config: SettingsReader) throws(SettingsError) {
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
