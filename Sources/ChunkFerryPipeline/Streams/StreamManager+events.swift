import ChunkFerryStorage
import ChunkFerrySupport
import Foundation

/// What events change for files: their class, and with UPLOAD_SCOPE=events whether they go at all.
extension StreamManager {
    /// Events from now on fill `windows`; `eventsOnly` holds back files outside them.
    package func setEvents(_ windows: EventWindows, eventsOnly: Bool, layout: PathLayout?, timeZone: TimeZone) {
        eventWindows = windows
        self.eventsOnly = eventsOnly
        pathLayout = layout
        pathCalendar.timeZone = timeZone
    }

    /// What `path` says: the camera, and the start when it holds a time.
    func said(_ path: String) -> Said {
        let match = PathLayout.read(path, layout: pathLayout)
        return Said(camera: match.camera, start: match.start(in: pathCalendar))
    }

    /// The camera and span (unix ms) of a file's footage: from the start its path says (else
    /// unknown, `Int64.min`: it may reach back before any window) to its last modification.
    func footage(_ said: Said, status: FileStatus) -> (camera: String?, start: Int64, end: Int64) {
        let end = status.modified / 1_000_000
        return (said.camera, min(said.start ?? Int64.min, end), end)
    }

    /// Whether an event's window takes in some of `file`'s footage.
    func inEventWindow(_ file: TrackedFile) -> Bool {
        guard let eventWindows else { return false }
        let seen = footage(file.said ?? said(file.path), status: file.status)
        guard let camera = seen.camera, !isSubstream(file.path) else { return false }
        return eventWindows.overlaps(camera: camera, from: seen.start, to: seen.end)
    }

    /// UPLOAD_SCOPE=events and no event wants this file (yet): it stays local. A stream already
    /// begun (an event took it in earlier) goes on to its end.
    func isHeld(_ file: TrackedFile) -> Bool {
        eventsOnly && file.record == nil && !inEventWindow(file)
    }

    /// The event book changed: files it now takes in leave the backlog for the event lane, and
    /// files held back start.
    package func eventsChanged() {
        let promoted = Set(files.values.filter { inEventWindow($0) && !isLive($0) }.map(\.streamID))
        if !promoted.isEmpty {
            queue.move(from: UplinkClass.backlog.rawValue, to: UplinkClass.event.rawValue) { job in
                job.streamID.map(promoted.contains) ?? false
            }
        }
        if eventsOnly {
            for (key, file) in files where file.record == nil { scheduleIfDue(key) }
        }
    }

    /// The events Redis kept are loaded: from now on footage no event wants may be deleted unsent.
    package func eventsLoaded() {
        eventsKnown = true
    }

    /// A recording of `camera` whose footage overlaps `start...end` (unix ms), for clips.
    package struct Recording: Sendable, Equatable {
        package var path: String
        /// Its start as its path says, else when this run first saw it, else its last change.
        package var start: Int64
        package var end: Int64
        package var size: Int64
        /// Bytes from the start the store holds (all of them once finalized).
        package var stored: Int64
        package var streamID: String
        /// Whether the store refuses one of its objects: its bytes will not be there by waiting.
        package var failed: Bool
    }

    /// The recordings of `camera` that overlap `start...end`, oldest first; a sub-stream's are
    /// not among them (a clip is cut from the main stream).
    package func recordings(camera: String, from start: Int64, to end: Int64) -> [Recording] {
        var found: [Recording] = []
        for (key, file) in files where !isSubstream(key.value) {
            let seen = footage(file.said ?? said(key.value), status: file.status)
            guard seen.camera == camera, seen.start <= end, start <= seen.end else { continue }
            let begun = seen.start == Int64.min ? min(file.record?.startedAt ?? seen.end, seen.end) : seen.start
            found.append(Recording(path: key.value, start: begun, end: seen.end, size: file.status.size,
                                   stored: file.isFinalizedAsIs ? file.status.size : file.storeHolds, streamID: file.streamID,
                                   failed: file.failure != nil))
        }
        for (key, done) in finished where !isSubstream(key.value) {
            let seen = footage(said(key.value), status: done.status)
            guard seen.camera == camera, seen.start <= end, start <= seen.end else { continue }
            found.append(Recording(path: key.value, start: seen.start == Int64.min ? seen.end : seen.start, end: seen.end,
                                   size: done.size, stored: done.size,
                                   streamID: StreamIdentity.id(path: key.value, device: done.device, inode: done.inode, generation: Int(done.generation)),
                                   failed: false))
        }
        return found.sorted { ($0.start, $0.path) < ($1.start, $1.path) }
    }

    /// Whether an event not yet done wants the footage of the finished file at `path`: local
    /// retention keeps it until the event's clip is cut.
    func wantedByEvent(_ path: String, _ file: FinishedFile) -> Bool {
        guard let eventWindows, !eventWindows.isEmpty else { return false }
        let seen = footage(said(path), status: file.status)
        guard let camera = seen.camera else { return false }
        return eventWindows.overlaps(camera: camera, from: seen.start, to: seen.end)
    }

    /// Whether `camera` has footage here, by where PATH_LAYOUT (or the first folder) puts the
    /// name; stops at the first file that says so.
    package func hasFootage(of camera: String) -> Bool {
        files.contains { ($0.value.said ?? said($0.key.value)).camera == camera }
            || finished.keys.contains { PathLayout.read($0.value, layout: pathLayout).camera == camera }
    }

    // Retention under UPLOAD_SCOPE=events (see `LocalRetention.deleteOutsideEvents`).

    /// Files UPLOAD_SCOPE=events keeps local and that are no longer being written, oldest change
    /// first; none before the event book loaded what Redis kept.
    func keptLocal(limit: Int) -> [(path: String, status: FileStatus)] {
        guard eventsKnown else { return [] }
        let now = ContinuousClock.now
        return files.values.filter { isHeld($0) && !isLive($0, now: now) }
            .sorted { $0.status.modified < $1.status.modified }.prefix(limit).map { ($0.path, $0.status) }
    }

    /// Takes `path` out of the manager's hands for deletion if it is still kept local and
    /// unchanged since `status`: no event can start its upload meanwhile. `unclaim` gives it back.
    func claimKeptLocal(_ path: String, status: FileStatus) -> Bool {
        let key = RelativePath(path)
        guard let file = files[key], isHeld(file), file.status.isUnchanged(since: status), !isLive(file) else { return false }
        dropUnstarted(key)
        return true
    }

    /// The deletion did not happen: the watcher looks at the file again and it is tracked anew.
    func unclaim(_ path: String) {
        lookAgainAt(path)
    }
}

extension StreamJob {
    /// The stream a job works on (an abandon names its record's).
    var streamID: String? {
        switch self {
        case .upload(_, let id), .finalize(_, let id), .single(_, let id), .tail(_, let id): id
        case .abandon(let record, _): record.id
        }
    }
}
