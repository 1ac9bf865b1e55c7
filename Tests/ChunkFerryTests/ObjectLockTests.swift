@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// `OBJECT_LOCK` with the real binary on moto, which enforces Object Lock as AWS does
/// (SeaweedFS takes the headers but deletes anyway): what is locked, for how long, what a
/// thief with the box's keys can and cannot do, and what `check` and `/health` say of it.
@Suite struct ObjectLockTests {
    func motoFixture(lock: ObjectLock?, _ environment: [String: String] = [:]) async throws -> (DaemonFixture, S3Client) {
        try await DaemonFixture.onMoto(lock: lock, environment: environment)
    }

    /// Every version of every object in the bucket: (key, version id).
    func versions(_ client: S3Client) async throws -> [(key: String, version: String)] {
        let response = try await client.send(S3Client.Call(operation: "ListObjectVersions", method: .get, key: nil, query: [("versions", "")]))
        return S3XML(response.body).elements("Version").compactMap { item in
            guard let key = item.value("Key"), let version = item.value("VersionId") else { return nil }
            return (key, version)
        }
    }

    /// The mode and retain-until date of one version, as HEAD shows them (moto 5 does not
    /// implement GetObjectRetention; the headers carry the same two values).
    func retention(_ client: S3Client, key: String, version: String) async throws -> (mode: String?, until: Date?) {
        let response = try await client.send(S3Client.Call(operation: "HeadObject", method: .head, key: key, query: [("versionId", version)]))
        return (response.header("x-amz-object-lock-mode"), response.header("x-amz-object-lock-retain-until-date").flatMap { ISO8601DateFormatter.lenient($0) })
    }

    func check(_ fixture: DaemonFixture) async throws -> (code: Int32?, output: String) {
        let process = try fixture.start(["check"])
        let code = await process.waitForExit(timeout: .seconds(60))
        return (code, process.log())
    }

    @Test func complianceLocksEveryDurableObjectForItsTermAndNothingCanBeDeleted() async throws {
        let lock = ObjectLock(mode: .compliance, retention: .seconds(30 * 86_400), tailRetention: .seconds(86_400))
        let port = FreePort.next()
        let (fixture, client) = try await motoFixture(lock: lock, [
            "OBJECT_LOCK": "compliance", "OBJECT_LOCK_RETAIN": "30d", "OUTPUT": "whole", "HTTP_PORT": String(port), "MIN_FREE_SPACE": "1MiB",
        ])
        defer { fixture.stopAllInBackground() }
        let checked = try await check(fixture)
        #expect(checked.code == 0, "\(checked.output)")
        #expect(checked.output.contains("a thief with these keys can delete footage: no (object lock compliance, 30d)"), "\(checked.output)")

        try fixture.start()
        let path = "porch/20240118_120000.mp4"
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/porch", withIntermediateDirectories: true)
        try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(6 * 1024 * 1024 + 77))
        let manifest = try await fixture.waitForManifestMatchingFile(path)
        // OUTPUT=whole's own deletes still work under the lock: the chunks leave the listing
        // (a delete marker each) while their locked versions stay.
        #expect(manifest.object != nil && manifest.chunks.count == 2 && manifest.output == "whole")
        let listed = try await client.listAllObjects(prefix: "").map(\.key).filter { !$0.contains(".chunkferry-check/") }
        #expect(listed.count == 2 && !listed.contains { $0.contains("/chunk-") }, "\(listed)")

        let health = try #require(try Endpoint(port: port).fetch("/health")?.json)
        let tamper = try #require(health["tamper"] as? [String: Any])
        #expect(tamper["thief_can_delete"] as? String == "no" && tamper["object_lock"] as? String == "compliance, 30d", "\(health)")

