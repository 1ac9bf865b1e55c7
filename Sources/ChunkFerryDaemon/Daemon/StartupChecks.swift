import ChunkFerryCheckpoint
import ChunkFerryStorage
import ChunkFerrySupport
#if canImport(Glibc)
import Glibc
#endif

/// What `check` prints and `run` waits for: the watch directory, Redis, the bucket, a test write.
package struct StartupChecks: Sendable {
    package enum Outcome: Sendable, Equatable {
        case ok(String)
        /// `fatal`: only the user can fix it (a setting); otherwise it may pass (unreachable).
        case failed(String, fatal: Bool)

        package var isOK: Bool { if case .ok = self { true } else { false } }
    }

    package struct Result: Sendable {
        package var name: String
        package var outcome: Outcome
        /// The deletion check's finding, for `/health`.
        package var deletion: DeletionFinding?

        init(name: String, outcome: Outcome, deletion: DeletionFinding? = nil) {
            self.name = name
            self.outcome = outcome
            self.deletion = deletion
        }
    }

    let settings: ChunkFerrySettings
    let storage: any ObjectStore
    let redis: RedisClient

    init(settings: ChunkFerrySettings, storage: any ObjectStore, redis: RedisClient) {
        self.settings = settings
        self.storage = storage
        self.redis = redis
    }

    /// The checks against the store `settings` describe.
    package init(settings: ChunkFerrySettings, redis: RedisClient) throws(StartupFailure) {
        self.init(settings: settings, storage: try settings.makeStore(connections: 1), redis: redis)
    }

    /// The checks speak to Redis only through the checkpoints' own calls.
    var checkpoints: CheckpointStore { CheckpointStore(redis: redis, namespace: settings.redis.namespace) }

    /// Ends the store's connections (see `ObjectStore.shutDown`).
    package func shutDown() { storage.shutDown() }

    /// Every check in order; later checks are skipped as failed when an earlier one they need failed.
    package func runAll() async -> [Result] {
        var results = [
            Result(name: "watch directory", outcome: watchDirectory()),
            Result(name: "redis", outcome: await redisReachable()),
            Result(name: "checkpoints", outcome: await checkpointsBelongHere()),
            Result(name: storage.backend.checkName, outcome: await destination()),
        ]
        if let marker = await storeMarker() { results.append(Result(name: "store marker", outcome: marker)) }
        if let lock = await objectLock() {
            results.append(Result(name: "object lock", outcome: lock))
            guard lock.isOK else { return results }
        }
        if let encrypted = storage as? EncryptedStore {
            results.append(Result(name: "encryption", outcome: .ok("every object is an age file to " + encrypted.fingerprints.joined(separator: ", ")
                + "; the box key is in \(settings.encryption.stateDirectory)")))
        }
        // The write check and the probe leave objects (locked, with OBJECT_LOCK): only once
        // everything before them passed, not on every retry of a failing start.
        guard results.allSatisfy(\.outcome.isOK) else { return results }
        let write = await writeAccess()
        results.append(Result(name: "write access", outcome: write))
        guard write.isOK else { return results }
        let deletion = await deletion()
        results.append(Result(name: "deletion", outcome: .ok(deletion.line), deletion: deletion))
        return results
    }

    /// A folder store is the one used before, not the empty folder an unmounted share leaves;
    /// nil for other backends.
    func storeMarker() async -> Outcome? {
        guard let folder = storage.folderStore else { return nil }
        let remembered: String?
        let used: Bool
        do {
            remembered = try await checkpoints.storeMarker()
            used = try await checkpoints.holdsStreams()
        } catch {
            return .failed("\(error.message) (REDIS_URL \(redis.url))", fatal: !error.isRetryable)
        }
        let found: String?
        do {
            found = try await folder.prepareMarker(remembered: remembered != nil, used: used)
        } catch {
            return .failed(error.description, fatal: !error.isRetryable)
        }
        guard let found else {
            return .failed("LOCAL_STORAGE_PATH has no .chunkferry-store: is the share mounted? (\(folder.root) is empty where the store was used before; a new, empty store on purpose: touch \(folder.root)/\(StoredAttributes.markerName))", fatal: false)
        }
        if remembered == nil {
            do { try await checkpoints.rememberStoreMarker(found) } catch {
                return .failed("\(error.message) (REDIS_URL \(redis.url))", fatal: !error.isRetryable)
            }
        }
        return .ok("\(folder.root)/\(StoredAttributes.markerName) names store \(found)")
    }

    func watchDirectory() -> Outcome {
        let path = settings.watch.directory
        switch FileStatus.of(path) {
        case .failure(let error):
            return .failed("WATCH_DIR '\(path)' cannot be used: \(error); create it or fix WATCH_DIR", fatal: true)
        case .success(let status) where status.kind != .directory:
            return .failed("WATCH_DIR '\(path)' is not a directory; fix WATCH_DIR", fatal: true)
        case .success:
            guard access(path, R_OK | X_OK) == 0 else {
                return .failed("WATCH_DIR '\(path)' is not readable by this user (uid \(getuid())); fix its permissions", fatal: true)
            }
            let deleting = settings.retention.enablingKeys.map(\.environmentName)
            if !deleting.isEmpty {
                guard access(path, W_OK) == 0 else {
                    return .failed("WATCH_DIR '\(path)' is read-only, but \(deleting.joined(separator: " and ")) must delete uploaded files from it; mount it writable (in docker-compose.yml: INPUT_MODE=rw) or turn that setting off", fatal: true)
                }
                return .ok("\(path) is readable and writable (\(deleting.joined(separator: ", ")) deletes uploaded files)")
            }
            return .ok("\(path) is readable")
        }
    }

    func redisReachable() async -> Outcome {
        do {
            try await checkpoints.ping()
            return .ok("\(redis.url) answers")
        } catch {
            return .failed("\(error.message) (REDIS_URL \(redis.url))", fatal: !error.isRetryable)
        }
    }

    /// The namespace's checkpoints describe this store: after a switch of backend (or bucket,
    /// or folder) they would send the rest of a file where its beginning never went.
    func checkpointsBelongHere() async -> Outcome {
        let owner = settings.storage.checkpointOwner
        do {
            let recorded = try await checkpoints.bindStore(owner)
            guard recorded == owner else {
                return .failed("REDIS_NAMESPACE '\(settings.redis.namespace)' holds the checkpoints of \(recorded), not of \(owner): to start over with the new store, set another REDIS_NAMESPACE (e.g. \(settings.redis.namespace.trimmed(of: ":"))-\(settings.storage.backend.rawValue):); the recordings already stored stay where they are", fatal: true)
            }
            return .ok("REDIS_NAMESPACE '\(settings.redis.namespace)' holds the checkpoints of \(owner)")
        } catch {
            return .failed("\(error.message) (REDIS_URL \(redis.url))", fatal: !error.isRetryable)
        }
    }

    func destination() async -> Outcome {
        do {
            return .ok(try await storage.prepare(create: settings.storage.createsDestination))
        } catch {
            return .failed(error.description, fatal: !error.isRetryable)
        }
    }
}
