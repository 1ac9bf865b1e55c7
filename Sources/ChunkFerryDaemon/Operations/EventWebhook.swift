import ChunkFerryEvents
import ChunkFerrySupport
import Foundation
import Hummingbird
import Logging

/// `POST /events`: a bearer token compared in constant time, a JSON body of at most 64 KiB, and
/// one line back naming what is wrong: 401 without the token, 400 for a bad field, 404 for a
/// camera that is not ours. A new event is answered 201, a change to one 200, with its window.
struct EventWebhook: Sendable {
    let token: Secret
    let book: EventBook
    let logger: Logger

    func respond(to request: Request) async -> Response {
        guard WebhookRequest.authorizes(request.headers[.authorization], token: token) else {
            return Self.text(401, "POST /events needs Authorization: Bearer <EVENTS_TOKEN>; the token is missing or wrong",
                             extra: [.wwwAuthenticate: "Bearer"])
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            return Self.text(413, "the body is larger than 64 KiB: send one event's JSON")
        }
        let update: EventUpdate
        do throws(WebhookRequest.Refusal) {
            update = try WebhookRequest.parse(Array(buffer: body))
        } catch {
            return Self.text(error.status, error.message)
        }
        switch await book.apply(update) {
        case .unknownCamera(let name):
            return Self.text(404, "camera '\(name)' is not known here: use a camera's name from the config file, or a folder under WATCH_DIR")
        case .endsBeforeStart:
            return Self.text(400, "field 'end' is before the event's start (a new event starts now unless 'start' says otherwise)")
        case .opened(let event):
            return await json(201, event)
        case .updated(let event):
            return await json(200, event)
        }
    }

    private func json(_ status: Int, _ event: CameraEvent) async -> Response {
        let window = await book.window(of: event)
        var fields: [String: Any] = [
            "id": event.id, "camera": event.camera, "label": event.label,
            "start": WallClock.rfc3339(milliseconds: event.start),
            "window": ["start": WallClock.rfc3339(milliseconds: window.lowerBound),
                       "end": window.upperBound == Int64.max ? NSNull() : WallClock.rfc3339(milliseconds: window.upperBound) as Any],
        ]
        fields["end"] = event.end.map { WallClock.rfc3339(milliseconds: $0) } ?? NSNull()
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: Array(data) + [0x0A])))
    }

    private static func text(_ status: Int, _ message: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Array((message + "\n").utf8))))
    }
}
