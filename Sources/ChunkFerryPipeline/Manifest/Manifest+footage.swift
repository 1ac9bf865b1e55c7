import ChunkFerryCheckpoint
import ChunkFerrySupport
import Foundation

extension Manifest {
    /// Sets `mediaStart` and `mediaEnd`: what `chunkferry serve` draws on a camera's timeline.
    /// The recorder's name says when a recording began (cameras' segments, Frigate, Blue Iris);
    /// the file's last modification says when it ended, to within a fragment.
    mutating func recordFootageSpan(of record: StreamRecord, layout: PathLayout?, timeZone: TimeZone) {
        let span = Self.footageSpan(path: path, layout: layout, timeZone: timeZone, firstSeen: record.startedAt,
                                    modifiedNanoseconds: record.fileModified, completedAt: WallClock.nowMilliseconds())
        mediaStart = WallClock.rfc3339(milliseconds: span.start)
        mediaEnd = WallClock.rfc3339(milliseconds: span.end)
    }

    /// The span in unix ms: a start the path says (else when the file was first seen), to the
    /// last modification (else the manifest's completion); never ending before it starts.
    package static func footageSpan(path: String, layout: PathLayout?, timeZone: TimeZone, firstSeen: Int64,
                                    modifiedNanoseconds: Int64?, completedAt: Int64?) -> (start: Int64, end: Int64) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let end = modifiedNanoseconds.map { $0 / 1_000_000 } ?? completedAt ?? firstSeen
        // A name's time after the last write is no start (a clock set wrong, a name that is no time).
        let named = PathLayout.read(path, layout: layout).start(in: calendar).flatMap { $0 <= end ? $0 : nil }
        let start = named ?? min(firstSeen, end)
        return (start, end)
    }
}
