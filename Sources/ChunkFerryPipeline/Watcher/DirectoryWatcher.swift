import ChunkFerrySupport
import Logging
import ServiceLifecycle

/// Watches WATCH_DIR with inotify, recursively, and rescans it every SCAN_INTERVAL to catch what
/// events miss (network filesystems, a full event queue, files present at start).
package struct DirectoryWatcher: Service {
    package let root: String
    /// Widened when a reload adds a camera.
    package let filter: Reloadable<FileFilter>
    /// SCAN_INTERVAL, reloadable.
    package let scanInterval: Reloadable<Duration>
    package let manager: StreamManager
    package let gate: ReadinessGate
    package let logger: Logger
    /// How often a rescan lists every folder, changed or not.
    static let fullScanPeriod = Duration.seconds(300)

    package init(root: String, filter: Reloadable<FileFilter>, scanInterval: Reloadable<Duration>, manager: StreamManager, gate: ReadinessGate, logger: Logger) {
        self.root = root
        self.filter = filter
        self.scanInterval = scanInterval
        self.manager = manager
        self.gate = gate
        self.logger = logger
    }

    package func run() async throws {
        guard await gate.wait() else { return }
        let root = root
        let inotify = BlockingWorkerPool<Inotify?>(name: "inotify", workers: 1) { try? Inotify(root: root) }
        defer { inotify.shutdown(wait: false) }
        var nextScan = ContinuousClock.now
        var rootMissing = false
        // Rescans list only folders that changed; every 5 minutes one lists everything.
        let memo = ScanMemo()
        var lastFullScan: ContinuousClock.Instant?
        while !RetryPolicy.isStopping {
            if ContinuousClock.now >= nextScan {
                if lastFullScan.map({ ContinuousClock.now - $0 >= Self.fullScanPeriod }) ?? true {
                    memo.forgetAll()
                    lastFullScan = .now
                }
                let found = await scan("", inotify: inotify, memo: memo)
                if found != !rootMissing {
                    rootMissing = !found
                    if rootMissing {
                        logger.error("WATCH_DIR is missing or unreadable; waiting for it to come back", metadata: ["event": "watch.missing", "watch.dir": "\(root)"])
                    } else {
                        logger.info("watching", metadata: ["watch.dir": "\(root)", "scan.interval": "\(scanInterval.value)"])
                    }
                }
                nextScan = ContinuousClock.now + scanInterval.value
            }
            let wait = Int32(max(1, min(500, (nextScan - ContinuousClock.now).milliseconds)))
            let read: [Inotify.Event]?
            do {
                read = try await inotify.run { inotify -> [Inotify.Event]? in inotify?.read(timeoutMilliseconds: wait) }
            } catch {
                break
            }
            if read == nil {  // no inotify here: rescans alone
                _ = await RetryPolicy.pause(.milliseconds(Int64(wait)))
            }
            var changed: [String] = []
            for event in read ?? [] {
                switch event.kind {
                case .changed: changed.append(event.path)
                case .removed: changed.append(event.path)  // observe stats it: a stale event must not retire a live file
                case .directoryAdded: _ = await scan(event.path, inotify: inotify, memo: nil)
                case .directoryRemoved: nextScan = .now
                case .overflow:
                    logger.notice("inotify queue overflowed; rescanning", metadata: ["event": "inotify.overflowed"])
                    memo.forgetAll()  // events were lost: list everything
                    nextScan = .now
                }
            }
            let paths = Set(changed.map(RelativePath.init)).union(await manager.pathsToLook().map(RelativePath.init))
            if !paths.isEmpty { await look(paths.map(\.value), inotify: inotify) }
        }
    }

    /// Looks at `paths` on the watcher's thread (see `FileSighting`), the share first, and hands
    /// what it found to the manager.
    private func look(_ paths: [String], inotify: BlockingWorkerPool<Inotify?>) async {
        let (root, filter, watchRoot) = (root, filter.value, manager.watchRoot)
        guard let looked = try? await inotify.run({ _ in
            (share: watchRoot.refresh(), sightings: FileSighting.look(root: root, filter: filter, paths: paths))
        }) else { return }
        report(looked.share)
        await manager.observe(looked.sightings)
    }

    /// Logs the share going away or coming back (see `WatchRoot`).
    private func report(_ share: (away: Bool, changed: Bool)) {
        guard share.changed else { return }
        if share.away {
            logger.error("WATCH_DIR is gone or another filesystem now: is the share unmounted? Its files are not taken for deleted; uploads of them resume once it is back", metadata: [
                "watch.dir": "\(root)", "event": "watch.unmounted",
            ])
        } else {
            logger.notice("WATCH_DIR is back; resuming", metadata: ["watch.dir": "\(root)", "event": "watch.mounted"])
        }
    }

    /// Watches and reports everything under `directory` (with `memo`, what changed since the last
    /// scan); false when it cannot be read.
    private func scan(_ directory: String, inotify: BlockingWorkerPool<Inotify?>, memo: ScanMemo?) async -> Bool {
        let (root, filter, watchRoot) = (root, filter.value, manager.watchRoot)
        let scanner = DirectoryScanner(root: root, filter: filter)
        let scanned = try? await inotify.run { inotify -> (result: DirectoryScanner.Result, share: (away: Bool, changed: Bool), sightings: [FileSighting])? in
            let share = watchRoot.refresh()
            guard let result = try? scanner.scan(directory, memo: memo) else { return nil }
            for folder in result.directories { try? inotify?.watch(folder) }
            return (result, share, FileSighting.look(root: root, filter: filter, paths: result.files))
        }
        guard let scan = scanned ?? nil else { return false }
        report(scan.share)
        let result = scan.result
        if directory.isEmpty && result.skipped == 0 { await manager.scanStarting() }
        await manager.observe(scan.sightings)
        if directory.isEmpty { await manager.scanCompleted(seen: result.files, complete: result.skipped == 0) }
        return true
    }
}
