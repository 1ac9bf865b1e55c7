import ChunkFerryPipeline
import ChunkFerryStorage

/// A manifest `verify` read from the store.
package struct StoredManifest: Sendable {
    package var key: String
    package var manifest: Manifest
    /// Hex SHA-256 of its JSON as the store held it (decrypted): what its successor's
    /// `previous.sha256` must be.
    package var sha256: String

    package init(key: String, manifest: Manifest, sha256: String) {
        self.key = key
        self.manifest = manifest
        self.sha256 = sha256
    }
}

/// The checks of `verify` that need no store: given the manifests read and what the store holds,
/// the findings and notes. `ChainVerifier` does the reading.
package struct ChainAudit: Sendable {
    /// What `--camera`, `--since` and `--gap` limit the check to.
    package struct Scope: Sendable {
        package var camera: String?
        /// Unix milliseconds: recordings that started at or after it.
        package var since: Int64?
        /// The longest pause between recordings of a source that is not a finding; nil: twice
        /// the median recording of that source.
        package var gap: Duration?

        package init(camera: String? = nil, since: Int64? = nil, gap: Duration? = nil) {
            self.camera = camera
            self.since = since
            self.gap = gap
        }
    }

    /// Every manifest read, in or out of the scope: a link may point outside it.
    let manifests: [StoredManifest]
    let byKey: [String: StoredManifest]
    /// Every manifest key the store lists, also those that did not read.
    let manifestKeys: Set<String>
    /// `S3_PREFIX`, normalized: a link's key without it is looked up with it too.
    let prefix: String
    let scope: Scope
    /// The manifests the scope takes in, oldest first.
    package let selected: [StoredManifest]

    package init(manifests: [StoredManifest], manifestKeys: Set<String>, prefix: String = "", scope: Scope = Scope()) {
        self.manifests = manifests
        byKey = Dictionary(manifests.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        self.manifestKeys = manifestKeys
        self.prefix = prefix
        self.scope = scope
        selected = manifests.filter { stored in
            if let camera = scope.camera, stored.manifest.source != camera { return false }
            if let since = scope.since {
                // A start that does not parse is kept: better checked once too often than skipped.
                if let started = Self.milliseconds(stored.manifest.startedAt), started < since { return false }
            }
            return true
        }.sorted { Self.order($0, $1) }
    }

    /// Oldest first by start; the key breaks ties so the output is the same on every run.
    static func order(_ first: StoredManifest, _ second: StoredManifest) -> Bool {
        let (a, b) = (milliseconds(first.manifest.startedAt) ?? 0, milliseconds(second.manifest.startedAt) ?? 0)
        return a != b ? a < b : first.key < second.key
    }

    /// The objects whose HEAD the chunk checks need: chunks still kept, and whole objects.
    package var objectKeys: [String] {
        selected.flatMap { stored in
            (stored.manifest.keepsChunks ? stored.manifest.chunks.map(\.key) : []) + (stored.manifest.object.map { [$0.key] } ?? [])
        }
    }

    /// Everything but `--deep`: `objects` holds what a HEAD of each of `objectKeys` said (absent:
    /// not in the store).
    package func report(objects: [String: ObjectInfo]) -> VerifyReport {
        var report = VerifyReport()
        let (chainFindings, notes) = chains()
        let chunks = chunkFindings(objects: objects, report: &report)
        report.findings = chainFindings + chunks + gaps()
        report.notes = notes
        report.recordings = selected.count
        report.outsideChains = selected.filter { $0.manifest.source == nil }.count
        report.spans = spans()
        return report
    }

    /// Missing and altered manifests (findings), chains begun again and forks (notes).
    func chains() -> (findings: [VerifyReport.Finding], notes: [String]) {
        var findings: [VerifyReport.Finding] = []
        var named: Set<String> = []
        for stored in selected {
            guard let source = stored.manifest.source, let link = stored.manifest.previous else { continue }
            let key = resolve(link.key)
            guard named.insert(key).inserted else { continue }  // a fork: both successors name it
            if let previous = byKey[key] {
                if previous.sha256 != link.sha256 {
                    findings.append(.init(.alteredManifest, key, "its JSON hashes to \(previous.sha256), but \(stored.key) (the next of source \(source)) recorded \(link.sha256)"))
                }
            } else if !manifestKeys.contains(key) {
                // (Listed but not read: an unreadable manifest, already a finding of its own.)
                findings.append(.init(.missingManifest, key, "not in the store; \(stored.key) (source \(source), started \(stored.manifest.startedAt)) names it as the manifest before it"))
            }
        }
        return (findings, restarts() + forks())
    }

    /// A manifest without `previous` that is not its source's oldest: Redis lost, or a new store.
    private func restarts() -> [String] {
        var oldest: [String: StoredManifest] = [:]
        for stored in manifests {
            guard let source = stored.manifest.source else { continue }
            if let current = oldest[source], Self.order(current, stored) { continue }
            oldest[source] = stored
        }
        return selected.compactMap { stored in
            guard let source = stored.manifest.source, stored.manifest.previous == nil, oldest[source]?.key != stored.key else { return nil }
            return "note: the chain of source \(source) begins again at \(stored.key) (started \(stored.manifest.startedAt)): no previous manifest named, as after Redis was lost or reset"
        }
    }

    /// Two manifests naming the same previous one: two daemons wrote the same source.
    private func forks() -> [String] {
        var successors: [String: [StoredManifest]] = [:]
        for stored in manifests {
            guard stored.manifest.source != nil, let link = stored.manifest.previous else { continue }
            successors[resolve(link.key), default: []].append(stored)
        }
        let inScope = Set(selected.map(\.key))
        return successors.keys.sorted().compactMap { key in
            guard let next = successors[key], next.count > 1, next.contains(where: { inScope.contains($0.key) }) else { return nil }
            let source = next[0].manifest.source ?? "?"
            return "note: the chain of source \(source) forks after \(key): \(next.map(\.key).sorted().joined(separator: " and ")) both name it as previous, as when two daemons write one source"
        }
    }

    /// A link's key as the store lists it: as written, else under `S3_PREFIX`.
    func resolve(_ key: String) -> String {
        if manifestKeys.contains(key) || byKey[key] != nil || prefix.isEmpty || key.hasPrefix(prefix) { return key }
        let prefixed = prefix + key
        return manifestKeys.contains(prefixed) ? prefixed : key
    }
}