        let now = Date()
        let stored = try await versions(client)
        let footage = stored.filter { !$0.key.contains(".chunkferry-check/") }
        // Two chunks (deleted, and kept), the whole object and the manifest.
        #expect(footage.count == 4, "\(stored.map(\.key))")
        for object in stored {
            let (mode, until) = try await retention(client, key: object.key, version: object.version)
            #expect(mode == "COMPLIANCE", "\(object.key)")
            let days = (until?.timeIntervalSince(now) ?? 0) / 86_400
            let expected = object.key.contains(".chunkferry-check/") ? 1.0 : 30.0
            #expect(abs(days - expected) < 0.1, "\(object.key) is locked for \(days) days, not \(expected)")
            // What a thief with the box's keys would do: delete the version itself.
            let refused = await #expect(throws: StoreError.self) {
                _ = try await client.send(S3Client.Call(operation: "DeleteObject", method: .delete, key: object.key,
                                                        query: [("versionId", object.version)],
                                                        headers: [("x-amz-bypass-governance-retention", "true")]))
            }
            #expect(refused?.httpStatus == 403, "\(object.key): \(String(describing: refused))")
        }

        // Restore from the store alone, byte for byte.
        let output = Scratch.directory("restore") + "/porch.mp4"
        let restore = try fixture.restoreFromStoreAlone(path, to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try DaemonFixture.sha256(ofFile: output) == manifest.sha256)
    }

    /// Each kind of object gets its own term, whichever way it is sent (in one buffer, streamed
    /// with a trailing checksum, or copied).
    @Test func footageTailsAndCheckObjectsEachGetTheirTerm() async throws {
        let lock = ObjectLock(mode: .governance, retention: .seconds(7 * 86_400), tailRetention: .seconds(2 * 86_400))
        let client = try await SharedServers.shared.moto().client(objectLock: lock)
        var tail = ObjectAttributes(temporary: true)
        tail.lock = .tail
        _ = try await client.put(key: "footage", bytes: [1, 2, 3], attributes: ObjectAttributes())
        _ = try await client.put(key: "tail", streaming: ChecksummedBody(.bytes([4, 5, 6])), attributes: tail)
        _ = try await client.put(key: "check", bytes: [7], attributes: .check)
        // A one-chunk recording's whole object is a copy of its chunk (OUTPUT=whole|both).
        try await client.copy(key: "copied", source: "footage", attributes: ObjectAttributes())
        let now = Date()
        for (key, days) in [("footage", 7.0), ("tail", 2.0), ("check", 1.0), ("copied", 7.0)] {
            let version = try #require(try await versions(client).first { $0.key == key }?.version)
            let (mode, until) = try await retention(client, key: key, version: version)
            #expect(mode == "GOVERNANCE", "\(key)")
            #expect(abs((until?.timeIntervalSince(now) ?? 0) / 86_400 - days) < 0.1, "\(key)")
        }
    }

    @Test func checkSaysWhetherAThiefCanDeleteOnThreeBuckets() async throws {
        // No lock, no versions: deleting works.
        let (open, _) = try await motoFixture(lock: nil)
        let plain = try await check(open)
        #expect(plain.code == 0, "\(plain.output)")
        #expect(plain.output.contains("a thief with these keys can delete footage: yes (deleting an object works"), "\(plain.output)")

        // OBJECT_LOCK asked of that bucket: refused, with how to make one that has it.
        open.extraEnvironment["OBJECT_LOCK"] = "compliance"
        let refused = try await check(open)
        #expect(refused.code == 1)
        #expect(refused.output.contains("has no Object Lock") && refused.output.contains("--object-lock-enabled-for-bucket"), "\(refused.output)")

        // Governance, with keys that may bypass it (moto grants every key everything).
        let governance = ObjectLock(mode: .governance, retention: .seconds(86_400), tailRetention: .seconds(86_400))
        let port = FreePort.next()
        let (bypassed, _) = try await motoFixture(lock: governance, [
            "OBJECT_LOCK": "governance", "OBJECT_LOCK_RETAIN": "1d", "HTTP_PORT": String(port), "MIN_FREE_SPACE": "1MiB",
        ])
        defer { bypassed.stopAllInBackground() }
        let weak = try await check(bypassed)
        #expect(weak.code == 0, "\(weak.output)")
        #expect(weak.output.contains("a thief with these keys can delete footage: yes (deleting an object's version works: these keys may bypass governance retention)"),
                "\(weak.output)")
        // The daemon runs, and says it is not what was asked for.
        try bypassed.start()
        let page = try await Endpoint(port: port).waitFor("/ready", status: 200)
        #expect(page.status == 200)
        let health = try #require(try Endpoint(port: port).fetch("/health")?.json)
        #expect(health["status"] as? String == "degraded", "\(health)")
        let reasons = health["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.contains("OBJECT_LOCK (governance, 1d) was asked for, but a thief with these keys can delete footage: yes") }, "\(reasons)")
    }
}

extension ISO8601DateFormatter {
    /// RFC 3339 with or without fractional seconds, as stores write it.
    static func lenient(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
