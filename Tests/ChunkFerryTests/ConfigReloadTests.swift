@testable import ChunkFerryPipeline
import Foundation
import Testing

/// The config file re-read while the real binary runs: on change and on SIGHUP, applied without
/// a restart where it can be, the running values kept when the file is broken, a restart-only
/// key warned about, and every reload counted in `/metrics`.
@Suite(.serialized) struct ConfigReloadTests {
    func writeConfig(_ path: String, _ text: String) throws {
        // As editors do: a new file renamed over the old one.
        try text.write(toFile: path + ".new", atomically: false, encoding: .utf8)
        #expect(rename(path + ".new", path) == 0)
    }

    @Test func aChangedIdleTimeoutTakesEffectWithoutARestart() async throws {
        let port = FreePort.next()
        let config = Scratch.directory("reload") + "/" + Scratch.uniqueName("idle") + ".yaml"
        try writeConfig(config, "idle_timeout: 120s\nlog_level: info\n")
        let fixture = try await DaemonFixture(environment: ["CONFIG_FILE": config, "IDLE_TIMEOUT": "", "HTTP_PORT": String(port)])
        defer { fixture.stopAllInBackground() }
        let daemon = try fixture.start()
        let endpoint = Endpoint(port: port)
        _ = try await endpoint.waitFor("/ready", status: 200)
        try FileWriter.write("\(fixture.watchDir)/waiting.mp4", FileWriter.randomBytes(300_000))
        try await Task.sleep(for: .seconds(6))
        #expect(fixture.events(event: "stream.finalized").isEmpty, "IDLE_TIMEOUT=120s: not finished yet")

        try writeConfig(config, "idle_timeout: 2s\nlog_level: info\n")
        try await fixture.waitUntil("the reload") { !fixture.events(event: "config.reloaded").isEmpty }
        #expect(fixture.events(event: "config.reloaded").first?["changed"] == "IDLE_TIMEOUT")
        try await fixture.waitForManifestMatchingFile("waiting.mp4", timeout: .seconds(30))
        #expect(daemon.isRunning && fixture.runs.count == 1, "no restart")
        #expect(try endpoint.metrics()["chunkferry_config_reloads_total{result=\"success\"}"] == 1)
    }

    @Test func aBrokenFileKeepsTheRunningValuesAndRestartOnlyKeysAreWarned() async throws {
        let port = FreePort.next()
        let config = Scratch.directory("reload") + "/" + Scratch.uniqueName("broken") + ".yaml"
        try writeConfig(config, "idle_timeout: 3s\nchunk_size: 5MiB\n")
        // Only the file: the environment would win over it.
        let fixture = try await DaemonFixture(environment: ["CONFIG_FILE": config, "IDLE_TIMEOUT": "", "CHUNK_SIZE": "", "HTTP_PORT": String(port)])
        defer { fixture.stopAllInBackground() }
        let daemon = try fixture.start()
        let endpoint = Endpoint(port: port)
        _ = try await endpoint.waitFor("/ready", status: 200)

        // Not YAML, then a typo: each one line, and the daemon carries on with what it had.
        try writeConfig(config, "idle_timeout: [3s\n")
        try await fixture.waitUntil("the refused reload") { fixture.events("configuration not reloaded; the running values stay: CONFIG_FILE '\(config)' is not valid YAML (near line 2): fix it (docs/configuration-file.md has an example)").count == 1 }
        try writeConfig(config, "idle_timeout: 1h\nchunk_sise: 16MiB\n")
        try await fixture.waitUntil("the unknown key named") {
            fixture.events().contains { ($0["message"] ?? "").contains("unknown key chunk_sise (line 2): did you mean chunk_size?") }
        }
        // Emptied (as `cat new.yaml > file` leaves it for a moment): not read as "all defaults".
        try writeConfig(config, "")
        try await fixture.waitUntil("the empty file refused") {
            fixture.events().contains { ($0["message"] ?? "").hasSuffix("CONFIG_FILE '\(config)' is empty: write the settings into it (a key left out takes its default)") }
        }
        try FileWriter.write("\(fixture.watchDir)/old-values.mp4", FileWriter.randomBytes(200_000))
        try await fixture.waitForManifestMatchingFile("old-values.mp4", timeout: .seconds(30))  // still 3s, not 1h
        #expect(daemon.isRunning)

        // A key that needs a restart: one warning, the running value kept; SIGHUP reloads too.
        try writeConfig(config, "idle_timeout: 3s\nchunk_size: 16MiB\n")
        try await fixture.waitUntil("the restart-only warning") { !fixture.events(event: "config.needs_restart").isEmpty }
        daemon.signal(SIGHUP, wait: false)
        try await fixture.waitUntil("the SIGHUP reload") { fixture.events(event: "config.reloaded").contains { $0["trigger"] == "SIGHUP" } }
        #expect(fixture.events(event: "config.needs_restart").count == 1)
        try FileWriter.write("\(fixture.watchDir)/five-mebibyte-chunks.mp4", FileWriter.randomBytes(7 * 1024 * 1024))
        let manifest = try await fixture.waitForManifestMatchingFile("five-mebibyte-chunks.mp4", timeout: .seconds(60))
        #expect(manifest.chunks.count == 2, "CHUNK_SIZE stays 5MiB until a restart")
        #expect(daemon.isRunning)
        let metrics = try endpoint.metrics()
        #expect(metrics["chunkferry_config_reloads_total{result=\"failure\"}"] == 3)
        #expect(metrics["chunkferry_config_reloads_total{result=\"success\"}"] == 2)
    }

