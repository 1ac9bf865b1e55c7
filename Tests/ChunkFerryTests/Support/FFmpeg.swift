import Foundation

/// ffmpeg as a recorder writing in real time, and ffprobe to tell whether a file plays.
enum FFmpeg {
    /// Records `seconds` of a noisy 8 Mbit/s test pattern to `path` at real-time speed, flushing
    /// every packet, as a camera's recorder would. Started, not awaited.
    static func recorder(to path: String, seconds: Int) throws -> ManagedProcess {
        let process = ManagedProcess(
            name: "ffmpeg", executable: "ffmpeg",
            arguments: ["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
                        "-vf", "noise=alls=60:allf=t", "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                        "-b:v", "8M", "-flush_packets", "1", path],
            logPath: Scratch.directory("ffmpeg") + "/" + Scratch.uniqueName("ffmpeg") + ".log")
        try process.start()
        return process
    }

    /// Writes a finished `seconds`-long recording to `path` as fast as ffmpeg can (one key frame
    /// a second, small), and dates it as a recorder would: its modification time is its end.
    static func segment(to path: String, seconds: Int, endingAt end: Date) async throws {
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let process = ManagedProcess(
            name: "ffmpeg", executable: "ffmpeg",
            arguments: ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                        "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-b:v", "300k", path],
            logPath: Scratch.directory("ffmpeg") + "/" + Scratch.uniqueName("segment") + ".log")
        try process.start()
        guard await process.waitForExit(timeout: .seconds(60)) == 0 else { throw HarnessError("ffmpeg could not write \(path): \(process.log())") }
        try FileManager.default.setAttributes([.modificationDate: end], ofItemAtPath: path)
    }

    /// The duration ffprobe reads from `path`; nil if it cannot read it.
    static func duration(of path: String) async throws -> Double? {
        let probe = ManagedProcess(name: "ffprobe", executable: "ffprobe",
                                   arguments: ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                                   logPath: Scratch.directory("ffprobe") + "/" + Scratch.uniqueName("probe") + ".log")
        try probe.start()
        guard await probe.waitForExit(timeout: .seconds(30)) == 0 else { return nil }
        return Double(probe.log().trimmed())
    }
}
