import ArgumentParser
import ChunkFerryCore

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Rebuild a file from its manifest, verifying every chunk and the whole file.")

    @Argument(help: "A stream id (see status), a manifest key, or the recording's path (under WATCH_DIR, or its key in the store).")
    var reference: String

    @Option(name: .shortAndLong, help: "Where to write the file; written only if every byte verifies.")
    var output: String

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let config = try await options.load()
        let storage: StorageSettings
        let prefix: String
        let redis: RedisSettings
        do {
            storage = try StorageSettings(config: config)
            prefix = try UploadSettings(config: config).keyPrefix
            redis = try RedisSettings(config: config)
            _ = bootstrapLogging(try LogSettings(config: config), toStandardError: true)
        } catch {
            throw fail(error)
        }
        do {
            let store = CheckpointStore(
                redis: RedisClient(url: redis.url, connectTimeoutMilliseconds: 1_000, commandTimeoutMilliseconds: 2_000),
                namespace: redis.namespace)
            let restorer = try Restorer(storage: storage, store: store, prefix: prefix)
            let manifest = try await restorer.restore(reference, to: output)
            let summary = manifest.keepsChunks ? "\(manifest.size) bytes, \(manifest.chunks.count) chunks"
                : "\(manifest.size) bytes, \(manifest.chunks.count) chunks read from \(manifest.object?.key ?? "?")"
            if let sha256 = manifest.sha256, manifest.complete {
                print("restored \(manifest.path) (\(summary), sha256 \(sha256)) to \(output)")
            } else {
                print("restored what was uploaded of \(manifest.path) before it was abandoned (\(summary); incomplete, each chunk verified) to \(output)")
            }
        } catch {
            throw fail(error, code: 1)
        }
    }
}
