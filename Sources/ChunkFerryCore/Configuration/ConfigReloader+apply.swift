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
        do {
            config = try await source.load()
            settings = try ChunkFerrySettings(config: config)
            try canApply(settings.retention, running: state.settings.retention)
        } catch {
            count("failure")
            logger.error("configuration not reloaded; the running values stay: \(error.message)", metadata: [
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
        targets.logLevel.value = settings.log.level
        if settings.upload.concurrency != state.settings.upload.concurrency { targets.uploads.resize(to: settings.upload.concurrency) }
        targets.storage.changeStorageClass(settings.storage.s3?.storageClass)
        targets.retention.value = settings.retention
        targets.cameras?.apply(settings.cameras)
        state.applied = config
        state.settings = settings
        count("success")
        logger.info("configuration reloaded", metadata: [
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
            "setting": "\(name)",
        ])
    }

    /// Local retention turned on by a reload needs what startup checks for it: a WATCH_DIR it
    /// may delete from, and a store that can confirm it holds a recording.
    private func canApply(_ retention: RetentionSettings, running: RetentionSettings) throws(SettingsError) {
        guard let key = retention.enablingKeys.first, running.enablingKeys.isEmpty else { return }
        guard access(targets.watchDirectory, W_OK) == 0 else {
            throw SettingsError(key: key, message: "\(key.environmentName) must delete uploaded files from WATCH_DIR '\(targets.watchDirectory)', which is read-only for this user: mount it writable or leave local retention off")
        }
        guard targets.storage.lists || targets.storage.showsObjects else {
            throw SettingsError(key: key, message: "\(key.environmentName) deletes local files only once the store confirms it holds them, and this HTTP server answers no HEAD: make it answer HEAD and GET, or leave local retention off")
        }
    }

    private func count(_ result: String) {
        Counter(label: "chunkferry_config_reloads_total", dimensions: [("result", result)]).increment()
    }
}
