/// `BANDWIDTH_LIMIT` in rclone's `--bwlimit` form: a rate, or a timetable of rates.
///
/// - A rate: `off` (or `0`); bytes per second as rclone writes them (`512k`, `10M`, `1.5MiB`,
///   `2G`; a bare number is KiB/s, `B` bytes, `KB`/`MB`/`GB` decimal); or bits per second
///   (`4Mbit`, `800kbit`, `1Gbit`, decimal).
/// - A timetable: entries `HH:MM,rate` apart by spaces, each holding from its minute until the
///   next (`08:00,4Mbit 18:00,8Mbit 23:00,off`). `Mon-08:00,2Mbit` holds from that minute of
///   that weekday only; an entry without a day repeats every day. Before the first entry of the
///   week the last one holds. Times are the box's local time (TZ).
package struct BandwidthSchedule: Sendable, Equatable, CustomStringConvertible {
    /// Bytes per second; nil is no limit.
    package typealias Rate = Int?

    /// Minutes from Monday 00:00, each with the rate that starts there, sorted.
    package let changes: [(minute: Int, rate: Rate)]
    package let description: String

    package static let off = BandwidthSchedule(changes: [(0, nil)], description: "off")

    static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    static let minutesPerWeek = 7 * 24 * 60

    private init(changes: [(minute: Int, rate: Rate)], description: String) {
        self.changes = changes
        self.description = description
    }

    /// Parses `text`; the error names the bad entry and what it should look like.
    package init(parsing text: String) throws(ParseError) {
        let entries = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard !entries.isEmpty else { throw ParseError(entry: text, problem: "it is empty: write a rate such as 4Mbit or 512KiB, or off") }
        if entries.count == 1, !entries[0].contains(",") {
            changes = [(0, try Self.rate(entries[0], entry: entries[0]))]
            description = entries[0]
            return
        }
        var changes: [(minute: Int, rate: Rate)] = []
        for entry in entries {
            let parts = entry.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw ParseError(entry: entry, problem: "a timetable entry is HH:MM,rate or Day-HH:MM,rate (for example 08:00,4Mbit or Sat-00:00,off)")
            }
            let rate = try Self.rate(String(parts[1]), entry: entry)
            var time = Substring(parts[0])
            var day: Int?
            if let dash = time.firstIndex(of: "-") {
                guard let index = Self.days.firstIndex(of: time[..<dash].lowercased()) else {
                    throw ParseError(entry: entry, problem: "the day must be one of Mon, Tue, Wed, Thu, Fri, Sat, Sun")
                }
                day = index
                time = time[time.index(after: dash)...]
            }
            let clock = time.split(separator: ":", omittingEmptySubsequences: false)
            guard clock.count == 2, clock[0].count == 2, clock[1].count == 2, let hour = Int(clock[0]), let minute = Int(clock[1]),
                  (0..<24).contains(hour), (0..<60).contains(minute) else {
                throw ParseError(entry: entry, problem: "the time must be HH:MM, from 00:00 to 23:59")
            }
            let ofDay = hour * 60 + minute
            for weekday in day.map({ [$0] }) ?? Array(0..<7) {
                let at = weekday * 1440 + ofDay
                guard !changes.contains(where: { $0.minute == at }) else {
                    throw ParseError(entry: entry, problem: "another entry already starts at this minute")
                }
                changes.append((at, rate))
            }
        }
        self.changes = changes.sorted { $0.minute < $1.minute }
        description = entries.joined(separator: " ")
    }

    /// The rate holding at `minute` of the week (from Monday 00:00).
    package func rate(atWeekMinute minute: Int) -> Rate {
        changes.last { $0.minute <= minute }?.rate ?? changes[changes.count - 1].rate
    }

    /// Whether any entry limits the rate.
    package var limits: Bool { changes.contains { $0.rate != nil } }

    /// One rate: see the type's documentation. nil is no limit.
    static func rate(_ text: String, entry: String) throws(ParseError) -> Rate {
        let lowered = text.lowercased()
        if lowered == "off" || lowered == "0" { return nil }
        let digits = lowered.prefix { $0.isNumber || $0 == "." }
        let unit = String(lowered.dropFirst(digits.count))
        let bytesPerUnit: [String: Double] = [
            "": 1024, "b": 1, "k": 1024, "kib": 1024, "m": 1_048_576, "mib": 1_048_576, "g": 1_073_741_824, "gib": 1_073_741_824,
            "kb": 1e3, "mb": 1e6, "gb": 1e9, "kbit": 125, "mbit": 125_000, "gbit": 125_000_000,
        ]
        guard let number = Double(digits), number > 0, let multiplier = bytesPerUnit[unit] else {
            throw ParseError(entry: entry, problem: "'\(text)' is not a rate: write off, a bit rate such as 4Mbit or 800kbit, or bytes per second such as 512KiB or 10M")
        }
        let rate = number * multiplier
        guard rate >= 1024, rate < 1e13 else {
            throw ParseError(entry: entry, problem: "'\(text)' is outside 1KiB/s to 10TB/s")
        }
        return Int(rate)
    }

    package static func == (lhs: BandwidthSchedule, rhs: BandwidthSchedule) -> Bool {
        lhs.changes.elementsEqual(rhs.changes) { $0.minute == $1.minute && $0.rate == $1.rate }
    }

    package struct ParseError: Error, Sendable {
        package let entry: String
        package let problem: String
        package var message: String { "'\(entry)': \(problem)" }
    }
}
