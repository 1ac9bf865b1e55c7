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
        pathTimeZone = timeZone
    }

    /// The camera and span (unix ms) of the footage in `path`: from its start as the path says
    /// (else when this run first saw it, else its modification) to its last modification.
    func footage(_ path: String, status: FileStatus, firstSeen: Int64?) -> (camera: String?, start: Int64, end: Int64) {
        let said = PathLayout.read(path, layout: pathLayout)
        let end = status.modified / 1_000_000
        let start = said.start(in: pathTimeZone) ?? min(firstSeen ?? end, end)
        return (said.camera, min(start, end), end)
    }

    /// Whether an event's window takes in some of `file`'s footage.
    func inEventWindow(_ file: TrackedFile) -> Bool {
        guard let eventWindows else { return false }
        let seen = footage(file.path, status: file.status, firstSeen: file.record?.startedAt)
        guard let camera = seen.camera else { return false }
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
            for key in files.keys { scheduleIfDue(key) }
        }
    }

    /// A recording of `camera` whose footage overlaps `start...end` (unix ms), for clips.
    package struct Recording: Sendable, Equatable {
        package var path: String
        package var start: Int64
        package var end: Int64
        package var size: Int64
        /// Bytes from the start the store holds (all of them once finalized).
        package var stored: Int64
        package var streamID: String
    }

    /// The recordings of `camera` that overlap `start...end`, oldest first.
    package func recordings(camera: String, from start: Int64, to end: Int64) -> [Recording] {
        var found: [Recording] = []
        for (key, file) in files {
            let seen = footage(key.value, status: file.status, firstSeen: file.record?.startedAt)
            guard seen.camera == camera, seen.start <= end, start <= seen.end else { continue }
            found.append(Recording(path: key.value, start: seen.start, end: seen.end, size: file.status.size,
                                   stored: file.isFinalizedAsIs ? file.status.size : file.storeHolds, streamID: file.streamID))
        }
        for (key, done) in finished {
            let status = FileStatus(kind: .regular, device: done.device, inode: done.inode, size: done.size, modified: done.modified, changed: done.changed)
            let seen = footage(key.value, status: status, firstSeen: nil)
            guard seen.camera == camera, seen.start <= end, start <= seen.end else { continue }
            found.append(Recording(path: key.value, start: seen.start, end: seen.end, size: done.size, stored: done.size,
                                   streamID: StreamIdentity.id(path: key.value, device: done.device, inode: done.inode, generation: Int(done.generation))))
        }
        return found.sorted { ($0.start, $0.path) < ($1.start, $1.path) }
    }

    /// Cameras with footage here, by where PATH_LAYOUT (or the first folder) puts the name.
    package func camerasSeen() -> Set<String> {
        var seen = Set<String>()
        for key in files.keys { if let camera = PathLayout.read(key.value, layout: pathLayout).camera { seen.insert(camera) } }
        for key in finished.keys { if let camera = PathLayout.read(key.value, layout: pathLayout).camera { seen.insert(camera) } }
        return seen
    }
}

extension StreamManager {
    // Retention under UPLOAD_SCOPE=events (see `LocalRetention.deleteOutsideEvents`).
    /// Files UPLOAD_SCOPE=events keeps local and that are no longer being written, oldest change first.
    func keptLocal(limit: Int) -> [(path: String, status: FileStatus)] {
        let now = ContinuousClock.now
        return files.values.filter { isHeld($0) && !isLive($0, now: now) }
            .sorted { $0.status.modified < $1.status.modified }.prefix(limit).map { ($0.path, $0.status) }
    }

    /// Whether `path` is still kept local, unchanged since `status`.
    func isKeptLocal(_ path: String, status: FileStatus) -> Bool {
        guard let file = files[RelativePath(path)] else { return false }
        return isHeld(file) && file.status.isUnchanged(since: status) && !isLive(file)
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
