import Foundation
import Testing
@testable import ChunkFerryCore

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
}