    @Test func concurrencyStorageClassAndRetentionFollowTheFile() async throws {
        let port = FreePort.next()
        let config = Scratch.directory("reload") + "/" + Scratch.uniqueName("pipeline") + ".yaml"
        try writeConfig(config, "upload_concurrency: 1\ns3_storage_class: STANDARD\n")
        let fixture = try await DaemonFixture(environment: ["CONFIG_FILE": config, "UPLOAD_CONCURRENCY": "", "HTTP_PORT": String(port)])
        defer { fixture.stopAllInBackground() }
        let daemon = try fixture.start()
        _ = try await Endpoint(port: port).waitFor("/ready", status: 200)
        try FileWriter.write("\(fixture.watchDir)/before.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        let before = try await fixture.waitForManifestMatchingFile("before.mp4")
        #expect(try await fixture.independentHead(before.chunks[0].key)["x-amz-storage-class"] == "STANDARD")

        // More workers, another class for what is written from now on, and local deletion turned on.
        try writeConfig(config, "upload_concurrency: 3\ns3_storage_class: REDUCED_REDUNDANCY\ndelete_after_upload: true\n")
        try await fixture.waitUntil("the reload") { !fixture.events(event: "config.reloaded").isEmpty }
        #expect(fixture.events(event: "config.reloaded").first?["changed"] == "UPLOAD_CONCURRENCY,S3_STORAGE_CLASS,DELETE_AFTER_UPLOAD")
        let after = try await uploadAndExpectDeleted(fixture, "after.mp4", size: 17 * 1024 * 1024 + 5)
        for chunk in after.chunks {
            #expect(try await fixture.independentHead(chunk.key)["x-amz-storage-class"] == "REDUCED_REDUNDANCY")
        }
        try await fixture.waitUntil("before.mp4 deleted too") { access("\(fixture.watchDir)/before.mp4", F_OK) != 0 }

        // Fewer workers: the ones past the count stop taking work, and uploads carry on.
        try writeConfig(config, "upload_concurrency: 1\ns3_storage_class: REDUCED_REDUNDANCY\ndelete_after_upload: true\n")
        try await fixture.waitUntil("the second reload") { fixture.events(event: "config.reloaded").count == 2 }
        #expect(fixture.events(event: "config.reloaded").last?["changed"] == "UPLOAD_CONCURRENCY")
        _ = try await uploadAndExpectDeleted(fixture, "last.mp4", size: 11 * 1024 * 1024)
        #expect(daemon.isRunning && fixture.runs.count == 1, "no restart")
        #expect(fixture.events().allSatisfy { $0["message"]?.contains("restart") != true }, "nothing here needs a restart")
    }

    /// Writes a file, waits for the bucket to hold exactly its bytes, then for its local deletion.
    private func uploadAndExpectDeleted(_ fixture: DaemonFixture, _ name: String, size: Int) async throws -> Manifest {
        let bytes = FileWriter.randomBytes(size)
        let copy = Scratch.directory("kept") + "/" + name
        try FileWriter.write(copy, bytes)
        let expected = try DaemonFixture.sha256(ofFile: copy)
        try FileWriter.write("\(fixture.watchDir)/\(name)", bytes)
        var found: Manifest?
        try await fixture.waitUntil("\(name) in the bucket") {
            found = try await fixture.manifests(for: name).first { $0.sha256 == expected }
            return found != nil
        }
        let manifest = try #require(found)
        try await fixture.expectBucketMatchesFile(manifest, file: copy)
        try await fixture.waitUntil("\(name) deleted locally") { access("\(fixture.watchDir)/\(name)", F_OK) != 0 }
        return manifest
    }
}
