import ChunkFerryStorage
import ChunkFerrySupport
import Foundation

/// `POST /events`: `{"camera", "label", "id", "start", "end"}`, times as Unix seconds (fractions
/// allowed) or RFC 3339. `camera` is required; `start` defaults to now; `id` to a new one (a
/// later request with the same `id` ends or updates the event).
package enum WebhookRequest {
    /// A refusal: the HTTP status and one line naming the problem.
    package struct Refusal: Error, Sendable, Equatable {
        package var status: Int
        package var message: String
    }

    /// Whether `header` (an Authorization header) carries `token`, compared in constant time.
    package static func authorizes(_ header: String?, token: Secret) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        // Equal-length digests: the time taken says nothing of where the two first differ.
        let given = Digest.sha256(Array(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8))
        return LibCrypto.equalInConstantTime(given, Digest.sha256(Array(token.value.utf8)))
    }

    /// The update a body asks for.
    package static func parse(_ body: [UInt8], now: Int64 = WallClock.nowMilliseconds()) throws(Refusal) -> EventUpdate {
        func refuse(_ message: String) -> Refusal { Refusal(status: 400, message: message) }
        guard !body.isEmpty else { throw refuse("the body is empty: send JSON such as {\"camera\": \"front-door\", \"label\": \"person\"}") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) else { throw refuse("the body is not JSON") }
        guard let fields = object as? [String: Any] else { throw refuse("the body must be a JSON object, such as {\"camera\": \"front-door\"}") }
        let known: Set<String> = ["camera", "label", "id", "start", "end"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw refuse("field '\(unknown)' is not known: use camera, label, id, start, end")
        }
        guard let cameraValue = fields["camera"] else { throw refuse("field 'camera' is missing: name the camera, such as \"front-door\"") }
        guard let camera = cameraValue as? String, !camera.isEmpty, camera.count <= 128 else { throw refuse("field 'camera' must be a camera's name (text)") }
        var label: String?
        if let value = fields["label"] {
            guard let text = value as? String, !text.isEmpty, text.count <= 64 else { throw refuse("field 'label' must be text of 1 to 64 characters, such as \"person\"") }
            label = text
        }
        var id: String?
        if let value = fields["id"] {
            if let text = value as? String, !text.isEmpty, text.count <= 128 { id = text }
            else if let number = value as? NSNumber, !(value is Bool), number.doubleValue == number.doubleValue.rounded() { id = "\(number.int64Value)" }
            else { throw refuse("field 'id' must be text or a whole number") }
        }
        let start = try time(fields["start"], field: "start")
        let end = try time(fields["end"], field: "end")
        if let end, let start, end < start { throw refuse("field 'end' is before 'start'") }
        if let start, start > now + 60_000 { throw refuse("field 'start' is more than a minute in the future: check the sender's clock") }
        // Without an id a request can never be ended later: it is one whole event, or one that
        // ends at the longest an event lasts. A new event's start defaults to now (the book).
        return EventUpdate(id: id ?? "w-\(UUID().uuidString.prefix(12).lowercased())", camera: camera, label: label,
                           start: start, end: end, source: .webhook)
    }

    /// Unix seconds (with fractions) or RFC 3339, as unix ms.
    static func time(_ value: Any?, field: String) throws(Refusal) -> Int64? {
        guard let value else { return nil }
        let refusal = Refusal(status: 400, message: "field '\(field)' must be Unix seconds (such as 1767000000.5) or RFC 3339 (such as 2026-12-07T10:00:00Z)")
        if let number = value as? NSNumber, !(value is Bool) {
            guard let milliseconds = CameraEvent.milliseconds(unixSeconds: number.doubleValue) else { throw refusal }
            return milliseconds
        }
        guard let text = value as? String else { throw refusal }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        throw refusal
    }
}
