import ArgumentParser
import ChunkFerryCheckpoint
import ChunkFerryDaemon
import ChunkFerryPipeline

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Rebuild a file from its manifest, verifying every chunk and the whole file.")

    @Argument(help: "A stream id (see status), a manifest key, or the recording's path (under WATCH_DIR, or its key in the store).")
    var reference: String

    @Option(name: .shortAndLong, help: "Where to write the file; written only if every byte verifies.")
    var output: String

    @Option(name: .long, help: "An age identity file (as age-keygen writes it) for footage encrypted with ENCRYPT_TO; may be given more than once.")
    var identity: [String] = []

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
            var restorer = try Restorer(storage: storage, store: store, prefix: prefix, identityFiles: identity)
            let progress = RestoreProgress.isTerminal ? RestoreProgress() : nil
            if let progress { restorer.progress = { progress.update(written: $0, total: $1) } }
            let restored: Restored
            do {
                restored = try await restorer.restore(reference, to: output)
                progress?.finish()
                restorer.shutDown()
            } catch {
                progress?.finish()
                restorer.shutDown()
                throw error
            }
            var summary = "\(restored.size) bytes, \(restored.chunkCount) chunks"
            if let whole = restored.wholeObject { summary += " read from \(whole)" }
            if restored.provisionalBytes > 0 { summary += " and a provisional tail of \(restored.provisionalBytes) bytes" }
            if let sha256 = restored.sha256, restored.complete {
                // `crc32c:` and Base64 for a FILE_DIGEST=crc32c manifest (see FileDigest), else hex.
                let digest = sha256.hasPrefix("crc32c:") ? "crc32c \(sha256.dropFirst(7))" : "sha256 \(sha256)"
                print("restored \(restored.path) (\(summary), \(digest)) to \(output)")
            } else {
                print("restored what reached the store of \(restored.path) before it was cut off (\(summary); incomplete: no whole-file hash to check, each piece checked against its own checksum) to \(output)")
            }
        } catch {
            throw fail(error, code: 1)
        }
    }
}
