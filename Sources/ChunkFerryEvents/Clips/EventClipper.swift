import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
import Foundation
import Logging
import Metrics
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Writes each ended event's clip once its window's bytes are in the store: cut from the local
/// recordings with ffmpeg, stored at EVENT_KEY_TEMPLATE in the event class, with its JSON record
/// beside it. The recordings themselves go up through the pipeline as always.
package struct EventClipper: Service {
    /// Video a clip is cut from (snapshots are linked, not cut).
    static let videoExtensions: Set<String> = ["mp4", "mov", "m4v", "mkv", "ts"]
    /// An event no recording covers this long after its window closed gets a record without a
    /// clip; one whose window the store does not hold by then is cut from the local recordings
    /// anyway (they go on up through the pipeline as always).
    static let patience: Int64 = 300_000

    let book: EventBook
    let manager: StreamManager
    let context: PipelineContext
    let gate: ReadinessGate
    let logger: Logger
    private let clips = Counter(label: "chunkferry_event_clips_total")

    package init(book: EventBook, manager: StreamManager, context: PipelineContext, gate: ReadinessGate, logger: Logger) {
        (self.book, self.manager, self.context, self.gate, self.logger) = (book, manager, context, gate, logger)
    }

    package func run() async throws {
        guard await gate.wait() else { return }
        repeat {
            // Loaded before the services started, unless Redis was down then.
            guard await book.restore() else { continue }
            await book.endOverlong()
            for event in await book.due() {
                guard !Task.isShuttingDownGracefully else { return }
                await clip(event)
            }
        } while await RetryPolicy.pause(.seconds(1))
    }

    /// Cuts and stores `event`'s clip if its footage is in the store; otherwise leaves it due.
    func clip(_ event: CameraEvent, now: Int64 = WallClock.nowMilliseconds()) async {
        let window = await book.window(of: event)
        let found = await manager.recordings(camera: event.camera, from: window.lowerBound, to: window.upperBound)
        let videos = found.filter { Self.videoExtensions.contains(Self.fileExtension($0.path)) }
        let snapshots = found.filter { Self.fileExtension($0.path) == "jpg" }
        guard !videos.isEmpty else {
            if now - window.upperBound > Self.patience {
                logger.warning("no recording covers the event; its record is written without a clip", metadata: [
                    "camera": "\(event.camera)", "event.id": "\(event.id)",
                ])
                await finish(event, window: window, videos: [], snapshots: snapshots, clip: nil, problem: "no recording of the camera covers the window")
            }
            return
        }
        // The window's bytes in the store first: the clip is a convenience, the recordings are
        // the evidence. A recording the store refuses, or a slow store, does not hold it for ever.
        let waiting = videos.filter { $0.stored < Self.bytes(of: $0, within: window).upperBound }
        if !waiting.isEmpty && !waiting.contains(where: \.failed) && now - window.upperBound <= Self.patience { return }

        let folder = FileManager.default.temporaryDirectory.path + "/chunkferry-clips"
        _ = await FileCalls.shared.run { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let output = "\(folder)/\(EventKeyTemplate.safe(event.key)).mp4"
        await cutAndStore(event, window: window, videos: videos, snapshots: snapshots, output: output, now: now)
        _ = await FileCalls.shared.run { unlink(output) }
    }

    private func cutAndStore(_ event: CameraEvent, window: ClosedRange<Int64>, videos: [StreamManager.Recording],
                             snapshots: [StreamManager.Recording], output: String, now: Int64) async {
        let cut = ClipCut(pieces: videos.map { video in
            let from = max(0, Double(window.lowerBound - video.start) / 1000)
            let to = window.upperBound < video.end ? Double(window.upperBound - video.start) / 1000 : nil
            return ClipCut.Piece(path: context.absolutePathString(video.path), from: from, to: to)
        })
        if let problem = await cut.run(into: output) {
            logger.error("event clip not cut; the recordings are in the store, the record says why", metadata: [
                "camera": "\(event.camera)", "event.id": "\(event.id)", "reason": "\(problem)",
            ])
            await finish(event, window: window, videos: videos, snapshots: snapshots, clip: nil, problem: problem)
            return
        }
        let key = await clipKey(for: event)
        let attributes = ObjectAttributes(contentType: "video/mp4", metadata: ["event-id": event.id, "camera": event.camera])
        let stored = await UplinkClass.$current.withValue(.event) { await context.storeFile(output, key: key, attributes: attributes) }
        switch stored {
        case nil:
            return  // stopping: the event stays saved, and the next run cuts it
        case .failure(let error):
            await finish(event, window: window, videos: videos, snapshots: snapshots, clip: nil, problem: "the cut clip could not be read: \(error)")
        case .success(let file):
            clips.increment()
            logger.notice("event clip stored", metadata: [
                "event": "event.clip", "camera": "\(event.camera)", "event.id": "\(event.id)", "event.label": "\(event.label)",
                "clip.key": "\(key)", "clip.bytes": "\(file.size)", "clip.delay.seconds": "\(max(0, now - window.upperBound) / 1000)",
            ])
            await finish(event, window: window, videos: videos, snapshots: snapshots,
                         clip: .init(key: key, size: file.size, sha256: file.sha256), problem: nil)
        }
    }

    /// EVENT_KEY_TEMPLATE's key, unless another event's clip holds it (two events of a camera in
    /// the same second, with a template without `{id}`): then the key with `-<id>` before `.mp4`.
    func clipKey(for event: CameraEvent) async -> String {
        let key = book.settings.keyTemplate.render(event, timeZone: context.output.timeZone)
        guard let held = await context.objectInfo(key), held.metadata["event-id"] != event.id else { return key }
        return String(key.dropLast(4)) + "-" + EventKeyTemplate.safe(event.id) + ".mp4"
    }

    /// Writes the record and closes the event.
    private func finish(_ event: CameraEvent, window: ClosedRange<Int64>, videos: [StreamManager.Recording],
                        snapshots: [StreamManager.Recording], clip: EventRecord.Clip?, problem: String?) async {
        let record = EventRecord(
            id: event.id, camera: event.camera, label: event.label, source: event.source.rawValue, severity: event.severity,
            start: EventRecord.time(event.start), end: EventRecord.time(event.end ?? event.start),
            window: [EventRecord.time(window.lowerBound), EventRecord.time(window.upperBound)],
            recordings: videos.map { video in
                let range = Self.bytes(of: video, within: window)
                return .init(path: video.path, stream: video.streamID, manifest: context.manifestKey(path: video.path, streamID: video.streamID),
                             start: EventRecord.time(video.start), end: EventRecord.time(video.end), bytes: [range.lowerBound, range.upperBound])
            },
            snapshots: snapshots.map { .init(path: $0.path, manifest: context.manifestKey(path: $0.path, streamID: $0.streamID), at: EventRecord.time($0.start)) },
            clip: clip, problem: problem)
        let clipKey = if let key = clip?.key { key } else { await clipKey(for: event) }
        let key = EventKeyTemplate.recordKey(clip: clipKey)
        let written = await UplinkClass.$current.withValue(.event) {
            await context.storeBytes(record.json, key: key, attributes: ObjectAttributes(contentType: "application/json"))
        }
        guard written else { return }
        await book.done(event)
    }

    /// The bytes of `video` that `window` covers, in proportion to time (recordings are close
    /// to constant bit rate): from its start to its end when the window takes it all.
    static func bytes(of video: StreamManager.Recording, within window: ClosedRange<Int64>) -> Range<Int64> {
        let span = max(1, video.end - video.start)
        func offset(_ time: Int64) -> Int64 {
            guard time > video.start else { return 0 }
            guard time < video.end else { return video.size }
            return min(video.size, Int64(Double(video.size) * Double(time - video.start) / Double(span)))
        }
        return offset(window.lowerBound)..<offset(window.upperBound)
    }

    static func fileExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}
