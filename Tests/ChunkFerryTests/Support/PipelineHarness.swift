@testable import ChunkFerryCheckpoint
@testable import ChunkFerryPipeline
@testable import ChunkFerryStorage
@testable import ChunkFerrySupport
import Foundation
import Logging
import Testing

/// The pipeline's stages without the daemon: a real Redis (a namespace of the shared server),
/// a real folder store in a scratch folder, and the manager and a worker as the daemon builds
/// them. Jobs run one at a time on the test's task, so each ordering is chosen, not hoped for;
/// a test runs in well under a second.
struct PipelineHarness {
    let root: String
    let storeFolder: String
    let storage: FolderStore
    let checkpoints: CheckpointStore
    let context: PipelineContext
    let manager: StreamManager
    let worker: StreamWorker
    let filter = FileFilter(extensions: ["mp4", "jpg"])

    static let chunk = 5 << 20

    init(output: OutputSettings.Mode = .chunks, concurrency: Int = 2, root: String? = nil, namespace: String? = nil,
         storeFolder: String? = nil) async throws {
        self.root = root ?? Scratch.directory("pipeline-watch")
        self.storeFolder = storeFolder ?? Scratch.directory("pipeline-store")
        storage = FolderStore(settings: FolderSettings(path: self.storeFolder))
        checkpoints = CheckpointStore(redis: RedisClient(url: try await SharedServers.shared.redis().url),
                                      namespace: namespace ?? Scratch.uniqueName("pipeline") + ":")
        let watch = WatchSettings(directory: self.root)
        let upload = UploadSettings(chunkSize: Self.chunk, idleTimeout: .seconds(1), concurrency: concurrency, nodeID: "harness")
        context = PipelineContext(storage: storage, store: checkpoints, watch: watch, upload: upload,
                                  output: try OutputSettings(mode: output), abort: TransferAbort(), logger: Logger(label: "harness", factory: { _ in SwiftLogNoOpLogHandler() }))
        manager = StreamManager(watch: watch, upload: upload, logger: Logger(label: "harness", factory: { _ in SwiftLogNoOpLogHandler() }))
        worker = StreamWorker(context: context, manager: manager)
        await manager.scanCompleted(seen: [])
    }

    /// The same folder, Redis namespace and store folder, a new process's worth of pipeline: a restart.
    func restarted() async throws -> PipelineHarness {
        try await PipelineHarness(root: root, namespace: checkpoints.namespace, storeFolder: storeFolder)
    }

    func path(_ relative: String) -> String { "\(root)/\(relative)" }

    /// Writes (or appends) `bytes` to the file, its folders made.
    func write(_ relative: String, _ bytes: [UInt8], append: Bool = false) throws {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if append { try FileWriter.append(full, bytes) } else { try FileWriter.write(full, bytes) }
    }

    /// Looks at the file as the watcher does, and tells the manager.
    func sight(_ relative: String) async {
        await manager.observe([FileSighting.look(root: root, filter: filter, path: relative)])
    }

    /// Runs queued jobs one after another on this task until none is left (at most `limit`).
    @discardableResult
    func drain(limit: Int = 100) async -> Int {
        let queue = await manager.queue
        var ran = 0
        while ran < limit, queue.count > 0 {
            await worker.runOne()
            ran += 1
        }
        return ran
    }

    /// Asks the manager for the streams idle long enough to finalize, as the idle monitor does.
    func finalizeIdle() async {
        await manager.finalizeIdleStreams(now: .now + .seconds(3600))
    }

    /// Finalizes every idle stream and runs the jobs that takes.
    func finishIdle() async {
        await finalizeIdle()
        await drain()
    }

    /// A recording from start to end: the file written, seen, uploaded and finalized.
    func record(_ relative: String, _ bytes: [UInt8]) async throws {
        try write(relative, bytes)
        await sight(relative)
        await drain()
        await finishIdle()
    }

    /// The stream's record and chunks in Redis.
    func stream(_ id: String) async throws -> (record: StreamRecord, chunks: [ChunkRecord])? {
        try await checkpoints.stream(id)
    }

    /// Every stream Redis holds for `relative`.
    func streams(of relative: String) async throws -> [StreamRecord] {
        var found: [StreamRecord] = []
        for state in [StreamState.active, .finalized, .abandoned] {
            found += try await checkpoints.streams(in: state).filter { $0.path == relative }
        }
        return found
    }

    /// The manifests in the store of the streams Redis holds for `relative`, decoded.
    func manifests(of relative: String) async throws -> [Manifest] {
        try await streams(of: relative).compactMap { record in
            let key = context.layout.manifestKey(streamPrefix: record.keyPrefix)
            guard let data = FileManager.default.contents(atPath: "\(storeFolder)/\(key)") else { return nil }
            return try Manifest.decode(Array(data))
        }
    }

    /// The bytes of the recording as the store holds them: its chunks, in the manifest's order.
    func storedBytes(_ manifest: Manifest) throws -> [UInt8] {
        try manifest.chunks.flatMap { chunk -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: "\(storeFolder)/\(chunk.key)") else {
                throw HarnessError("chunk \(chunk.index) is not in the store at \(chunk.key)")
            }
            return Array(data)
        }
    }

    static func sha256(_ bytes: [UInt8]) -> String { ByteEncoding.hex(Digest.sha256(bytes)) }
}

extension StreamWorker {
    /// One job from the queue, carried out as `run` does it (for tests that order jobs themselves).
    func runOne() async {
        guard let job = await manager.queue.next() else { return }
        await carryOut(job)
    }
}
