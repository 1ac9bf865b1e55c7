#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time for records and manifests (monotonic time is for intervals).
package enum WallClock {
    package static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// `2024-01-18T12:00:00.123Z` (RFC 3339, UTC).
    package static func rfc3339(milliseconds: Int64) -> String {
        let parts = utc(seconds: milliseconds / 1000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(milliseconds % 1000), 3))Z"
    }

    /// `20240118_120000` (UTC), as recordings and snapshots are named.
    package static func compact(seconds: Int64) -> String {
        let parts = utc(seconds: seconds)
        return "\(pad(parts.tm_year + 1900, 4))\(pad(parts.tm_mon + 1))\(pad(parts.tm_mday))_\(pad(parts.tm_hour))\(pad(parts.tm_min))\(pad(parts.tm_sec))"
    }

    private static func utc(seconds: Int64) -> tm {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return parts
    }

    private static func pad(_ value: Int32, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension Duration {
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    package var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
