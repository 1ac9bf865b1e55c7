/// What `chunkferry verify` found: a line per finding, the notes, and the summary a person can
/// hand to someone else.
package struct VerifyReport: Sendable {
    /// One thing wrong in the store, named by the object or recording it concerns.
    package struct Finding: Sendable, Equatable {
        package enum Kind: String, Sendable {
            case missingManifest = "missing manifest"
            case alteredManifest = "altered manifest"
            case unreadableManifest = "unreadable manifest"
            case missingChunk = "missing chunk"
            case missingObject = "missing object"
            case sizeMismatch = "size mismatch"
            case checksumMismatch = "checksum mismatch"
            case contentMismatch = "content mismatch"
            case gap = "gap"
        }

        package var kind: Kind
        /// The key (or recording) the finding names.
        package var subject: String
        package var detail: String

        package init(_ kind: Kind, _ subject: String, _ detail: String) {
            self.kind = kind
            self.subject = subject
            self.detail = detail
        }

        package var line: String { "\(kind.rawValue): \(subject): \(detail)" }
    }

    /// The recordings of one source in the scope: what time they cover.
    package struct Span: Sendable, Equatable {
        package var source: String
        package var recordings = 0
        package var chunks = 0
        /// RFC 3339: the first recording's start, the last one's end.
        package var from = ""
        package var to = ""
    }

    package var findings: [Finding] = []
    /// Not findings: a chain begun again, a fork (Redis lost, two daemons on one source).
    package var notes: [String] = []
    /// Per source, by name.
    package var spans: [Span] = []
    package var recordings = 0
    package var chunks = 0
    /// Recordings whose manifest has no `source` (written before chains): chunks checked only.
    package var outsideChains = 0
    /// Chunks whose store kept no checksum to compare (ENCRYPT_TO, or a store that keeps none).
    package var uncheckedChecksums = 0
    /// Whether every byte was read (`--deep`).
    package var deep = false

    package var passed: Bool { findings.isEmpty }

    /// The lines that follow the findings: the store, the time, what was checked, the verdict.
    /// `scope` says what `--camera` and `--since` limited the check to, if anything.
    package func summary(location: String, checkedAt: String, scope: String?) -> [String] {
        var lines = ["", "chunkferry verify of \(location), \(checkedAt)"]
        if let scope { lines.append("  scope: \(scope)") }
        let how = deep ? "sizes, the store's checksums, and every byte read (--deep)" : "sizes and the store's checksums"
        lines.append("  checked \(Self.count(spans.count, "source")), \(Self.count(recordings, "recording")), \(Self.count(chunks, "chunk")): \(how)")
        if outsideChains > 0 {
            lines.append("  \(Self.count(outsideChains, "recording")) written before chains (no source in the manifest): chunks checked, outside any chain")
        }
        if uncheckedChecksums > 0 {
            let remedy = deep ? "read and checked by --deep" : "sizes checked only; --deep reads them"
            lines.append("  \(Self.count(uncheckedChecksums, "chunk")) without a checksum kept by the store (ENCRYPT_TO, or a store that keeps none): \(remedy)")
        }
        for span in spans {
            lines.append("  source \(span.source): \(span.from) to \(span.to), \(Self.count(span.recordings, "recording")), \(Self.count(span.chunks, "chunk"))")
        }
        if !notes.isEmpty { lines.append("  \(Self.count(notes.count, "note")) (not findings)") }
        lines.append(passed ? "result: OK, no findings" : "result: FAILED, \(Self.count(findings.count, "finding"))")
        return lines
    }

    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// `1h02m`, `3m05s`, `12.4s`: a gap as a person reads it.
    static func duration(milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        if seconds >= 3600 { return "\(seconds / 3600)h\(pad((seconds % 3600) / 60))m" }
        if seconds >= 60 { return "\(seconds / 60)m\(pad(seconds % 60))s" }
        return "\(seconds).\((milliseconds % 1000) / 100)s"
    }

    private static func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
