import Logging

/// Owns every tracked file and decides what work is due: the watcher reports files, workers
/// report outcomes, the idle monitor asks for finalization. All Redis and store I/O happens in
/// the workers; the manager only keeps state and queues jobs, so it never waits on an outage.
actor StreamManager {
    let queue = WorkQueue<StreamJob>()
    private let root: String
    private let filter: FileFilter
    private let chunkSize: Int64
    private let idleTimeout: Duration
    private let logger: Logger
    private var files: [String: TrackedFile] = [:]
    /// Streams Redis knew at startup or that workers reported since, by id.
    private var known: [String: StreamRecord] = [:]
    private let readRetryDelay: Duration = .seconds(30)

    init(watch: WatchSettings, upload: UploadSettings, logger: Logger) {
        root = watch.directory
        filter = FileFilter(extensions: watch.fileExtensions)
        chunkSize = Int64(upload.chunkSize)
        idleTimeout = upload.idleTimeout
        self.logger = logger
    }

    func preload(_ records: [StreamRecord]) {
        for record in records { known[record.id] = record }
    }

    var trackedPaths: [String] { Array(files.keys) }

    func tracked(_ path: String) -> TrackedFile? { files[path] }

    /// The watcher saw `path` (relative) created, written or present: look and act.
    func observe(_ path: String) {
        guard filter.accepts(path) else { return }
        let absolute = PathEscaping.systemPath(root: root, relative: path)
        switch FileStatus.of(absolute) {
        case .failure(let error):
            if error.isMissing { vanished(path) }
        case .success(let status):
            guard status.kind == .regular else { return }
            if case .success(let link) = FileStatus.ofLink(absolute), link.kind == .other,
               !DirectoryScanner(root: root, filter: filter).linksInside(path) {
                return  // a symlink leading outside WATCH_DIR
            }
            reconcile(path, status)
        }
    }

    func observe(_ paths: [String]) {
        for path in paths { observe(path) }
    }

    /// `path` was deleted or moved away.
    func vanished(_ path: String) {
        guard let file = files.removeValue(forKey: path) else { return }
        retire(file, reason: "the file was deleted or moved away before it was finished")
    }

    /// After a full scan: whatever is tracked but was not seen is gone.
    func scanCompleted(seen: Set<String>) {
        for path in files.keys where !seen.contains(path) {
            if case .failure(let error) = FileStatus.of(PathEscaping.systemPath(root: root, relative: path)), error.isMissing {
                vanished(path)
            }
        }
    }

    /// Queues finalization for every stream idle for IDLE_TIMEOUT.
    func finalizeIdleStreams(now: ContinuousClock.Instant = .now) {
        for (path, file) in files where !file.jobPending && file.record?.state == .active {
            guard now - file.changedAt >= idleTimeout, file.retryAfter.map({ now >= $0 }) ?? true else { continue }
            files[path]?.jobPending = true
            enqueue(.finalize(path: path))
        }
    }

    /// A worker takes up a job for `path`: a copy of what it needs; nil if the file is no longer tracked.
    func begin(_ path: String) -> StreamWork? {
        guard let file = files[path] else { return nil }
        return StreamWork(path: path, streamID: file.streamID, status: file.status, record: file.record,
                          verifyBucket: !file.bucketChecked)
    }

    /// A worker finished a job for `path`'s stream `streamID`.
    func finish(_ path: String, streamID: String, outcome: WorkOutcome) {
        let record: StreamRecord? = switch outcome {
        case .progressed(let record), .finalized(let record), .changed(let record): record
        case .unreadable(let record, _): record
        case .vanished, .stopped, .otherGeneration: nil
        }
        if let record { known[record.id] = record }
        guard var file = files[path], file.streamID == streamID else { return }  // retired meanwhile
        file.jobPending = false
        if let record {
            file.record = record
            file.bucketChecked = true
        }
        switch outcome {
        case .progressed, .stopped:
            break
        case .finalized(let record):
            if record.fileSize != file.status.size { file.changedAt = .now }  // grew while finalizing
        case .changed:
            file.changedAt = .now
        case .unreadable:
            file.retryAfter = .now + readRetryDelay
        case .otherGeneration:
            file = trackedFile(path, file.status, generation: file.generation + 1, record: nil, changedAt: file.changedAt)
        case .vanished:
            files[path] = file
            vanished(path)
            observe(path)  // a new file may already stand at the same name
            return
        }
        files[path] = file
        scheduleIfDue(path)
    }

    private func reconcile(_ path: String, _ status: FileStatus) {
        guard var file = files[path] else {
            let file = newTrackedFile(path, status)
            files[path] = file
            scheduleIfDue(path)
            return
        }
        if file.status.device != status.device || file.status.inode != status.inode {
            retire(file, reason: "another file replaced it under the same name")
            files[path] = newTrackedFile(path, status)
        } else if let record = file.record, status.size < record.committedOffset {
            retire(file, reason: "the file was truncated below what was uploaded; a new stream starts")
            files[path] = trackedFile(path, status, generation: file.generation + 1, record: nil, changedAt: .now)
        } else if !status.isUnchanged(since: file.status) {
            file.status = status
            file.changedAt = .now
            file.retryAfter = nil
            files[path] = file
        }
        scheduleIfDue(path)
    }

    private func scheduleIfDue(_ path: String) {
        guard var file = files[path], !file.jobPending else { return }
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
        files[path] = file
        enqueue(.upload(path: path))
    }

    private func enqueue(_ job: StreamJob) {
        queue.push(job)
    }

    private func retire(_ file: TrackedFile, reason: String) {
        guard let record = file.record, record.state == .active else { return }
        enqueue(.abandon(record, reason: reason))
    }

    /// A file seen for the first time (since start): the latest generation Redis knows for it,
    /// or a new one when that generation is abandoned or longer than the file now is.
    private func newTrackedFile(_ path: String, _ status: FileStatus) -> TrackedFile {
        var generation = 0
        var latest: StreamRecord?
        while let record = known[StreamIdentity.id(path: path, device: status.device, inode: status.inode, generation: generation)] {
            latest = record
            generation += 1
        }
        let age = Duration.milliseconds(max(0, WallClock.nowMilliseconds() - status.modified / 1_000_000))
        let changedAt = ContinuousClock.now - min(age, idleTimeout)
        if let latest, latest.state != .abandoned, status.size >= latest.committedOffset {
            return trackedFile(path, status, generation: generation - 1, record: latest, changedAt: changedAt)
        }
        return trackedFile(path, status, generation: generation, record: nil, changedAt: changedAt)
    }

    private func trackedFile(_ path: String, _ status: FileStatus, generation: Int, record: StreamRecord?,
                             changedAt: ContinuousClock.Instant) -> TrackedFile {
        let id = StreamIdentity.id(path: path, device: status.device, inode: status.inode, generation: generation)
        return TrackedFile(path: path, streamID: id, generation: generation, status: status, changedAt: changedAt, record: record)
    }
}
