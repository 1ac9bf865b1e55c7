import Foundation
import Testing

/// `check`, `run` and `status` as a user meets them, including with wrong settings.
@Suite struct CommandLineTests {
    @Test func wrongSecretKeyFailsFastNamingTheSettingWithoutPrintingIt() async throws {
        let secret = "Wr0ng-Secret-Do-Not-Print-77"
        let fixture = try await DaemonFixture(environment: ["AWS_SECRET_ACCESS_KEY": secret])
        for command in [["check"], ["run"]] {
            let started = ContinuousClock.now
            let process = try fixture.start(command)
            // Bounded, not timed: a wrong secret must end the process instead of being retried
            // forever; a loaded runner may take a while to get there.
            let status = await process.waitForExit(timeout: .seconds(60))
            #expect(status != nil && status != 0, "\(command) must exit non-zero")
            #expect(ContinuousClock.now - started < .seconds(60))
            let output = process.log()
            #expect(output.contains("AWS_SECRET_ACCESS_KEY"), "\(command) output: \(output)")
            #expect(!output.contains(secret))
        }
    }

    /// A store that refuses CRC32C checksums fails the write check with a line naming
    /// S3_INTEGRITY; with S3_INTEGRITY=sha256 the same store passes.
    @Test func aStoreRefusingCRC32CNamesS3Integrity() async throws {
        let store = try await ChecksumRefusingStore()
        defer { store.stop() }
        let fixture = try await DaemonFixture(environment: ["S3_ENDPOINT": store.endpoint])
        let refused = try fixture.start(["check"])
        #expect(await refused.waitForExit(timeout: .seconds(20)) != 0)
        let line = refused.log().split(separator: "\n").first { $0.contains("write access") }
        #expect(line?.contains("ChecksumNotAccepted") == true && line?.contains("set S3_INTEGRITY=sha256") == true,
                "\(refused.log())")
        let accepted = try fixture.start(["check"], environment: ["S3_INTEGRITY": "sha256"])
        #expect(await accepted.waitForExit(timeout: .seconds(20)) == 0, "\(accepted.log())")
    }

    @Test func checkReportsEachCheckAndStatusListsStreams() async throws {
        let fixture = try await DaemonFixture()
        let check = try fixture.start(["check"])
        #expect(await check.waitForExit(timeout: .seconds(20)) == 0)
        for line in ["ok    settings", "ok    watch directory", "ok    redis", "ok    bucket",
                     "ok    write access     test object written and deleted (checksums trail the bytes)"] {
            #expect(check.log().contains(line), "missing '\(line)' in:\n\(check.log())")
        }

        try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/status.mp4", FileWriter.randomBytes(1_234_567))
        let manifest = try await fixture.waitForManifestMatchingFile("status.mp4")
        let status = try fixture.start(["status", "--json"])
        #expect(await status.waitForExit(timeout: .seconds(20)) == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(status.log().utf8)) as? [[String: Any]]
        let row = try #require(rows?.first { $0["path"] as? String == "status.mp4" })
        #expect(row["state"] as? String == "finalized")
        #expect(row["stream_id"] as? String == manifest.streamID)
        #expect(row["committed_bytes"] as? Int == 1_234_567)

        let table = try fixture.start(["status"])
        #expect(await table.waitForExit(timeout: .seconds(20)) == 0)
        #expect(table.log().contains("status.mp4") && table.log().contains("finalized"))
    }

    @Test func missingOrInvalidSettingsFailWithOneLineNamingTheKey() async throws {
        let fixture = try await DaemonFixture(environment: ["CHUNK_SIZE": "1MiB"])
        let process = try fixture.start(["run"])
        #expect(await process.waitForExit(timeout: .seconds(10)) == 2)
        #expect(process.log().trimmed() == "chunkferry: CHUNK_SIZE='1MiB' is not valid: expected a size from 5MiB to 5GiB")

        fixture.extraEnvironment = ["WATCH_DIR": "/nonexistent/chunkferry-input"]
        let missingDir = try fixture.start(["run"])
        #expect(await missingDir.waitForExit(timeout: .seconds(20)) == 1)
        #expect(missingDir.log().contains("WATCH_DIR"))
    }
}
