#if canImport(Glibc)
import Glibc
#endif

/// Where the throttle reads the time: a monotonic clock for its token bucket, the local wall
/// clock for the timetable's minute. Tests put their own in (a timetable's minute without
/// waiting for it).
package struct UplinkClock: Sendable {
    /// Monotonic seconds.
    package var seconds: @Sendable () -> Double
    /// Minutes since Monday 00:00, local time.
    package var weekMinute: @Sendable () -> Int
    /// Waits `seconds` on the calling thread (never a cooperative one: stores call the throttle
    /// from their own worker threads).
    package var sleep: @Sendable (Double) -> Void

    package init(seconds: @escaping @Sendable () -> Double, weekMinute: @escaping @Sendable () -> Int,
                 sleep: @escaping @Sendable (Double) -> Void) {
        self.seconds = seconds
        self.weekMinute = weekMinute
        self.sleep = sleep
    }

    package static let system = UplinkClock(
        seconds: {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        },
        weekMinute: {
            var now = time(nil)
            var local = tm()
            localtime_r(&now, &local)
            // tm_wday counts from Sunday; the timetable's week starts on Monday, as rclone's.
            return ((Int(local.tm_wday) + 6) % 7) * 1440 + Int(local.tm_hour) * 60 + Int(local.tm_min)
        },
        sleep: { seconds in
            usleep(useconds_t(max(0, min(seconds, 1)) * 1_000_000))
        })
}
