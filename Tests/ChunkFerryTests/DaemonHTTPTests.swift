@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// `STORAGE_BACKEND=http` with the real binary against a real HTTP server (Python's): what the
/// server receives, how a busy server and a refused token are handled, and that the token
/// never shows.
@Suite(.serialized) struct DaemonHTTPTests {
    func httpFixture(_ server: UploadServer, _ extra: [String: String] = [:]) async throws -> DaemonFixture {
        let fixture = try await DaemonFixture(environment: [
            "STORAGE_BACKEND": "http", "HTTP_UPLOAD_URL": server.url, "HTTP_AUTH_TOKEN": server.token,
        ].merging(extra) { $1 })
        // The server keeps bodies as files at their keys: read them back from there.
        fixture.storage = FolderStore(settings: FolderSettings(path: server.folder))
        return fixture
    }

    @Test func objectsArriveWithTheirDigestAndTokenAndABusyServerIsWaitedFor() async throws {
        let token = "tok-" + Scratch.uniqueName("secret")
        let server = try await UploadServer(token: token, busy: 2)
        defer { server.stop() }
        let fixture = try await httpFixture(server)
        let daemon = try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/yard.mp4", FileWriter.randomBytes(12 * 1024 * 1024 + 99))
        try FileWriter.write("\(fixture.watchDir)/snap.mp4", FileWriter.randomBytes(4000))
        for path in ["yard.mp4", "snap.mp4"] {
            try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile(path, timeout: .seconds(90)))
        }
        #expect(daemon.isRunning)

        let requests = server.requests()
        let puts = requests.filter { $0["method"] as? String == "PUT" }
        #expect(requests.allSatisfy { $0["authorization"] as? String == "Bearer \(token)" }, "the token goes with every request")
        #expect(puts.filter { $0["status"] as? Int == 201 }.allSatisfy { $0["digest_ok"] as? Bool == true && $0["content_type"] != nil })
        #expect(!puts.contains { $0["status"] as? Int == 400 }, "every Repr-Digest matched its body")
        let chunks = puts.filter { $0["status"] as? Int == 201 && ($0["path"] as? String ?? "").contains("/chunk-") }
        #expect(chunks.count >= 4)
        #expect(chunks.allSatisfy { $0["stream"] is String && $0["chunk"] is String }, "chunks name their stream and index")
        let objects = puts.filter { !($0["path"] as? String ?? "").contains(".chunkferry-check") }
        #expect(objects.prefix(2).allSatisfy { $0["status"] as? Int == 503 } && objects.dropFirst(2).first?["status"] as? Int == 429)
        // The object refused with 429 was sent again only after its Retry-After.
        let refused = try #require(puts.first { $0["status"] as? Int == 429 })
        let again = try #require(puts.first { $0["path"] as? String == refused["path"] as? String && $0["status"] as? Int == 201 })
        let waited = (again["time"] as? Double ?? 0) - (refused["time"] as? Double ?? 0)
        #expect(waited >= 1.9, "Retry-After: 2 honoured (waited \(waited)s)")

