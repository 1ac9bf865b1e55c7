@testable import ChunkFerryDaemon
@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Testing

/// `chunkferry verify`: the findings from manifests and what the store holds (no store needed),
/// and the real binary against SeaweedFS with Redis out of reach and the watch folder empty.
@Suite struct VerifyTests {
    /// 2026-01-18T00:00:00Z: the recordings start from here, five minutes each, back to back.
    static let origin: Int64 = 1_768_694_400_000

    /// Recording `number` of `source`: two chunks of 1000 bytes, linked to `previous`.
    static func recording(_ number: Int, source: String? = "porch", after previous: StoredManifest?,
                          startMinute: Int? = nil, host: String = "test-node") -> StoredManifest {
        let streamID = String(repeating: "0", count: 18) + String(format: "%02x", number)
        let path = "porch/clip\(number).mp4"
        let folder = "\(path)/\(streamID)/"
        let chunks = (0..<2).map { index in
            Manifest.Chunk(index: index, key: folder + "chunk-0000000\(index)", offset: Int64(index * 1000), size: 1000,
                           checksum: .sha256(Digest.sha256(chunkBytes(number, index))))
        }
        let start = origin + Int64((startMinute ?? number * 5) * 60_000)
        var manifest = Manifest(
            streamID: streamID, path: path, complete: true, size: 2000,
            sha256: ByteEncoding.hex(Digest.sha256(chunkBytes(number, 0) + chunkBytes(number, 1))), chunkSize: 1000, chunks: chunks,
            startedAt: WallClock.rfc3339(milliseconds: start), completedAt: WallClock.rfc3339(milliseconds: start + 5 * 60_000),
            host: host, repairedChunks: 0)
        manifest.source = source
        manifest.previous = previous.map { Manifest.Link(key: $0.key, sha256: $0.sha256) }
        return StoredManifest(key: folder + "manifest.json", manifest: manifest, sha256: ByteEncoding.hex(Digest.sha256(manifest.encoded())))
    }

