/// Something a source said happened on a camera, and the footage that belongs to it.
package struct CameraEvent: Sendable, Codable, Equatable {
    package enum Source: String, Sendable, Codable {
        case webhook, frigate
    }

    package var id: String
    package var camera: String
    package var label: String
    /// Unix ms.
    package var start: Int64
    /// Unix ms; nil while the event is open.
    package var end: Int64?
    package var source: Source
    /// Frigate's review severity (`alert`, `detection`); nil from the webhook.
    package var severity: String?

    package init(id: String, camera: String, label: String, start: Int64, end: Int64? = nil, source: Source, severity: String? = nil) {
        (self.id, self.camera, self.label, self.start, self.end, self.source, self.severity) = (id, camera, label, start, end, source, severity)
    }

    /// Unix seconds (with fractions) as unix ms; nil outside 2000 to 2100, which is no event's
    /// time (and, as milliseconds, could overflow a window's end).
    static func milliseconds(unixSeconds seconds: Double) -> Int64? {
        guard seconds.isFinite, seconds > 946_684_800, seconds < 4_102_444_800 else { return nil }
        return Int64((seconds * 1000).rounded())
    }

    /// Where the book files it: ids of different sources never meet.
    var key: String { "\(source.rawValue):\(id)" }
}

/// What a source says of an event: all of it when new, what changed when not.
package struct EventUpdate: Sendable, Equatable {
    package var id: String
    package var camera: String
    package var label: String?
    package var start: Int64?
    package var end: Int64?
    package var source: CameraEvent.Source
    package var severity: String?

    package init(id: String, camera: String, label: String? = nil, start: Int64? = nil, end: Int64? = nil,
                 source: CameraEvent.Source, severity: String? = nil) {
        (self.id, self.camera, self.label, self.start, self.end, self.source, self.severity) = (id, camera, label, start, end, source, severity)
    }
}
