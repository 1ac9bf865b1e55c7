import ChunkFerrySupport
import Foundation
import Hummingbird

/// `/list` (MediaMTX's shape, with a few fields more) and `/api/recordings` (what the page draws).
extension ViewerServer {
    /// MediaMTX's `/list` entry; `complete`, `state` and `size` are ours, which its clients ignore.
    struct ListEntry: Encodable {
        var start: String
        var duration: Double
        var url: String
        var complete: Bool
        var state: String
        var size: Int64?
    }

    struct RecordingEntry: Encodable {
        var start: String
        var duration: Double
        var size: Int64?
        var state: String
        var chain: String
        var note: String
        var name: String
        var url: String
    }

    struct EventEntry: Encodable {
        var start: String
        var end: String
        var label: String
        var severity: String?
    }

    struct SnapshotEntry: Encodable {
        var at: String
        var name: String
    }

    struct CameraEntry: Encodable {
        var path: String
        var recordings: [RecordingEntry]
        var events: [EventEntry]
        var snapshots: [SnapshotEntry]
    }

    struct Overview: Encodable {
        var cameras: [CameraEntry]
        var first: String?
        var last: String?
    }

    func list(_ request: Request) async -> Response {
        let parameters = Self.parameters(request)
        let camera: String
        let from: Int64?, to: Int64?
        do {
            camera = try PlaybackQuery.camera(parameters["path"])
            from = try PlaybackQuery.time(parameters["start"], name: "start")
            to = try PlaybackQuery.time(parameters["end"], name: "end")
        } catch {
            return Self.problem(.badRequest, error.description)
        }
        let all: [ViewedRecording]
        do { all = try await catalog.recordings() } catch { return storeFailed(error) }
        let recordings = all.filter { $0.camera == camera && $0.overlaps(from ?? .min, to ?? .max) }
        // MediaMTX answers 404 for a path without recordings.
        guard !recordings.isEmpty else { return Self.problem(.notFound, "no recordings of \(PlaybackQuery.shown(camera)) in that time") }
        let base = "http://\(request.head.authority ?? "127.0.0.1:\(settings.port)")"
        let entries = recordings.map { recording in
            ListEntry(start: WallClock.rfc3339(milliseconds: recording.start), duration: recording.duration,
                      url: base + Self.getURL(recording), complete: recording.state == .complete, state: recording.state.rawValue,
                      size: recording.size)
        }
        return json(entries)
    }

    func recordings(_ request: Request) async -> Response {
        let parameters = Self.parameters(request)
        let from: Int64?, to: Int64?
        do {
            from = try PlaybackQuery.time(parameters["start"], name: "start")
            to = try PlaybackQuery.time(parameters["end"], name: "end")
        } catch {
            return Self.problem(.badRequest, error.description)
        }
        let all: [ViewedRecording]
        let marks: (events: [ViewedEvent], snapshots: [ViewedSnapshot])
        do {
            all = try await catalog.recordings()
            marks = try await catalog.marks()
        } catch {
            return storeFailed(error)
        }
        let (lower, upper) = (from ?? .min, to ?? .max)
        var cameras: [String: CameraEntry] = [:]
        func entry(_ camera: String) -> CameraEntry { cameras[camera] ?? CameraEntry(path: camera, recordings: [], events: [], snapshots: []) }
        for recording in all where recording.overlaps(lower, upper) {
            var camera = entry(recording.camera)
            camera.recordings.append(RecordingEntry(
                start: WallClock.rfc3339(milliseconds: recording.start), duration: recording.duration, size: recording.size,
                state: recording.state.rawValue, chain: recording.chain.rawValue, note: recording.note, name: recording.name,
                url: Self.getURL(recording)))
            cameras[recording.camera] = camera
        }
        for event in marks.events where event.start < upper && event.end >= lower {
            var camera = entry(event.camera)
            camera.events.append(EventEntry(start: WallClock.rfc3339(milliseconds: event.start), end: WallClock.rfc3339(milliseconds: event.end),
                                            label: event.label, severity: event.severity))
            cameras[event.camera] = camera
        }
        for snapshot in marks.snapshots where snapshot.at >= lower && snapshot.at < upper {
            var camera = entry(snapshot.camera)
            camera.snapshots.append(SnapshotEntry(at: WallClock.rfc3339(milliseconds: snapshot.at), name: snapshot.name))
            cameras[snapshot.camera] = camera
        }
        let overview = Overview(cameras: cameras.keys.sorted().compactMap { cameras[$0] },
                                first: all.map(\.start).min().map(WallClock.rfc3339(milliseconds:)),
                                last: all.map(\.end).max().map(WallClock.rfc3339(milliseconds:)))
        return json(overview)
    }

    /// `/get` of the whole recording, relative.
    static func getURL(_ recording: ViewedRecording) -> String {
        // A recording of no length (a file copied in whole, its name without a time) still plays from its start.
        let duration = min(PlaybackQuery.longest, max(1, recording.duration))
        return "/get?path=\(queryEscaped(recording.camera))&start=\(queryEscaped(WallClock.rfc3339(milliseconds: recording.start)))"
            + "&duration=\(String(format: "%.3f", duration))"
    }

    static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func parameters(_ request: Request) -> [String: String] {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where parameters[String(key)] == nil {
            parameters[String(key)] = String(value)
        }
        return parameters
    }

    func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = (try? encoder.encode(value)) ?? Data("null".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: Array(body))))
    }

    /// The store failed to list or read: the detail (keys, paths, the server's words) goes to
    /// the log, the client gets one line without it.
    func storeFailed(_ error: any Error) -> Response {
        logger.warning("the store could not be read", metadata: ["error": "\(error)"])
        return Self.problem(.badGateway, "the store could not be read: see the viewer's log")
    }
}
