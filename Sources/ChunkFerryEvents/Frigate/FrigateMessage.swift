import Foundation

/// One message from Frigate: a review on `frigate/reviews` (0.14 and later) or a tracked object
/// on `frigate/events` (earlier), each `{"type": "new"|"update"|"end", "before", "after"}` with
/// `after` holding `id`, `camera`, `start_time` and `end_time` (Unix seconds, with fractions).
struct FrigateMessage: Sendable, Equatable {
    var type: String
    var id: String
    var camera: String
    /// Reviews: `alert` or `detection`; events carry none.
    var severity: String?
    var label: String
    /// Unix ms.
    var start: Int64?
    var end: Int64?

    /// What is wrong with a message that is not Frigate's.
    struct Problem: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// The message, or what is wrong with it.
    static func parse(_ payload: [UInt8]) -> Result<FrigateMessage, Problem> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)), let message = object as? [String: Any] else {
            return .failure(Problem(description: "not a JSON object"))
        }
        guard let type = message["type"] as? String else { return .failure(Problem(description: "no 'type'")) }
        guard let after = message["after"] as? [String: Any] else { return .failure(Problem(description: "no 'after'")) }
        guard let id = after["id"] as? String, !id.isEmpty else { return .failure(Problem(description: "no 'after.id'")) }
        guard let camera = after["camera"] as? String, !camera.isEmpty else { return .failure(Problem(description: "no 'after.camera'")) }
        func time(_ key: String) -> Int64? {
            guard let number = after[key] as? NSNumber, !(after[key] is Bool) else { return nil }
            return CameraEvent.milliseconds(unixSeconds: number.doubleValue)
        }
        var label = after["label"] as? String
        if label == nil, let data = after["data"] as? [String: Any] {
            // A review's objects: "person", "car", or "person-verified" for sub-labelled ones.
            let objects = (data["objects"] as? [String] ?? []).map { $0.replacing("-verified", with: "") }
            var unique: [String] = []
            for object in objects where !unique.contains(object) { unique.append(object) }
            let audio = data["audio"] as? [String] ?? []
            label = (unique + audio.filter { !unique.contains($0) }).prefix(3).joined(separator: "+")
        }
        return .success(FrigateMessage(
            type: type, id: id, camera: camera, severity: after["severity"] as? String,
            label: label.flatMap { $0.isEmpty ? nil : $0 } ?? (after["severity"] as? String ?? "event"),
            start: time("start_time"), end: time("end_time")))
    }

    /// Whether EVENT_SEVERITY takes it: `detection` takes everything, `alert` only alerts.
    /// Frigate's older events carry no severity and count as alerts.
    func passes(_ wanted: EventSettings.Severity) -> Bool {
        wanted == .detection || severity == nil || severity == "alert"
    }
}
