import ChunkFerryStorage
import ChunkFerrySupport

/// The uplink: how fast uploads may go, which finished files go first, and when falling
/// behind is reported.
///
/// Keys: `BANDWIDTH_LIMIT` (default `off`; a rate or a timetable in rclone's form, see
/// `BandwidthSchedule`; reloadable), `BACKLOG_ORDER` (`newest` or `oldest`, default `newest`),
/// `LAG_ALERT` (default `2m`, reloadable).
package struct UplinkSettings: Sendable, Equatable {
    package enum BacklogOrder: String, Sendable {
        case newest, oldest
    }

    package var bandwidthLimit: BandwidthSchedule
    package var backlogOrder: BacklogOrder
    /// Live footage whose oldest unsent byte is older than this makes `/health` degraded.
    package var lagAlert: Duration

    package init(bandwidthLimit: BandwidthSchedule = .off, backlogOrder: BacklogOrder = .newest, lagAlert: Duration = .seconds(120)) {
        self.bandwidthLimit = bandwidthLimit
        self.backlogOrder = backlogOrder
        self.lagAlert = lagAlert
    }

    package init(config: SettingsReader) throws(SettingsError) {
        if let text = config.string(.bandwidthLimit) {
            do throws(BandwidthSchedule.ParseError) {
                bandwidthLimit = try BandwidthSchedule(parsing: text)
            } catch {
                throw SettingsError(key: .bandwidthLimit, message: "BANDWIDTH_LIMIT entry \(error.message)")
            }
        } else {
            bandwidthLimit = .off
        }
        let order = config.string(.backlogOrder) ?? "newest"
        guard let backlogOrder = BacklogOrder(rawValue: order.lowercased()) else {
            throw SettingsError(.backlogOrder, value: order, expected: "newest or oldest")
        }
        self.backlogOrder = backlogOrder
        lagAlert = try config.duration(.lagAlert) ?? .seconds(120)
        guard lagAlert >= .seconds(1) else {
            throw SettingsError(.lagAlert, value: config.string(.lagAlert), expected: "at least 1s, such as 2m")
        }
    }
}
