@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// `OUTPUT`, `KEY_TEMPLATE` and `S3_STORAGE_CLASS` with the real binary: what users find in the
/// bucket, read back with `curl --aws-sigv4` so our own client cannot hide a mistake.
@Suite struct DaemonOutputTests {
    @Test func wholeModeLeavesOnePlayableObjectAtTheTemplateKeyAndNoChunks() async throws {
        let fixture = try await DaemonFixture(environment: [
            "OUTPUT": "whole", "KEY_TEMPLATE": "{camera}/{yyyy}/{mm}/{dd}/{name}", "S3_STORAGE_CLASS": "STANDARD_IA",
        ])
        try fixture.start()
        let path = "front-door/20240118_120000.mp4"
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/front-door", withIntermediateDirectories: true)
        try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(12 * 1024 * 1024 + 321))

        let finalized = try await fixture.waitForEvent("stream finalized", path: path)
        let key = "front-door/2024/01/18/20240118_120000.mp4"
        #expect(finalized["object.key"] == key)
        let expected = try DaemonFixture.sha256(ofFile: "\(fixture.watchDir)/\(path)")
        #expect(try await fixture.independentSHA256(key) == expected)
        let head = try await fixture.independentHead(key)
        #expect(head["content-type"] == "video/mp4")
        #expect(head["x-amz-storage-class"] == "STANDARD_IA")

        let streamID = try #require(finalized["stream.id"])
        let folder = "\(ObjectLayout.streamsFolder)\(path)/\(streamID)/"
        let left = try await fixture.s3.listAllObjects(prefix: folder).map(\.key)
        #expect(left == [folder + "manifest.json"], "chunk objects must be gone once the whole object is confirmed")
        let manifest = try #require(try await fixture.manifests(for: path).first)
        #expect(manifest.output == "whole")
        #expect(manifest.object == Manifest.WholeObject(key: key, size: 12 * 1024 * 1024 + 321, sha256: expected, storageClass: "STANDARD_IA"))
        #expect(manifest.chunks.count == 3)

