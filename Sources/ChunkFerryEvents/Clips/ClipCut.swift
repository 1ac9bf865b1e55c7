import ChunkFerrySupport
import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#endif

/// One clip cut out of local recordings with ffmpeg: stream copy (no re-encoding) through the
/// concat demuxer, each recording entered and left where the window says, so that a window
/// across two segments makes one clip. With stream copy a cut starts at the key frame before.
struct ClipCut: Sendable {
    struct Piece: Sendable, Equatable {
        /// Absolute path.
        var path: String
        /// Seconds into the recording to start at, and to stop at (nil: its end).
        var from: Double
        var to: Double?
    }

    var pieces: [Piece]

    /// The concat demuxer's list.
    var list: String {
        ConcatList(pieces.map { ConcatList.Entry(input: $0.path, from: $0.from, to: $0.to) }).text
    }

    /// Writes the clip to `output`; nil, or the reason it failed in one line.
    func run(into output: String) async -> String? {
        // A line break in a name would end the concat list's line and start a directive of its own.
        if let odd = pieces.first(where: { $0.path.contains("\n") || $0.path.contains("\r") }) {
            return "the recording \(odd.path.split(separator: "/").last ?? "") has a line break in its name; ffmpeg's list cannot name it"
        }
        let listPath = output + ".txt"
        let list = list
        // On a file-call thread, like every filesystem call of async code.
        let written = await FileCalls.shared.run { () -> String? in
            do {
                try list.write(toFile: listPath, atomically: true, encoding: .utf8)
                return nil
            } catch {
                return "cannot write the list of recordings next to \(output): \(error)"
            }
        }
        if let problem = written ?? "stopping" { return problem }
        let problem = await ffmpeg(listPath, output)
        _ = await FileCalls.shared.run { unlink(listPath) }
        return problem
    }

    private func ffmpeg(_ listPath: String, _ output: String) async -> String? {
        let arguments = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", listPath,
                         "-map", "0", "-c", "copy", "-movflags", "+faststart", "-avoid_negative_ts", "make_zero", output]
        do {
            var options = PlatformOptions()
            options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
            let result = try await Subprocess.run(.name("ffmpeg"), arguments: Arguments(arguments), platformOptions: options,
                                                  output: .discarded, error: .string(limit: 8192))
            guard result.terminationStatus.isSuccess else {
                return "ffmpeg could not cut the clip: " + (result.standardError.split(separator: "\n").last.map(String.init) ?? "\(result.terminationStatus)")
            }
            return nil
        } catch {
            return "cannot run ffmpeg: \(error)"
        }
    }
}
