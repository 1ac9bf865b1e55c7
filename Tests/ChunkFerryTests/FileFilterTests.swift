@testable import ChunkFerryPipeline
import Testing

@Suite struct FileFilterTests {
    let filter = FileFilter(extensions: WatchSettings.defaultExtensions)

    @Test(arguments: ["a.mp4", "cam/2024-01-18_120000.MP4", "x.mov", "Café Straße/caméra 1.mkv", "a b.ts", "dir.mp4/inner.m4v", "v.AVI"])
    func accepts(path: String) {
        #expect(filter.accepts(path))
    }

    @Test(arguments: [".hidden.mp4", ".cache/a.mp4", "cam/.tmp/a.mp4", "notes.txt", "frame.jpg", "clip.mp4.part", "clip.mp4.partial",
                      "rec.tmp", "~lock.mp4", "cam/~$a.mp4", "mp4", "noext", "a.mp4.tmp"])
    func rejects(path: String) {
        #expect(!filter.accepts(path))
    }

    @Test func stringTrimmingHandlesLoneNewlines() {
        #expect("value\n".trimmed() == "value")
        #expect("  value\r\n".trimmed() == "value")
        #expect("\"etag\"".trimmed(of: "\"") == "etag")
        #expect("  ".trimmed().isEmpty)
    }
}
