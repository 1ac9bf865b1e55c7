import ChunkFerryStorage

/// Which uplink class a file's work goes in: live footage before the backlog.
extension StreamManager {
    /// Whether `file` is being written: a camera's current recording, or changed within
    /// IDLE_TIMEOUT; or it just stopped growing under this run's eyes (changed within twice
    /// IDLE_TIMEOUT), so its finalization sends fresh footage. Its unsent bytes are what a
    /// burglar would take with the box.
    func isLive(_ file: TrackedFile, now: ContinuousClock.Instant = .now) -> Bool {
        let quiet = now - file.changedAt
        return quiet < idleTimeout || (file.grewHere && quiet < idleTimeout * 2)
            || recordingFiles.values.contains(RelativePath(file.path))
    }

    /// Live (a camera's sub-stream ahead of the rest) while being written; else event when an
    /// event's window takes it in; else backlog.
    func uplinkClass(of file: TrackedFile, now: ContinuousClock.Instant = .now) -> UplinkClass {
        if isLive(file, now: now) { return isSubstream(file.path) ? .substream : .live }
        return inEventWindow(file) ? .event : .backlog
    }

    /// Queues `job` for `file` in its class's lane: live work in the order it came; the backlog
    /// by the file's modification time (BACKLOG_ORDER: newest first by default).
    func enqueue(_ job: StreamJob, for file: TrackedFile, now: ContinuousClock.Instant = .now) {
        let lane = uplinkClass(of: file, now: now)
        let rank: Int64 = lane < .event ? 0 : backlogNewestFirst ? -file.status.modified : file.status.modified
        queue.push(job, lane: lane.rawValue, rank: rank)
    }
}

extension StreamManager {
    /// The loss window as it stands: per camera (`other` for files outside any camera), the
    /// age of the oldest byte of live footage the store does not hold; per class, the bytes
    /// written that it does not hold.
    package struct UplinkOverview: Sendable {
        package var oldestUnsent: [String: Duration] = [:]
        package var unsentBytes: [UplinkClass: Int64] = [:]
    }

    package func uplinkOverview(now: ContinuousClock.Instant = .now) -> UplinkOverview {
        var overview = UplinkOverview()
        for file in files.values where !file.isFinalizedAsIs && !isHeld(file) {
            let unsent = file.status.size - file.storeHolds
            guard unsent > 0 else { continue }
            let lane = uplinkClass(of: file, now: now)
            overview.unsentBytes[lane, default: 0] += unsent
            guard lane <= .live, let since = file.unsentSince else { continue }
            let camera = camera(of: file.path)
            overview.oldestUnsent[camera] = max(overview.oldestUnsent[camera] ?? .zero, now - since)
        }
        return overview
    }

    /// The camera whose folder holds `path`, or `other`.
    func camera(of path: String) -> String {
        let first = path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return path.contains("/") && cameras.contains(first) ? first : "other"
    }

    /// The configured cameras' names and their sub-streams' folders (at start and at every reload).
    package func setCameras(_ names: Set<String>, substreams: Set<String> = []) {
        cameras = names
        substreamFolders = substreams
    }

    /// Whether `path` is in a camera's sub-stream folder (`<camera>/live/`).
    func isSubstream(_ path: String) -> Bool {
        guard !substreamFolders.isEmpty, let slash = path.lastIndex(of: "/") else { return false }
        return substreamFolders.contains(String(path[..<slash]))
    }
}

extension StreamManager {
    /// How fast a provisional piece went up lately (bytes per second, per transfer), smoothed.
    func notePieceRate(bytes: Int, took: Duration) {
        // Small pieces measure the round trip more than the uplink.
        guard bytes >= 16 * 1024, took > .milliseconds(1) else { return }
        let rate = Double(bytes) / took.seconds
        pieceRate = pieceRate.map { 0.7 * $0 + 0.3 * rate } ?? rate
    }

    /// How long `bytes` of pieces for `files` files take to send (half a second of slack), at
    /// most `limit`: at BANDWIDTH_LIMIT when there is one, else at the rate pieces went up at
    /// lately, times the files sending at once; zero before any was measured.
    func sendingTime(_ bytes: Int64, files: Int, within limit: Duration) -> Duration {
        guard bytes > 0, let rate = bandwidthLimit.map(Double.init) ?? pieceRate.map({ $0 * Double(max(1, files)) }) else { return .zero }
        return min(limit, .milliseconds(Int64(Double(bytes) / rate * 1000) + 500))
    }

    /// BANDWIDTH_LIMIT in force now (the uplink monitor tells it every second).
    package func noteBandwidthLimit(_ bytesPerSecond: Int?) {
        bandwidthLimit = bytesPerSecond
    }
}
