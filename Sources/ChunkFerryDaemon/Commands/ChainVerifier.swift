import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport

/// `chunkferry verify`: reads every manifest in the store, HEADs the objects they list, and hands
/// both to `ChainAudit`; with `deep`, reads every recording too. The store alone: no Redis, no
/// WATCH_DIR, nothing local.
package struct ChainVerifier: Sendable {
    /// The store behind a reader's `EncryptedStore`: age files open with the identities given
    /// (as `restore` reads them), clear objects show as they are.
    let storage: any ObjectStore
    /// The store itself, for listing (a listing through the reader would HEAD every object).
    let base: any ObjectStore
    /// `S3_PREFIX`, normalized: the manifests under it are checked.
    let prefix: String
    /// `--identity`: what opens sealed objects (`--deep` reads whole ones without the wrapper).
    let identities: [AgeIdentity]

    init(storage base: any ObjectStore, identities: [AgeIdentity] = [], prefix: String = "") {
        self.base = base
        self.identities = identities
        storage = EncryptedStore(base, recipients: [], box: nil, identities: identities)
        self.prefix = ObjectLayout(prefix: prefix).prefix
    }

    package init(storage settings: StorageSettings, prefix: String = "", identityFiles: [String] = []) throws(StartupFailure) {
        let identities = try IdentityFile.read(identityFiles)
        do {
            self.init(storage: try settings.makeStore(connections: 4), identities: identities, prefix: prefix)
        } catch {
            throw StartupFailure(message: "\(error)")
        }
    }

    /// Where the store is, as the summary names it (never a credential).
    package var location: String { base.location }

    /// Ends the store's connections (see `ObjectStore.shutDown`).
    package func shutDown() { storage.shutDown() }

    /// The findings, notes and counts of the manifests `scope` takes in. Throws only when the
    /// check cannot be made at all: the store does not answer, or a manifest needs an identity.
    package func verify(scope: ChainAudit.Scope, deep: Bool) async throws(StartupFailure) -> VerifyReport {
        guard base.lists else {
            throw StartupFailure(message: "\(base.location) cannot list its objects, so verify cannot find the manifests: give it the store's listing (an HTTP server needs one)")
        }
        let keys = try await listManifestKeys()
        var manifests: [StoredManifest] = []
        var unreadable: [VerifyReport.Finding] = []
        for key in keys {
            switch try await read(manifestKey: key) {
            case .read(let stored): manifests.append(stored)
            case .unreadable(let finding): unreadable.append(finding)
            }
        }
        let audit = ChainAudit(manifests: manifests, manifestKeys: Set(keys), prefix: prefix, scope: scope)
        var objects: [String: ObjectInfo] = [:]
        for key in Set(audit.objectKeys) {
            if let info = try await head(key) { objects[key] = info }
        }
        var report = audit.report(objects: objects)
        report.findings = unreadable + report.findings
        if deep {
            report.deep = true
            let known = Set(report.findings.map(\.subject))
            for stored in audit.selected {
                report.findings += try await readThrough(stored, skipping: known)
            }
        }
        return report
    }

    /// Every `<stream id>/manifest.json` under the prefix, beside whole objects or not.
    func listManifestKeys() async throws(StartupFailure) -> [String] {
        let listed: [ObjectInfo]
        do {
            listed = try await retrying { () async throws(StoreError) -> [ObjectInfo] in try await base.list(prefix: prefix) }
        } catch {
            throw StartupFailure(message: "cannot list \(base.location): \(error)")
        }
        return listed.map(\.key).filter { key in
            let parts = key.split(separator: "/")
            return parts.count >= 2 && parts[parts.count - 1] == "manifest.json" && Restorer.isStreamID(String(parts[parts.count - 2]))
        }.sorted()
    }

    /// A manifest as `read(manifestKey:)` found it.
    enum ManifestRead: Sendable {
        case read(StoredManifest)
        /// There, but not readable as a manifest: a finding.
        case unreadable(VerifyReport.Finding)
    }

    /// The manifest, decrypted if sealed, and the SHA-256 of its JSON; a finding when it is there
    /// but does not read as a manifest.
    func read(manifestKey key: String) async throws(StartupFailure) -> ManifestRead {
        let bytes: [UInt8]
        do throws(StoreError) {
            bytes = try await retrying { () async throws(StoreError) -> [UInt8] in try await storage.get(key: key, range: nil) }
        } catch where error.code == "NotYourKey" {
            throw StartupFailure(message: "\(key) is encrypted (ENCRYPT_TO): give --identity FILE, the age identity it was encrypted to")
        } catch where error.isNotFound {
            return .unreadable(.init(.unreadableManifest, key, "listed, then gone when read: deleted during the check?"))
        } catch where error.code == "Undecryptable" {
            return .unreadable(.init(.unreadableManifest, key, "does not decrypt: \(error.message)"))
        } catch {
            throw StartupFailure(message: "cannot read \(key) from \(base.location): \(error)")
        }
        do {
            return .read(StoredManifest(key: key, manifest: try Manifest.decode(bytes), sha256: ByteEncoding.hex(Digest.sha256(bytes))))
        } catch {
            return .unreadable(.init(.unreadableManifest, key, "not a ChunkFerry manifest: \(error)"))
        }
    }

    func head(_ key: String) async throws(StartupFailure) -> ObjectInfo? {
        do {
            return try await retrying { () async throws(StoreError) -> ObjectInfo? in try await storage.head(key: key) }
        } catch {
            throw StartupFailure(message: "cannot look at \(key) in \(base.location): \(error)")
        }
    }

    /// `body` again after a failure a retry can mend (a few times, as `restore` does).
    func retrying<T: Sendable>(_ body: () async throws(StoreError) -> T) async throws(StoreError) -> T {
        var attempt = 0
        while true {
            do throws(StoreError) {
                return try await body()
            } catch where error.isRetryable && attempt < 4 {
                attempt += 1
                try? await Task.sleep(for: RetryPolicy().delay(afterAttempt: attempt))
            }
        }
    }
}
