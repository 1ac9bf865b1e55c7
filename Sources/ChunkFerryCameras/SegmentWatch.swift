import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// Follows what a camera's ffmpeg writes: the newest recording in its folder (names are start
/// times, so they sort), whether it grew, and the bytes written today. A file that stops
/// growing while ffmpeg lives is the known hang a watchdog must catch.
struct SegmentWatch: Sendable {
    package let directory: String
    package let camera: String
    package private(set) var current: String?
    private var size: Int64 = 0
    package private(set) var lastGrowth: ContinuousClock.Instant
    package private(set) var bytesToday: Int64 = 0
    package private(set) var grew = false
    private var day: Int32 = -1

    package init(directory: String, camera: String) {
        self.directory = directory
        self.camera = camera
        lastGrowth = .now
        // What earlier runs left is not growth.
        current = newestRecording()
        size = current.flatMap { Self.size(of: "\(directory)/\($0)") } ?? 0
    }

    /// WATCH_DIR-relative path of the file being recorded.
    var currentPath: String? { current.map { "\(camera)/\($0)" } }

    /// A new ffmpeg run starts: growth is measured from now, in whatever file it opens.
    package mutating func restart() {
        lastGrowth = .now
        grew = false
    }

    /// Looks once; true when the recording grew since the last look.
    package mutating func look() -> Bool {
        rollDay()
        if let current, let now = Self.size(of: "\(directory)/\(current)"), now > size {
            count(now - size)
            size = now
            return true
        }
        guard let newest = newestRecording(), newest != current else { return false }
        current = newest
        size = Self.size(of: "\(directory)/\(newest)") ?? 0
        if size > 0 { count(size) }
        return size > 0
    }

    private mutating func count(_ bytes: Int64) {
        bytesToday += bytes
        lastGrowth = .now
        grew = true
    }

    private mutating func rollDay() {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        if parts.tm_yday != day {
            if day != -1 { bytesToday = 0 }
            day = parts.tm_yday
        }
    }

    private func newestRecording() -> String? {
        guard let stream = opendir(directory) else { return nil }
        defer { closedir(stream) }
        var newest: String?
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".mp4"), !name.hasPrefix(".") else { continue }
            if newest.map({ name > $0 }) ?? true { newest = name }
        }
        return newest
    }

    private static func size(of path: String) -> Int64? {
        try? FileStatus.of(path).get().size
    }
}
