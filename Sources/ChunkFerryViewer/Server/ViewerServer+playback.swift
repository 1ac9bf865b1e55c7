import ChunkFerryDaemon
import ChunkFerrySupport
import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

/// `/get`: recordings joined into one stream by ffmpeg; `/source`: one recording's bytes for it.
extension ViewerServer {
    func get(_ request: Request) async -> Response {
        let query: PlaybackQuery
        do { query = try PlaybackQuery(get: Self.parameters(request)) } catch { return Self.problem(.badRequest, error.description) }
        let all: [ViewedRecording]
        do { all = try await catalog.recordings() } catch { return storeFailed(error) }
        let recordings = all.filter { $0.camera == query.path && $0.overlaps(query.start, query.end) }
        guard !recordings.isEmpty else {
            return Self.problem(.notFound, "no recordings of \(PlaybackQuery.shown(query.path)) from \(WallClock.rfc3339(milliseconds: query.start)) for \(query.duration) s")
        }
        if recordings.contains(where: { $0.state == .encrypted }) {
            return Self.problem(.forbidden, "this footage is encrypted (ENCRYPT_TO): start chunkferry serve with --identity FILE to play it")
        }
        let stitcher = Stitcher(entries: recordings.map { recording in
            let from = Double(max(0, query.start - recording.start)) / 1000
            let to = query.end < recording.end ? Double(query.end - recording.start) / 1000 : nil
            return ConcatList.Entry(input: sourceBase + recording.streamID, from: from, to: to)
        })
        // Only characters a quoted header parameter and any filesystem take.
        let camera = String(query.path.unicodeScalars.map { scalar -> Character in
            (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_" ? Character(scalar) : "-"
        })
        let name = "\(camera)-\(WallClock.compact(seconds: query.start / 1000)).mp4"
        switch query.format {
        case .fmp4:
            let (logger, sourcePath) = (logger, sourcePath)
            return Response(status: .ok, headers: [.contentType: "video/mp4", .cacheControl: "no-store",
                                                   .contentDisposition: "inline; filename=\"\(name)\""],
                            body: ResponseBody { writer in
                                guard let folder = await PrivateFolder.make() else {
                                    logger.warning("cannot make a folder for ffmpeg's list in the temporary directory")
                                    try await writer.finish(nil)
                                    return
                                }
                                do {
                                    try await stitcher.stream(in: folder) { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
                                    await folder.remove()
                                } catch {
                                    await folder.remove()
                                    // Most often the viewer moved on (seeked, closed the page).
                                    logger.debug("playback ended early", metadata: ["error": "\(String(describing: error).replacing(sourcePath, with: "/source/…/"))"])
                                }
                                try await writer.finish(nil)
                            })
        case .mp4:
            return await download(stitcher, name: name, request: request)
        }
    }

    /// An MP4 with its index first, joined into a temporary file and served with ranges, then removed.
    private func download(_ stitcher: Stitcher, name: String, request: Request) async -> Response {
        guard let folder = await PrivateFolder.make() else {
            return Self.problem(.internalServerError, "cannot make a folder in the temporary directory for the download")
        }
        let file: FileDescriptorReader?
        do {
            try await stitcher.write(to: folder.movie, in: folder)
            // Opened, then removed: the file lives as long as the response that reads it.
            file = await FileDescriptorReader.open(folder.movie)
            await folder.remove()
        } catch {
            await folder.remove()
            logger.warning("an MP4 download could not be joined", metadata: ["error": "\(String(describing: error).replacing(sourcePath, with: "/source/…/"))"])
            return Self.problem(.internalServerError, "ffmpeg could not join these recordings into an MP4: see the viewer's log")
        }
        guard let file else { return Self.problem(.internalServerError, "ffmpeg wrote no file") }
        let size = file.size
        let range = ByteRange(header: request.headers[.range], size: size)
        let span = range?.range ?? 0..<size
        var headers: HTTPFields = [.contentType: "video/mp4", .acceptRanges: "bytes", .cacheControl: "no-store",
                                   .contentDisposition: "attachment; filename=\"\(name)\""]
        if let range { headers[.contentRange] = range.contentRange(size: size) }
        return Response(status: range == nil ? .ok : .partialContent, headers: headers,
                        body: ResponseBody(contentLength: Int(span.count)) { writer in
                            var offset = span.lowerBound
                            while offset < span.upperBound {
                                let count = Int(min(1 << 20, span.upperBound - offset))
                                guard let bytes = await file.read(at: offset, count: count), !bytes.isEmpty else { break }
                                try await writer.write(ByteBuffer(bytes: bytes))
                                offset += Int64(bytes.count)
                            }
                            try await writer.finish(nil)
                        })
    }

    /// One recording's bytes for ffmpeg, with ranges when every piece's size is known.
    func serveSource(_ request: Request, context: BasicRequestContext) async -> Response {
        let secret = context.parameters.get("secret") ?? ""
        guard ViewerAuth.sameBytes(Array("/source/\(secret)/".utf8), Array(sourcePath.utf8)) else {
            return Self.problem(.notFound, "no such page")
        }
        guard let id = context.parameters.get("id"), Restorer.isStreamID(id) else { return Self.problem(.notFound, "no such recording") }
        let found: ViewedRecording?
        do { found = try await catalog.recording(streamID: id) } catch { return storeFailed(error) }
        guard let recording = found else { return Self.problem(.notFound, "no such recording") }
        let source = source
        guard let size = recording.size else {
            return Response(status: .ok, headers: [.contentType: "video/mp4"], body: ResponseBody { writer in
                try await source.read(recording, range: nil) { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
                try await writer.finish(nil)
            })
        }
        let range = ByteRange(header: request.headers[.range], size: size)
        let span = range?.range ?? 0..<size
        var headers: HTTPFields = [.contentType: "video/mp4", .acceptRanges: "bytes"]
        if let range { headers[.contentRange] = range.contentRange(size: size) }
        return Response(status: range == nil ? .ok : .partialContent, headers: headers,
                        body: ResponseBody(contentLength: Int(span.count)) { writer in
                            try await source.read(recording, range: span) { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
                            try await writer.finish(nil)
                        })
    }
}
