import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
import Foundation
import Logging
import Metrics

/// Owns every tracked file and decides what work is due: the watcher reports files, workers
/// report outcomes, the idle monitor asks for finalization. All Redis and store I/O happens in
/// the workers; the manager only keeps state and queues jobs, so it never waits on an outage.
package actor StreamManager {
    /// One lane per uplink class (see `enqueue`).
    let queue = WorkQueue<StreamJob>(lanes: UplinkClass.allCases.count)
    private let root: String
    /// Which files are uploaded; a reload that adds a camera widens it (shared with the watcher).
    nonisolated package let filter: Reloadable<FileFilter>
    private let chunkSize: Int64
    /// BACKLOG_ORDER: finished files newest first (else oldest first).
    let backlogNewestFirst: Bool
    /// Camera names, for the loss window per camera (`uplinkOverview`); set at start and reload.
    var cameras: Set<String> = []
    /// Cameras' sub-stream folders (`<camera>/live`): their live work goes first.
    var substreamFolders: Set<String> = []
    /// Bytes per second a provisional piece went up at lately (see `flushLaggingTails`).
    var pieceRate: Double?
    var bandwidthLimit: Int?
    /// What events ask for (see `setEvents`); nil without event sources.
    var eventWindows: EventWindows?
    /// UPLOAD_SCOPE=events: files outside every event window are not sent.
    var eventsOnly = false
    var pathLayout: PathLayout?
    /// Reads times written in paths (PATH_TIMEZONE).
    var pathCalendar = Calendar(identifier: .gregorian)
    /// Whether the event book has loaded the events Redis kept: until then no footage counts as
    /// wanted by none (retention deletes nothing unsent).
    var eventsKnown = false
    /// Reloadable (`apply`).
    package var idleTimeout: Duration
    package var maxLag: Duration?
    private let logger: Logger
    /// Files being uploaded, or not yet known to be finished.
    package private(set) var files: [RelativePath: TrackedFile] = [:]
    /// Files whose stream is finalized and that have not changed since: a few words each.
    package private(set) var finished: [RelativePath: FinishedFile] = [:]
    /// Streams a worker is acting on now: at most one job runs per stream.
    private var running: Set<String> = []
    package private(set) var initialScanDone = false
    /// The file each camera's ffmpeg is writing now: never finalized for being idle (a
    /// low-bitrate stream may leave it unchanged for seconds); segment close or ffmpeg's exit ends it.
    var recordingFiles: [String: RelativePath] = [:]
    /// Unfinished streams Redis knew at startup or that workers reported since, by id.
    private var known: [String: StreamRecord] = [:]
    /// Finalized streams from Redis, sorted by key, until the initial scan matched them to their
    /// files; after it a file seen for the first time has its record loaded by a worker.
    private var finishedStreams: [FinishedStream] = []
    /// Changes with every full scan, to tell which finished files it saw without a set of them.
    private var scanMark: UInt8 = 0
    /// Paths the watcher is to look at again for the manager (see `pathsToLook`).
    private var lookAgain: Set<RelativePath> = []
    /// Files finalized by this run, oldest first, for `recentlyFinished` (at most 1000).
    private var finishedLately: [(key: RelativePath, at: ContinuousClock.Instant)] = []
    private let readRetryDelay: Duration = .seconds(30)
    /// How soon to ask again for a stream another instance holds.
    private let leaseRetryDelay: Duration
    /// Whether WATCH_DIR's share is away (see `WatchRoot`), shared with the state janitor.
    nonisolated package let watchRoot: WatchRoot
    private let commitLag = Metrics.Timer(label: "chunkferry_commit_lag_seconds", preferredDisplayUnit: .seconds)

    /// What each stream's running digest computes (FILE_DIGEST).
    private let fileDigest: FileDigest

    package init(watch: WatchSettings, upload: UploadSettings, uplink: UplinkSettings = UplinkSettings(), fileDigest: FileDigest = .standard,
                 logger: Logger) {
        self.fileDigest = fileDigest
        backlogNewestFirst = uplink.backlogOrder == .newest
        leaseRetryDelay = upload.leaseTTL / 4
        root = watch.directory
        watchRoot = WatchRoot(watch.directory)
        filter = Reloadable(FileFilter(extensions: watch.fileExtensions))
        chunkSize = Int64(upload.chunkSize)
        idleTimeout = upload.idleTimeout
        maxLag = upload.maxLag
        self.logger = logger
    }

    package func preload(_ records: [StreamRecord]) {
        let finalized = records.filter { $0.state == .finalized }
        for record in records where record.state != .finalized { remember(record) }
        preloadFinished(finalized.map(FinishedStream.init))
    }

    /// Finalized streams from their compact records: key, size, completion time.
    package func preloadFinished(_ streams: [FinishedStream]) {
        finishedStreams = (finishedStreams + streams).sorted { $0.key < $1.key }
        finished.reserveCapacity(streams.count)
    }

    /// Keeps what is needed of a record a worker or Redis reported: unfinished ones whole; a
    /// finalized one lives on in its file's `FinishedFile`.
    private func remember(_ record: StreamRecord) {
        if record.state == .finalized {
            known[record.id] = nil
        } else {
            known[record.id] = record
        }
    }

    /// The watcher looked at paths (relative) it saw created, written, removed or present: act
    /// on what it found.
    func observe(_ sightings: [FileSighting]) {
        for sighting in sightings { observe(sighting) }
    }

    /// The look already applied the upload filter: a name it refuses comes as `.other`.
    func observe(_ sighting: FileSighting) {
        switch sighting.found {
        case .missing: vanished(sighting.path)
        case .file(let status): reconcile(sighting.path, status)
        case .other: break
        }
    }

    /// Paths to look at again (a job found its file gone, a scan did not report a tracked file),
    /// which the watcher looks at on its own thread and hands back to `observe`.
    func pathsToLook() -> [String] {
        defer { lookAgain.removeAll() }
        return lookAgain.map(\.value)
    }

    /// Stops tracking a file that never had a stream (retention is about to delete it).
    func dropUnstarted(_ key: RelativePath) {
        guard files[key]?.record == nil else { return }
        files[key] = nil
    }

    /// Asks the watcher to look at `path` again (see `pathsToLook`).
    func lookAgainAt(_ path: String) {
        lookAgain.insert(RelativePath(path))
    }

    /// `path` was deleted or moved away.
    package func vanished(_ path: String) {
        // Under a share that went away, files are not deleted recordings: they come back with it.
        guard !watchRootAway() else { return }
        let key = RelativePath(path)
        if finished.removeValue(forKey: key) != nil { return }
        guard let file = files.removeValue(forKey: key) else { return }
        retire(file, reason: "the file was deleted or moved away before it was finished")
    }

    /// A full scan is about to report every file: those it does not report are gone.
    func scanStarting() {
        scanMark &+= 1
    }

    /// After a scan of the whole tree: whatever is tracked but was not seen is gone. A scan that
    /// skipped unchanged folders (`complete` false) reported only part of the finished files, so
    /// only unfinished ones and those finished moments ago are looked at again (growth no event
    /// reported).
    func scanCompleted(seen: [String], complete: Bool = true) {
        if !initialScanDone {
            initialScanDone = true
            finishedStreams = []  // matched to their files by now
            closeOrphanedStreams()
            let done = finished.count + files.values.filter(\.isFinalizedAsIs).count
            logger.info("initial scan complete", metadata: [
                "event": "scan.initial_complete",
                "files": "\(files.count + finished.count)", "files.finished": "\(done)", "jobs.queued": "\(queue.count)",
            ])
        }
        guard complete else {
            lookAgain.formUnion(files.keys)
            lookAgain.formUnion(recentlyFinished())
            return
        }
        guard !watchRootAway() else { return }
        let present = Set(seen.map(RelativePath.init).filter { files[$0] != nil })
        // Looked at once more before they count as gone (a file may have come back meanwhile).
        lookAgain.formUnion(files.keys.filter { !present.contains($0) })
        lookAgain.formUnion(finished.compactMap { $0.value.scanMark == scanMark ? nil : $0.key })
    }

    /// Files finalized within the watcher's full-scan period, the newest 1000 at most. A
    /// recorder that resumes writing to a file it paused changes no folder's times, and on a
    /// share inotify cannot see (SMB, NFS, a FUSE view) nothing else reports the growth before
    /// the next full scan.
    private func recentlyFinished(now: ContinuousClock.Instant = .now) -> [RelativePath] {
        finishedLately.removeFirst(finishedLately.prefix { now - $0.at >= DirectoryWatcher.fullScanPeriod }.count)
        return finishedLately.map(\.key)
    }

    /// Streams Redis holds as active whose file is no longer there (deleted, replaced or truncated
    /// while ChunkFerry was down, or an abandon that a shutdown cut short) are closed now.
    private func closeOrphanedStreams() {
        let current = Set(files.values.map(\.streamID))
        for record in known.values where record.state == .active && !current.contains(record.id) {
            queue.push(.abandon(record, reason: "its file was gone or replaced when ChunkFerry started"))
            known[record.id]?.state = .abandoned
        }
    }

    /// Queues finalization for every stream idle for IDLE_TIMEOUT.
    func finalizeIdleStreams(now: ContinuousClock.Instant = .now) {
        let recording = Set(recordingFiles.values)
        for (path, file) in files where !file.jobPending && file.record?.state == .active && !recording.contains(path) && file.failure == nil {
            guard now - file.changedAt >= idleTimeout, file.retryAfter.map({ now >= $0 }) ?? true else { continue }
            files[path]?.jobPending = true
            enqueue(.finalize(path: path.value, streamID: file.streamID), for: file, now: now)
        }
    }

    /// Up to `limit` files whose stream was finalized at or before `cutoff` (unix ms) and that have
    /// not changed since, oldest-finished first: what local retention may delete (after asking
    /// the store).
    func uploadedFiles(finishedBefore cutoff: Int64, limit: Int) -> [UploadedFile] {
        // The `limit` oldest by insertion into a short sorted list: no copy or sort of them all.
        var oldest: [(key: RelativePath, value: FinishedFile)] = []
        oldest.reserveCapacity(limit + 1)
        // Footage an event not yet done wants stays until its clip is cut.
        let events = eventWindows.map { !$0.isEmpty } ?? false
        for entry in finished where entry.value.completedAt <= cutoff {
            guard oldest.count < limit || entry.value.completedAt < oldest[oldest.count - 1].value.completedAt,
                  !(events && wantedByEvent(entry.key.value, entry.value)) else { continue }
            let at = oldest.firstIndex { entry.value.completedAt < $0.value.completedAt } ?? oldest.count
            oldest.insert(entry, at: at)
            if oldest.count > limit { oldest.removeLast() }
        }
        return oldest.map { key, file in
            UploadedFile(path: key.value, file: file, streamID: StreamIdentity.id(
                path: key.value, device: file.device, inode: file.inode, generation: Int(file.generation)))
        }
    }

    /// A worker takes up a job queued for `path`'s stream `streamID`: a copy of what it needs;
    /// nil if that stream is no longer the file's (the job is dropped) or another job runs on it
    /// (that job's end schedules the file again).
    func begin(_ path: String, streamID: String) -> StreamWork? {
        let key = RelativePath(path)
        guard let file = files[key], file.streamID == streamID else { return nil }
        guard !running.contains(streamID) else {
            files[key]?.jobPending = false
            return nil
        }
        running.insert(streamID)
        return StreamWork(path: path, streamID: file.streamID, status: file.status, record: file.record,
                          verifyBucket: !file.bucketChecked, digest: file.digest, provisional: file.provisional, sweepPieces: !file.piecesSwept,
                          suspectRewrite: file.suspectRewrite)
    }

    /// A worker finished a job for `path`'s stream `streamID`.
    package func finish(_ path: String, streamID: String, outcome: WorkOutcome) {
        running.remove(streamID)
        let key = RelativePath(path)
        let record: StreamRecord? = switch outcome {
        case .progressed(let record), .finalized(let record), .changed(let record): record
        case .unreadable(let record, _): record
        case .refused(let record, _): record
        case .vanished, .stopped, .otherGeneration, .ownedElsewhere, .declined: nil
        }
        if let record { remember(record) }
        guard var file = files[key], file.streamID == streamID else {
            // Retired while this job ran: a stream the job made active again (a finished file that
            // grew, then went) has nobody else to close it.
            if let record, record.state == .active {
                queue.push(.abandon(record, reason: "the file was deleted or moved away before it was finished"))
                var closed = record
                closed.state = .abandoned
                remember(closed)
            }
            return
        }
        file.jobPending = false
        if let record {
            let before = file.record
            file.record = record
            file.suspectRewrite = false  // the worker compared it
            file.bucketChecked = true
            // The worker deleted a provisional tail that a committed chunk now holds.
            if let tail = file.provisional, record.chunkCount > tail.index || record.state != .active { file.provisional = nil }
            // From when the committed chunk's last byte was first seen on disk.
            if let sighting = file.sightings.first(where: { $0.size >= record.committedOffset }), record.committedOffset > 0,
               before.map({ $0.committedOffset < record.committedOffset }) ?? false {
                commitLag.record(duration: .now - sighting.at)
            }
            file.held(upTo: file.storeHolds)
        }
        switch outcome {
        case .progressed:
            break
        case .stopped, .declined:
            file.bucketChecked = false  // cut short, perhaps mid-recovery: look at the bucket again
        case .finalized(let record):
            if record.fileSize != file.status.size { file.changedAt = .now }  // grew while finalizing
        case .changed:
            file.changedAt = .now
            file.retryAfter = .now + .milliseconds(500)  // let the watcher see the change first
        case .unreadable:
            file.retryAfter = .now + readRetryDelay
        case .refused(_, let reason):
            file.failure = reason  // no job until `retry`: the worker goes on with other files
        case .ownedElsewhere:
            file.retryAfter = .now + leaseRetryDelay
            file.bucketChecked = false
        case .otherGeneration:
            file = trackedFile(path, file.status, generation: file.generation + 1, record: nil, changedAt: file.changedAt)
        case .vanished:
            if watchRootAway() {
                file.retryAfter = .now + .seconds(5)  // the share is away: look again once it may be back
                files[key] = file
                return
            }
            files[key] = file
            // The watcher confirms it gone, looking at the share first (a new file may already
            // stand at the same name; an unmounted share is no deletion).
            lookAgain.insert(key)
            return
        }
        files[key] = file
        // Done, whatever back-off an earlier outcome left behind: retention looks only at `finished`.
        if file.isFinalizedAsIs, !file.jobPending {
            var done = FinishedFile(file.status, generation: file.generation, completedAt: file.record?.completedAt ?? 0)
            done.scanMark = scanMark
            finished[key] = done
            files[key] = nil
            finishedLately.append((key, .now))
            if finishedLately.count > 1000 { finishedLately.removeFirst(finishedLately.count - 1000) }
            return
        }
        scheduleIfDue(key)
    }

    private func reconcile(_ path: String, _ status: FileStatus) {
        let key = RelativePath(path)
        if let done = finished[key] {
            if done.matches(status) {
                finished[key]?.scanMark = scanMark
                return
            }
            finished[key] = nil
            if done.device != status.device || done.inode != status.inode {
                admit(key, status)
            } else {
                // Changed since it was finished: shorter is a new generation; longer, its stream
                // takes it up again (the worker loads the record from Redis).
                let generation = Int(done.generation) + (status.size < done.size ? 1 : 0)
                files[key] = trackedFile(path, status, generation: generation, record: nil, changedAt: .now)
                files[key]?.suspectRewrite = status.size == done.size
                scheduleIfDue(key)
            }
            return
        }
        guard var file = files[key] else {
            admit(key, status)
            return
        }
        if file.status.device != status.device || file.status.inode != status.inode {
            retire(file, reason: "another file replaced it under the same name")
            files[key] = nil
            admit(key, status)
            return
        } else if let record = file.record, status.size < record.committedOffset {
            retire(file, reason: "the file was truncated below what was uploaded; a new stream starts")
            files[key] = trackedFile(path, status, generation: file.generation + 1, record: nil, changedAt: .now)
        } else if !status.isUnchanged(since: file.status) {
            if status.size < file.storeHolds {
                // Cut back below its provisional pieces: they no longer hold this file's bytes.
                // The next flush starts again at the chunk and sweeps them.
                file.provisional = nil
                file.piecesSwept = false
            }
            file.status = status
            file.changedAt = .now
            file.grewHere = true
            file.retryAfter = nil
            file.sighted(status.size, at: file.changedAt)
            files[key] = file
        }
        scheduleIfDue(key)
    }

    func scheduleIfDue(_ key: RelativePath) {
        guard var file = files[key], !file.jobPending, !running.contains(file.streamID), file.failure == nil, !isHeld(file) else { return }
        if let retryAfter = file.retryAfter, ContinuousClock.now < retryAfter { return }
        let due: Bool
        if let record = file.record {
            due = record.state == .finalized ? !file.isFinalizedAsIs
                : record.state == .active && file.status.size >= record.committedOffset + Int64(record.chunkSize)
        } else {
            due = true  // create or load the stream
        }
        guard due else { return }
        file.jobPending = true
        files[key] = file
        enqueue(.upload(path: key.value, streamID: file.streamID), for: file)
    }

    private func retire(_ file: TrackedFile, reason: String) {
        guard var record = file.record, record.state == .active else { return }
        queue.push(.abandon(record, reason: reason))
        record.state = .abandoned
        remember(record)
    }

    /// A file seen for the first time (since start): finished, if the latest generation Redis
    /// knows for it is finalized at its size; else tracked with that generation, or a new one when
    /// that generation is abandoned or longer than the file now is.
    private func admit(_ key: RelativePath, _ status: FileStatus, complete: Bool = false) {
        let path = key.value
        var generation = 0
        var latest: (record: StreamRecord?, finished: FinishedStream?)?
        while true {
            let id = StreamIdentity.id(path: path, device: status.device, inode: status.inode, generation: generation)
            if let record = known[id] {
                latest = (record, nil)
            } else if let done = finishedStreams.finished(FinishedStream.key(id)) {
                latest = (nil, done)
            } else {
                break
            }
            generation += 1
        }
        if let done = latest?.finished, done.size == status.size, !done.timesMoved(status) {
            var file = FinishedFile(status, generation: generation - 1, completedAt: done.completedAt)
            file.scanMark = scanMark
            finished[key] = file
            return
        }
        let age = complete ? idleTimeout : Duration.milliseconds(max(0, WallClock.nowMilliseconds() - status.modified / 1_000_000))
        let changedAt = ContinuousClock.now - min(age, idleTimeout)
        let committed = latest?.record?.committedOffset ?? latest?.finished?.size ?? 0
        if let latest, latest.record?.state != .abandoned, status.size >= committed {
            files[key] = trackedFile(path, status, generation: generation - 1, record: latest.record, changedAt: changedAt)
            // Finished at this size, but written since (ChunkFerry was down meanwhile).
            files[key]?.suspectRewrite = latest.finished.map { $0.size == status.size } ?? false
        } else {
            files[key] = trackedFile(path, status, generation: generation, record: nil, changedAt: changedAt)
            // Written moments ago: fresh footage even if it landed whole (Frigate moves each
            // finished segment in), so its finalization is live work, not backlog.
            files[key]?.grewHere = age < idleTimeout
            // Nothing known of it, finished already and small: the single-chunk shortcut.
            if latest == nil, !recordingFiles.values.contains(key), !isHeld(files[key]!), status.size > 0, status.size <= chunkSize, age >= idleTimeout, let file = files[key] {
                files[key]?.jobPending = true
                enqueue(.single(path: path, streamID: file.streamID), for: file)
                return
            }
        }
        scheduleIfDue(key)
    }

    private func trackedFile(_ path: String, _ status: FileStatus, generation: Int, record: StreamRecord?,
                             changedAt: ContinuousClock.Instant) -> TrackedFile {
        let id = StreamIdentity.id(path: path, device: status.device, inode: status.inode, generation: generation)
        var file = TrackedFile(path: path, streamID: id, generation: generation, status: status, changedAt: changedAt, record: record,
                               digest: RunningDigest(kind: fileDigest))
        file.sighted(status.size, at: changedAt)  // for all it knows, nothing past the checkpoint is in the store
        if eventWindows != nil { file.said = said(path) }
        return file
    }

    /// Queues a provisional tail for every growing file whose bytes past its last whole chunk
    /// will have waited MAX_LAG by the time they are in the store (a whole chunk due is sent by
    /// its upload job instead): on a slow uplink a piece is sent as much earlier as it takes to
    /// send, up to half of MAX_LAG; it costs requests, not bytes.
    func flushLaggingTails(now: ContinuousClock.Instant = .now) {
        guard let maxLag else { return }
        // The pieces due now share the uplink: each goes as early as all of them take.
        var unsent: Int64 = 0, waiting = 0
        for file in files.values where file.record?.state == .active && isLive(file, now: now) && file.status.size > file.storeHolds {
            // Only what goes as pieces: whole chunks due go by their upload jobs.
            guard let record = file.record, file.status.size - record.committedOffset < Int64(record.chunkSize) else { continue }
            unsent += file.status.size - file.storeHolds
            waiting += 1
        }
        let lead = sendingTime(unsent, files: waiting, within: maxLag / 2)
        for (path, file) in files where !file.jobPending && !running.contains(file.streamID) && file.failure == nil {
            guard let record = file.record, record.state == .active, let since = file.unsentSince,
                  file.retryAfter.map({ now >= $0 }) ?? true else { continue }
            let pending = file.status.size - record.committedOffset
            guard pending > 0, pending < Int64(record.chunkSize) else { continue }
            guard now - since >= maxLag - lead else { continue }
            if let tail = file.provisional, tail.index == record.chunkCount, tail.end >= file.status.size { continue }
            files[path]?.jobPending = true
            enqueue(.tail(path: path.value, streamID: file.streamID), for: file, now: now)
        }
    }

    /// Failed streams (the store refused one of their objects) whose path is in `paths`, or
    /// all with "*", are tried again; the paths that were failed.
    package func retryFailed(_ paths: Set<String>) -> [String] {
        var retried: [String] = []
        for (key, file) in files where file.failure != nil && (paths.contains("*") || paths.contains(key.value)) {
            files[key]?.failure = nil
            files[key]?.bucketChecked = false
            files[key]?.retryAfter = nil
            retried.append(key.value)
            scheduleIfDue(key)
        }
        return retried.sorted()
    }

    /// The files whose stream failed, with its id.
    package func failedStreams() -> [(path: String, streamID: String)] {
        files.values.filter { $0.failure != nil }.map { ($0.path, $0.streamID) }
    }

    /// `camera`'s recorder writes `file` now (WATCH_DIR-relative), or nothing (nil).
    package func recording(camera: String, file: String?) {
        recordingFiles[camera] = file.map(RelativePath.init)
    }

    /// Whether WATCH_DIR's share is away: one line when that begins and one when it ends.
    /// As the watcher last saw it (`WatchRoot.refresh`, before the looks it hands over).
    private func watchRootAway() -> Bool {
        watchRoot.isAway
    }

    /// The store holds `tail`: bytes past it still wait, since they were first seen.
    func tailSent(_ path: String, streamID: String, tail: ProvisionalTail, bytes: Int = 0, took: Duration = .zero) {
        notePieceRate(bytes: bytes, took: took)
        let key = RelativePath(path)
        guard files[key]?.streamID == streamID else { return }
        files[key]?.provisional = tail
        files[key]?.piecesSwept = true
        files[key]?.held(upTo: tail.end)
    }

    /// The file at `path` was just put in place whole (renamed into place by a camera's
    /// snapshot taker): no idle wait, it is finished.
    package func completed(_ sighting: FileSighting) {
        let key = RelativePath(sighting.path)
        guard files[key] == nil, finished[key] == nil else {
            // The watcher saw it first: the idle monitor finalizes it at its next look.
            observe(sighting)
            files[key]?.changedAt = .now - idleTimeout
            return
        }
        guard case .file(let status) = sighting.found else { return }
        admit(key, status, complete: true)
    }
}
