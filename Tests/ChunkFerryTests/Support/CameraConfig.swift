import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A config file with a `cameras:` list, as a user writes it, and the ffmpeg processes the
/// daemon starts for it (found by the camera URL's port, to kill them like a burglar would).
enum CameraConfig {
    /// - Parameter path: the file to replace (a reload); nil: a new one.
    static func write(_ cameras: [[String: String]], extra: [String: String] = [:], to path: String? = nil) throws -> String {
        var lines = extra.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        lines.append("cameras:")
        for camera in cameras {
            let ordered = camera.sorted { ($0.key == "name" ? 0 : 1, $0.key) < ($1.key == "name" ? 0 : 1, $1.key) }
            for (index, field) in ordered.enumerated() {
                lines.append("\(index == 0 ? "  - " : "    ")\(field.key): \"\(field.value)\"")
            }
        }
        let path = path ?? Scratch.directory("camera-config") + "/" + Scratch.uniqueName("chunkferry") + ".yaml"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Pids of processes whose command line contains `text`.
    static func processes(containing text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(text)
        }
    }

    static func killAll(containing text: String) {
        for pid in processes(containing: text) where pid != getpid() { kill(pid, SIGKILL) }
    }

    /// The recordings (`*.mp4`) in `folder`, sorted by name (= start time).
    static func recordings(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".mp4") && !$0.hasPrefix(".") }.sorted()
    }

    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
