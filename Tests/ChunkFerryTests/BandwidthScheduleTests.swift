@testable import ChunkFerryStorage
import Testing

/// BANDWIDTH_LIMIT as rclone's --bwlimit writes it: rates, timetables, and refusals that name
/// the bad entry.
@Suite struct BandwidthScheduleTests {
    static func rate(_ text: String) throws -> Int? {
        try BandwidthSchedule(parsing: text).rate(atWeekMinute: 0)
    }

    @Test(arguments: [
        ("off", nil), ("0", nil), ("4Mbit", 500_000), ("800kbit", 100_000), ("1Gbit", 125_000_000),
        ("512KiB", 524_288), ("512k", 524_288), ("512", 524_288), ("10M", 10_485_760), ("1.5MiB", 1_572_864),
        ("2MB", 2_000_000), ("65536B", 65536),
    ] as [(String, Int?)])
    func ratesReadAsRcloneAndBitsAsNetworksAreSold(text: String, bytesPerSecond: Int?) throws {
        #expect(try Self.rate(text) == bytesPerSecond)
    }

    /// Each entry holds from its minute until the next; before the first one of the day the
    /// last one of the day before holds.
    @Test func aTimetableHoldsEachRateFromItsMinute() throws {
        let schedule = try BandwidthSchedule(parsing: "08:00,4Mbit 18:00,8Mbit 23:00,off")
        let tuesday = 1440
        #expect(schedule.rate(atWeekMinute: tuesday + 7 * 60 + 59) == nil)  // 07:59: 23:00's off
        #expect(schedule.rate(atWeekMinute: tuesday + 8 * 60) == 500_000)
        #expect(schedule.rate(atWeekMinute: tuesday + 17 * 60 + 59) == 500_000)
        #expect(schedule.rate(atWeekMinute: tuesday + 18 * 60) == 1_000_000)
        #expect(schedule.rate(atWeekMinute: 0) == nil)  // Monday 00:00 follows Sunday 23:00
    }

    /// A weekday entry holds from that minute of that day; entries without a day repeat daily.
    @Test func weekdaysHoldFromTheirDayAsInRclone() throws {
        let schedule = try BandwidthSchedule(parsing: "Mon-08:00,2Mbit Sat-00:00,off")
        #expect(schedule.rate(atWeekMinute: 8 * 60) == 250_000)  // Monday 08:00
        #expect(schedule.rate(atWeekMinute: 4 * 1440 + 12 * 60) == 250_000)  // Friday noon
        #expect(schedule.rate(atWeekMinute: 5 * 1440 + 1) == nil)  // Saturday
        #expect(schedule.rate(atWeekMinute: 7 * 60) == nil)  // Monday 07:00: still the weekend's off
        let mixed = try BandwidthSchedule(parsing: "Sun-20:00,1Mbit 07:00,4Mbit")
        #expect(mixed.rate(atWeekMinute: 6 * 1440 + 21 * 60) == 125_000)
        #expect(mixed.rate(atWeekMinute: 6 * 1440 + 7 * 60) == 500_000)
    }

    @Test(arguments: [
        ("08:00,4Mbit 25:00,off", "25:00,off", "HH:MM"),
        ("08:00,4Mbit Fun-09:00,1M", "Fun-09:00,1M", "Mon, Tue"),
        ("08:00,4Mbit 18:00,fast", "18:00,fast", "not a rate"),
        ("08:00 4Mbit", "08:00", "HH:MM,rate"),
        ("4Mbps", "4Mbps", "not a rate"),
        ("10B", "10B", "outside"),
        ("08:00,1M 08:00,2M", "08:00,2M", "already starts"),
    ])
    func aMalformedEntryIsRefusedByName(text: String, entry: String, says: String) {
        #expect {
            _ = try BandwidthSchedule(parsing: text)
        } throws: { error in
            let message = (error as? BandwidthSchedule.ParseError)?.message ?? ""
            return message.hasPrefix("'\(entry)'") && message.contains(says)
        }
    }
}
