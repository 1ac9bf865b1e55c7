import Foundation
import ChunkFerryStorage

/// How far behind the box is, as `/health`, `/metrics` and `status` show it.
package struct UplinkReport: Codable, Sendable, Equatable {
    package struct Camera: Codable, Sendable, Equatable {
        package var name: String
        /// Age of the oldest byte of its live footage the store does not hold.
        package var oldestUnsentSeconds: Double

        enum CodingKeys: String, CodingKey {
            case name
            case oldestUnsentSeconds = "oldest_unsent_seconds"
        }
    }

    /// Cameras (and `other`) with live footage not in the store yet, the oldest first.
    package var cameras: [Camera] = []
    /// Bytes written and not in the store, per class (`live`, `event`, `backlog`).
    package var unsentBytes: [String: Int64] = [:]
    package var measuredBytesPerSecond: Double = 0
    /// BANDWIDTH_LIMIT now; nil: none.
    package var limitBytesPerSecond: Int?
    /// The unsent bytes over the measured rate; nil while nothing is measured.
    package var drainSeconds: Double?
    /// Cameras whose oldest unsent byte is older than LAG_ALERT.
    package var behind: [String] = []
    package var lagAlertSeconds: Double = 120

    enum CodingKeys: String, CodingKey {
        case cameras, behind
        case unsentBytes = "unsent_bytes"
        case measuredBytesPerSecond = "measured_bytes_per_second"
        case limitBytesPerSecond = "limit_bytes_per_second"
        case drainSeconds = "drain_seconds"
        case lagAlertSeconds = "lag_alert_seconds"
    }

    package init() {}

    package init(_ overview: StreamManager.UplinkOverview, measured: Double, limit: Int?, lagAlert: Duration) {
        cameras = overview.oldestUnsent.map { Camera(name: $0.key, oldestUnsentSeconds: ($0.value.seconds * 10).rounded() / 10) }
            .sorted { ($0.oldestUnsentSeconds, $1.name) > ($1.oldestUnsentSeconds, $0.name) }
        unsentBytes = Dictionary(uniqueKeysWithValues: UplinkClass.labels.map { ($0, 0) })
        for (lane, bytes) in overview.unsentBytes { unsentBytes[lane.label, default: 0] += bytes }
        measuredBytesPerSecond = measured.rounded()
        limitBytesPerSecond = limit
        let total = unsentBytes.values.reduce(0, +)
        drainSeconds = total == 0 ? 0 : measured >= 1 ? (Double(total) / measured).rounded() : nil
        lagAlertSeconds = lagAlert.seconds
        behind = cameras.filter { $0.oldestUnsentSeconds > lagAlert.seconds }.map(\.name)
    }

    /// One sentence for `/health`: who is behind, by how much, and when the backlog drains.
    package var degradedReason: String? {
        guard !behind.isEmpty else { return nil }
        let names = cameras.filter { behind.contains($0.name) }.map { "\($0.name) (\(Self.age($0.oldestUnsentSeconds)))" }
        return "live footage waits longer than LAG_ALERT (\(Self.age(lagAlertSeconds))) to be sent: \(names.joined(separator: ", ")); "
            + "\(Self.bytes(unsentBytes.values.reduce(0, +))) unsent, \(drainText)"
    }

    /// The estimated drain time at the measured rate, in words.
    package var drainText: String {
        guard let drainSeconds else { return "nothing sent in the last 10 s to estimate when it drains" }
        return "about \(Self.age(drainSeconds)) to drain at the measured \(Self.rate(measuredBytesPerSecond))"
    }

    static func age(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole < 120 ? "\(whole)s" : whole < 7200 ? "\(whole / 60)m" : "\(whole / 3600)h\(whole % 3600 / 60)m"
    }

    static func bytes(_ count: Int64) -> String {
        count < 1 << 20 ? "\(count >> 10) KiB" : String(format: "%.1f MiB", Double(count) / Double(1 << 20))
    }

    static func rate(_ bytesPerSecond: Double) -> String {
        String(format: "%.2f Mbit/s", bytesPerSecond * 8 / 1e6)
    }
}

extension UplinkReport {
    /// One line of JSON, as `status` reads it back from Redis.
    package func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    package init?(json: String) {
        guard let report = try? JSONDecoder().decode(UplinkReport.self, from: Data(json.utf8)) else { return nil }
        self = report
    }
}

extension UplinkReport {
    /// What `status` prints: per camera the oldest unsent byte's age, then the unsent bytes per
    /// class and when they drain at the measured rate.
    package func statusLines(node: String) -> [String] {
        let limit = limitBytesPerSecond.map { Self.rate(Double($0)) } ?? "none"
        var lines = ["uplink (\(node)): \(Self.rate(measuredBytesPerSecond)) measured, BANDWIDTH_LIMIT \(limit)"]
        let waiting = cameras.map { "\($0.name) \(Self.age($0.oldestUnsentSeconds))\(behind.contains($0.name) ? " (behind)" : "")" }
        lines.append("  live footage not in the store yet, oldest byte: \(waiting.isEmpty ? "none" : waiting.joined(separator: ", "))")
        let classes = UplinkClass.labels.map { "\($0) \(Self.bytes(unsentBytes[$0] ?? 0))" }
        lines.append("  unsent: \(classes.joined(separator: ", ")); \(drainSeconds == 0 ? "nothing waits" : drainText)")
        return lines
    }
}
