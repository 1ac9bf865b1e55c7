import Synchronization

/// The one uplink every store's uploads share: `BANDWIDTH_LIMIT` as a token bucket, the most
/// urgent class served first, and the rate actually sent, measured.
///
/// Stores ask `admit` before each piece of a request body (curl's read callback, the folder
/// store's copy loop), on their own worker threads: a piece waits there, so a transfer of a
/// lower class pauses between reads while a more urgent one wants the uplink. Without a limit
/// the lower class pauses while a more urgent body is being sent at all. A paused transfer
/// still sends a little each second, so neither curl's stall timeout nor the server's idle
/// timeout ends it.
package final class UplinkThrottle: Sendable {
    private struct State {
        var schedule: BandwidthSchedule
        var rate: Int?
        var tokens: Double = 0
        var refilledAt: Double
        /// Per class: transfers whose body is being sent, and callers waiting for tokens.
        var sending = [Int](repeating: 0, count: UplinkClass.allCases.count)
        var waiting = [Int](repeating: 0, count: UplinkClass.allCases.count)
        /// Bytes admitted per second for the last `window` seconds, by whole second.
        var recent: [(second: Int, bytes: Int)] = []

        /// Tokens the bucket holds at most: a fifth of a second at the rate.
        var capacity: Double { Double(max(4096, (rate ?? 0) / 5)) }

        /// Whether a more urgent class than `lane` wants the uplink now.
        func outranked(_ lane: UplinkClass) -> Bool {
            (0..<lane.rawValue).contains { waiting[$0] > 0 || (rate == nil && sending[$0] > 0) }
        }
    }

    /// How often a paused transfer still sends `trickle` bytes.
    static let tricklePeriod = 1.0
    static let trickle = 1024
    /// Seconds the measured rate averages over.
    static let window = 10

    private let state: Mutex<State>
    private let clock: UplinkClock

    package init(_ schedule: BandwidthSchedule = .off, clock: UplinkClock = .system) {
        self.clock = clock
        state = Mutex(State(schedule: schedule, rate: schedule.rate(atWeekMinute: clock.weekMinute()), refilledAt: clock.seconds()))
    }

    /// A new BANDWIDTH_LIMIT (a reload): it holds from the next piece of every body.
    package func change(to schedule: BandwidthSchedule) {
        let minute = clock.weekMinute()
        state.withLock { state in
            state.schedule = schedule
            state.rate = schedule.rate(atWeekMinute: minute)
            state.tokens = min(state.tokens, state.capacity)
        }
    }

    package var schedule: BandwidthSchedule { state.withLock { $0.schedule } }

    /// The limit holding now in bytes per second; nil when there is none.
    package var limit: Int? {
        let minute = clock.weekMinute()
        return state.withLock { state in state.schedule.rate(atWeekMinute: minute) }
    }

    /// Bytes per second admitted over the last `window` whole seconds: the uplink as measured.
    package var measuredRate: Double {
        let now = Int(clock.seconds())
        return state.withLock { state in
            Double(state.recent.filter { $0.second < now && $0.second >= now - Self.window }.reduce(0) { $0 + $1.bytes }) / Double(Self.window)
        }
    }

    /// A body of class `lane` starts being sent; `finished` must follow.
    package func started(_ lane: UplinkClass) { state.withLock { $0.sending[lane.rawValue] += 1 } }

    package func finished(_ lane: UplinkClass) { state.withLock { $0.sending[lane.rawValue] -= 1 } }

    /// How many of the `wanted` next body bytes of a `lane` transfer may go now (at least one),
    /// after waiting on this thread for the limit or for more urgent transfers.
    package func admit(_ wanted: Int, lane: UplinkClass) -> Int {
        guard wanted > 0 else { return 0 }
        let began = clock.seconds()
        var registered = false
        defer { if registered { state.withLock { $0.waiting[lane.rawValue] -= 1 } } }
        // Counted as waiting from its first wait, so that less urgent transfers yield to it.
        func register(_ state: inout State) {
            guard !registered else { return }
            registered = true
            state.waiting[lane.rawValue] += 1
        }
        while true {
            let now = clock.seconds()
            let minute = clock.weekMinute()
            let (granted, pause): (Int?, Double) = state.withLock { state in
                refresh(&state, now: now, minute: minute)
                let paused = state.outranked(lane)
                if paused, now - began < Self.tricklePeriod {
                    register(&state)
                    return (nil, 0.02)
                }
                // Pieces of a twentieth of a second at the rate: not a packet per read.
                let cap = paused ? Self.trickle : state.rate.map { max(1024, $0 / 20) } ?? wanted
                guard let rate = state.rate else {
                    return (record(&state, min(wanted, cap), now: now), 0)
                }
                let piece = min(wanted, cap)
                // A trickle is paid from the bucket too, and only while it is not deep in debt:
                // many paused transfers never starve the one that has the uplink.
                if paused ? state.tokens > -state.capacity : state.tokens >= Double(piece) {
                    state.tokens -= Double(piece)
                    return (record(&state, piece, now: now), 0)
                }
                register(&state)
                return (nil, min(0.02, max(0.001, (Double(piece) - state.tokens) / Double(rate))))
            }
            if let granted { return granted }
            clock.sleep(pause)
        }
    }

    /// Gives back bytes admitted but not sent (a body's framing kept them for its next read).
    package func refund(_ bytes: Int) {
        guard bytes > 0 else { return }
        let now = Int(clock.seconds())
        state.withLock { state in
            if state.rate != nil { state.tokens = min(state.capacity, state.tokens + Double(bytes)) }
            if let last = state.recent.last, last.second == now { state.recent[state.recent.count - 1].bytes -= bytes }
        }
    }

    /// Refills the bucket and follows the timetable to the current minute.
    private func refresh(_ state: inout State, now: Double, minute: Int) {
        let rate = state.schedule.rate(atWeekMinute: minute)
        if rate != state.rate {
            state.rate = rate
            state.tokens = min(state.tokens, state.capacity)
        }
        if let rate {
            state.tokens = min(state.capacity, state.tokens + (now - state.refilledAt) * Double(rate))
        }
        state.refilledAt = now
    }

    private func record(_ state: inout State, _ bytes: Int, now: Double) -> Int {
        let second = Int(now)
        if let last = state.recent.last, last.second == second {
            state.recent[state.recent.count - 1].bytes += bytes
        } else {
            state.recent.append((second, bytes))
            if state.recent.count > Self.window + 2 { state.recent.removeFirst(state.recent.count - Self.window - 2) }
        }
        return bytes
    }
}
