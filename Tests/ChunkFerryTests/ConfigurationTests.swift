@testable import ChunkFerryCheckpoint
@testable import ChunkFerryDaemon
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

@Suite struct ConfigurationTests {
    let required = ["S3_BUCKET": "b", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"]

    func settings(flags: [String] = [], environment: [String: String] = [:], file: String? = nil) async throws -> ChunkFerrySettings {
        var configFile: String?
        if let file {
            configFile = Scratch.directory("config") + "/chunkferry.yaml"
            try file.write(toFile: configFile!, atomically: true, encoding: .utf8)
        }
        let reader = try await ConfigurationLoader.load(flags: flags, configFile: configFile, environment: required.merging(environment) { $1 })
        return try ChunkFerrySettings(config: reader)
    }

    @Test func defaults() async throws {
        let settings = try await settings()
        #expect(settings.watch.directory == "./input")
        #expect(settings.watch.fileExtensions == ["mp4", "mov", "m4v", "mkv", "avi", "ts"])
        #expect(settings.watch.scanInterval == .seconds(5))
        #expect(settings.upload.chunkSize == 8 * 1024 * 1024)
        #expect(settings.upload.idleTimeout == .seconds(30))
        #expect(settings.upload.concurrency == 4)
        #expect(settings.redis.url == RedisURL(host: "localhost", port: 6379))
        #expect(settings.storage.s3?.region == "us-east-1")
        #expect(settings.storage.s3?.forcePathStyle == false)
        #expect(settings.storage.s3?.integrity == .crc32c)
        #expect(settings.storage.createsDestination == false)
        #expect(settings.log.format == .text)
    }

    /// docker-compose.yml passes every setting at its default, OBJECT_LOCK empty beside its
    /// retentions: that is no lock, not an error; a lock asked for takes them.
    @Test func objectLockAndFileDigestAsComposePassesThem() async throws {
        let compose = ["OBJECT_LOCK": "", "OBJECT_LOCK_RETAIN": "30d", "OBJECT_LOCK_TAIL_RETAIN": "1d", "FILE_DIGEST": "sha256"]
        let off = try await settings(environment: compose)
        #expect(off.storage.s3?.objectLock == nil)
        #expect(off.output.fileDigest == .sha256)
        let on = try await settings(environment: compose.merging(["OBJECT_LOCK": "compliance", "OBJECT_LOCK_RETAIN": "7d"]) { $1 })
        #expect(on.storage.s3?.objectLock == ObjectLock(mode: .compliance, retention: .seconds(7 * 86_400), tailRetention: .seconds(86_400)))
        await #expect(throws: SettingsError.self) { _ = try await settings(environment: ["OBJECT_LOCK": "compliance", "OBJECT_LOCK_RETAIN": "1h"]) }
        await #expect(throws: SettingsError.self) { _ = try await settings(environment: ["FILE_DIGEST": "crc32c", "S3_INTEGRITY": "sha256"]) }
    }

    @Test func flagsBeatEnvironmentBeatsFileBeatsDefaults() async throws {
        let file = """
            chunk_size: 16MiB
            idle_timeout: 2m
            upload_concurrency: 3
            s3_prefix: from-file
            """
        let fromFile = try await settings(file: file)
        #expect(fromFile.upload.chunkSize == 16 << 20)
        #expect(fromFile.upload.idleTimeout == .seconds(120))
        #expect(fromFile.upload.keyPrefix == "from-file/")

        let fromEnvironment = try await settings(environment: ["CHUNK_SIZE": "6MiB", "UPLOAD_CONCURRENCY": "2"], file: file)
        #expect(fromEnvironment.upload.chunkSize == 6 << 20)
        #expect(fromEnvironment.upload.concurrency == 2)
        #expect(fromEnvironment.upload.idleTimeout == .seconds(120))

        let fromFlags = try await settings(flags: ["--chunk-size", "10MB", "--upload-concurrency=7"],
                                           environment: ["CHUNK_SIZE": "6MiB", "UPLOAD_CONCURRENCY": "2"], file: file)
        #expect(fromFlags.upload.chunkSize == 10_000_000)
        #expect(fromFlags.upload.concurrency == 7)
    }

    @Test func endpointRegionAndListsFollowTheirRules() async throws {
        let settings = try await settings(environment: [
            "S3_ENDPOINT": "http://minio:9000", "AWS_REGION": "eu-west-2", "FILE_EXTENSIONS": "MP4, .mkv ,dav",
        ])
        #expect(settings.storage.s3?.forcePathStyle == true)
        #expect(settings.storage.s3?.region == "eu-west-2")
        #expect(settings.watch.fileExtensions == ["mp4", "mkv", "dav"])
        let explicit = try await self.settings(environment: ["S3_REGION": "us-west-1", "AWS_REGION": "eu-west-2",
                                                             "S3_ENDPOINT": "http://minio:9000", "S3_FORCE_PATH_STYLE": "false"])
        #expect(explicit.storage.s3?.region == "us-west-1")
        #expect(explicit.storage.s3?.forcePathStyle == false)
    }

    @Test(arguments: [
        ("CHUNK_SIZE", "4MiB", "CHUNK_SIZE='4MiB' is not valid: expected a size from 5MiB to 5GiB"),
        ("CHUNK_SIZE", "lots", "CHUNK_SIZE='lots' is not valid: expected a size such as 8MiB, 16MB, 5242880"),
        ("IDLE_TIMEOUT", "soon", "IDLE_TIMEOUT='soon' is not valid: expected a duration such as 30s, 2m, 500ms, 1h"),
        ("UPLOAD_CONCURRENCY", "0", "UPLOAD_CONCURRENCY='0' is not valid: expected a whole number from 1 to 64"),
        ("S3_CREATE_BUCKET", "maybe", "S3_CREATE_BUCKET='maybe' is not valid: expected true or false"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT='xml' is not valid: expected text or json"),
        ("S3_ENDPOINT", "minio:9000", "S3_ENDPOINT='minio:9000' is not valid"),
        ("S3_INTEGRITY", "crc", "S3_INTEGRITY='crc' is not valid: expected crc32c, sha256 or md5"),
    ])
    func badValuesNameTheKeyAndWhatIsAccepted(key: String, value: String, message: String) async throws {
        let error = await #expect(throws: SettingsError.self) { try await settings(environment: [key: value]) }
        #expect(error?.message.hasPrefix(message) == true, "got: \(error?.message ?? "nothing")")
    }

    @Test func secretsAreNeverEchoed() async throws {
        let error = await #expect(throws: SettingsError.self) {
            try await settings(environment: ["REDIS_URL": "redis://:hunter2@host:notaport"])
        }
        #expect(error?.message.contains("REDIS_URL") == true)
        #expect(error?.message.contains("hunter2") == false)
        let missing = await #expect(throws: SettingsError.self) {
            _ = try ChunkFerrySettings(config: try await ConfigurationLoader.load(flags: [], environment: ["S3_BUCKET": "b", "AWS_ACCESS_KEY_ID": "k"]))
        }
        #expect(missing?.message == "AWS_SECRET_ACCESS_KEY is not set: set it to the store's secret key")
    }

