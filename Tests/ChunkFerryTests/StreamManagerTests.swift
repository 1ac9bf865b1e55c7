@testable import ChunkFerryCheckpoint
@testable import ChunkFerryPipeline
@testable import ChunkFerrySupport
import Foundation
import Logging
import Testing

/// The stream manager's decisions, fed the sightings the watcher makes: no filesystem, Redis
/// or store, so each ordering that end-to-end tests can only hope to hit runs here in
/// milliseconds.
@Suite struct StreamManagerTests {
    static let chunk = 5 << 20

    func manager(root: String = "/nonexistent-watch-root") -> StreamManager {
        StreamManager(watch: WatchSettings(directory: root), upload: UploadSettings(chunkSize: Self.chunk, idleTimeout: .seconds(30)),
                      logger: Logger(label: "test"))
    }

    /// A file as the watcher saw it; written `age` ago.
    func seen(_ path: String, inode: UInt64 = 1, size: Int64, age: Duration = .zero) -> FileSighting {
        let written = (WallClock.nowMilliseconds() - age.milliseconds) * 1_000_000
        return FileSighting(path: path, found: .file(FileStatus(kind: .regular, device: 7, inode: inode, size: size, modified: written, changed: written)))
    }

    func jobs(_ manager: StreamManager) async -> [StreamJob] {
        var taken: [StreamJob] = []
        let queue = await manager.queue
        while queue.count > 0, let queued = await queue.next() { taken.append(queued.job) }
        return taken
    }

    func record(for job: StreamJob, inode: UInt64 = 1, committed: Int64) throws -> StreamRecord {
        guard case .upload(let path, let id) = job else { throw Unexpected(job: "\(job)") }
        var record = StreamRecord(id: id, path: path, device: 7, inode: inode, chunkSize: Self.chunk, keyPrefix: "\(path)/\(id)/",
                                  startedAt: 0, host: "test")
        record.committedOffset = committed
        return record
    }

    struct Unexpected: Error { var job: String }

    /// A stream with its first chunk committed and no job queued: its path and id.
    func progressed(_ manager: StreamManager, _ path: String) async throws -> (path: String, id: String) {
        await manager.observe([seen(path, size: 6 << 20)])
        let job = try #require(await jobs(manager).first)
        guard case .upload(_, let id) = job else { throw Unexpected(job: "\(job)") }
        _ = await manager.begin(path, streamID: id)
        await manager.finish(path, streamID: id, outcome: .progressed(try record(for: job, committed: Int64(Self.chunk))))
        #expect(await jobs(manager).isEmpty)
        return (path, id)
    }

    /// A file cut back below its provisional pieces (rewritten in place, still in its first
    /// chunk) forgets them: the next flush starts again at the chunk instead of joining old
    /// bytes to new ones.
    @Test func aFileCutBackBelowItsPiecesStartsThemAgain() async throws {
        let manager = manager()
        await manager.observe([seen("cam/a.mp4", size: 700_000)])
        let job = try #require(await jobs(manager).first)
        guard case .upload(let path, let id) = job else { Issue.record("\(job)"); return }
        _ = await manager.begin(path, streamID: id)
        await manager.finish(path, streamID: id, outcome: .progressed(try record(for: job, committed: 0)))
        await manager.tailSent(path, streamID: id, tail: ProvisionalTail(index: 0, end: 700_000, pieces: [0, 400_000]))
        #expect(await manager.files[RelativePath(path)]?.provisional?.end == 700_000)
        await manager.observe([seen(path, size: 200_000)])
        let file = try #require(await manager.files[RelativePath(path)])
        #expect(file.provisional == nil && !file.piecesSwept && file.streamID == id)
        #expect(file.storeHolds == 0, "nothing of the new bytes is in the store")
    }

    /// Bytes that go as pieces, over BANDWIDTH_LIMIT: how much before MAX_LAG a piece is sent.
    @Test func piecesGoAsMuchEarlierAsTheyTakeToSend() async {
        let manager = manager()
        #expect(await manager.sendingTime(1_000_000, files: 4, within: .seconds(5)) == .zero, "nothing measured, no limit: on time")
        await manager.noteBandwidthLimit(500_000)
        #expect(await manager.sendingTime(1_000_000, files: 4, within: .seconds(5)) == .milliseconds(2_500))
        #expect(await manager.sendingTime(10_000_000, files: 4, within: .seconds(5)) == .seconds(5), "at most half of MAX_LAG")
    }

    @Test func aGrowingFileHasOneJobAtATime() async throws {
        let manager = manager()
        await manager.observe([seen("cam/a.mp4", size: 100)])
        await manager.observe([seen("cam/a.mp4", size: 6 << 20)])
        let queued = await jobs(manager)
        #expect(queued.count == 1, "one job per stream: \(queued)")
        guard case .upload(let path, _) = try #require(queued.first) else { Issue.record("\(queued)"); return }
        #expect(path == "cam/a.mp4")
    }

