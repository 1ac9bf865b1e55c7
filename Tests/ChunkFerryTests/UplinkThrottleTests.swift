@testable import ChunkFerryStorage
import Synchronization
import Testing

/// The shared uplink's logic on a clock the test moves: the limit's rate, the timetable's
/// minute, and live footage's first claim.
@Suite struct UplinkThrottleTests {
    /// Time that moves only when a caller sleeps, so the sums are exact.
    final class TestClock: Sendable {
        /// 07:59:00 on a Monday, as far as the throttle knows.
        let now = Mutex<(seconds: Double, minute: Int)>((960, 8 * 60 - 1))

        var clock: UplinkClock {
            UplinkClock(seconds: { self.now.withLock { $0.seconds } },
                        weekMinute: { self.now.withLock { $0.minute } },
                        sleep: { pause in self.advance(pause) })
        }

        func advance(_ seconds: Double) {
            now.withLock { now in
                let before = Int(now.seconds / 60)
                now.seconds += seconds
                now.minute += Int(now.seconds / 60) - before
            }
        }
    }

    /// Bytes a caller of `lane` sends in `seconds` of the test clock, asking as curl does.
    static func send(_ throttle: UplinkThrottle, _ clock: TestClock, for seconds: Double, lane: UplinkClass = .backlog) -> Int {
        let end = clock.now.withLock { $0.seconds } + seconds
        var sent = 0
        while clock.now.withLock({ $0.seconds }) < end { sent += throttle.admit(256 * 1024, lane: lane) }
        return sent
    }

    @Test(arguments: ["4Mbit", "512KiB"])
    func aRateHoldsWithinTwoPercentOverThirtySeconds(limit: String) throws {
        let clock = TestClock()
        let schedule = try BandwidthSchedule(parsing: limit)
        let throttle = UplinkThrottle(schedule, clock: clock.clock)
        let rate = Double(try #require(schedule.rate(atWeekMinute: 0)))
        let sent = Double(Self.send(throttle, clock, for: 30))
        #expect(abs(sent / 30 - rate) / rate < 0.02, "\(sent / 30) bytes/s against \(rate)")
        // Pieces of a twentieth of a second: not a packet per read.
        #expect(throttle.admit(256 * 1024, lane: .backlog) == Int(rate) / 20)
    }

    /// 07:59 holds the night's rate; from 08:00 on the day's, without a reload.
    @Test func theTimetablesNextEntryTakesEffectAtItsMinute() throws {
        let clock = TestClock()
        clock.advance(0.5)
        let throttle = UplinkThrottle(try BandwidthSchedule(parsing: "08:00,1Mbit 22:00,4Mbit"), clock: clock.clock)
        #expect(throttle.limit == 500_000)
        let night = Self.send(throttle, clock, for: 20)
        clock.advance(40)  // 08:00:00.5
        #expect(throttle.limit == 125_000)
        let day = Self.send(throttle, clock, for: 20)
        #expect(abs(Double(night) / 20 - 500_000) < 25_000 && abs(Double(day) / 20 - 125_000) < 6_250, "\(night) then \(day)")
        throttle.change(to: .off)  // a reload
        #expect(throttle.limit == nil && throttle.admit(1 << 20, lane: .backlog) == 1 << 20)
    }

    /// While a live body is being sent, a backlog body gets only the trickle that keeps its
    /// connection alive (1 KiB a second); once the live one is done, all it asks for.
    @Test func aLiveTransferHoldsTheBacklogToATrickle() {
        let clock = TestClock()
        let throttle = UplinkThrottle(.off, clock: clock.clock)
        throttle.started(.live)
        let before = clock.now.withLock { $0.seconds }
        var backlog = 0
        for _ in 0..<3 { backlog += throttle.admit(256 * 1024, lane: .backlog) }
        let waited = clock.now.withLock { $0.seconds } - before
        #expect(backlog == 3 * UplinkThrottle.trickle && waited >= 3, "\(backlog) bytes in \(waited) s")
        #expect(throttle.admit(256 * 1024, lane: .live) == 256 * 1024, "live is never held back by the backlog")
        #expect(throttle.admit(256 * 1024, lane: .substream) == 256 * 1024)
        throttle.finished(.live)
        #expect(throttle.admit(256 * 1024, lane: .backlog) == 256 * 1024)
    }
}