    @Test func unknownFlagsAndUnreadableFilesAreErrors() async throws {
        let flag = await #expect(throws: SettingsError.self) { try await settings(flags: ["--chunk-sise", "8MiB"]) }
        #expect(flag?.message.contains("--chunk-sise") == true)
        let file = await #expect(throws: SettingsError.self) {
            try await ConfigurationLoader.load(flags: [], configFile: "/nonexistent/chunkferry.yaml", environment: required)
        }
        #expect(file?.message.contains("CONFIG_FILE") == true)
    }

    /// A typo in the file is an error naming the key, its line and the nearest known key, not a
    /// default used in silence.
    @Test func unknownKeysInTheFileNameTheNearestKnownOne() throws {
        let typo = #expect(throws: SettingsError.self) { try ConfigFile(path: "c.yaml", text: "watch_dir: /input\nchunk_sise: 16MiB\n") }
        #expect(typo?.message == "CONFIG_FILE 'c.yaml' has an unknown key chunk_sise (line 2): did you mean chunk_size?")
        let far = #expect(throws: SettingsError.self) { try ConfigFile(path: "c.yaml", text: "frobnicate: yes\n") }
        #expect(far?.message == "CONFIG_FILE 'c.yaml' has an unknown key frobnicate (line 1): see chunkferry --help for the settings")
        #expect(SettingKey.nearest(to: "IDLE_TIMOUT", among: SettingKey.all.map(\.yamlKey)) == "idle_timeout")
        #expect(try ConfigFile(path: "c.yaml", text: "http_port: 0\ncameras: []\n").values.count == 1)
    }

    @Test(arguments: [("8MiB", 8_388_608), ("5MB", 5_000_000), ("512KiB", 524_288), ("1GiB", 1_073_741_824), ("12345", 12_345), ("8 M", 8_388_608)])
    func byteSizes(text: String, bytes: Int) {
        #expect(SettingsReader.parseByteSize(text) == bytes)
    }

    @Test(arguments: [("30s", 30_000), ("2m", 120_000), ("500ms", 500), ("1h", 3_600_000), ("45", 45_000), ("1.5s", 1_500)])
    func durations(text: String, milliseconds: Int64) {
        #expect(SettingsReader.parseDuration(text) == .milliseconds(milliseconds))
    }
}
