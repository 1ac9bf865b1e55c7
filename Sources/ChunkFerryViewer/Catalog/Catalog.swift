import ChunkFerryDaemon
import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
import Foundation

/// What the store holds, as recordings per camera: listed once, each manifest read once, then
/// kept for `VIEW_CACHE` so that a page, its refreshes and many `/list` calls cost one listing.
actor Catalog {
    /// Reads objects, opening age files with the identities given (`--identity`).
    let storage: any ObjectStore
    /// Lists the store as it is: no HEAD per object to see whether it is sealed.
    let listing: any ObjectStore
    /// `S3_PREFIX`, normalized.
    let prefix: String
    let layout: PathLayout?
    let timeZone: TimeZone
    let lifetime: Duration
    /// Whether an identity was given: without one, sealed footage is listed, not played.
    let canOpen: Bool

    private var cached: (taken: ContinuousClock.Instant, recordings: [ViewedRecording], events: [ViewedEvent], snapshots: [ViewedSnapshot])?
    /// Manifests already read, by key and ETag: a manifest is written once per recording, so a
    /// new listing reads only the new ones.
    private var manifests: [String: (etag: String, read: ReadManifest)] = [:]
    /// Whether a stream's first object is an age file, by key and ETag.
    private var sealedObjects: [String: (etag: String, sealed: Bool)] = [:]
    /// Event records already read, the same way (nil: not an event record, or sealed).
    private var eventRecords: [String: (etag: String, event: ViewedEvent?)] = [:]

    init(storage: any ObjectStore, listing: any ObjectStore, prefix: String, layout: PathLayout?, timeZone: TimeZone,
         lifetime: Duration, canOpen: Bool) {
        self.storage = storage
        self.listing = listing
        self.prefix = ObjectLayout.normalizedPrefix(prefix)
        self.layout = layout
        self.timeZone = timeZone
        self.lifetime = lifetime
        self.canOpen = canOpen
    }

    /// Every recording, oldest first; from the cache while it is young enough.
    func recordings() async throws(StoreError) -> [ViewedRecording] {
        try await refresh().recordings
    }

    /// The events and snapshots the timelines mark.
    func marks() async throws(StoreError) -> (events: [ViewedEvent], snapshots: [ViewedSnapshot]) {
        let view = try await refresh()
        return (view.events, view.snapshots)
    }

    private func refresh() async throws(StoreError) -> (recordings: [ViewedRecording], events: [ViewedEvent], snapshots: [ViewedSnapshot]) {
        if let cached, ContinuousClock.now - cached.taken < lifetime { return (cached.recordings, cached.events, cached.snapshots) }
        // Stamped when the listing began: a slower, older listing never replaces a newer one.
        let listed = ContinuousClock.now
        let objects = try await listing.list(prefix: prefix)
        var built: [ViewedRecording] = []
        var snapshots: [ViewedSnapshot] = []
        var read: [String: ReadManifest] = [:]
        let folders = StreamFolder.group(objects, prefix: prefix)
        for folder in folders {
            if let manifest = folder.manifest { read[manifest.key] = await readManifest(manifest) }
        }
        for folder in folders {
            let manifest = folder.manifest.flatMap { read[$0.key] }
            var sealed = false
            if case .parsed? = manifest {} else { sealed = await isSealed(folder) }
            guard let recording = recording(of: folder, manifest: manifest, read: read, sealed: sealed) else { continue }
            if ViewedSnapshot.isSnapshot(recording.path) {
                let camera = ManifestChain.source(of: recording.path, layout: layout)
                snapshots.append(ViewedSnapshot(camera: camera, name: recording.name, at: recording.start))
            } else {
                built.append(recording)
            }
        }
        built.sort { ($0.start, $0.camera, $0.path) < ($1.start, $1.camera, $1.path) }
        var events: [ViewedEvent] = []
        for object in objects where object.key.hasSuffix(".json") && !object.key.hasSuffix("/manifest.json")
            && !object.key.dropFirst(prefix.count).hasPrefix(".chunkferry/") {
            if let event = await readEvent(object) { events.append(event) }
        }
        events.sort { $0.start < $1.start }
        snapshots.sort { $0.at < $1.at }
        if cached.map({ $0.taken < listed }) ?? true { cached = (listed, built, events, snapshots) }
        return (built, events, snapshots)
    }

    /// An event record beside its clip; nil for any other JSON, or one no identity opens.
    private func readEvent(_ info: ObjectInfo) async -> ViewedEvent? {
        if let known = eventRecords[info.key], known.etag == info.etag, !info.etag.isEmpty { return known.event }
        guard info.size < 1 << 20, let bytes = try? await storage.get(key: info.key, range: nil) else { return nil }
        var event: ViewedEvent?
        if let record = try? JSONDecoder().decode(ViewedEvent.Record.self, from: Data(bytes)),
           let start = ChainAudit.milliseconds(record.start), let end = ChainAudit.milliseconds(record.end) {
            event = ViewedEvent(camera: record.camera, label: record.label, severity: record.severity, start: start, end: max(start, end))
        }
        eventRecords[info.key] = (info.etag, event)
        return event
    }

    /// The recording of stream `id`, from the catalog as it stands.
    func recording(streamID id: String) async throws(StoreError) -> ViewedRecording? {
        try await recordings().first { $0.streamID == id }
    }

    /// Whether a folder without a manifest holds age files: its first object's first bytes,
    /// read once per object (by ETag), not at every listing.
    private func isSealed(_ folder: StreamFolder) async -> Bool {
        guard let first = folder.chunks[0] ?? folder.tail(at: 0, sealed: true).first else { return false }
        if let known = sealedObjects[first.key], known.etag == first.etag, !first.etag.isEmpty { return known.sealed }
        let header = AgeHeader.versionLine
        guard let bytes = try? await listing.get(key: first.key, range: 0..<Int64(header.count)) else { return false }
        sealedObjects[first.key] = (first.etag, bytes == header)
        return bytes == header
    }

    /// A manifest as read: parsed with the SHA-256 of its JSON, or sealed to someone else.
    enum ReadManifest: Sendable {
        case parsed(Manifest, sha256: String)
        case sealed
        case unreadable(String)
    }

    private func readManifest(_ info: ObjectInfo) async -> ReadManifest {
        if let known = manifests[info.key], known.etag == info.etag, !info.etag.isEmpty { return known.read }
        let read: ReadManifest
        do {
            let bytes = try await storage.get(key: info.key, range: nil)
            if bytes.starts(with: AgeHeader.versionLine) {
                read = .sealed
            } else {
                read = .parsed(try Manifest.decode(bytes), sha256: ByteEncoding.hex(Digest.sha256(bytes)))
            }
        } catch let error as StoreError where error.code == "NotYourKey" {
            read = .sealed
        } catch {
            read = .unreadable("\(error)")
        }
        if case .unreadable = read {} else { manifests[info.key] = (info.etag, read) }
        return read
    }
}