    static func chunkBytes(_ number: Int, _ index: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(number * 2 + index), count: 1000)
    }

    /// Five recordings, each naming the one before.
    static func chain() -> [StoredManifest] {
        var chain: [StoredManifest] = []
        for number in 1...5 { chain.append(recording(number, after: chain.last)) }
        return chain
    }

    /// What a HEAD of every chunk of `manifests` says when nothing was touched.
    static func objects(_ manifests: [StoredManifest]) -> [String: ObjectInfo] {
        var objects: [String: ObjectInfo] = [:]
        for chunk in manifests.flatMap(\.manifest.chunks) {
            objects[chunk.key] = ObjectInfo(key: chunk.key, size: Int64(chunk.size), etag: "", checksumSHA256: chunk.checksum?.header.value,
                                            lastModified: "")
        }
        return objects
    }

    static func audit(_ manifests: [StoredManifest], listed: [StoredManifest]? = nil, scope: ChainAudit.Scope = .init()) -> ChainAudit {
        ChainAudit(manifests: manifests, manifestKeys: Set((listed ?? manifests).map(\.key)), scope: scope)
    }

    @Test func anUntouchedChainOfFivePasses() {
        let chain = Self.chain()
        let report = Self.audit(chain).report(objects: Self.objects(chain))
        #expect(report.findings.map(\.line) == [])
        #expect(report.notes == [])
        #expect(report.passed)
        #expect(report.recordings == 5 && report.chunks == 10 && report.outsideChains == 0 && report.uncheckedChecksums == 0)
        #expect(report.spans == [VerifyReport.Span(source: "porch", recordings: 5, chunks: 10,
                                                   from: "2026-01-18T00:05:00.000Z", to: "2026-01-18T00:30:00.000Z")])
        let summary = report.summary(location: "s3 bucket footage", checkedAt: "2026-01-19T08:00:00.000Z", scope: nil).joined(separator: "\n")
        #expect(summary.contains("s3 bucket footage, 2026-01-19T08:00:00.000Z"))
        #expect(summary.contains("checked 1 source, 5 recordings, 10 chunks"))
        #expect(summary.contains("source porch: 2026-01-18T00:05:00.000Z to 2026-01-18T00:30:00.000Z"))
        #expect(summary.contains("result: OK, no findings"))
    }

    @Test func eachKindOfDamageIsALineNamingIt() throws {
        var chain = Self.chain()
        // Recording 6 an hour after 5: a gap far beyond twice the median five minutes.
        chain.append(Self.recording(6, after: chain[4], startMinute: 90))
        let deleted = chain[1]
        // Recording 3's manifest rewritten after recording 4 recorded its hash.
        let original = chain[2]
        var altered = original.manifest
        altered.host = "elsewhere"
        chain[2] = StoredManifest(key: original.key, manifest: altered, sha256: ByteEncoding.hex(Digest.sha256(altered.encoded())))
        let stored = chain.filter { $0.key != deleted.key }
        var objects = Self.objects(stored)
        let missing = chain[3].manifest.chunks[1].key
        objects[missing] = nil
        let shortened = chain[4].manifest.chunks[0].key
        objects[shortened]?.size = 999
        let swapped = chain[0].manifest.chunks[1].key
        objects[swapped]?.checksumSHA256 = ChunkChecksum.sha256(Digest.sha256([1, 2, 3])).header.value

        let report = Self.audit(stored).report(objects: objects)
        let lines = report.findings.map(\.line)
        #expect(lines.count == 6, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("missing manifest: \(deleted.key): ") && $0.contains(chain[2].key) })
        #expect(lines.contains { $0.hasPrefix("altered manifest: \(original.key): ") && $0.contains(chain[3].key) })
        #expect(lines.contains { $0.hasPrefix("missing chunk: \(missing): ") })
        #expect(lines.contains { $0.hasPrefix("size mismatch: \(shortened): holds 999 bytes") })
        #expect(lines.contains { $0.hasPrefix("checksum mismatch: \(swapped): ") })
        #expect(lines.contains { $0.hasPrefix("gap: source porch: 1h00m without a recording between porch/clip5.mp4") && $0.contains("porch/clip6.mp4") })
        #expect(!report.passed)
        #expect(report.summary(location: "x", checkedAt: "t", scope: nil).last == "result: FAILED, 6 findings")

        // An explicit --gap judges every pause by it: back to back passes 1s, the five minutes
        // recording 2 left do not.
        let strict = Self.audit(stored, scope: .init(gap: .seconds(1))).gaps()
        #expect(strict.count == 2 && strict.contains { $0.detail.hasPrefix("5m00s without a recording between porch/clip1.mp4") })
    }

    @Test func aChainBegunAgainOrForkedIsANoteNotAFinding() {
        var chain = Self.chain()
        // Redis lost before recording 4: its manifest names none.
        chain[3] = Self.recording(4, after: nil)
        chain[4] = Self.recording(5, after: chain[3])
        // A second daemon wrote a recording after 2 as well.
        chain.append(Self.recording(7, after: chain[1], startMinute: 16))
        let report = Self.audit(chain).report(objects: Self.objects(chain))
        #expect(report.findings.map(\.line) == [])
        #expect(report.notes.count == 2, "\(report.notes)")
        #expect(report.notes.contains { $0.contains("begins again at \(chain[3].key)") })
        #expect(report.notes.contains { $0.contains("forks after \(chain[1].key)") && $0.contains(chain[5].key) })
    }

    @Test func manifestsWrittenBeforeChainsAreCheckedForChunksOnly() {
        let old = [Self.recording(1, source: nil, after: nil), Self.recording(2, source: nil, after: nil)]
        var objects = Self.objects(old)
        objects[old[1].manifest.chunks[0].key] = nil
        let report = Self.audit(old).report(objects: objects)
        #expect(report.findings.map(\.kind) == [.missingChunk])
        #expect(report.outsideChains == 2 && report.spans.isEmpty && report.notes.isEmpty)
        #expect(report.summary(location: "x", checkedAt: "t", scope: nil).contains { $0.contains("2 recordings written before chains") })
    }

    @Test func sinceAndCameraLimitWhatIsChecked() throws {
        let chain = Self.chain() + [Self.recording(9, source: "garage", after: nil)]
        let since = try #require(ChainAudit.milliseconds("2026-01-18T00:15:00Z"))
        #expect(ChainAudit.milliseconds("2026-01-18") == Self.origin)
        #expect(ChainAudit.milliseconds("2026-01-18T00:15:00.000Z") == since)
        let audit = Self.audit(chain, scope: .init(camera: "porch", since: since))
        #expect(audit.selected.map(\.manifest.path) == ["porch/clip3.mp4", "porch/clip4.mp4", "porch/clip5.mp4"])
        // Recording 3's link points before the window and is still checked against recording 2.
        #expect(audit.report(objects: Self.objects(chain)).passed)
        #expect(Self.audit(Array(chain.dropFirst(2)), listed: chain, scope: .init(since: since)).chains().findings.isEmpty)
    }

    /// Five recordings by the real daemon; then the store alone: verify passes, and once a
    /// manifest is deleted and a chunk overwritten it names each, and the gap they leave.
    @Test func theBinaryVerifiesFromTheStoreAloneAndNamesWhatWasDamaged() async throws {
        let fixture = try await DaemonFixture(environment: ["IDLE_TIMEOUT": "1s"])
        let daemon = try fixture.start()
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/porch", withIntermediateDirectories: true)
        var manifests: [Manifest] = []
        for number in 1...5 {
            let path = "porch/clip\(number).mp4"
            try FileWriter.write("\(fixture.watchDir)/\(path)", FileWriter.randomBytes(64 * 1024))
            manifests.append(try await fixture.waitForManifestMatchingFile(path, timeout: .seconds(20)))
        }
        daemon.stop()
        try FileManager.default.removeItem(atPath: "\(fixture.watchDir)/porch")
        let storeAlone = ["REDIS_URL": "redis://127.0.0.1:\(FreePort.next())/0"]

        // A generous --gap: on a loaded runner the pauses between these test files vary (the
        // default limit is checked by the unit tests above).
        let clean = try fixture.start(["verify", "--camera", "porch", "--gap", "1m"], environment: storeAlone)
        #expect(await clean.waitForExit(timeout: .seconds(30)) == 0, "\(clean.log())")
        #expect(clean.log().contains("checked 1 source, 5 recordings"), "\(clean.log())")

        func manifestKey(_ manifest: Manifest) throws -> String {
            let first = try #require(manifest.chunks.first)
            return String(first.key.dropLast("chunk-00000000".count)) + "manifest.json"
        }
        let deleted = try manifestKey(manifests[2])
        try await fixture.s3.delete(key: deleted)
        let chunk = try #require(manifests[1].chunks.first)
        _ = try await fixture.s3.put(key: chunk.key, bytes: FileWriter.randomBytes(chunk.size), attributes: ObjectAttributes())

        // The recording whose manifest is gone leaves a pause of at least its IDLE_TIMEOUT.
        let damaged = try fixture.start(["verify", "--deep", "--gap", "500ms"], environment: storeAlone)
        #expect(await damaged.waitForExit(timeout: .seconds(30)) == 1, "\(damaged.log())")
        let lines = damaged.log().split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("missing manifest: \(deleted): ") }, "\(lines)")
        #expect(lines.contains { ($0.hasPrefix("checksum mismatch: \(chunk.key): ") || $0.hasPrefix("content mismatch: \(chunk.key): ")) }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("gap: source porch: ") && $0.contains("porch/clip2.mp4") && $0.contains("porch/clip4.mp4") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("result: FAILED") }, "\(lines)")
    }
}
