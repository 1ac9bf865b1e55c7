import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
import Foundation

/// The chunks against what the store holds, the pauses between recordings, the time covered.
extension ChainAudit {
    /// Missing chunks (only where the manifest says they are kept), missing whole objects, sizes
    /// and the store's checksums. Counts the chunks in `report`, and those whose checksum the
    /// store did not keep.
    func chunkFindings(objects: [String: ObjectInfo], report: inout VerifyReport) -> [VerifyReport.Finding] {
        var findings: [VerifyReport.Finding] = []
        for stored in selected {
            let manifest = stored.manifest
            report.chunks += manifest.chunks.count
            if let whole = manifest.object {
                if let info = objects[whole.key] {
                    if info.size != whole.size {
                        findings.append(.init(.sizeMismatch, whole.key, "holds \(info.size) bytes, \(stored.key) says \(whole.size)"))
                    }
                } else {
                    findings.append(.init(.missingObject, whole.key, "the recording \(manifest.path) as one object is not in the store; \(stored.key) lists it"))
                }
            }
            guard manifest.keepsChunks else { continue }
            for chunk in manifest.chunks {
                guard let info = objects[chunk.key] else {
                    findings.append(.init(.missingChunk, chunk.key, "chunk \(chunk.index) of \(manifest.path) is not in the store; \(stored.key) lists it"))
                    continue
                }
                if info.size != Int64(chunk.size) {
                    findings.append(.init(.sizeMismatch, chunk.key, "holds \(info.size) bytes, \(stored.key) says \(chunk.size)"))
                    continue
                }
                // The store's own checksum, where it kept the kind the manifest names.
                guard let expected = chunk.checksum, ChunkChecksum.Kind.stored(in: info, preferring: expected.kind) == expected.kind else {
                    report.uncheckedChecksums += 1
                    continue
                }
                if !expected.matches(info) {
                    let kept = (expected.kind == .sha256 ? info.checksumSHA256 : info.checksumCRC32C) ?? "?"
                    findings.append(.init(.checksumMismatch, chunk.key, "the store's \(expected.kind) is \(kept), \(stored.key) says \(expected.header.value)"))
                }
            }
        }
        return findings
    }

    /// Pauses between consecutive recordings of a source longer than `--gap`, or than twice the
    /// median recording of that source.
    func gaps() -> [VerifyReport.Finding] {
        var findings: [VerifyReport.Finding] = []
        for (source, recordings) in bySource() {
            let timed = recordings.compactMap { stored -> (StoredManifest, start: Int64, end: Int64)? in
                guard let start = Self.milliseconds(stored.manifest.startedAt), let end = Self.milliseconds(stored.manifest.completedAt) else { return nil }
                return (stored, start, end)
            }
            guard timed.count >= 2 else { continue }
            let limit: Int64
            if let gap = scope.gap {
                limit = gap.milliseconds
            } else {
                let durations = timed.map { $0.end - $0.start }.sorted()
                let median = durations.count % 2 == 1 ? durations[durations.count / 2]
                    : (durations[durations.count / 2 - 1] + durations[durations.count / 2]) / 2
                guard median > 0 else { continue }  // no length to judge a pause by
                limit = 2 * median
            }
            // A pause is measured from the latest end so far: a long recording overlapping
            // shorter ones covers their time too.
            var latest = timed[0]
            for next in timed.dropFirst() {
                let pause = next.start - latest.end
                if pause > limit {
                    findings.append(.init(.gap, "source \(source)", "\(VerifyReport.duration(milliseconds: pause)) without a recording between \(latest.0.manifest.path) (ended \(latest.0.manifest.completedAt), \(latest.0.key)) and \(next.0.manifest.path) (started \(next.0.manifest.startedAt), \(next.0.key)); the limit is \(VerifyReport.duration(milliseconds: limit))"))
                }
                if next.end > latest.end { latest = next }
            }
        }
        return findings
    }

    /// The time each source's recordings in the scope cover.
    func spans() -> [VerifyReport.Span] {
        bySource().map { source, recordings in
            var span = VerifyReport.Span(source: source)
            span.recordings = recordings.count
            span.chunks = recordings.reduce(0) { $0 + $1.manifest.chunks.count }
            span.from = recordings.first?.manifest.startedAt ?? ""
            span.to = recordings.map(\.manifest.completedAt).max { (Self.milliseconds($0) ?? 0) < (Self.milliseconds($1) ?? 0) } ?? ""
            return span
        }
    }

    /// The selected manifests with a source, per source by name, oldest first.
    private func bySource() -> [(String, [StoredManifest])] {
        Dictionary(grouping: selected.filter { $0.manifest.source != nil }) { $0.manifest.source ?? "" }
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value) }
    }

    /// Unix milliseconds of an RFC 3339 time (`2026-01-18T12:00:00.123Z`, fractions optional) or
    /// of a date (`2026-01-18`, midnight UTC); nil for anything else.
    package static func milliseconds(_ text: String) -> Int64? {
        if let written = wallClockMilliseconds(Array(text.utf8)) { return written }
        if text.utf8.count == 10, let midnight = wallClockMilliseconds(Array((text + "T00:00:00.000Z").utf8)) { return midnight }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        }
        return nil
    }

    /// The form `WallClock.rfc3339` writes in every manifest, parsed without a formatter: the
    /// sorts ask for it often.
    private static func wallClockMilliseconds(_ bytes: [UInt8]) -> Int64? {
        guard bytes.count == 24, bytes[4] == 0x2d, bytes[7] == 0x2d, bytes[10] == 0x54, bytes[13] == 0x3a, bytes[16] == 0x3a,
              bytes[19] == 0x2e, bytes[23] == 0x5a else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int64(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19), let millisecond = number(20..<23),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        let shifted = month <= 2 ? year - 1 : year
        let era = shifted / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let days = era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }
}
