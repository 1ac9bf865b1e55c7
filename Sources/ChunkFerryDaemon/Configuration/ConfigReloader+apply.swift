import ChunkFerryCameras
import ChunkFerryPipeline
import ChunkFerryStorage
import ChunkFerrySupport
import Logging
import Metrics
#if canImport(Glibc)
import Glibc
#endif

extension ConfigReloader {
    /// What the last good reload left running, and which restart-only changes were warned about.
    struct State {
        var applied: SettingsReader
        var settings: ChunkFerrySettings
        /// Restart-only keys already warned about, with the value warned for.
        var warned: [String: String] = [:]
    }

    func reload(trigger: String, state: inout State) async {
        let config: SettingsReader
        let settings: ChunkFerrySettings
        do throws(SettingsError) {
            if let path = source.path, let status = try? await FileCalls.shared.status(path).get(), status.size == 0 {
                // Most likely caught between truncation and writing; applying it would stop every camera.
                throw SettingsError(key: .configFile, message: "CONFIG_FILE '\(path)' is empty: write the settings into it (a key left out takes its default)")
            }
            config = try await source.load()
            settings = try ChunkFerrySettings(config: config)
            try canApply(settings, running: state.settings)
            try await probeStorageClass(settings, running: state.settings)
        } catch {
            count("failure")
            logger.error("configuration not reloaded; the running values stay: \(error.message)", metadata: [
                "event": "config.refused",
                "trigger": "\(trigger)", "setting": "\(error.key.environmentName)",
            ])
            return
        }
        var changed: [String] = []
        // Reloadable keys against the last reload; the others against what runs since startup.
        for key in SettingKey.all where key != .configFile {
            if Self.reloadable.contains(key) {
                if state.applied.string(key) != config.string(key) { changed.append(key.environmentName) }
            } else {
                warnRestartOnly(key.environmentName, running: source.initial.string(key), new: config.string(key), state: &state)
            }
        }
        if state.settings.cameras != settings.cameras { changed.append("cameras") }
        // The keys that need a restart keep their running values: only the reloadable ones move on.
        await targets.manager.apply(idleTimeout: settings.upload.idleTimeout, maxLag: settings.upload.maxLag)
        targets.scanInterval.value = settings.watch.scanInterval
        if settings.uplink.bandwidthLimit != targets.throttle.schedule { targets.throttle.change(to: settings.uplink.bandwidthLimit) }
        targets.lagAlert.value = settings.uplink.lagAlert
        await targets.manager.setCameras(Set(settings.cameras.map(\.name)), substreams: Set(settings.cameras.compactMap(\.liveFolder)))
        targets.logLevel.value = settings.log.level
        if settings.upload.concurrency != state.settings.upload.concurrency { targets.uploads.resize(to: settings.upload.concurrency) }
        if settings.storage.backend == state.settings.storage.backend {  // STORAGE_BACKEND itself waits for a restart
            targets.storage.changeStorageClass(settings.storage.s3?.storageClass)
            if case .http(let http) = settings.storage { targets.storage.changeToken(http.token) }
        }
        targets.retention.value = settings.retention
        let recorded = CameraSettings.recordedExtensions(settings.cameras)
        if !recorded.isSubset(of: targets.filter.value.extensions) {
            targets.filter.value = FileFilter(extensions: targets.filter.value.extensions.union(recorded))
        }
        targets.cameras?.apply(settings.cameras)
        state.applied = config
        state.settings = settings
        await targets.retry.retry(["*"], origin: "reload")
        count("success")
        logger.info("configuration reloaded", metadata: [
            "event": "config.reloaded",
            "trigger": "\(trigger)", "changed": "\(changed.isEmpty ? "nothing that applies now" : changed.joined(separator: ","))",
        ])
    }

    /// One warning per new value of a key that needs a restart (values are not logged: secrets).
    private func warnRestartOnly(_ name: String, running: String?, new: String?, state: inout State) {
        guard running != new else {
            state.warned[name] = nil
            return
        }
        let value = new ?? ""
        guard state.warned[name] != value else { return }
        state.warned[name] = value
        logger.warning("\(name) changed in the configuration; it takes effect at the next restart, the running value stays", metadata: [
            "event": "config.needs_restart",
            "setting": "\(name)",
        ])
    }

    /// What startup would refuse, with the values that keep running: UPLOAD_CONCURRENCY against
    /// the running CHUNK_SIZE (each upload holds a chunk), and local retention turned on needs
    /// a WATCH_DIR it may delete from and a store that can confirm it holds a recording.
    private func canApply(_ settings: ChunkFerrySettings, running: ChunkFerrySettings) throws(SettingsError) {
        let chunkSize = Int64(running.upload.chunkSize), concurrency = Int64(settings.upload.concurrency)
        guard chunkSize * concurrency <= 2 << 30 else {
            throw SettingsError(key: .uploadConcurrency, message: "UPLOAD_CONCURRENCY \(concurrency) with the running CHUNK_SIZE would hold \(chunkSize * concurrency >> 20)MiB of chunks in memory: keep the product at 2GiB or less")
        }
        guard let key = settings.retention.enablingKeys.first, running.retention.enablingKeys.isEmpty else { return }
        guard access(targets.watchDirectory, W_OK) == 0 else {
            throw SettingsError(key: key, message: "\(key.environmentName) must delete uploaded files from WATCH_DIR '\(targets.watchDirectory)', which is read-only for this user: mount it writable or leave local retention off")
        }
        guard targets.storage.lists || targets.storage.showsObjects else {
            throw SettingsError(key: key, message: "\(key.environmentName) deletes local files only once the store confirms it holds them, and this HTTP server answers no HEAD: make it answer HEAD and GET, or leave local retention off")
        }
    }

    /// A storage class the store does not offer would fail every upload from then on: one test
    /// object is written in the new class first, and the old class stays if the store refuses it.
    private func probeStorageClass(_ settings: ChunkFerrySettings, running: ChunkFerrySettings) async throws(SettingsError) {
        guard settings.storage.backend == running.storage.backend, let wanted = settings.storage.s3?.storageClass,
              wanted != running.storage.s3?.storageClass else { return }
        let storage = targets.storage
        let key = "\(running.upload.keyPrefix).chunkferry-check/\(running.upload.nodeID)-class-\(UInt32.random(in: 0...UInt32.max))"
        storage.changeStorageClass(wanted)
        do {
            _ = try await storage.put(key: key, bytes: Array("chunkferry storage class check\n".utf8), attributes: .check)
            try? await storage.delete(key: key)
        } catch {
            storage.changeStorageClass(running.storage.s3?.storageClass)
            throw SettingsError(key: .storageClass, message: "S3_STORAGE_CLASS \(wanted) could not be checked with a test object: \(error.description)")
        }
    }

    private func count(_ result: String) {
        Counter(label: "chunkferry_config_reloads_total", dimensions: [("result", result)]).increment()
    }
}
