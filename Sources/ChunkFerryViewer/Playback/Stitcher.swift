import ChunkFerrySupport
import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#endif

/// One playable stream out of the recordings a window touches: ffmpeg's concat demuxer over
/// each recording's bytes (served to it on loopback by `/source`), each entered and left where
/// the window says, copied without re-encoding into fragmented MP4 (played as it arrives) or
/// into MP4 with its index first (a download, with ranges).
struct Stitcher: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Each recording as ffmpeg reads it from the viewer's loopback source.
    var entries: [ConcatList.Entry]

    var list: String { ConcatList(entries).text }

    /// ffmpeg's arguments, writing to `output` in `format`.
    func arguments(listPath: String, format: PlaybackQuery.Format, output: String) -> [String] {
        var arguments = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                         "-f", "concat", "-safe", "0", "-protocol_whitelist", "file,http,tcp", "-i", listPath,
                         "-map", "0:v?", "-map", "0:a?", "-c", "copy", "-avoid_negative_ts", "make_zero", "-f", "mp4"]
        switch format {
        case .fmp4: arguments += ["-movflags", "frag_keyframe+empty_moov+default_base_moof"]
        case .mp4: arguments += ["-movflags", "+faststart"]
        }
        return arguments + [output]
    }

    /// Writes the list into `folder` (only this user may read it: it names the source's secret)
    /// and hands `body` its path.
    private func withList<Result>(in folder: PrivateFolder, _ body: (String) async throws -> Result) async throws -> Result {
        let (listPath, list) = (folder.list, list)
        let written = await FileCalls.shared.run { () -> Bool in
            (try? list.write(toFile: listPath, atomically: false, encoding: .utf8)) != nil
        }
        guard written == true else { throw Failure(description: "cannot write ffmpeg's list of recordings in \(folder.path)") }
        return try await body(listPath)
    }

    private var options: PlatformOptions {
        var options = PlatformOptions()
        // A viewer that went away ends its ffmpeg: asked first, then killed.
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
        return options
    }

    /// Streams fragmented MP4 to `deliver` as ffmpeg writes it; throws when `deliver` does
    /// (the viewer went away), which ends ffmpeg.
    func stream(in folder: PrivateFolder, deliver: ([UInt8]) async throws -> Void) async throws {
        try await withList(in: folder) { listPath in
            let result = try await Subprocess.run(.name("ffmpeg"), arguments: Arguments(arguments(listPath: listPath, format: .fmp4, output: "pipe:1")),
                                                  platformOptions: options, input: .none, output: .sequence, error: .discarded) { execution in
                for try await buffer in execution.standardOutput {
                    try await deliver(buffer.withUnsafeBytes { Array($0) })
                }
            }
            guard result.terminationStatus.isSuccess else { throw Failure(description: "ffmpeg ended with \(result.terminationStatus)") }
        }
    }

    /// Writes an MP4 with its index first to `output`.
    func write(to output: String, in folder: PrivateFolder) async throws {
        try await withList(in: folder) { listPath in
            let result = try await Subprocess.run(.name("ffmpeg"), arguments: Arguments(arguments(listPath: listPath, format: .mp4, output: output)),
                                                  platformOptions: options, output: .discarded, error: .string(limit: 8192))
            guard result.terminationStatus.isSuccess else {
                let line = result.standardError.split(separator: "\n").last.map(String.init) ?? "\(result.terminationStatus)"
                throw Failure(description: "ffmpeg could not join the recordings: \(line)")
            }
        }
    }
}
