import ArgumentParser
import ChunkFerryCheckpoint

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Try failed streams again (the store refused one of their objects): one file, or every failed one.",
        discussion: "The stream's failed mark is cleared in Redis; the daemon holding the stream sees that within seconds and tries it again. A reload of the configuration, or a restart, also retries every failed stream.")

    @Argument(help: "The file, as a path under WATCH_DIR or relative to it. Without it: every failed stream.")
    var path: String?

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let (config, redis, store) = try await options.checkpoints()
        let watchDirectory = config.string(.watchDir) ?? "./input"
        let relative = path.map { Self.relative($0, to: watchDirectory) }
        do {
            let failed = try await store.streams(in: .active).filter(\.failed)
            if let relative, !failed.contains(where: { $0.path == relative }) {
                let known = failed.isEmpty ? "no stream is failed" : "failed: \(failed.map(\.path).sorted().joined(separator: ", "))"
                throw fail("no failed stream for \(relative) (\(known)); see chunkferry status", code: 1)
            }
            // The daemon holding each stream sees its mark cleared and tries it again.
            let chosen = failed.filter { relative == nil || $0.path == relative }
            for stream in chosen { try await store.clearFailed(stream.id) }
            print("retry requested for \(relative ?? "every failed stream (\(chosen.count))"); the daemon takes it up within seconds (see chunkferry status)")
        } catch let error as RedisError {
            throw fail("\(error.message) (REDIS_URL \(redis.url))", code: 1)
        }
    }

    /// `path` relative to WATCH_DIR, as streams name their files.
    static func relative(_ path: String, to watchDirectory: String) -> String {
        let root = watchDirectory.hasSuffix("/") ? String(watchDirectory.dropLast()) : watchDirectory
        for prefix in [root + "/", root.hasPrefix("./") ? String(root.dropFirst(2)) + "/" : nil].compactMap({ $0 }) where path.hasPrefix(prefix) {
            return String(path.dropFirst(prefix.count))
        }
        return path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }
}
