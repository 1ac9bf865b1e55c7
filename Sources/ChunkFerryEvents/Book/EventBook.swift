import ChunkFerryCheckpoint
import ChunkFerryPipeline
import ChunkFerrySupport
import Foundation
import Logging
import Metrics

/// Every event not yet done: open, or ended and waiting for its clip. Sources hand it updates;
/// it keeps the pipeline's event windows current and saves each event in Redis, so a restart
/// finishes what was begun.
package actor EventBook {
    /// An event open this long is ended there: a lost end message must not keep a window open.
    static let longestEvent: Int64 = 3_600_000
    /// Most events kept at once; beyond it the oldest ended one is given up.
    static let capacity = 1000

    private var events: [String: CameraEvent] = [:]
    /// Whether the events Redis kept are loaded (see `restore`).
    private(set) var restored = false
    let settings: EventSettings
    let windows: EventWindows
    private let manager: StreamManager
    private let store: CheckpointStore
    /// Names our cameras go by, and each Frigate name's camera.
    private let cameras: Set<String>
    private let frigateNames: [String: String]
    private let logger: Logger

    package init(settings: EventSettings, windows: EventWindows, manager: StreamManager, store: CheckpointStore,
                 cameras: Set<String>, frigateNames: [String: String], logger: Logger) {
        self.settings = settings
        self.windows = windows
        self.manager = manager
        self.store = store
        self.cameras = cameras
        self.frigateNames = frigateNames
        self.logger = logger
    }

    /// What an update came to.
    package enum Outcome: Sendable, Equatable {
        case opened(CameraEvent)
        case updated(CameraEvent)
        /// No camera by that name here.
        case unknownCamera(String)
        /// The end is before the start.
        case endsBeforeStart
    }

    /// Our camera for a name a source used: ours, or one a camera's `frigate_name` maps.
    /// Folders are known once the first scan of WATCH_DIR is done: an event that comes before
    /// waits for it (up to 30 s) rather than being refused.
    package func camera(named name: String) async -> String? {
        if cameras.contains(name) { return name }
        if let mapped = frigateNames[name] { return mapped }
        let deadline = ContinuousClock.now + .seconds(30)
        while !(await manager.initialScanDone), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await manager.hasFootage(of: name) ? name : nil
    }

    /// Applies what a source said; saves the event before answering.
    package func apply(_ update: EventUpdate, now: Int64 = WallClock.nowMilliseconds()) async -> Outcome {
        guard let camera = await camera(named: update.camera) else { return .unknownCamera(update.camera) }
        let key = "\(update.source.rawValue):\(update.id)"
        let outcome: Outcome
        let event: CameraEvent
        if var known = events[key] {
            let wasOpen = known.end == nil
            if let label = update.label { known.label = label }
            if let start = update.start { known.start = min(known.start, start) }
            if let end = update.end { known.end = end }
            if let severity = update.severity { known.severity = severity }
            if let end = known.end, end < known.start { return .endsBeforeStart }
            event = known
            outcome = .updated(event)
            if wasOpen && event.end != nil {
                logger.info("event ended", metadata: ["event": "event.ended", "camera": "\(event.camera)", "event.id": "\(event.id)"])
            }
        } else {
            event = CameraEvent(id: update.id, camera: camera, label: update.label ?? "event", start: update.start ?? now,
                                end: update.end, source: update.source, severity: update.severity)
            if let end = event.end, end < event.start { return .endsBeforeStart }
            outcome = .opened(event)
            Counter(label: "chunkferry_events_total", dimensions: [("camera", camera), ("source", update.source.rawValue)]).increment()
            logger.notice("event opened", metadata: [
                "event": "event.opened", "camera": "\(camera)", "event.label": "\(event.label)",
                "event.id": "\(event.id)", "event.source": "\(event.source.rawValue)",
            ])
        }
        events[key] = event
        await dropOldestIfFull()
        await save(event)
        await publish()
        return outcome
    }

    /// Loads the events an earlier run saved, once; false while Redis cannot be asked. Until it
    /// succeeds the pipeline deletes no footage unsent. An event already updated by a source
    /// since start keeps what the source said.
    @discardableResult
    package func restore() async -> Bool {
        guard !restored else { return true }
        guard let saved = try? await store.savedEvents() else { return false }
        for json in saved {
            guard let event = try? JSONDecoder().decode(CameraEvent.self, from: Data(json.utf8)), events[event.key] == nil else { continue }
            events[event.key] = event
        }
        restored = true
        await publish()
        await manager.eventsLoaded()
        return true
    }

    /// Open events first ended at the longest an event may last.
    package func endOverlong(now: Int64 = WallClock.nowMilliseconds()) async {
        var changed = false
        for (key, event) in events where event.end == nil && now - event.start > Self.longestEvent {
            events[key]?.end = event.start + Self.longestEvent
            logger.warning("event open for an hour without an end; ended there", metadata: ["camera": "\(event.camera)", "event.id": "\(event.id)"])
            if let ended = events[key] { await save(ended) }
            changed = true
        }
        if changed { await publish() }
    }

    /// Events whose window has closed (ended, and the post-roll passed), oldest first.
    package func due(now: Int64 = WallClock.nowMilliseconds()) -> [CameraEvent] {
        events.values.filter { event in event.end.map { $0 + settings.postRoll.milliseconds <= now } ?? false }
            .sorted { $0.start < $1.start }
    }

    /// The clip of `event` as it was is written (or given up): the event is done, unless a
    /// source changed it meanwhile (a later end): then it is due again, and cut again.
    package func done(_ event: CameraEvent) async {
        guard events[event.key] == event else { return }
        events[event.key] = nil
        try? await store.dropEvent(event.key)
        await publish()
    }

    /// Open events, oldest first (status and /health).
    package func open() -> [CameraEvent] {
        events.values.filter { $0.end == nil }.sorted { $0.start < $1.start }
    }

    /// An event's window: from pre-roll before its start to post-roll after its end.
    package func window(of event: CameraEvent) -> ClosedRange<Int64> {
        let lower = event.start - settings.preRoll.milliseconds
        return lower...(event.end.map { $0 + settings.postRoll.milliseconds } ?? Int64.max)
    }

    private func publish() async {
        var all: [String: [ClosedRange<Int64>]] = [:]
        for event in events.values { all[event.camera, default: []].append(window(of: event)) }
        windows.replace(all)
        await manager.eventsChanged()
    }

    private func save(_ event: CameraEvent) async {
        guard let data = try? JSONEncoder().encode(event) else { return }
        do {
            try await store.saveEvent(event.key, json: String(decoding: data, as: UTF8.self))
        } catch {
            logger.warning("cannot save the event in Redis; it is kept in memory until a restart", metadata: ["event.id": "\(event.id)", "error": "\(error)"])
        }
    }

    private func dropOldestIfFull() async {
        guard events.count > Self.capacity, let oldest = events.values.filter({ $0.end != nil }).min(by: { $0.start < $1.start }) else { return }
        events[oldest.key] = nil
        try? await store.dropEvent(oldest.key)
        logger.warning("more than \(Self.capacity) events waiting for clips; the oldest is given up", metadata: ["event.id": "\(oldest.id)"])
    }
}