        for reference in [path, key, streamID] {
            let output = Scratch.directory("restore") + "/whole.mp4"
            let restore = try fixture.start(["restore", reference, "--output", output])
            #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "restore \(reference): \(restore.log())")
            #expect(try DaemonFixture.sha256(ofFile: output) == expected, "restore \(reference)")
            try? FileManager.default.removeItem(atPath: output)
        }
    }

    /// A storage class the store does not offer stops the daemon before it uploads anything,
    /// with a line naming S3_STORAGE_CLASS (moto refuses unknown classes as AWS does).
    @Test func aStorageClassTheStoreRefusesFailsTheCheckNamingTheSetting() async throws {
        let (fixture, _) = try await DaemonFixture.onMoto(environment: ["S3_STORAGE_CLASS": "NOT_A_CLASS"])
        let check = try fixture.start(["check"])
        #expect(await check.waitForExit(timeout: .seconds(60)) == 1)
        let failed = check.log().split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(failed.count == 1 && failed[0].contains("write access") && failed[0].contains("S3_STORAGE_CLASS"), "\(check.log())")
    }

    @Test func bothModeKeepsChunksBesideWholeObjectsOfEverySize() async throws {
        let fixture = try await DaemonFixture(environment: ["OUTPUT": "both"])
        try fixture.start()
        // Several chunks (multipart copy), one chunk (CopyObject), nothing (an empty object).
        let sizes = ["cam/big.mkv": 11 * 1024 * 1024, "cam/small.mp4": 700_000, "cam/empty.mp4": 0]
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/cam", withIntermediateDirectories: true)
        for (path, size) in sizes { try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(size)) }

        for path in sizes.keys {
            let finalized = try await fixture.waitForEvent("stream finalized", path: path)
            #expect(finalized["object.key"] == path)
            let expected = try DaemonFixture.sha256(ofFile: "\(fixture.watchDir)/\(path)")
            #expect(try await fixture.independentSHA256(path) == expected, "\(path)")
            let manifest = try #require(try await fixture.manifests(for: path).first)
            #expect(manifest.output == "both" && manifest.object?.sha256 == expected)
            if !manifest.chunks.isEmpty { try await fixture.expectBucketMatchesFile(manifest) }
        }
        #expect(try await fixture.independentHead("cam/big.mkv")["content-type"] == "video/x-matroska")
        let output = Scratch.directory("restore") + "/big.mkv"
        let restore = try fixture.start(["restore", "cam/big.mkv", "--output", output])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == DaemonFixture.sha256(ofFile: "\(fixture.watchDir)/cam/big.mkv"))
    }

    @Test func aReplacedFileKeepsBothRecordingsUnderDistinctKeys() async throws {
        let fixture = try await DaemonFixture(environment: ["OUTPUT": "whole"])
        try fixture.start()
        let path = "porch.mp4"
        let first = FileWriter.randomBytes(6 * 1024 * 1024)
        try FileWriter.write("\(fixture.watchDir)/\(path)", first)
        let before = try await fixture.waitForEvent("stream finalized", path: path)

        try FileManager.default.removeItem(atPath: "\(fixture.watchDir)/\(path)")
        let second = FileWriter.randomBytes(7 * 1024 * 1024)
        try FileWriter.write("\(fixture.watchDir)/\(path)", second)
        try await fixture.waitUntil("the new file's stream finalized") { fixture.events(event: "stream.finalized", path: path).count == 2 }
        let after = try #require(fixture.events(event: "stream.finalized", path: path).last)

        let newID = try #require(after["stream.id"])
        #expect(before["object.key"] == path)
        #expect(after["object.key"] == "porch.\(newID).mp4")
        #expect(try await fixture.independentSHA256(path) == ByteEncoding.hex(Digest.sha256(first)))
        #expect(try await fixture.independentSHA256("porch.\(newID).mp4") == ByteEncoding.hex(Digest.sha256(second)))
        #expect(fixture.events(event: "object.key_taken").count == 1)
    }

    @Test func anFFmpegRecordingAssembledWholePlays() async throws {
        let fixture = try await DaemonFixture(environment: ["OUTPUT": "whole", "KEY_TEMPLATE": "recordings/{stem}.{ext}"])
        try fixture.start()
        let path = "live.mp4"
        let ffmpeg = try FFmpeg.recorder(to: "\(fixture.watchDir)/\(path)", seconds: 6)
        #expect(await ffmpeg.waitForExit(timeout: .seconds(90)) == 0, "ffmpeg failed: \(ffmpeg.log())")

        let manifest = try await fixture.waitForManifestMatchingFile(path)
        #expect(manifest.object?.key == "recordings/live.mp4")
        let downloaded = try await fixture.independentDownload("recordings/live.mp4")
        #expect(try DaemonFixture.sha256(ofFile: downloaded) == manifest.sha256)
        let duration = try await FFmpeg.duration(of: downloaded) ?? 0
        #expect(duration > 5.5 && duration < 6.5, "ffprobe read \(duration) s")
    }

    @Test(arguments: [
        ("KEY_TEMPLATE", "../{path}"), ("KEY_TEMPLATE", "{dir}"), ("KEY_TEMPLATE", "{camera}/{nope}"),
        ("KEY_TEMPLATE", ".chunkferry/{path}"),
        ("OUTPUT", "zip"), ("KEY_TIMEZONE", "Mars/Olympus"), ("S3_STORAGE_CLASS", "cold storage"),
    ])
    func aBadOutputSettingStopsTheDaemonWithALineNamingIt(key: String, value: String) async throws {
        let fixture = try await DaemonFixture(environment: [key: value])
        let daemon = try fixture.start()
        #expect(await daemon.waitForExit(timeout: .seconds(30)) != 0)
        let line = daemon.log().split(separator: "\n").first { $0.contains(key) }
        #expect(line != nil, "no line names \(key): \(daemon.log())")
    }
}

extension DaemonFixture {
    /// Waits for the first log event `message` about `path`.
    func waitForEvent(_ message: String, path: String, timeout: Duration = .seconds(60)) async throws -> [String: String] {
        try await waitUntil("\(message) for \(path)", timeout: timeout) { !events(message, path: path).isEmpty }
        return events(message, path: path)[0]
    }

    /// `key` downloaded by curl's own SigV4 signer, not our client.
    func independentDownload(_ key: String) async throws -> String {
        let output = Scratch.directory("independent") + "/" + Scratch.uniqueName("object")
        let curl = try await curl(["-o", output, objectURL(key)])
        guard curl.status == 0 else { throw HarnessError("curl GET \(key) failed: \(curl.log)") }
        return output
    }

    func independentSHA256(_ key: String) async throws -> String {
        try Self.sha256(ofFile: try await independentDownload(key))
    }

    /// HeadObject's headers, lower-cased names.
    func independentHead(_ key: String) async throws -> [String: String] {
        let curl = try await curl(["-I", objectURL(key)])
        guard curl.status == 0 else { throw HarnessError("curl HEAD \(key) failed: \(curl.log)") }
        var headers: [String: String] = [:]
        for line in curl.log.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmed()
        }
        return headers
    }

    private func objectURL(_ key: String) -> String {
        "\(seaweed.endpoint)/\(bucket)/" + key.split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? String($0)
        }.joined(separator: "/")
    }

    private func curl(_ arguments: [String]) async throws -> (status: Int32?, log: String) {
        let process = ManagedProcess(
            name: "curl", executable: "curl",
            arguments: ["-sS", "--fail", "--aws-sigv4", "aws:amz:us-east-1:s3",
                        "--user", "\(SeaweedServer.accessKey):\(SeaweedServer.secretKey)"] + arguments,
            logPath: Scratch.directory("independent") + "/" + Scratch.uniqueName("curl") + ".log")
        try process.start()
        return (await process.waitForExit(timeout: .seconds(60)), process.log())
    }
}
