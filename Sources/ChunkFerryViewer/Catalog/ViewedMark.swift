import Foundation

/// An event (Frigate, Home Assistant, a webhook) as its record in the store tells it: a span
/// on its camera's timeline.
struct ViewedEvent: Sendable {
    var camera: String
    var label: String
    var severity: String?
    /// Unix milliseconds.
    var start: Int64
    var end: Int64

    /// The fields of an event record (`events/…/<clip>.json`) the viewer draws; the rest is `verify`'s.
    struct Record: Decodable {
        var camera: String
        var label: String
        var severity: String?
        var start: String
        var end: String
    }
}

/// A camera's snapshot (`<camera>/snapshots/<time>.jpg`): a moment on its timeline.
struct ViewedSnapshot: Sendable {
    var camera: String
    var name: String
    /// Unix milliseconds.
    var at: Int64

    /// Whether a recording's path is a snapshot's: a picture, not footage.
    static func isSnapshot(_ path: String) -> Bool {
        let lower = path.lowercased()
        return [".jpg", ".jpeg", ".png"].contains { lower.hasSuffix($0) }
    }
}
