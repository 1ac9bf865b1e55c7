import Foundation
import Testing

/// MAX_LAG with the real binary on any growing file: the bytes past the last whole chunk reach
/// the store as a provisional object once they waited MAX_LAG, and it goes when its chunk does.
@Suite(.serialized) struct ProvisionalTailTests {
    func objects(_ fixture: DaemonFixture, _ path: String) async throws -> [String: [UInt8]] {
        var found: [String: [UInt8]] = [:]
        for object in try await fixture.storage.list(prefix: path + "/") {
            let bytes: [UInt8]
            do {
                bytes = try await fixture.storage.get(key: object.key)
            } catch {
                if error.isNotFound { continue }  // a provisional tail deleted between the listing and the read, as it should be
                throw error
            }
            found[String(object.key.split(separator: "/").last!)] = bytes
        }
        return found
    }

    @Test func bytesPastTheLastChunkAreInTheStoreAfterMaxLagAndGoWithTheirChunk() async throws {
        let fixture = try await DaemonFixture(environment: ["MAX_LAG": "2s", "IDLE_TIMEOUT": "60s", "LOG_LEVEL": "debug"])
        defer { fixture.stopAllInBackground() }
        let path = "growing.mp4"
        let file = "\(fixture.watchDir)/\(path)"
        let first = FileWriter.randomBytes(1_000_000)
        try FileWriter.write(file, first)  // there before the daemon starts: found by its first scan
        try fixture.start()
        try await fixture.waitUntil("the first bytes are provisional in the store", timeout: .seconds(30)) {
            try await objects(fixture, path)["provisional-00000000"] == first
        }
        // Past a whole chunk (5 MiB here): the chunk is committed, its provisional tail deleted,
        // and the rest becomes the next one.
        let more = FileWriter.randomBytes(5 * 1024 * 1024)
        try FileWriter.append(file, more)
        let whole = first + more
        // The window closes when the idle file is finalized (IDLE_TIMEOUT) and its tail goes.
        try await fixture.waitUntil("chunk 0 replaces the tail, the rest is provisional", timeout: .seconds(50)) {
            let stored = try await objects(fixture, path)
            return stored["chunk-00000000"] != nil && stored["provisional-00000000"] == nil
                && stored["provisional-00000001"] == Array(whole[(5 * 1024 * 1024)...])
        }
        let manifest = try await fixture.waitForManifestMatchingFile(path, timeout: .seconds(120))
        try await fixture.expectBucketMatchesFile(manifest)
        try await fixture.waitUntil("the finished file leaves no provisional object", timeout: .seconds(30)) {
            try await objects(fixture, path).keys.allSatisfy { !$0.hasPrefix("provisional-") }
        }
        #expect(manifest.chunks.count == 2)
    }

    /// Each flush sends only what the earlier ones did not, as a piece of its own; `restore`
    /// joins them from the bucket alone; the chunk that holds them takes them away.
    @Test func eachFlushSendsOnlyTheNewBytesAndRestoreJoinsThePieces() async throws {
        let fixture = try await DaemonFixture(environment: ["MAX_LAG": "1s", "IDLE_TIMEOUT": "60s", "LOG_LEVEL": "debug"])
        defer { fixture.stopAllInBackground() }
        let path = "pieces.mp4"
        let file = "\(fixture.watchDir)/\(path)"
        let daemon = try fixture.start()
        var written: [UInt8] = []
        for (step, size) in [300_000, 200_000, 100_000].enumerated() {
            let piece = FileWriter.randomBytes(size)
            try FileWriter.append(file, piece)
            let from = written.count
            written += piece
            let name = from == 0 ? "provisional-00000000" : String(format: "provisional-00000000-%010d", from)
            try await fixture.waitUntil("piece \(step) is in the store", timeout: .seconds(30)) {
                try await objects(fixture, path)[name] == piece
            }
        }
        let sent = fixture.events(event: "provisional.uploaded").reduce(0) { $0 + (Int($1["tail.bytes"] ?? "") ?? 0) }
        #expect(sent == written.count, "each byte sent once before its chunk: \(sent) for \(written.count)")

        // The recorder is destroyed: the bucket alone gives the pieces back, joined.
        daemon.kill9()
        let output = Scratch.directory("pieces") + "/pieces.mp4"
        let restore = try fixture.restoreFromStoreAlone(path, to: output)
        #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.log())")
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: output))) == written)
        #expect(restore.log().contains("provisional tail of \(written.count) bytes"), "\(restore.log())")

        // Restarted, the file grows past a whole chunk: the chunk is committed and no piece of
        // it is left.
        try fixture.start()
        try FileWriter.append(file, FileWriter.randomBytes(5 * 1024 * 1024))
        try await fixture.waitUntil("chunk 0 took the pieces' place", timeout: .seconds(60)) {
            let stored = try await objects(fixture, path)
            return stored["chunk-00000000"] != nil && !stored.keys.contains { $0.hasPrefix("provisional-00000000") }
        }
    }

    @Test func maxLagZeroSendsOnlyWholeChunks() async throws {
        let fixture = try await DaemonFixture(environment: ["MAX_LAG": "0", "IDLE_TIMEOUT": "8s"])
        defer { fixture.stopAllInBackground() }
        try fixture.start()
        try FileWriter.write("\(fixture.watchDir)/quiet.mp4", FileWriter.randomBytes(700_000))
        let manifest = try await fixture.waitForManifestMatchingFile("quiet.mp4")
        #expect(try await fixture.storage.list(prefix: "quiet.mp4/").allSatisfy { !$0.key.contains("provisional-") })
        #expect(fixture.events(event: "provisional.uploaded").isEmpty && manifest.chunks.count == 1)
    }
}
