import Foundation
import Testing

/// Two daemons on one directory and one Redis: they share the streams through leases; when one
/// dies, the other takes its streams over from the committed offset.
@Suite struct DaemonInstancesTests {
    @Test func twoInstancesShareTheWorkAndOneTakesOverWhenTheOtherDies() async throws {
        let fixture = try await DaemonFixture(environment: ["LEASE_TTL": "3s", "IDLE_TIMEOUT": "4s"])
        let first = try fixture.start(environment: ["NODE_ID": "node-a"])
        var names = (1...4).map { "shared/cam\($0).mp4" }
        try FileManager.default.createDirectory(atPath: "\(fixture.watchDir)/shared", withIntermediateDirectories: true)
        for second in 0..<14 {
            if second == 4 {
                try fixture.start(environment: ["NODE_ID": "node-b"])  // joins while node-a holds the first streams
            }
            if second == 6 { names += ["shared/cam5.mp4", "shared/cam6.mp4"] }
            if second == 8 { first.kill9() }
            for name in names { try FileWriter.append("\(fixture.watchDir)/\(name)", FileWriter.randomBytes(900_000)) }
            try await Task.sleep(for: .seconds(1))
        }
        for name in names {
            try await fixture.expectBucketMatchesFile(try await fixture.waitForManifestMatchingFile(name, timeout: .seconds(90)))
        }

        let beforeKill = fixture.events(event: "chunk.uploaded", run: 0)
        let afterKill = fixture.events(event: "chunk.uploaded", run: 1)
        #expect(!beforeKill.isEmpty, "the first instance should have done some of the work")
        for name in names {
            // The same chunk is the same index with the same length (a tail committed at an idle
            // moment is legitimately replaced by the full chunk when the file grows again).
            let chunks = (beforeKill + afterKill).filter { $0["file.path"] == name }
                .compactMap { event in event["chunk.index"].map { "\($0):\(event["chunk.bytes"] ?? "")" } }
            #expect(chunks.count == Set(chunks).count, "\(name): a chunk was committed twice: \(chunks.sorted())")
        }
        let takenOver = Set(beforeKill.compactMap { $0["file.path"] })
        #expect(!takenOver.isEmpty)
        for name in takenOver {
            #expect(afterKill.contains { $0["file.path"] == name }, "\(name) was not carried on by the surviving instance")
        }
        let manifests = try await fixture.manifests(for: names[0])
        #expect(manifests.count == 1)
    }
}