        let log = fixture.runs.map { $0.log() }.joined()
        #expect(!log.contains(token), "the token never reaches the log")
        fixture.stopAll()
    }

    @Test func aRefusedTokenStopsWithALineNamingTheSetting() async throws {
        let server = try await UploadServer(token: "the-right-token")
        defer { server.stop() }
        let fixture = try await httpFixture(server, ["HTTP_AUTH_TOKEN": "a-wrong-token-1234"])
        let daemon = try fixture.start()
        #expect(await daemon.waitForExit(timeout: .seconds(30)) != 0)
        #expect(daemon.log().contains("check HTTP_AUTH_TOKEN"), "\(daemon.log())")
        #expect(!daemon.log().contains("a-wrong-token-1234"))
    }

    @Test func aServerWithoutHeadStillTakesEverythingAndRetentionIsRefused() async throws {
        let server = try await UploadServer(token: "t0ken-for-head", answersHead: false)
        defer { server.stop() }
        let fixture = try await httpFixture(server)
        let check = try fixture.start(["check"])
        #expect(await check.waitForExit(timeout: .seconds(30)) == 0, "\(check.log())")
        #expect(check.log().contains("recovery relies on Redis alone"), "\(check.log())")
        try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/gate.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile("gate.mp4"))
        fixture.stopAll()

        let deleting = try fixture.start(["check"], environment: ["DELETE_AFTER_UPLOAD": "true"])
        #expect(await deleting.waitForExit(timeout: .seconds(30)) != 0)
        #expect(deleting.log().contains("does not answer HEAD"), "\(deleting.log())")
    }

    @Test func settingsThatCannotWorkWithHTTPAreRefused() async throws {
        let cases: [([String: String], String)] = [
            (["OUTPUT": "whole"], "OUTPUT=whole cannot work with STORAGE_BACKEND=http"),
            (["HTTP_UPLOAD_URL": "https://user:pw@example.com/up"], "HTTP_UPLOAD_URL carries a user or password"),
            (["LOCAL_STORAGE_PATH": "/tmp"], "LOCAL_STORAGE_PATH belongs to another storage backend"),
            (["HTTP_METHOD": "PATCH"], "HTTP_METHOD='PATCH' is not valid"),
        ]
        let server = try await UploadServer(token: "unused-token")
        defer { server.stop() }
        for (environment, expected) in cases {
            let fixture = try await httpFixture(server, environment)
            let check = try fixture.start(["check"])
            #expect(await check.waitForExit(timeout: .seconds(30)) != 0, "\(environment)")
            #expect(check.log().contains(expected), "\(environment): \(check.log())")
            #expect(!check.log().contains("pw@"))
        }
    }

    /// One object the server refuses (403 for one key, by its policy) fails that stream alone:
    /// the other files finish, and status, /health and /metrics name the failed one; `retry`
    /// tries it again once the server takes it.
    @Test func oneRefusedObjectFailsItsStreamAndTheOthersFinish() async throws {
        // forbidden.mp4's every object; the late files' manifests alone, once their chunks went up
        // (late-small.mp4 fits one chunk: the small-file shortcut).
        let server = try await UploadServer(token: "refusing-token-5d1", refusing: #"forbidden|late[^/]*\.mp4/[^/]+/manifest\.json"#)
        defer { server.stop() }
        let port = FreePort.next()
        let fixture = try await httpFixture(server, ["HTTP_PORT": String(port), "MIN_FREE_SPACE": "1MiB"])
        defer { fixture.stopAllInBackground() }
        let endpoint = Endpoint(port: port)
        try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/forbidden.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        try FileWriter.write("\(fixture.watchDir)/late.mp4", FileWriter.randomBytes(7 * 1024 * 1024 + 5))
        try FileWriter.write("\(fixture.watchDir)/late-small.mp4", FileWriter.randomBytes(1024 * 1024 + 3))
        for name in ["one.mp4", "two.mp4", "three.mp4"] {
            try FileWriter.write("\(fixture.watchDir)/\(name)", FileWriter.randomBytes(7 * 1024 * 1024 + 5))
        }
        for name in ["one.mp4", "two.mp4", "three.mp4"] {
            try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile(name, timeout: .seconds(90)))
        }
        let refusal = "the store refuses this file's object while it takes others; the stream is marked failed and the other files go on (fix the cause, then run: chunkferry retry PATH)"
        for name in ["forbidden.mp4", "late.mp4", "late-small.mp4"] {
            try await fixture.waitUntil("\(name) failed") { !fixture.events(refusal, path: name).isEmpty }
        }

        let status = try fixture.start(["status", "--json"])
        #expect(await status.waitForExit(timeout: .seconds(30)) == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.log().utf8)) as? [[String: Any]])
        let row = try #require(rows.first { $0["path"] as? String == "forbidden.mp4" })
        #expect(row["state"] as? String == "failed", "\(row)")
        #expect((row["problem"] as? String ?? "").contains("HTTP 403"), "the reason names the answer: \(row)")
        let health = try #require(try endpoint.fetch("/health")?.json)
        #expect(health["status"] as? String == "degraded")
        let reasons = health["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.hasPrefix("forbidden.mp4 failed: ") && $0.contains("chunkferry retry forbidden.mp4") }, "\(reasons)")
        let late = try #require(rows.first { $0["path"] as? String == "late-small.mp4" })
        #expect(late["state"] as? String == "failed" && (late["problem"] as? String ?? "").contains("manifest.json"), "\(late)")
        #expect(try endpoint.metrics()["chunkferry_streams{state=\"failed\"}"] == 3)
        #expect(!String(describing: health).contains(server.token) && !status.log().contains(server.token))

        // `retry` of a file that is not failed names the problem; of the failed one, tries it
        // again (the server still refuses: it fails again, and nothing else is disturbed).
        let wrong = try fixture.start(["retry", "one.mp4"])
        #expect(await wrong.waitForExit(timeout: .seconds(30)) == 1)
        #expect(wrong.log().contains("no failed stream for one.mp4"), "\(wrong.log())")
        let retry = try fixture.start(["retry", "\(fixture.watchDir)/forbidden.mp4"])
        #expect(await retry.waitForExit(timeout: .seconds(30)) == 0, "\(retry.log())")
        try await fixture.waitUntil("the retry taken up") { !fixture.events(event: "streams.retried").isEmpty }
        try await fixture.waitUntil("forbidden.mp4 failed again") {
            fixture.events(refusal, path: "forbidden.mp4").count >= 2
        }
    }

    /// Without Redis, `restore PATH` finds the recording on a server that indexes its folders
    /// as JSON (nginx's `autoindex_format json`), as it does in a bucket.
    @Test func restoreByPathWithoutRedisOnAServerThatLists() async throws {
        let server = try await UploadServer(token: "listing-token-77a", indexes: true)
        defer { server.stop() }
        let fixture = try await httpFixture(server)
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/porch", withIntermediateDirectories: true)
        let bytes = FileWriter.randomBytes(6 * 1024 * 1024 + 17)
        try FileWriter.write("\(fixture.watchDir)/porch/night.mp4", bytes)
        try await fixture.waitForManifestMatchingFile("porch/night.mp4")
        let output = Scratch.directory("http-restore") + "/night.mp4"
        let restore = try fixture.start(["restore", "porch/night.mp4", "--output", output],
                                        environment: ["REDIS_URL": "redis://127.0.0.1:\(FreePort.next())/0"])
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == ByteEncoding.hex(Digest.sha256(bytes)))
        #expect(!restore.log().contains(server.token))
    }

    /// HTTP_AUTH_TOKEN reloads: a wrong token put in the file is refused by the server (an
    /// outage, the file waits), and the right one put back lets it through, without a restart.
    @Test func theTokenReloadsWithoutARestart() async throws {
        let server = try await UploadServer(token: "reloaded-token-31c")
        defer { server.stop() }
        let config = Scratch.directory("token-reload") + "/chunkferry.yaml"
        try "http_auth_token: \(server.token)\n".write(toFile: config, atomically: true, encoding: .utf8)
        // Only the file gives the token: the environment would win over it.
        let fixture = try await httpFixture(server, ["CONFIG_FILE": config, "HTTP_AUTH_TOKEN": ""])
        defer { fixture.stopAllInBackground() }
        let daemon = try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/before.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        try await fixture.waitForManifestMatchingFile("before.mp4")

        try "http_auth_token: not-the-token\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await fixture.waitUntil("the reload") { !fixture.events(event: "config.reloaded").isEmpty }
        #expect(fixture.events(event: "config.reloaded").first?["changed"] == "HTTP_AUTH_TOKEN")
        try FileWriter.write("\(fixture.watchDir)/after.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        try await fixture.waitUntil("the wrong token refused") { !fixture.events(event: "store.refusing").isEmpty }

        try "http_auth_token: \(server.token)\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile("after.mp4", timeout: .seconds(90)))
        #expect(daemon.isRunning && fixture.runs.count == 1, "no restart")
        #expect(fixture.runs.allSatisfy { !$0.log().contains(server.token) && !$0.log().contains("not-the-token") }, "no token in the log")
    }
}
