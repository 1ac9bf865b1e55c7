@testable import ChunkFerryDaemon
@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
import Foundation
import Testing

/// Secrets never leak, TLS is verified, keys stay inside their prefix.
@Suite struct SecurityTests {
    @Test func recognizableSecretsAppearInNoOutputAtAll() async throws {
        let redisPassword = "Redis-PW-Tracer-4471"
        let sessionToken = "Session-Token-Tracer-9083"
        let secrets = [redisPassword, sessionToken, SeaweedServer.secretKey]
        let redis = try await RedisServer(password: redisPassword)
        let fixture = try await DaemonFixture(redis: redis)
        var outputs: [String: String] = [:]

        // The store refuses an unknown session token: check and run fail, naming the setting.
        let withToken = ["AWS_SESSION_TOKEN": sessionToken]
        for command in [["check"], ["run"]] {
            let process = try fixture.start(command, environment: withToken)
            #expect(await process.waitForExit(timeout: .seconds(20)) != 0)
            outputs["\(command) with a session token"] = process.log()
        }
        let wrongPassword = try fixture.start(["check"], environment: ["REDIS_URL": "redis://:\(redisPassword)-wrong@127.0.0.1:\(redis.port)/0"])
        #expect(await wrongPassword.waitForExit(timeout: .seconds(20)) == 1)
        outputs["check with a wrong Redis password"] = wrongPassword.log()
        #expect(wrongPassword.log().contains("REDIS_URL"))

        let daemon = try fixture.start(environment: ["LOG_LEVEL": "debug"])
        try FileWriter.write("\(fixture.watchDir)/secret-test.mp4", FileWriter.randomBytes(6 * 1024 * 1024))
        try await fixture.waitForManifestMatchingFile("secret-test.mp4")
        for command in [["status"], ["status", "--json"], ["check"], ["--help"], ["run", "--help"], ["restore", "--help"]] {
            let process = try fixture.start(command)
            _ = await process.waitForExit(timeout: .seconds(20))
            outputs[command.joined(separator: " ")] = process.log()
        }
        daemon.stop()
        outputs["run (debug log)"] = daemon.log()

        for (name, output) in outputs {
            #expect(!output.isEmpty, "\(name) printed nothing")
            for secret in secrets {
                #expect(!output.contains(secret), "\(name) printed a secret")
            }
        }
        #expect(outputs["run (debug log)"]?.contains("redis://:***@127.0.0.1") == true)
        redis.stop()
    }

    @Test func tlsIsVerifiedAndS3CAFileTrustsAPrivateCertificate() async throws {
        let seaweed = try await SeaweedServer(tls: true)
        let fixture = try await DaemonFixture(seaweed: seaweed)  // its own client trusts the certificate
        let untrusted = try fixture.start(["check"])
        #expect(await untrusted.waitForExit(timeout: .seconds(20)) == 1)
        #expect(untrusted.log().contains("TLSVerificationFailed"), "\(untrusted.log())")
        #expect(untrusted.log().contains("S3_CA_FILE"))

        let caFile = try #require(seaweed.certificateFile)
        let trusted = try fixture.start(["check"], environment: ["S3_CA_FILE": caFile])
        #expect(await trusted.waitForExit(timeout: .seconds(20)) == 0, "\(trusted.log())")

        try fixture.start(environment: ["S3_CA_FILE": caFile])
        try FileWriter.write("\(fixture.watchDir)/over-tls.mp4", FileWriter.randomBytes(5 * 1024 * 1024 + 1))
        try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile("over-tls.mp4"))
        seaweed.stop()
    }

    @Test func plainHTTPWarningIsForHostsOtherThanThisMachine() {
        #expect(Daemon.isLoopback("127.0.0.1:9000"))
        #expect(Daemon.isLoopback("localhost:9000"))
        #expect(Daemon.isLoopback("[::1]:9000"))
        #expect(!Daemon.isLoopback("minio:9000"))
        #expect(!Daemon.isLoopback("192.168.1.20:9000"))
    }

    @Test func objectKeysNeverLeaveThePrefixNorCollide() {
        let layout = ObjectLayout(prefix: "footage/")
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("ab./%~ -_".utf8) + [0x0a, 0x0d, 0x00, 0xff, 0xc3, 0xa9, 0xe2, 0x80]
        var seen: [String: [UInt8]] = [:]
        for _ in 0..<3000 {
            let components = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                (0..<Int.random(in: 1...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                    .filter { $0 != UInt8(ascii: "/") && $0 != 0 }
            }.filter { !$0.isEmpty }
            guard !components.isEmpty else { continue }
            let escaped = components.map { PathEscaping.escape(name: $0) }.joined(separator: "/")
            let raw = Array(components.joined(separator: [UInt8(ascii: "/")]))
            #expect(PathEscaping.unescape(escaped) == raw, "escaping must be reversible")
            let key = layout.manifestKey(streamPrefix: layout.streamPrefix(path: escaped, streamID: "id"))
            #expect(key.hasPrefix("footage/"))
            let segments = key.split(separator: "/", omittingEmptySubsequences: false)
            #expect(!segments.contains("..") && !segments.contains(".") && !segments.contains(""), "\(key)")
            #expect(!key.utf8.contains(where: { $0 < 0x20 }), "no control characters in keys")
            if let other = seen[key] { #expect(other == raw, "two paths share the key \(key)") }
            seen[key] = raw
        }
        // Different streams of one path never share keys.
        #expect(layout.chunkKey(streamPrefix: layout.streamPrefix(path: "a.mp4", streamID: "1"), index: 0)
            != layout.chunkKey(streamPrefix: layout.streamPrefix(path: "a.mp4", streamID: "2"), index: 0))
    }
}