    @Test func aSmallFileFinishedBeforeItWasSeenTakesTheShortcut() async throws {
        let manager = manager()
        await manager.observe([seen("alerts/a.mp4", size: 40_000, age: .seconds(120))])
        guard case .single(let path, _) = try #require(await jobs(manager).first) else { Issue.record("no shortcut"); return }
        #expect(path == "alerts/a.mp4")
    }

    /// Replaced under the same name while its job ran: the old stream is abandoned with the
    /// reason, the new file gets a stream of its own, and the old stream's next job is dropped.
    @Test func aFileReplacedWhileItsJobRunsIsAbandonedAndTheNewOneGetsItsOwnStream() async throws {
        let manager = manager()
        await manager.observe([seen("cam/a.mp4", inode: 1, size: 6 << 20)])
        let first = try #require(await jobs(manager).first)
        guard case .upload(let path, let oldID) = first else { Issue.record("\(first)"); return }
        let work = try #require(await manager.begin(path, streamID: oldID))
        #expect(work.streamID == oldID)
        await manager.observe([seen(path, inode: 2, size: 100)])  // replaced meanwhile
        await manager.finish(path, streamID: oldID, outcome: .progressed(try record(for: first, committed: Int64(Self.chunk))))
        let after = await jobs(manager)
        let abandoned = after.compactMap { job -> (String, String)? in
            if case .abandon(let record, let reason) = job { return (record.id, reason) }
            return nil
        }
        #expect(abandoned.count == 1 && abandoned.first?.0 == oldID, "\(after)")
        #expect(abandoned.first?.1.contains("deleted or moved away") == true || abandoned.first?.1.contains("replaced") == true, "\(after)")
        let uploads = after.compactMap { job -> String? in
            if case .upload(_, let id) = job { return id }
            return nil
        }
        #expect(uploads.count == 1 && uploads.first != oldID, "the new file's own stream: \(after)")
        #expect(await manager.begin(path, streamID: oldID) == nil, "a job of the old stream is dropped")
    }

    /// A job that found its file gone does not count it deleted by itself: the watcher looks
    /// again (the share first), and only a missing file retires the stream.
    @Test func aFileAJobFoundGoneIsLookedAtAgainBeforeItsStreamIsAbandoned() async throws {
        let manager = manager()
        let (path, id) = try await progressed(manager, "cam/b.mp4")
        _ = await manager.begin(path, streamID: id)
        await manager.finish(path, streamID: id, outcome: .vanished)
        #expect(await manager.pathsToLook() == [path])
        #expect(await jobs(manager).isEmpty, "nothing abandoned before the look")
        await manager.observe([FileSighting(path: path, found: .missing)])
        let after = await jobs(manager)
        guard case .abandon(let record, _) = try #require(after.first) else { Issue.record("\(after)"); return }
        #expect(record.id == id)
        #expect(await manager.pathsToLook().isEmpty)
    }

    /// Under a share that went away, files missing are not deleted recordings.
    @Test func filesMissingUnderAShareThatWentAwayAreNotDeleted() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("share-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let manager = manager(root: root)
        let share = manager.watchRoot
        #expect(share.refresh().away == false)
        let (path, _) = try await progressed(manager, "cam/c.mp4")
        try FileManager.default.removeItem(atPath: root)
        #expect(share.refresh() == (away: true, changed: true))
        await manager.observe([FileSighting(path: path, found: .missing)])
        #expect(await jobs(manager).isEmpty, "nothing abandoned while the share is away")
    }

    /// On a share inotify cannot see, a file finalized a moment ago that grows again changes no
    /// folder's times: a scan that skipped unchanged folders still has it looked at.
    @Test func aFileFinishedMomentsAgoIsLookedAtAfterAPartialScan() async throws {
        let manager = manager()
        let (path, id) = try await progressed(manager, "cam/a.mp4")
        await manager.finalizeIdleStreams(now: .now + .seconds(3600))
        let job = try #require(await jobs(manager).first)
        guard case .finalize = job else { Issue.record("expected a finalize job: \(job)"); return }
        _ = await manager.begin(path, streamID: id)
        var record = try record(for: .upload(path: path, streamID: id), committed: 6 << 20)
        record = record.finalized(size: 6 << 20, chunkCount: 2, sha256: String(repeating: "ab", count: 32),
                                  completedAt: WallClock.nowMilliseconds(), repairedChunks: 0, objectKey: nil, chunksDeleted: false)
        await manager.finish(path, streamID: id, outcome: .finalized(record))
        #expect(await manager.overview().finalized == 1)
        _ = await manager.pathsToLook()
        await manager.scanCompleted(seen: [], complete: false)
        #expect(await manager.pathsToLook().contains(path), "looked at again although its folder did not change")
    }
}
