import ChunkFerrySupport

/// S3 Object Lock as ChunkFerry uses it: every object written carries a retention mode and a
/// retain-until date, so the store itself refuses to delete or overwrite that version before
/// then, whoever holds the keys (compliance) or unless the keys may bypass it (governance).
package struct ObjectLock: Sendable, Equatable {
    package enum Mode: String, Sendable, CaseIterable {
        case governance, compliance

        /// `x-amz-object-lock-mode`'s spelling.
        package var header: String { rawValue.uppercased() }
    }

    package var mode: Mode
    /// Footage and what describes it.
    package var retention: Duration
    /// Provisional pieces (see `ObjectAttributes.LockTerm.tail`).
    package var tailRetention: Duration

    /// A check's own object stays locked this long: long enough to find out what the lock
    /// refuses, short enough not to pile up.
    package static let probeRetention = Duration.seconds(86_400)

    package init(mode: Mode, retention: Duration, tailRetention: Duration) {
        self.mode = mode
        self.retention = retention
        self.tailRetention = tailRetention
    }

    package func retention(for term: ObjectAttributes.LockTerm) -> Duration {
        switch term {
        case .footage: retention
        case .tail: tailRetention
        case .probe: Self.probeRetention
        }
    }

    /// The headers an object written now carries.
    package func headers(for term: ObjectAttributes.LockTerm, now: Int64 = WallClock.nowMilliseconds()) -> [(name: String, value: String)] {
        [("x-amz-object-lock-mode", mode.header), ("x-amz-object-lock-retain-until-date", Self.retainUntil(term: retention(for: term), now: now))]
    }

    /// RFC 3339 in UTC, whole seconds, as S3 takes it.
    package static func retainUntil(term: Duration, now: Int64 = WallClock.nowMilliseconds()) -> String {
        WallClock.rfc3339(milliseconds: (now / 1000 + term.components.seconds) * 1000)
    }

    /// `compliance, 30d`: what `check` and `/health` say.
    package var description: String { "\(mode.rawValue), \(Self.days(retention))" }

    package static func days(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return seconds % 86_400 == 0 ? "\(seconds / 86_400)d" : seconds % 3600 == 0 ? "\(seconds / 3600)h" : "\(seconds)s"
    }
}
